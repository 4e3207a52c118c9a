/**
 * `cdk-spa-with-lambda-api dev` in streaming mode (`api.streaming`): the real CLI as a child process serves the
 * streaming fixture app (test/fixtures/streaming-app) under uvicorn, started by the layer's exec wrapper, and
 * proxies `/api/*` to it; an SSE endpoint's events must reach the client one by one, as the app yields them.
 *
 * Timestamps: the app records `time.monotonic()` (CLOCK_MONOTONIC) as it yields each event; Node's
 * `process.hrtime.bigint()` reads the same clock on Linux, so arrival and yield times are comparable.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { descendants, eventually, FIXTURES, isAlive, request, RunningDev, START_TIMEOUT, startDev, tmpCopy } from './dev-util';
import { streamingFromFacts } from '../../src/dev/streaming';
import { DEFAULT_CONTENT_SECURITY_POLICY, securityHeaderValues } from '../../src/distribution/security-headers';

const SITE = path.join(FIXTURES, 'vite-build');
const monotonic = (): number => Number(process.hrtime.bigint()) / 1e9;

let dev: RunningDev;
let calls: string;

beforeAll(async () => {
  const api = tmpCopy(path.join(FIXTURES, 'streaming-app'), 'dev-streaming-');
  calls = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dev-streaming-calls-')), 'calls.jsonl');
  dev = await startDev(['--api', api, '--handler', 'app.main.handler', '--site', SITE, '--streaming'], {
    env: { STREAMING_TEST_CALLS: calls },
  });
}, START_TIMEOUT);

afterAll(async () => {
  await dev?.stop('SIGINT');
  fs.rmSync(path.dirname(calls), { recursive: true, force: true });
});

interface Arrival { readonly at: number; readonly data: { i: number } }

/** GETs an SSE stream, noting when each event (a block ending with a blank line) arrives. */
function readEvents(port: number, pathAndQuery: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; events: Arrival[] }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathAndQuery, headers: { accept: 'text/event-stream' } }, (res) => {
      const events: Arrival[] = [];
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const at = monotonic();
        pending += chunk;
        let end: number;
        while ((end = pending.indexOf('\n\n')) >= 0) {
          const block = pending.substring(0, end);
          pending = pending.substring(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data:'));
          if (data) events.push({ at, data: JSON.parse(data.substring(5)) });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, events }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
  });
}

function yields(): number[] {
  return fs.readFileSync(calls, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l))
    .filter((r) => r.kind === 'yield').map((r) => r.t as number);
}

test('an SSE endpoint\'s events arrive one by one, each before the app yields the next', async () => {
  const before = yields().length;
  const { status, headers, events } = await readEvents(dev.port, '/api/events?n=5&interval=0.5');
  expect(status).toBe(200);
  expect(headers['content-type']).toMatch(/^text\/event-stream/);
  expect(events.map((e) => e.data.i)).toEqual([0, 1, 2, 3, 4]);
  const produced = yields().slice(before);
  expect(produced).toHaveLength(5);
  // the first event is in the client's hands before the generator yields its last one (2 s later) ...
  expect(events[0].at).toBeLessThan(produced[4]);
  // ... and every event before the next is produced: streamed, not buffered
  for (let i = 0; i < 4; i++) {
    expect(events[i].at).toBeGreaterThanOrEqual(produced[i]);
    expect(events[i].at).toBeLessThan(produced[i + 1]);
  }
  // the response headers policy is on the streamed response too
  const policy = securityHeaderValues(DEFAULT_CONTENT_SECURITY_POLICY);
  for (const [name, value] of Object.entries(policy)) expect(headers[name.toLowerCase()]).toBe(value);
  await eventually(async () => /GET \/api\/events\?n=5&interval=0\.5 -> API 200 \(\d+ ms, streamed\)/.test(dev.output()), 5000, 'the request log line');
});

test('the app runs under uvicorn with the layer\'s ASGI app, without origin verification, and sees the dev host', async () => {
  const reply = await request(dev.port, '/api/whoami', { headers: { host: `localhost:${dev.port}` } });
  expect(reply.status).toBe(200);
  expect(JSON.parse(reply.text)).toEqual({
    url: `http://localhost:${dev.port}/api/whoami`, url_for: `http://localhost:${dev.port}/api/whoami`, host: `localhost:${dev.port}`,
  });
  const post = await request(dev.port, '/api/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
  expect(JSON.parse(post.text)).toEqual({ body: { a: 1 } });
  expect(dev.output()).toContain('under uvicorn (streaming)');
  const commands = descendants(dev.child.pid!).filter(isAlive).map((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
  expect(commands.some((c) => c.includes('cdk_spa_streaming:app') && c.includes('--no-proxy-headers'))).toBe(true);
});

test('the site is still the site', async () => {
  const reply = await request(dev.port, '/items/42', { headers: { accept: 'text/html' } });
  expect(reply.status).toBe(200);
  expect(reply.text).toBe(fs.readFileSync(path.join(SITE, 'index.html'), 'utf8'));
});

test('the dev facts turn streaming on with api.streaming: true, and only then', () => {
  expect(streamingFromFacts({ handler: 'app.main.handler', streaming: true })).toBe(true);
  expect(streamingFromFacts({ handler: 'app.main.handler' })).toBe(false);
  expect(streamingFromFacts({ streaming: 'true' })).toBe(false);
  expect(streamingFromFacts(undefined)).toBe(false);
});

test('uvicorn never outlives the dev command, even one killed with SIGKILL', async () => {
  const api = tmpCopy(path.join(FIXTURES, 'streaming-app'), 'dev-streaming-kill-');
  const other = await startDev(['--api', api, '--handler', 'app.main.handler', '--site', SITE, '--streaming']);
  const tree = descendants(other.child.pid!).filter(isAlive);
  expect(tree.some((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('cdk_spa_streaming:app'))).toBe(true);
  await other.stop('SIGKILL');
  await eventually(async () => tree.every((pid) => !isAlive(pid)), 10_000, 'every process of the killed dev command ending');
}, START_TIMEOUT);
