/**
 * `cdk-spa-with-lambda-api dev --vite example/frontend`: the dev command starts the Vite dev server of the example
 * and serves the site through it (hot reload), still routed by the CloudFront Function.
 */
import * as http from 'http';
import * as path from 'path';
import { commandOf, descendants, eventually, isAlive, request, ROOT, RunningDev, START_TIMEOUT, startDev } from './dev-util';

let dev: RunningDev;

beforeAll(async () => {
  dev = await startDev(['--vite', path.join(ROOT, 'example', 'frontend'), '--api', path.join(ROOT, 'example', 'backend')]);
}, START_TIMEOUT);

afterAll(async () => {
  await dev?.stop('SIGKILL');
});

test('a deep link gets Vite\'s index.html (with its HMR client), as the routing function rewrites it to /index.html', async () => {
  const reply = await request(dev.port, '/items/42', { headers: { accept: 'text/html' } });
  expect(reply.status).toBe(200);
  expect(reply.text).toContain('<script type="module" src="/@vite/client"></script>');
  expect(reply.text).toContain('<title>SPA with Lambda API</title>');
  expect(reply.headers['x-frame-options']).toBe('DENY');
});

test('the source modules and Vite\'s own paths are served by Vite', async () => {
  const main = await request(dev.port, '/src/main.ts');
  expect(main.status).toBe(200);
  expect(main.headers['content-type']).toMatch(/javascript/);
  const client = await request(dev.port, '/@vite/client');
  expect(client.status).toBe(200);
  expect(client.text).toContain('vite');
});

test('a missing asset is a 404, not Vite\'s SPA fallback', async () => {
  const reply = await request(dev.port, '/assets/missing-file.js');
  expect(reply.status).toBe(404);
  expect(reply.text).toContain('NoSuchKey');
});

test('the API still answers under /api/*', async () => {
  const reply = await request(dev.port, '/api/health');
  expect(reply.status).toBe(200);
  expect(JSON.parse(reply.text).status).toBe('ok');
});

test.each(['/api/health', '/items/42', '/src/main.ts', '/@vite/client'])('DNS rebinding: Host attacker.example:PORT gets a 403 for %s (the API included)', async (p) => {
  const reply = await request(dev.port, p, { headers: { host: `attacker.example:${dev.port}`, accept: 'text/html' } });
  expect(reply.status).toBe(403);
  expect(reply.text).toContain('This host ("attacker.example") is not allowed');
  expect((await request(dev.port, p, { headers: { host: `localhost:${dev.port}`, accept: 'text/html' } })).status).toBe(200);
});

test('DNS rebinding: a WebSocket upgrade with a foreign Host is refused', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: dev.port,
      path: '/',
      headers: { 'Host': 'attacker.example', 'Connection': 'Upgrade', 'Upgrade': 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    req.on('upgrade', () => reject(new Error('upgraded')));
    req.on('response', (res) => { res.resume(); resolve(res.statusCode!); });
    req.on('error', reject);
    req.end();
  });
  expect(status).toBe(403);
});

test('Vite\'s HMR WebSocket upgrade passes through the dev server', async () => {
  const { status, protocol, firstMessage } = await new Promise<{ status: number; protocol?: string; firstMessage: string }>((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: dev.port,
      path: '/',
      headers: {
        'Connection': 'Upgrade',
        'Upgrade': 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Protocol': 'vite-hmr',
      },
    });
    const timer = setTimeout(() => reject(new Error('no WebSocket message within 20 s')), 20_000);
    req.on('upgrade', (res, socket, head: Buffer) => {
      const read = (frame: Buffer) => {
        clearTimeout(timer);
        // an unmasked text frame from the server: 0x81, a 7-bit (or 126 + 16-bit) length, the payload
        const len = frame[1] % 128; // the mask bit is 0 in frames from a server
        const start = len === 126 ? 4 : 2;
        resolve({ status: res.statusCode!, protocol: res.headers['sec-websocket-protocol'] as string, firstMessage: frame.subarray(start).toString() });
        socket.destroy();
      };
      // the server may send its first message together with the 101
      if (head.length > 0) read(head);
      else socket.once('data', read);
    });
    req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('no upgrade within 20 s')));
    req.end();
  });
  expect(status).toBe(101);
  expect(protocol).toBe('vite-hmr');
  expect(JSON.parse(firstMessage)).toEqual({ type: 'connected' });
});

test('stopping the dev command stops Vite too (its whole process group)', async () => {
  const tree = descendants(dev.child.pid!);
  expect(tree.map(commandOf).some((c) => /vite/.test(c))).toBe(true);
  expect(await dev.stop('SIGTERM')).toBe(143);
  await eventually(async () => tree.every((pid) => !isAlive(pid)), 10_000, 'the end of every child process');
  expect(tree.filter(isAlive).map(commandOf)).toEqual([]);
}, 30_000);
