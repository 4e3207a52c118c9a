/**
 * A site built inside the API's folder (issue 24 item 7: Vite's `outDir` = `../backend/app/frontend`): the facade leaves
 * it out of the function's bundle (the asset hash is that of the folder without it) and warns.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { SpaWithLambdaApi } from '../../src';
import { BACKEND, minimalProps, newStack, SITE, testTempDir } from '../util';

/** The python-app backend with the site fixture built into `app/frontend/`. */
function backendWithSite(): { backend: string; site: string } {
  const backend = testTempDir('site-inside-api-');
  fs.cpSync(BACKEND, backend, { recursive: true });
  const site = path.join(backend, 'app', 'frontend');
  fs.cpSync(SITE, site, { recursive: true });
  return { backend, site };
}

function functionCodeKey(template: Template): string {
  const fns = template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'app.main.handler' } });
  return Object.values(fns).map((r: any) => r.Properties.Code.S3Key)[0];
}

describe('site.source inside api.source', () => {
  test('the site is left out of the function\'s bundle, and a warning says so', () => {
    const { backend, site } = backendWithSite();
    const stack = newStack();
    new SpaWithLambdaApi(stack, 'App', minimalProps({ site: { source: site }, api: { source: backend } }));
    const template = Template.fromStack(stack);
    Annotations.fromStack(stack).hasWarning('/TestStack/App', Match.stringLikeRegexp(
      `^site\\.source "${site.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" is inside api\\.source ".*" \\(as "app/frontend/"\\), so the built site is left out of the function's bundle`));

    // the function's asset is that of the backend without the site: the site's files are neither hashed nor shipped
    const withSite = functionCodeKey(template);
    fs.rmSync(site, { recursive: true });
    const other = newStack();
    new SpaWithLambdaApi(other, 'App', minimalProps({ site: { source: SITE }, api: { source: backend } }));
    expect(functionCodeKey(Template.fromStack(other))).toBe(withSite);
    Annotations.fromStack(other).hasNoWarning('*', Match.stringLikeRegexp('is inside api\\.source'));
  });

  test('a site next to the API (the usual layout) changes nothing', () => {
    const stack = newStack();
    new SpaWithLambdaApi(stack, 'App', minimalProps());
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('is inside api\\.source'));
  });
});
