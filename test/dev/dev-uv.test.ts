/**
 * A project locked with uv: the dev server's virtualenv is built from the same uv.lock as the bundle
 * (`uv export`, then uv installs it), and a handler result without `statusCode` is a 200 JSON body, as API
 * Gateway makes it. Needs uv (requirements-dev.txt); skipped outside CI without it, as the bundling tests are.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIXTURES, request, RunningDev, START_TIMEOUT, startDev } from './dev-util';
import { findUv } from '../bundling/python-bundling-util';

const uv = findUv();
const describeWithUv = uv ? describe : describe.skip;

describeWithUv('a uv.lock project', () => {
  let dev: RunningDev;
  let cacheDir: string;

  beforeAll(async () => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-uv-'));
    dev = await startDev([
      '--api', path.join(FIXTURES, 'python-uv-project'), '--handler', 'app.main.handler',
      '--site', path.join(FIXTURES, 'vite-build'), '--cache-dir', cacheDir,
    ], { env: { CDK_SPA_UV: uv! } });
  }, START_TIMEOUT);

  afterAll(async () => {
    await dev?.stop('SIGKILL');
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  test('the locked versions are installed with uv, and a plain dict result is a 200 JSON body', async () => {
    expect(dev.output()).toMatch(/building the API's virtualenv from .*uv\.lock with uv/);
    const reply = await request(dev.port, '/api/versions');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.text)).toEqual({ six: '1.17.0', idna: '3.21' });
  });
});
