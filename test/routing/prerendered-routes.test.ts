/**
 * Prerendered pages route exactly (issue #25): the deployed function code (route table written in by
 * src/routing/route-table.ts) runs in a fresh vm context over every HTML route of real builds made here (Astro,
 * SvelteKit adapter-static, Next.js `output: 'export'` with and without `trailingSlash`; file lists in
 * test/fixtures/real-builds) and over unknown paths, with both fallbacks.
 */
import { readFileList } from '../../scripts/hash-detection';
import {
  CLOUDFRONT_FUNCTION_MAX_BYTES, codeBytes, evaluateFunction, ROUTE_DIR_INDEX, ROUTE_FILE, ROUTE_HTML, routeTable, routingFunctionCode,
} from '../../src/routing/route-table';
import { CfRequest, viewerRequestEvent } from '../cloudfront-function';

const HTML_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

interface Routed {
  readonly uri: string;
  readonly status: number;
}

/** The deployed code for `files`, and a request through it: viewer request, then (for a 200) viewer response. */
function siteRouter(files: string[], notFoundPage?: string, responseSeesRewrittenUri = true) {
  const code = routingFunctionCode(routeTable(files, '/api'), notFoundPage);
  const handler = evaluateFunction(code);
  const route = (uri: string, accept = HTML_ACCEPT): Routed => {
    const request: CfRequest = { method: 'GET', uri, querystring: {}, headers: { accept: { value: accept } }, cookies: {} };
    const routed = handler(viewerRequestEvent({ ...request, headers: { ...request.headers } })) as CfRequest;
    // S3 answers 200 for a file of the build, 404 (NoSuchKey, the bucket allows listing) otherwise
    const key = decodeURIComponent(routed.uri.substring(1));
    const s3Status = files.includes(key) ? 200 : 404;
    if (s3Status !== 200) return { uri: routed.uri, status: s3Status }; // CloudFront runs no viewer-response function on an origin error
    const event = {
      ...viewerRequestEvent(responseSeesRewrittenUri ? routed : request),
      context: { ...viewerRequestEvent(request).context, eventType: 'viewer-response' },
      response: { statusCode: 200, statusDescription: 'OK', headers: {}, cookies: {} },
    };
    const response = handler(event) as { statusCode: number };
    return { uri: routed.uri, status: response.statusCode };
  };
  return { code, route };
}

/**
 * The page each HTML file of a build is served for, from the file list alone: `x.html` at `/x`; `x/index.html` at
 * `/x/`, and at `/x` unless `x.html` exists (`/x` prefers `x.html`).
 */
function expectedPages(files: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const f of files.filter((x) => x.endsWith('.html') && x !== 'index.html')) {
    if (f.endsWith('/index.html')) {
      const dir = f.substring(0, f.length - '/index.html'.length);
      out.push([`/${dir}/`, `/${f}`]);
      if (!files.includes(`${dir}.html`)) out.push([`/${dir}`, `/${f}`]);
    } else {
      out.push([`/${f.substring(0, f.length - '.html'.length)}`, `/${f}`]);
    }
  }
  return out;
}

const BUILDS = ['astro', 'sveltekit', 'next-default', 'next-trailing'];

describe.each(BUILDS)('%s build', (name) => {
  const files = readFileList(name);
  const pages = expectedPages(files);
  const spa = siteRouter(files);

  test('has prerendered pages other than index.html', () => {
    expect(pages.length).toBeGreaterThanOrEqual(4);
  });

  test('every HTML route serves its page with 200, for navigations and for other requests', () => {
    for (const [uri, page] of pages) {
      expect([uri, spa.route(uri)]).toEqual([uri, { uri: page, status: 200 }]);
      expect([uri, spa.route(uri, '*/*')]).toEqual([uri, { uri: page, status: 200 }]);
    }
    expect(spa.route('/')).toEqual({ uri: '/index.html', status: 200 });
  });

  test('unknown paths, prefixes of pages and paths below pages get the SPA shell (exact segments, no prefix matching)', () => {
    const unknown = ['/does-not-exist', '/users/42', '/users/john.doe'];
    for (const [uri] of pages.filter(([u]) => !u.endsWith('/'))) {
      unknown.push(`${uri}2`, uri.substring(0, uri.length - 1), `${uri}/child`, `${uri}x/`);
    }
    for (const uri of unknown.filter((u) => !pages.some(([p]) => p === u) && u !== '/')) {
      expect([uri, spa.route(uri)]).toEqual([uri, { uri: '/index.html', status: 200 }]);
    }
  });

  test('assets pass unchanged; a missing asset is S3\'s 404', () => {
    for (const file of files.filter((f) => !f.endsWith('.html')).slice(0, 20)) {
      expect(spa.route(`/${file}`, '*/*')).toEqual({ uri: `/${file}`, status: 200 });
    }
    expect(spa.route('/missing-chunk-AAAA1111.js', '*/*')).toEqual({ uri: '/missing-chunk-AAAA1111.js', status: 404 });
  });

  test('the code is the template plus the route table, far under the 10 KB limit', () => {
    expect(codeBytes(spa.code)).toBeLessThan(CLOUDFRONT_FUNCTION_MAX_BYTES);
    expect(codeBytes(spa.code)).toBeGreaterThan(codeBytes(routingFunctionCode({})));
  });
});

describe.each(['astro', 'next-default', 'next-trailing'])('%s build with SpaRoutingFallback.notFoundPage()', (name) => {
  const files = readFileList(name);
  const pages = expectedPages(files);

  test.each([true, false])('unknown paths get /404.html with status 404, pages 200 (viewer-response sees the rewritten uri: %s)', (rewritten) => {
    const site = siteRouter(files, '404.html', rewritten);
    for (const [uri, page] of pages) {
      expect([uri, site.route(uri)]).toEqual([uri, { uri: page, status: page === '/404.html' ? 404 : 200 }]);
    }
    for (const uri of ['/does-not-exist', '/about2', '/blog/nope/', '/users/john.doe']) {
      expect([uri, site.route(uri)]).toEqual([uri, { uri: '/404.html', status: 404 }]);
    }
    expect(site.route('/')).toEqual({ uri: '/index.html', status: 200 });
    expect(site.route('/robots.txt', '*/*')).toEqual({ uri: '/robots.txt', status: 200 });
    expect(site.route('/missing.js', '*/*')).toEqual({ uri: '/missing.js', status: 404 });
  });
});

describe('the route table', () => {
  test('flags .html pages, folder index pages and files the SPA rule would rewrite; leaves the API prefix and assets out', () => {
    expect(routeTable([
      'index.html', 'about.html', 'about/index.html', 'docs/index.html', 'LICENSE', '.well-known/apple-app-site-association',
      'data.custom', 'app.js', 'logo.svg', 'api/index.html', 'api.html', 'api/v1/docs.html', 'apis.html', 'café.html',
    ], '/api')).toEqual({
      '.well-known/apple-app-site-association': ROUTE_FILE,
      'LICENSE': ROUTE_FILE,
      'about': ROUTE_HTML + ROUTE_DIR_INDEX,
      'apis': ROUTE_HTML,
      'café': ROUTE_HTML,
      'data.custom': ROUTE_FILE,
      'docs': ROUTE_DIR_INDEX,
    });
  });

  test('the files flagged as files are exactly those the SPA rule alone would answer with the shell (every file of every real build)', () => {
    const handler = evaluateFunction(routingFunctionCode({}));
    const files = [
      ...['vite-react', 'webpack5', 'esbuild', 'angular', ...BUILDS].flatMap((n) => readFileList(n)),
      'LICENSE', 'data.custom', 'IMG.PNG', 'a.verylongextension', 'x.', '.env', 'dir/.htaccess', 'v1.2/page', 'manifest.webmanifest',
    ];
    const rewritten = files.filter((f) => !f.endsWith('.html')
      && (handler(viewerRequestEvent({ method: 'GET', uri: `/${f}`, querystring: {}, headers: { accept: { value: HTML_ACCEPT } }, cookies: {} })) as CfRequest).uri !== `/${f}`);
    const table = routeTable(files, '/api');
    expect(Object.keys(table).filter((k) => table[k] === ROUTE_FILE).sort()).toEqual([...new Set(rewritten)].sort());
    expect(rewritten).toEqual(expect.arrayContaining(['LICENSE', 'data.custom', 'a.verylongextension', 'x.', 'v1.2/page']));
  });

  test('files without an extension are served as themselves, not the shell', () => {
    const site = siteRouter(['index.html', '.well-known/apple-app-site-association', 'LICENSE']);
    expect(site.route('/.well-known/apple-app-site-association')).toEqual({ uri: '/.well-known/apple-app-site-association', status: 200 });
    expect(site.route('/LICENSE')).toEqual({ uri: '/LICENSE', status: 200 });
  });

  test('percent-encoded paths find their page, and the rewrite keeps the encoding', () => {
    const site = siteRouter(['index.html', 'café.html', 'a b/index.html']);
    expect(site.route('/caf%C3%A9')).toEqual({ uri: '/caf%C3%A9.html', status: 200 });
    expect(site.route('/a%20b/')).toEqual({ uri: '/a%20b/index.html', status: 200 });
    expect(site.route('/%E0%A4%A')).toEqual({ uri: '/index.html', status: 200 }); // malformed: no throw
  });

  test('names with quotes, backslashes and line separators are written as valid ES5 string literals', () => {
    const odd = ['say "hi"', 'back\\slash', 'line\u2028sep', 'para\u2029sep'];
    const code = routingFunctionCode(routeTable(['index.html', ...odd.map((n) => `${n}.html`)], '/api'));
    expect(code).not.toMatch(/[\u2028\u2029]/);
    const site = siteRouter(['index.html', ...odd.map((n) => `${n}.html`)]);
    for (const n of odd) expect(site.route(`/${encodeURIComponent(n)}`).uri).toBe(`/${encodeURIComponent(n)}.html`);
  });

  test('keys of Object.prototype are not routes', () => {
    const site = siteRouter(['index.html']);
    for (const uri of ['/constructor', '/__proto__', '/toString', '/hasOwnProperty/']) {
      expect(site.route(uri)).toEqual({ uri: '/index.html', status: 200 });
    }
  });

  test('pages named like keys of Object.prototype are routes', () => {
    const site = siteRouter(['index.html', 'constructor.html', 'toString/index.html', 'api-docs/hasOwnProperty.html']);
    expect(site.route('/constructor')).toEqual({ uri: '/constructor.html', status: 200 });
    expect(site.route('/toString/')).toEqual({ uri: '/toString/index.html', status: 200 });
    expect(site.route('/api-docs/hasOwnProperty')).toEqual({ uri: '/api-docs/hasOwnProperty.html', status: 200 });
  });

  test('capacity: 15-character page paths fit up to the measured count, and one more does not', () => {
    const fits = (n: number) => codeBytes(routingFunctionCode(routeTable(
      Array.from({ length: n }, (_, i) => `blog/post-${String(i).padStart(5, '0')}.html`), '/api'))) <= CLOUDFRONT_FUNCTION_MAX_BYTES;
    let n = 0;
    while (fits(n + 1)) n++;
    expect(n).toBe(MAX_15_CHAR_ROUTES);
  });
});

/** Measured: scripts/routing-size.ts prints it, docs/routing.md and docs/measurements.md quote it. */
const MAX_15_CHAR_ROUTES = 362;
