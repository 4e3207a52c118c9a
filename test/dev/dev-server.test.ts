/**
 * `cdk-spa-with-lambda-api dev` against the example backend (a temporary copy, so it can be edited) and a built
 * Vite site: the real CLI as a child process, on a free port, checked with HTTP requests.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  commandOf, descendants, eventually, FIXTURES, isAlive, request, ROOT, RunningDev, START_TIMEOUT, startDev, tmpCopy,
} from './dev-util';
import { DEFAULT_CONTENT_SECURITY_POLICY, securityHeaderValues } from '../../src/distribution/security-headers';

const SITE = path.join(FIXTURES, 'vite-build');
const SHELL = fs.readFileSync(path.join(SITE, 'index.html'), 'utf8');
const ASSET = 'assets/index-DESi9q8R.js';

let backend: string;
let dev: RunningDev;

beforeAll(async () => {
  backend = tmpCopy(path.join(ROOT, 'example', 'backend'), 'dev-backend-');
  dev = await startDev(['--api', backend, '--handler', 'app.main.handler', '--site', SITE, '--allowed-host', 'app.test', '--allowed-host', '.dev.test']);
}, START_TIMEOUT);

afterAll(async () => {
  await dev?.stop('SIGKILL');
});

describe('the site, through the SPA-routing CloudFront Function', () => {
  test('a deep link gets the shell with 200', async () => {
    const reply = await request(dev.port, '/items/42', { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.text).toBe(SHELL);
  });

  test('a navigation to a path with a dot gets the shell; the same path fetched as a file is the bucket\'s 404', async () => {
    expect((await request(dev.port, '/users/john.doe', { headers: { accept: 'text/html' } })).text).toBe(SHELL);
    const asFile = await request(dev.port, '/users/john.doe', { headers: { accept: '*/*' } });
    expect(asFile.status).toBe(404);
  });

  test('an asset is the file, with its content type and the immutable cache rule of hashed files', async () => {
    const reply = await request(dev.port, `/${ASSET}`);
    expect(reply.status).toBe(200);
    expect(reply.body.equals(fs.readFileSync(path.join(SITE, ASSET)))).toBe(true);
    expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(reply.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await request(dev.port, '/robots.txt')).headers['cache-control']).toBe('no-cache');
  });

  test('a missing asset is S3\'s 404 NoSuchKey, not the shell', async () => {
    const reply = await request(dev.port, '/assets/index-missing.js');
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toBe('application/xml');
    expect(reply.text).toContain('<Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>assets/index-missing.js</Key>');
    expect(reply.text).not.toContain('<html');
  });

  test('a path outside the site folder is a 404, not a file of the machine', async () => {
    const reply = await request(dev.port, '/assets/..%2F..%2F..%2Fpackage.json');
    expect(reply.status).toBe(404);
  });

  test('a POST to the site is refused as the default behaviour refuses it (GET, HEAD, OPTIONS only)', async () => {
    const reply = await request(dev.port, '/index.html', { method: 'POST', body: 'x' });
    expect(reply.status).toBe(403);
  });
});

describe('the API, through the Mangum handler', () => {
  test('/api/health is the app\'s JSON', async () => {
    const reply = await request(dev.port, '/api/health');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.text)).toMatchObject({ status: 'ok', version: '0.1.0' });
    expect(reply.headers['apigw-requestid']).toMatch(/^\S+=$/);
  });

  test('an unknown API route is the app\'s JSON 404, not the shell', async () => {
    const reply = await request(dev.port, '/api/no/such/route', { headers: { accept: 'text/html' } });
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.text)).toEqual({ detail: 'Not Found' });
  });

  test('state lives in one long-running process: an item created is found by the next request', async () => {
    const created = await request(dev.port, '/api/items', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'kept' }),
    });
    expect(created.status).toBe(201);
    const { id } = JSON.parse(created.text);
    const fetched = await request(dev.port, `/api/items/${id}`);
    expect(fetched.status).toBe(200);
    expect(JSON.parse(fetched.text)).toMatchObject({ id, name: 'kept' });
  });

  test('"/api" without a trailing segment is not the API\'s: it goes to the site, as the /api/* behaviour does', async () => {
    const reply = await request(dev.port, '/api', { headers: { accept: 'text/html' } });
    expect(reply.text).toBe(SHELL);
  });
});

describe('DNS rebinding: only this machine\'s names are answered', () => {
  test.each(['/api/health', '/items/42', `/${ASSET}`, '/api/items'])('Host: attacker.example:PORT gets a 403 for %s, and the app is not called', async (p) => {
    const reply = await request(dev.port, p, { method: p === '/api/items' ? 'POST' : 'GET', headers: { host: `attacker.example:${dev.port}` }, body: p === '/api/items' ? '{"name":"x"}' : undefined });
    expect(reply.status).toBe(403);
    expect(reply.text).toContain('Blocked request. This host ("attacker.example") is not allowed');
    expect(reply.text).toContain('pass --allowed-host attacker.example');
    expect(reply.text).not.toContain('"status"');
  });

  test.each([
    ['localhost:PORT'], ['LOCALHOST.:PORT'], ['app.localhost:PORT'], ['127.0.0.1:PORT'], ['[::1]:PORT'], ['app.test:PORT'], ['app.test'],
    ['api.dev.test:PORT'], ['dev.test:PORT'],
  ])('Host: %s is answered', async (host) => {
    const reply = await request(dev.port, '/robots.txt', { headers: { host: host.replace('PORT', String(dev.port)) } });
    expect(reply.status).toBe(200);
    if (!host.startsWith('[')) { // (Mangum cannot split an IPv6 host from its port)
      expect((await request(dev.port, '/api/health', { headers: { host: host.replace('PORT', String(dev.port)) } })).status).toBe(200);
    }
  });

  test.each([['app.test.attacker.example'], ['attacker-dev.test'], ['localhost.attacker.example'], ['127.0.0.1.nip.io'], ['a,localhost'], ['localhost@attacker.example']])(
    'Host: %s gets a 403', async (host) => {
      expect((await request(dev.port, '/api/health', { headers: { host } })).status).toBe(403);
    });
});

test('the security headers of the response headers policy are on site and API responses, the same values', async () => {
  const expected = securityHeaderValues(DEFAULT_CONTENT_SECURITY_POLICY);
  expect(expected['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
  for (const p of ['/items/42', `/${ASSET}`, '/assets/missing.js', '/api/health', '/api/no/such/route']) {
    const reply = await request(dev.port, p);
    for (const [name, value] of Object.entries(expected)) {
      expect([p, name, reply.headers[name]]).toEqual([p, name, value]);
    }
  }
});

test('a change to a backend file is served after the reload', async () => {
  const main = path.join(backend, 'app', 'main.py');
  fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace('VERSION = "0.1.0"', 'VERSION = "0.1.0-reloaded"'));
  await eventually(async () => JSON.parse((await request(dev.port, '/api/health')).text).version === '0.1.0-reloaded', 45_000, 'the reload');
  expect(dev.output()).toMatch(/app\/main\.py changed: reloading/);
  // the site kept working meanwhile, and the reloaded API still answers its 404s as JSON
  expect((await request(dev.port, '/items/1', { headers: { accept: 'text/html' } })).status).toBe(200);
  expect((await request(dev.port, '/api/nope')).status).toBe(404);
}, 60_000);

test('Ctrl-C stops the server and the Python process: no process of the tree is left', async () => {
  const tree = descendants(dev.child.pid!);
  expect(tree.map(commandOf).some((c) => c.includes('dev_server.py'))).toBe(true);
  const exit = await dev.stop('SIGINT');
  expect(exit).toBe(130);
  await eventually(async () => tree.every((pid) => !isAlive(pid)), 10_000, 'the end of every child process');
  expect(tree.filter(isAlive).map(commandOf)).toEqual([]);
  await expect(request(dev.port, '/api/health')).rejects.toThrow(/ECONNREFUSED/);
}, 30_000);
