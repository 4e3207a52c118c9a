/**
 * What the Mangum handler receives from the dev server, and how its results come back: the echo app of
 * test/fixtures/dev-echo-backend returns the event it got (Mangum's `aws.event`), compared with the fields of AWS's
 * published payload 2.0 sample events (test/fixtures/apigw-events).
 */
import * as fs from 'fs';
import * as path from 'path';
import { eventually, FIXTURES, request, RunningDev, START_TIMEOUT, startDev } from './dev-util';

const BACKEND = path.join(FIXTURES, 'dev-echo-backend');
const SAMPLE = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'apigw-events', 'get-cookies.json'), 'utf8'));

let dev: RunningDev;
let failing: RunningDev;

beforeAll(async () => {
  dev = await startDev(['--api', BACKEND, '--site', path.join(FIXTURES, 'vite-build')]);
  failing = await startDev(['--api', BACKEND, '--handler', 'app.main.failing_handler', '--site', path.join(FIXTURES, 'vite-build')]);
}, START_TIMEOUT);

afterAll(async () => {
  await Promise.all([dev?.stop('SIGKILL'), failing?.stop('SIGKILL')]);
});

async function echo(pathAndQuery: string, options: Parameters<typeof request>[2] = {}) {
  const reply = await request(dev.port, pathAndQuery, options);
  expect(reply.status).toBe(200);
  return JSON.parse(reply.text);
}

test('a GET becomes a payload 2.0 event with the fields and shapes of AWS\'s sample', async () => {
  const { event } = await echo('/api/echo/a%20b/c?x=1&y=two%20words&x=3', {
    headers: { 'Accept': 'application/json', 'X-Custom': ['one', 'two'], 'Cookie': 'session=abc123; theme=dark', 'User-Agent': 'agent' },
  });
  // every top-level field of the sample, and of its requestContext and requestContext.http
  expect(Object.keys(event).sort()).toEqual(expect.arrayContaining(Object.keys(SAMPLE).sort()));
  expect(Object.keys(event.requestContext).sort()).toEqual(expect.arrayContaining(Object.keys(SAMPLE.requestContext).sort()));
  expect(Object.keys(event.requestContext.http).sort()).toEqual(Object.keys(SAMPLE.requestContext.http).sort());
  expect(event).toMatchObject({
    version: '2.0',
    routeKey: '$default',
    rawPath: '/api/echo/a%20b/c',
    rawQueryString: 'x=1&y=two%20words&x=3',
    cookies: ['session=abc123', 'theme=dark'],
    queryStringParameters: { x: '1,3', y: 'two words' },
    isBase64Encoded: false,
    requestContext: { routeKey: '$default', stage: '$default', http: { method: 'GET', protocol: 'HTTP/1.1', userAgent: 'agent' } },
  });
  // header names lowercase, repeated headers joined with commas, the cookie header moved into `cookies`
  expect(event.headers['x-custom']).toBe('one,two');
  expect(event.headers.accept).toBe('application/json');
  expect(event.headers.cookie).toBeUndefined();
  expect(event.headers['x-forwarded-proto']).toBe('http');
  expect(event.requestContext.time).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
  expect(event.body).toBeUndefined();
});

test('the FastAPI app sees the path, the query, the cookies and the local host', async () => {
  const seen = await echo('/api/echo/x?a=1&a=2', { headers: { cookie: 'session=abc123; theme=dark' } });
  expect(seen.method).toBe('GET');
  expect(seen.path).toBe('/api/echo/x');
  expect(seen.query).toEqual([['a', '1'], ['a', '2']]);
  expect(seen.cookies).toEqual({ session: 'abc123', theme: 'dark' });
  expect(seen.host).toBe(`127.0.0.1:${dev.port}`);
  // the API runs in the dev server's virtualenv, not in the Python that started it
  expect(seen.python).toContain(`${path.sep}venv-`);
});

test('a JSON body arrives as text; a binary body arrives base64-encoded, byte for byte', async () => {
  const json = await echo('/api/echo/json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
  expect(json.event).toMatchObject({ body: '{"name":"x"}', isBase64Encoded: false });
  expect(Buffer.from(json.bodyBase64, 'base64').toString()).toBe('{"name":"x"}');

  const bytes = Buffer.from([0, 1, 2, 254, 255, 0x89, 0x50, 0x4e, 0x47]);
  const binary = await echo('/api/echo/upload', { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
  expect(binary.event).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
  expect(Buffer.from(binary.bodyBase64, 'base64').equals(bytes)).toBe(true);

  const form = await echo('/api/echo/form', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=2' });
  expect(form.event.isBase64Encoded).toBe(true);
});

test('cookies of the result become one Set-Cookie header each', async () => {
  const reply = await request(dev.port, '/api/cookies');
  expect(reply.status).toBe(200);
  const setCookie = reply.headers['set-cookie'] ?? [];
  expect(setCookie).toHaveLength(2);
  expect(setCookie[0]).toMatch(/^first=1; /);
  expect(setCookie[1]).toMatch(/^second=2; HttpOnly; /);
});

test('a base64-encoded result is decoded: binary responses arrive byte for byte', async () => {
  const reply = await request(dev.port, '/api/binary');
  expect(reply.status).toBe(200);
  expect(reply.headers['content-type']).toBe('application/octet-stream');
  expect(reply.body.equals(Buffer.from(Array.from({ length: 256 }, (_, i) => i)))).toBe(true);
});

test('what the app prints goes to the terminal and does not disturb the answers', async () => {
  await echo('/api/echo/printing');
  expect(failing.output()).toContain('printed at import: must not disturb the dev server');
  // the print travels on stderr, the answer on the protocol pipe: the two pipes are read independently
  await eventually(async () => dev.output().includes('echo GET /api/echo/printing'), 5000, 'the app\'s print in the terminal');
});

test('a handler that raises is API Gateway\'s 500 JSON, and the traceback is in the terminal', async () => {
  const reply = await request(failing.port, '/api/anything');
  expect(reply.status).toBe(500);
  expect(reply.headers['content-type']).toBe('application/json');
  expect(JSON.parse(reply.text)).toEqual({ message: 'Internal Server Error' });
  expect(failing.output()).toContain('RuntimeError: the handler failed');
});
