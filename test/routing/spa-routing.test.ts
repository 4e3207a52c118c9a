import * as fs from 'fs';
import * as vm from 'vm';

import { loadSpaRoutingHandler, SPA_ROUTING_SOURCE_PATH as SOURCE_PATH } from './spa-routing-function';
import { CfEvent, CfRequest, CfValue, viewerRequestEvent } from '../cloudfront-function';

const code = fs.readFileSync(SOURCE_PATH, 'utf-8');

type Handler = (event: CfEvent) => CfRequest;

function loadHandler(): Handler {
  return loadSpaRoutingHandler<CfEvent, CfRequest>();
}

const handler = loadHandler();

const HTML_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const ANY_ACCEPT = '*/*';

interface EventOptions {
  accept?: string;
  querystring?: Record<string, CfValue>;
  method?: string;
  noHeaders?: boolean;
}

/** Builds a CloudFront Functions viewer-request event (header keys are lowercase). */
function viewerRequest(uri: string, options: EventOptions = {}): CfEvent {
  const headers: Record<string, CfValue> = { host: { value: 'd111111abcdef8.cloudfront.net' } };
  if (options.accept !== undefined) {
    headers.accept = { value: options.accept };
  }
  const request: CfRequest = {
    method: options.method ?? 'GET',
    uri,
    querystring: options.querystring ?? {},
    headers,
    cookies: {},
  };
  if (options.noHeaders) {
    delete request.headers;
  }
  return viewerRequestEvent(request);
}

function routedUri(uri: string, options: EventOptions = {}): string {
  return handler(viewerRequest(uri, options)).uri;
}

describe('spa-routing.js source', () => {
  test('is under the 10 KB CloudFront Functions limit', () => {
    expect(Buffer.byteLength(code, 'utf-8')).toBeLessThan(10 * 1024);
  });

  test('declares a top-level handler and no module system', () => {
    expect(code).toContain('function handler(');
    expect(code).not.toContain('module.exports');
    expect(code).not.toContain('require(');
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
  });

  test('compiles as a script', () => {
    expect(() => new vm.Script(code, { filename: 'spa-routing.js' })).not.toThrow();
  });

  test('exposes handler as a function', () => {
    expect(typeof handler).toBe('function');
  });

  test('returns the same request object it was given', () => {
    const event = viewerRequest('/users', { accept: HTML_ACCEPT });
    expect(handler(event)).toBe(event.request);
  });

  test('is deterministic', () => {
    const first = routedUri('/users/john.doe', { accept: HTML_ACCEPT });
    const second = loadHandler()(viewerRequest('/users/john.doe', { accept: HTML_ACCEPT })).uri;
    expect(first).toBe('/index.html');
    expect(second).toBe(first);
  });
});

describe('root and the shell itself', () => {
  test.each([
    ['/', HTML_ACCEPT, '/index.html'],
    ['/', ANY_ACCEPT, '/index.html'],
    ['/', undefined, '/index.html'],
    ['/index.html', HTML_ACCEPT, '/index.html'],
    ['/index.html', ANY_ACCEPT, '/index.html'],
    ['/index.html', undefined, '/index.html'],
  ])('%s (Accept: %s) -> %s', (uri, accept, expected) => {
    expect(routedUri(uri, { accept })).toBe(expected);
  });
});

describe('extension-less deep links are rewritten regardless of Accept', () => {
  test.each([
    ['/items/42'],
    ['/items/42/'],
    ['/v1.2/page'],
    ['/users'],
    ['/users/42/'],
    ['/.well-known/x'],
    ['/a/b/c/d/e'],
    ['/name.'],
    ['/release.bad-ext'],
    ['/a.verylongextension'],
  ])('%s', (uri) => {
    expect(routedUri(uri, { accept: HTML_ACCEPT })).toBe('/index.html');
    expect(routedUri(uri, { accept: ANY_ACCEPT })).toBe('/index.html');
    expect(routedUri(uri)).toBe('/index.html');
  });
});

describe('Accept header decides for unknown extensions', () => {
  test.each([
    ['/users/john.doe', HTML_ACCEPT, '/index.html'],
    ['/users/john.doe', 'text/html', '/index.html'],
    ['/users/john.doe', 'TEXT/HTML', '/index.html'],
    ['/users/john.doe', ANY_ACCEPT, '/users/john.doe'],
    ['/users/john.doe', 'application/json', '/users/john.doe'],
    ['/users/john.doe', '', '/users/john.doe'],
    ['/users/john.doe', undefined, '/users/john.doe'],
    ['/docs/v2.0', HTML_ACCEPT, '/index.html'],
    ['/docs/v2.0', ANY_ACCEPT, '/docs/v2.0'],
  ])('%s (Accept: %s) -> %s', (uri, accept, expected) => {
    expect(routedUri(uri, { accept })).toBe(expected);
  });
});

describe('static files pass through unchanged, even for browser navigations', () => {
  test.each([
    ['/assets/index-BcD3fGhI.js'],
    ['/assets/index-BcD3fGhI.css'],
    ['/assets/index-BcD3fGhI.js.map'],
    ['/favicon.ico'],
    ['/robots.txt'],
    ['/about.html'],
    ['/manifest.webmanifest'],
    ['/MANIFEST.WEBMANIFEST'],
    ['/fonts/inter.woff2'],
    ['/models/scene.glb'],
    ['/missing/asset.png'],
  ])('%s', (uri) => {
    expect(routedUri(uri, { accept: HTML_ACCEPT })).toBe(uri);
    expect(routedUri(uri, { accept: ANY_ACCEPT })).toBe(uri);
    expect(routedUri(uri)).toBe(uri);
  });

  test.each([
    ['/IMG.PNG'],
    ['/Photos/Holiday.JpEg'],
    ['/INDEX.HTML'],
  ])('uppercase extension %s is compared lowercase', (uri) => {
    expect(routedUri(uri, { accept: HTML_ACCEPT })).toBe(uri);
    expect(routedUri(uri, { accept: ANY_ACCEPT })).toBe(uri);
  });
});

describe('dot-file last segments are treated as files', () => {
  test.each([
    ['/.env'],
    ['/config/.env'],
    ['/.well-known'],
    ['/.htaccess'],
  ])('%s passes through', (uri) => {
    expect(routedUri(uri, { accept: HTML_ACCEPT })).toBe(uri);
    expect(routedUri(uri, { accept: ANY_ACCEPT })).toBe(uri);
    expect(routedUri(uri)).toBe(uri);
  });
});

describe('query strings are preserved untouched', () => {
  test.each([
    ['/items/42', HTML_ACCEPT, '/index.html'],
    ['/', ANY_ACCEPT, '/index.html'],
    ['/users/john.doe', HTML_ACCEPT, '/index.html'],
    ['/users/john.doe', ANY_ACCEPT, '/users/john.doe'],
    ['/assets/app.js', HTML_ACCEPT, '/assets/app.js'],
  ])('%s (Accept: %s) -> %s', (uri, accept, expected) => {
    const querystring = {
      tab: { value: 'settings' },
      redirect: { value: '/foo.html' },
      q: { value: 'a.b' },
    };
    const expectedQuerystring = JSON.parse(JSON.stringify(querystring));
    const event = viewerRequest(uri, { accept, querystring });

    const result = handler(event);

    expect(result.uri).toBe(expected);
    expect(result.uri).not.toContain('?');
    expect(result.querystring).toBe(querystring);
    expect(result.querystring).toEqual(expectedQuerystring);
  });
});

describe('other request fields are preserved', () => {
  test('headers, cookies and method are untouched on rewrite', () => {
    const event = viewerRequest('/items/42', { accept: HTML_ACCEPT, method: 'HEAD' });
    event.request.cookies = { session: { value: 'abc' } };
    const headersBefore = JSON.parse(JSON.stringify(event.request.headers));

    const result = handler(event);

    expect(result.uri).toBe('/index.html');
    expect(result.method).toBe('HEAD');
    expect(result.headers).toEqual(headersBefore);
    expect(result.cookies).toEqual({ session: { value: 'abc' } });
  });

  test('pass-through leaves the request deep-equal to the input', () => {
    const event = viewerRequest('/favicon.ico', { accept: HTML_ACCEPT, querystring: { v: { value: '2' } } });
    const before = JSON.parse(JSON.stringify(event.request));

    expect(handler(event)).toEqual(before);
  });
});

describe('odd input never throws', () => {
  test('empty uri is rewritten to the shell', () => {
    expect(routedUri('', { accept: HTML_ACCEPT })).toBe('/index.html');
    expect(routedUri('')).toBe('/index.html');
  });

  test.each([
    ['/items/42', '/index.html'],
    ['/users/john.doe', '/users/john.doe'],
    ['/robots.txt', '/robots.txt'],
  ])('request without a headers object: %s -> %s', (uri, expected) => {
    const event = viewerRequest(uri, { noHeaders: true });
    expect(event.request.headers).toBeUndefined();
    expect(() => handler(event)).not.toThrow();
    expect(handler(viewerRequest(uri, { noHeaders: true })).uri).toBe(expected);
  });

  test('accept header without a value is not a navigation', () => {
    const event = viewerRequest('/users/john.doe');
    event.request.headers = { accept: {} as CfValue };
    expect(handler(event).uri).toBe('/users/john.doe');
  });

  test('missing uri is treated as empty', () => {
    const event = viewerRequest('/x');
    delete (event.request as Partial<CfRequest>).uri;
    expect(handler(event).uri).toBe('/index.html');
  });

  test('event without a request does not throw', () => {
    expect(() => handler({} as CfEvent)).not.toThrow();
  });
});
