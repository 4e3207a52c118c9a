/**
 * The default stack: SpaWithLambdaApi with its defaults (viewer-request SPA routing, `/api` prefix),
 * removed with the stack. After a real deploy the assertions call the site over HTTPS.
 *
 *   snapshot:     npx projen integ
 *   real account: npx integ-runner --update-on-failed --language typescript test/integ.default.ts (with AWS credentials)
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { EXAMPLE_BACKEND, hashedEntryChunk, SiteAssertions, VITE_BUILD } from './integ-util';
import { SpaWithLambdaApi } from '../src';

const app = new App({ analyticsReporting: false });
const stack = new Stack(app, 'SpaWithLambdaApiIntegDefault');
const spa = new SpaWithLambdaApi(stack, 'App', {
  site: { source: VITE_BUILD },
  api: { source: EXAMPLE_BACKEND, handler: 'app.main.handler' },
  removalPolicy: RemovalPolicy.DESTROY,
});

const integ = new IntegTest(app, 'SpaWithLambdaApiDefault', {
  testCases: [stack],
  // the update workflow would need the bundled site-packages in the snapshot; keep snapshots small instead
  stackUpdateWorkflow: false,
});

const site = new SiteAssertions(integ, spa.siteUrl);
site.servesSpaShell('/');
site.servesSpaShell('/items/42'); // a deep link gets the same SPA shell with 200
site.servesImmutableAsset(hashedEntryChunk());
site.apiAnswers('/api/health', 200, { status: 'ok' });
// the app sees the public host: FastAPI's redirect_slashes sends the browser to the site, not to execute-api
site.redirects('/api/items/', 307, `${spa.siteUrl}/api/items`);
// the release manifests the cleanup keeps in the bucket are never served
site.refuses('/.releases/manifest.json');
// default routing mode: the API's own 404 JSON reaches the client, never the SPA's HTML
site.apiAnswers('/api/items/does-not-exist', 404, { detail: 'Item does-not-exist not found' });
// origin verification: a direct call to execute-api, around CloudFront, is refused before FastAPI runs
site.apiAnswers('/api/health', 403, { message: 'Forbidden' }, spa.httpApi!.apiEndpoint);

app.synth();
