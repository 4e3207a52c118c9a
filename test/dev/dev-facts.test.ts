/**
 * The facts SpaWithLambdaApi records for the dev command, and the dev command reading them from a synthesized
 * cloud assembly (`--app <cdk.out>`), so nothing is configured twice.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { request, RunningDev, START_TIMEOUT, startDev } from './dev-util';
import { SpaRouting, SpaWithLambdaApi } from '../../src';
import { chooseConstruct, readAssembly } from '../../src/dev/app-facts';
import { DEV_METADATA_TYPE } from '../../src/dev/facts';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const SITE = path.join(FIXTURES, 'vite-build');
const BACKEND = path.join(FIXTURES, 'dev-echo-backend');
const CSP = "default-src 'self'; frame-ancestors 'none'";

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Synthesizes an app (bundling skipped) into a new folder and returns it. */
function synth(build: (stack: Stack) => void): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-facts-'));
  tmpDirs.push(outdir);
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  build(new Stack(app, 'DevFacts', { env: { region: 'us-east-1' } }));
  app.synth();
  return outdir;
}

describe('recorded facts', () => {
  test('the site, the API, the prefix, the routing and the headers policy are recorded; paths are relative to the assembly', () => {
    const outdir = synth((stack) => new SpaWithLambdaApi(stack, 'App', {
      site: { source: SITE, routing: SpaRouting.errorResponses() },
      api: {
        source: BACKEND,
        handler: 'app.main.handler',
        prefix: '/backend',
        environment: { GREETING: 'hello', LATER: Lazy.string({ produce: () => 'resolved at synth' }) },
      },
      contentSecurityPolicy: CSP,
    }));
    const [found, ...more] = readAssembly(outdir);
    expect(more).toEqual([]);
    expect(found.constructPath).toBe('/DevFacts/App');
    expect(found.site).toBe(SITE);
    expect(found.apiSource).toBe(BACKEND);
    expect(found.facts).toMatchObject({
      routing: 'error-responses',
      contentSecurityPolicy: CSP,
      customResponseHeadersPolicy: false,
      api: { handler: 'app.main.handler', prefix: '/backend', environment: { GREETING: 'hello' }, runtime: 'python3.14', timeoutSeconds: 15 },
    });
    // no globs given: the dev server, like the upload, tells hashed files by their names
    expect(found.facts.hashedAssetGlobs).toBeUndefined();
    // a token is not a value the dev server can use: left out, not written as "${Token[...]}"
    expect(found.facts.api.environment).not.toHaveProperty('LATER');
    // paths relative to the assembly, not absolute paths of this machine (assemblies end up in committed integ snapshots)
    const metadata = JSON.parse(fs.readFileSync(path.join(outdir, 'DevFacts.metadata.json'), 'utf8'));
    const [entry] = metadata['/DevFacts/App'].filter((e: { type: string }) => e.type === DEV_METADATA_TYPE);
    expect(path.isAbsolute(entry.data.site)).toBe(false);
    expect(path.isAbsolute(entry.data.api.source)).toBe(false);
    expect(path.resolve(outdir, entry.data.site)).toBe(SITE);
  });

  test('with the user\'s own response headers policy, no CSP is recorded and the policy is flagged', () => {
    const outdir = synth((stack) => new SpaWithLambdaApi(stack, 'App', {
      site: { source: SITE },
      api: { source: BACKEND },
      responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.fromResponseHeadersPolicyId(stack, 'Policy', 'custom-policy-id'),
    }));
    const [found] = readAssembly(outdir);
    expect(found.facts.customResponseHeadersPolicy).toBe(true);
    expect(found.facts.contentSecurityPolicy).toBeUndefined();
    expect(found.facts.routing).toBe('viewer-request-function');
    expect(found.facts.api.prefix).toBe('/api');
  });

  test('fails when the app has two constructs and --construct does not choose one', () => {
    const outdir = synth((stack) => {
      new SpaWithLambdaApi(stack, 'Shop', { site: { source: SITE }, api: { source: BACKEND } });
      new SpaWithLambdaApi(stack, 'Admin', { site: { source: SITE }, api: { source: BACKEND } });
    });
    const all = readAssembly(outdir);
    expect(() => chooseConstruct(all, '--app cdk.out')).toThrow(
      '--app cdk.out has 2 SpaWithLambdaApi constructs; choose one with --construct <path>:\n  /DevFacts/Shop\n  /DevFacts/Admin');
    expect(chooseConstruct(all, '--app cdk.out', '/DevFacts/Admin').constructPath).toBe('/DevFacts/Admin');
    expect(chooseConstruct(all, '--app cdk.out', 'DevFacts/Shop').constructPath).toBe('/DevFacts/Shop');
    expect(() => chooseConstruct(all, '--app cdk.out', '/DevFacts/Nope')).toThrow(
      '--app cdk.out has no SpaWithLambdaApi at --construct /DevFacts/Nope. It has:\n  /DevFacts/Shop\n  /DevFacts/Admin');
  });
});

describe('dev --app <cloud assembly>', () => {
  let dev: RunningDev;

  beforeAll(async () => {
    const outdir = synth((stack) => new SpaWithLambdaApi(stack, 'App', {
      site: { source: SITE },
      api: { source: BACKEND, environment: { GREETING: 'from the construct' }, timeout: Duration.seconds(2) },
      contentSecurityPolicy: CSP,
    }));
    // --vite-url first, --site last: the last site flag wins
    dev = await startDev(['--app', outdir, '--vite-url', 'http://127.0.0.1:9', '--site', SITE], { cwd: os.tmpdir() });
  }, START_TIMEOUT);

  afterAll(async () => {
    await dev?.stop('SIGKILL');
  });

  test('serves the construct\'s site and API with its CSP and environment, and no flag repeated', async () => {
    const shell = await request(dev.port, '/items/1', { headers: { accept: 'text/html' } });
    expect(shell.text).toBe(fs.readFileSync(path.join(SITE, 'index.html'), 'utf8'));
    expect(shell.headers['content-security-policy']).toBe(CSP);
    const echo = await request(dev.port, '/api/echo/x');
    expect(echo.status).toBe(200);
    expect(echo.headers['content-security-policy']).toBe(CSP);
    const seen = JSON.parse(echo.text);
    expect(seen.greeting).toBe('from the construct');
    // the handler runs in the project folder, as in /var/task
    expect(seen.cwd).toBe(BACKEND);
    expect(dev.output()).toContain('using /DevFacts/App of the CDK app');
  });

  test('a handler slower than the function\'s timeout is a 500, and the restarted process answers the next request', async () => {
    const started = Date.now();
    const slow = await request(dev.port, '/api/sleep/20');
    expect(slow.status).toBe(500);
    expect(JSON.parse(slow.text)).toEqual({ message: 'Internal Server Error' });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(dev.output()).toContain('the handler did not answer within the function\'s timeout (2 s)');
    const next = await request(dev.port, '/api/sleep/0');
    expect([next.status, JSON.parse(next.text)]).toEqual([200, { slept: 0 }]);
  }, 60_000);
});

describe('dev with SpaRouting.errorResponses()', () => {
  let dev: RunningDev;

  beforeAll(async () => {
    const outdir = synth((stack) => {
      new SpaWithLambdaApi(stack, 'Default', { site: { source: SITE }, api: { source: BACKEND } });
      new SpaWithLambdaApi(stack, 'Masked', { site: { source: SITE, routing: SpaRouting.errorResponses() }, api: { source: BACKEND } });
    });
    dev = await startDev(['--app', outdir, '--construct', '/DevFacts/Masked']);
  }, START_TIMEOUT);

  afterAll(async () => {
    await dev?.stop('SIGKILL');
  });

  test('every 404, the API\'s included, becomes the shell with 200, as the distribution\'s error responses do', async () => {
    const shell = fs.readFileSync(path.join(SITE, 'index.html'), 'utf8');
    const api404 = await request(dev.port, '/api/no/such/route');
    expect([api404.status, api404.text]).toEqual([200, shell]);
    const missingAsset = await request(dev.port, '/assets/missing.js');
    expect([missingAsset.status, missingAsset.text]).toEqual([200, shell]);
    // no routing function: an extension-less deep link is a missing key first, then the shell
    expect((await request(dev.port, '/items/42')).text).toBe(shell);
    expect((await request(dev.port, '/api/echo/x')).status).toBe(200);
  });
});
