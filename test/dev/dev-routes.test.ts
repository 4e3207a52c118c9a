/**
 * The local preview routes prerendered pages as the distribution does (issue #25): a real DevServer on a free port
 * serving a folder made from the Next.js export's file list (each page's content names its path), with the same
 * function code and route table the construct deploys. The API is a recording double: only its path is checked.
 */
import * as fs from 'fs';
import * as path from 'path';
import { request } from './dev-util';
import { readFileList } from '../../scripts/hash-detection';
import { SpaRouting, SpaRoutingFallback, SpaWithLambdaApi } from '../../src';
import { DEV_METADATA_TYPE, DevFacts } from '../../src/dev/facts';
import { HostCheck } from '../../src/dev/host-check';
import { PythonApi } from '../../src/dev/python-api';
import { DevServer } from '../../src/dev/server';
import { loadViewerRequestFunction, StaticSite } from '../../src/dev/site';
import { routeTable, routingFunctionCode } from '../../src/routing/route-table';
import { minimalProps, newStack, testTempDir } from '../util';

const FILES = [...readFileList('next-default'), 'api/about.html'];

function siteFolder(): string {
  const dir = testTempDir('dev-routes-site-');
  for (const f of FILES) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), `file ${f}`);
  }
  return dir;
}

async function serve(notFoundPage?: string) {
  const apiPaths: string[] = [];
  const api = {
    invoke: async (event: { rawPath: string }) => {
      apiPaths.push(event.rawPath);
      return { result: { statusCode: 404, body: 'api 404' } };
    },
  } as unknown as PythonApi;
  const dir = siteFolder();
  const site = new StaticSite(dir, undefined, { apiPrefix: '/api', prerenderedRoutes: true, notFoundPage });
  const server = new DevServer({
    port: 0,
    host: '127.0.0.1',
    prefix: '/api',
    routing: 'viewer-request-function',
    responseHeaders: {},
    site,
    api,
    log: () => undefined,
    hostCheck: new HostCheck('127.0.0.1', []),
  });
  const port = await server.listen();
  const get = async (uri: string) => {
    const reply = await request(port, uri, { headers: { accept: 'text/html' } });
    return { status: reply.status, text: reply.text };
  };
  return { server, site, dir, get, apiPaths };
}

describe('the preview with the SPA shell as fallback', () => {
  let dev: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    dev = await serve();
  });
  afterAll(() => dev.server.close());

  test('prerendered pages are served as themselves, unknown paths get the shell', async () => {
    expect(await dev.get('/about')).toEqual({ status: 200, text: 'file about.html' });
    expect(await dev.get('/blog/hello')).toEqual({ status: 200, text: 'file blog/hello.html' });
    expect(await dev.get('/docs/guides/install')).toEqual({ status: 200, text: 'file docs/guides/install.html' });
    expect(await dev.get('/about2')).toEqual({ status: 200, text: 'file index.html' });
    expect(await dev.get('/blog')).toEqual({ status: 200, text: 'file index.html' });
  });

  test('a page the build adds while the preview runs is routed once the folder is listed again', async () => {
    expect(await dev.get('/pricing')).toEqual({ status: 200, text: 'file index.html' });
    fs.writeFileSync(path.join(dev.dir, 'pricing.html'), 'file pricing.html');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await dev.get('/pricing')).toEqual({ status: 200, text: 'file pricing.html' });
  });

  test('API paths go to the API unchanged, even where the site has a page of that name', async () => {
    expect(await dev.get('/api/about')).toEqual({ status: 404, text: 'api 404' });
    expect(dev.apiPaths).toEqual(['/api/about']);
  });

  test('the function is the code the construct deploys for the folder', () => {
    const code = routingFunctionCode(routeTable(FILES, '/api'));
    expect(code).toContain('"blog/hello":1');
    expect(code).not.toContain('"api/about"');
    const event = (uri: string) => ({
      version: '1.0',
      context: { eventType: 'viewer-request' },
      viewer: { ip: '127.0.0.1' },
      request: { method: 'GET', uri, querystring: {}, headers: {}, cookies: {} },
    });
    expect((loadViewerRequestFunction()(event('/blog/world')) as { uri: string }).uri).toBe('/blog/world.html');
    expect((dev.site.routingFunction()(event('/blog/world')) as { uri: string }).uri).toBe('/blog/world.html');
  });
});

describe('the preview with the not-found page', () => {
  test('unknown paths get 404.html with status 404; pages and / stay 200', async () => {
    const dev = await serve('404.html');
    try {
      expect(await dev.get('/nope')).toEqual({ status: 404, text: 'file 404.html' });
      expect(await dev.get('/about')).toEqual({ status: 200, text: 'file about.html' });
      expect(await dev.get('/')).toEqual({ status: 200, text: 'file index.html' });
    } finally {
      await dev.server.close();
    }
  });
});

describe('the facts the dev command reads', () => {
  function facts(routing?: SpaRouting): DevFacts {
    const dir = siteFolder();
    const app = new SpaWithLambdaApi(newStack(), 'App', minimalProps({ site: { source: dir, routing } }));
    return app.node.metadata.find((m) => m.type === DEV_METADATA_TYPE)!.data as DevFacts;
  }

  test('record the not-found page and whether pages are routed', () => {
    expect(facts()).toMatchObject({ routing: 'viewer-request-function', prerenderedRoutes: true });
    expect(facts().notFoundPage).toBeUndefined();
    expect(facts(SpaRouting.viewerRequestFunction({ fallback: SpaRoutingFallback.notFoundPage(), prerenderedRoutes: false })))
      .toMatchObject({ prerenderedRoutes: false, notFoundPage: '404.html' });
  });
});
