/**
 * The `cdk-spa-with-lambda-api` command as npm installs it: `npm pack` the compiled library, install the tarball,
 * and run the linked bin (its shebang, its executable bit, and the runtime files it finds next to it: the dev
 * server's Python script and the CloudFront Function).
 *
 * Needs the compiled library (`lib/`): it runs after `compile` in `npx projen build`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { commandOf, descendants, FIXTURES, request, ROOT, RunningDev, START_TIMEOUT, startDev } from './dev-util';

let work: string;
let bin: string;

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'dev', 'cli.js'))) {
    throw new Error('lib/dev/cli.js is missing: run `npx projen compile` (or `npx projen build`) before this test.');
  }
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-package-'));
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
  fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  // only the package (its one dependency is bundled); aws-cdk-lib and constructs come from NODE_PATH below
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--legacy-peer-deps', '--loglevel=error', path.join(work, tarball)], { cwd: work, encoding: 'utf8' });
  bin = path.join(work, 'node_modules', '.bin', 'cdk-spa-with-lambda-api');
}, 120_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('npm links an executable bin whose first line is the node shebang', () => {
  const target = fs.realpathSync(bin);
  expect(path.relative(path.join(work, 'node_modules', 'cdk-spa-with-lambda-api'), target)).toBe(path.join('lib', 'dev', 'cli.js'));
  expect(fs.readFileSync(target, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  expect(() => fs.accessSync(target, fs.constants.X_OK)).not.toThrow();
});

test('`cdk-spa-with-lambda-api --help` prints the usage', () => {
  const out = execFileSync(bin, ['--help'], { encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') } });
  expect(out).toMatch(/^Usage: cdk-spa-with-lambda-api dev \[options\]/);
});

describe('the installed command serves the app', () => {
  let dev: RunningDev;

  beforeAll(async () => {
    dev = await startDev(['--api', path.join(ROOT, 'example', 'backend'), '--site', path.join(FIXTURES, 'vite-build')], {
      bin, env: { NODE_PATH: path.join(ROOT, 'node_modules') },
    });
  }, START_TIMEOUT);

  afterAll(async () => {
    await dev?.stop('SIGKILL');
  });

  test('with the packaged CloudFront Function and Python server', async () => {
    expect((await request(dev.port, '/items/7', { headers: { accept: 'text/html' } })).status).toBe(200);
    expect((await request(dev.port, '/assets/missing.js')).status).toBe(404);
    const health = await request(dev.port, '/api/health');
    expect([health.status, JSON.parse(health.text).status]).toEqual([200, 'ok']);
    // the Python server is the one shipped in the package, next to the compiled CLI
    const installed = path.join(fs.realpathSync(work), 'node_modules', 'cdk-spa-with-lambda-api', 'lib', 'dev', 'runtime', 'dev_server.py');
    expect(descendants(dev.child.pid!).map(commandOf).some((c) => c.includes(installed))).toBe(true);
  });
});
