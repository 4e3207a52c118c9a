/**
 * The options users combine most: a custom API prefix, the errorResponses SPA mode, streaming (the API behind a
 * Function URL in RESPONSE_STREAM mode, uvicorn behind the Lambda Web Adapter), and a custom domain given as a
 * us-east-1 certificate plus an imported hosted zone. The assertions stream Server-Sent Events through
 * CloudFront, for longer than an HTTP API would allow (45 s), and check that the Function URL refuses a direct call.
 *
 * For a real run, point it at a domain you own (the defaults are placeholders that only make sense
 * for the snapshot) and update the snapshot:
 *   INTEG_DOMAIN_NAME=spa-integ.example.com INTEG_HOSTED_ZONE_ID=Z... INTEG_HOSTED_ZONE_NAME=example.com \
 *   INTEG_CERTIFICATE_ARN=arn:aws:acm:us-east-1:...:certificate/... \
 *   npx integ-runner --update-on-failed --language typescript test/integ.options.ts
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { EXAMPLE_BACKEND, hashedEntryChunk, SiteAssertions, VITE_BUILD } from './integ-util';
import { SpaRouting, SpaWithLambdaApi } from '../src';

const env = (name: string, placeholder: string): string => process.env[name] ?? placeholder;

const app = new App({ analyticsReporting: false });
const stack = new Stack(app, 'SpaWithLambdaApiIntegOptions');
const prefix = '/backend';
const spa = new SpaWithLambdaApi(stack, 'App', {
  site: { source: VITE_BUILD, routing: SpaRouting.errorResponses() },
  api: {
    source: EXAMPLE_BACKEND,
    handler: 'app.main.handler',
    prefix,
    environment: { API_PREFIX: prefix }, // the example backend mounts its routes under API_PREFIX
    streaming: true,
    timeout: Duration.minutes(2),
  },
  domain: {
    domainName: env('INTEG_DOMAIN_NAME', 'spa-integ.example.com'),
    certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate',
      env('INTEG_CERTIFICATE_ARN', 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000')),
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
      hostedZoneId: env('INTEG_HOSTED_ZONE_ID', 'Z00000000000000000000'),
      zoneName: env('INTEG_HOSTED_ZONE_NAME', 'example.com'),
    }),
  },
  removalPolicy: RemovalPolicy.DESTROY,
});

const integ = new IntegTest(app, 'SpaWithLambdaApiOptions', {
  testCases: [stack],
  stackUpdateWorkflow: false,
});

// assertions go to the distribution's own domain, which answers as soon as it is deployed (DNS may lag)
const site = new SiteAssertions(integ, `https://${spa.distribution.distributionDomainName}`);
site.servesSpaShell('/');
site.servesSpaShell('/items/42', false); // errorResponses mode: S3's 403/404 becomes /index.html with 200
site.servesImmutableAsset(hashedEntryChunk());
site.apiAnswers(`${prefix}/health`, 200, { status: 'ok' });
site.streamsEvents(`${prefix}/events?count=3&interval=0.5`, 3);
// 45 seconds from the first event to the last: past the HTTP API's 30-second limit, within the function's timeout
site.streamsEvents(`${prefix}/events?count=4&interval=15`, 4);
site.refusesDirectCall(`${spa.functionUrl!.url}${prefix.slice(1)}/health`);

app.synth();
