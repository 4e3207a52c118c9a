/**
 * The facade's SPA-routing function with prerendered routes (issue #25): what the template holds for a built
 * folder with pages (the Astro build's file list, written out as empty files), the static-site fallback's two
 * associations, `sourceAsset` keeping the SPA rule alone, and the synth-time errors.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { readFileList } from '../../scripts/hash-detection';
import { SpaRouting, SpaRoutingFallback, SpaWithLambdaApi, SpaWithLambdaApiProps } from '../../src';
import { CLOUDFRONT_FUNCTION_MAX_BYTES, evaluateFunction, routeTable, routingFunctionCode } from '../../src/routing/route-table';
import { viewerRequestEvent } from '../cloudfront-function';
import { distributionConfig, minimalProps, newStack, SITE, synthApp, testTempDir } from '../util';

/** A folder holding `files` (empty files), as a build would leave them. */
function siteFolder(files: string[]): string {
  const dir = testTempDir('spa-routing-site-');
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), '');
  }
  return dir;
}

const ASTRO = readFileList('astro');

function routingFunction(props: SpaWithLambdaApiProps) {
  const { template } = synthApp(props);
  const fns = Object.entries(template.findResources('AWS::CloudFront::Function'))
    .filter(([, r]) => /routing/.test(r.Properties.FunctionConfig.Comment));
  expect(fns).toHaveLength(1);
  const [id, fn] = fns[0];
  return {
    id,
    code: fn.Properties.FunctionCode as string,
    comment: fn.Properties.FunctionConfig.Comment as string,
    config: distributionConfig(template),
  };
}

function routed(code: string, uri: string): string {
  return (evaluateFunction(code)(viewerRequestEvent({ method: 'GET', uri, querystring: {}, headers: {}, cookies: {} })) as { uri: string }).uri;
}

describe('prerendered routes in the template', () => {
  test('the function holds the route table of site.source and serves its pages', () => {
    const source = siteFolder(ASTRO);
    const fn = routingFunction(minimalProps({ site: { source } }));
    expect(fn.code).toBe(routingFunctionCode(routeTable(ASTRO, '/api')));
    expect(routed(fn.code, '/about')).toBe('/about/index.html');
    expect(routed(fn.code, '/blog/first-post/')).toBe('/blog/first-post/index.html');
    expect(routed(fn.code, '/users/42')).toBe('/index.html');
    expect(fn.config.DefaultCacheBehavior.FunctionAssociations.map((a: any) => a.EventType)).toEqual(['viewer-request']);
  });

  test('a site without pages gets the SPA rule alone, with the same code as sourceAsset', () => {
    const fromFolder = routingFunction(minimalProps({ site: { source: SITE } })).code;
    const fromAsset = routingFunction(minimalProps({ site: { sourceAsset: s3deploy.Source.asset(SITE), hashedAssetGlobs: ['assets/*'] } })).code;
    expect(fromFolder).toBe(routingFunctionCode({}));
    expect(fromAsset).toBe(routingFunctionCode({}));
    expect(routed(fromAsset, '/about')).toBe('/index.html');
  });

  test('prerenderedRoutes: false keeps the SPA rule alone for a site with pages', () => {
    const routing = SpaRouting.viewerRequestFunction({ prerenderedRoutes: false });
    const fn = routingFunction(minimalProps({ site: { source: siteFolder(ASTRO), routing } }));
    expect(fn.code).toBe(routingFunctionCode({}));
  });

  test('the not-found page: the same function on viewer request and viewer response, and the page written in', () => {
    const fn = routingFunction(minimalProps({
      site: { source: siteFolder(ASTRO), routing: SpaRouting.viewerRequestFunction({ fallback: SpaRoutingFallback.notFoundPage() }) },
    }));
    expect(fn.config.DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fn.id, 'FunctionARN'] } },
      { EventType: 'viewer-response', FunctionARN: { 'Fn::GetAtt': [fn.id, 'FunctionARN'] } },
    ]);
    for (const behavior of fn.config.CacheBehaviors) {
      expect(JSON.stringify(behavior.FunctionAssociations ?? [])).not.toContain(fn.id);
    }
    expect(fn.comment).toBe('Static-site routing: prerendered pages, unknown paths get the not-found page with status 404');
    expect(routed(fn.code, '/nope')).toBe('/404.html');
    expect(routed(fn.code, '/')).toBe('/index.html');
  });

  test('pages under the API prefix are not routes', () => {
    const fn = routingFunction(minimalProps({
      site: { source: siteFolder(['index.html', 'backend/index.html', 'backend.html', 'about.html']) },
      api: { source: path.join(__dirname, '..', 'fixtures', 'python-app'), prefix: '/backend' },
    }));
    expect(fn.code).toContain('var ROUTES = {"about":1};');
  });
});

describe('bad input fails at synth time', () => {
  function expectError(props: SpaWithLambdaApiProps, message: string): void {
    expect(() => new SpaWithLambdaApi(newStack(), 'App', props)).toThrow(new Error(`Invalid props for SpaWithLambdaApi 'App':\n- ${message}`));
  }

  test('fails when the not-found page is not in site.source', () => {
    expectError(minimalProps({ site: { source: SITE, routing: SpaRouting.viewerRequestFunction({ fallback: SpaRoutingFallback.notFoundPage() }) } }),
      `site.routing's fallback is SpaRoutingFallback.notFoundPage("404.html"), but site.source (${JSON.stringify(SITE)}) has no 404.html, `
      + 'so unknown paths would get S3\'s error instead of your page. Build the site\'s not-found page (Astro: src/pages/404.astro; SvelteKit: '
      + 'adapter-static fallback "404.html"; Next.js export writes 404.html), pass the page\'s path, or use SpaRoutingFallback.spaShell().');
  });

  test('fails when the not-found page is used with sourceAsset', () => {
    expectError(minimalProps({
      site: {
        sourceAsset: s3deploy.Source.asset(SITE),
        hashedAssetGlobs: ['assets/*'],
        routing: SpaRouting.viewerRequestFunction({ fallback: SpaRoutingFallback.notFoundPage() }),
      },
    }), 'site.routing\'s fallback is SpaRoutingFallback.notFoundPage("404.html") and site.sourceAsset is set, but a prebuilt source '
      + 'cannot be listed at synth time, so the page cannot be checked. Use site.source (the built folder), or SpaRoutingFallback.spaShell().');
  });

  test.each(['/404.html', '404.txt', '../404.html', 'a/./404.html', ''])('fails when the not-found page is %j', (page) => {
    const routing = SpaRouting.viewerRequestFunction({ fallback: SpaRoutingFallback.notFoundPage(page) });
    expectError(minimalProps({ site: { source: SITE, routing } }),
      `site.routing's fallback is SpaRoutingFallback.notFoundPage(${JSON.stringify(page)}), but the page must be an .html file's path in `
      + 'the site, relative to it (no leading "/", no "." or ".." segments). Use for example SpaRoutingFallback.notFoundPage("404.html").');
  });

  test('fails when the route table does not fit the 10 KB limit of a CloudFront Function', () => {
    const pages = Array.from({ length: 400 }, (_, i) => `blog/post-${String(i).padStart(5, '0')}.html`);
    const source = siteFolder(['index.html', ...pages]);
    const bytes = Buffer.byteLength(routingFunctionCode(routeTable(pages, '/api')));
    expect(bytes).toBeGreaterThan(CLOUDFRONT_FUNCTION_MAX_BYTES);
    expectError(minimalProps({ site: { source } }),
      `site.routing routes the prerendered pages of site.source (${JSON.stringify(source)}): 400 paths, `
      + `which make the routing function ${bytes} bytes, but a CloudFront Function's code is limited to ${CLOUDFRONT_FUNCTION_MAX_BYTES} bytes. `
      + 'Set site.routing to SpaRouting.viewerRequestFunction({ prerenderedRoutes: false }) (every extension-less path gets the SPA shell, '
      + 'links to pages must then name their .html files), or SpaRouting.none() for a static site whose links name its files; see docs/routing.md.');
    // the way out the message names synthesizes
    expect(() => synthApp(minimalProps({ site: { source, routing: SpaRouting.viewerRequestFunction({ prerenderedRoutes: false }) } }))).not.toThrow();
  });
});
