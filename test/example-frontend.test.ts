/**
 * The example SPA's client-side routes, and how they meet the CloudFront SPA-routing function: every
 * deep link a user can bookmark must reach the SPA shell, and the SPA must then render the right view.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadSpaRoutingHandler } from './routing/spa-routing-function';
import { itemPath, matchRoute } from '../example/frontend/src/router';

const handler = loadSpaRoutingHandler();

function viewerRequest(uri: string, accept: string) {
  return {
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: '192.0.2.1' },
    request: { method: 'GET', uri, querystring: {}, headers: { accept: { value: accept } }, cookies: {} },
  };
}

describe('example SPA router', () => {
  test.each([
    ['/', 'home', {}],
    ['/items', 'items', {}],
    ['/items/', 'items', {}],
    ['/items/42', 'item', { id: '42' }],
    ['/items/john.doe?tab=1#top', 'item', { id: 'john.doe' }],
    ['/items/a%20b', 'item', { id: 'a b' }],
    ['/items/%E0', 'notFound', {}],
    ['/Items/42', 'notFound', {}],
    ['/items/42/edit', 'notFound', {}],
    ['/nowhere', 'notFound', {}],
  ])('%s is %s', (pathname, name, params) => {
    expect(matchRoute(pathname)).toEqual({ name, params });
  });

  test('itemPath round-trips through matchRoute', () => {
    for (const id of ['42', 'a b', 'john.doe', 'ünï/cøde']) {
      expect(matchRoute(itemPath(id))).toEqual({ name: 'item', params: { id } });
    }
  });
});

describe('deep links reach the SPA shell through the CloudFront Function, then the right view', () => {
  const navigation = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

  test.each(['/items', '/items/42', '/items/john.doe', '/items/a%20b'])('%s', (uri) => {
    expect(handler(viewerRequest(uri, navigation)).uri).toBe('/index.html');
    expect(matchRoute(uri).name).not.toBe('notFound');
  });

  test('the built assets of the SPA are not rewritten', () => {
    const html = fs.readFileSync(path.join(__dirname, 'fixtures', 'vite-build', 'index.html'), 'utf8');
    // script and stylesheet/icon references (links to SPA routes are navigations, tested above)
    const assets = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets).toHaveLength(3);
    for (const asset of assets) {
      expect(handler(viewerRequest(asset, '*/*')).uri).toBe(asset);
    }
  });
});
