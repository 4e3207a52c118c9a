/**
 * Tried as a new user would: `npm pack` the compiled library, install the tarball into a fresh CDK app
 * next to aws-cdk-lib, write the README's minimal example against the example backend and a built
 * site, and run `cdk synth`. It must succeed without Docker, and the Lambda asset must hold aarch64
 * `pydantic_core` binaries.
 *
 * Needs the compiled library (`lib/`): it runs after `compile` in `npx projen build`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { elfMachine, findFiles } from './elf';

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const EM_AARCH64 = 183;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
}

const MINIMAL_EXAMPLE = `
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { SpaWithLambdaApi } from 'cdk-spa-with-lambda-api';

const app = new App();
const stack = new Stack(app, 'ConsumerStack');
new SpaWithLambdaApi(stack, 'App', {
  site: { source: path.join(__dirname, 'site') },
  api: { source: ${JSON.stringify(path.join(ROOT, 'example', 'backend'))}, handler: 'app.main.handler' },
});
`;

test('a fresh CDK app synthesizes the README example from the packed library, without Docker', () => {
  const compiled = path.join(ROOT, 'lib', 'index.js');
  if (!fs.existsSync(compiled)) {
    throw new Error('lib/index.js is missing: run `npx projen compile` (or `npx projen build`) before this test.');
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-consumer-'));
  const tarball = run('npm', ['pack', '--silent', '--pack-destination', work], ROOT).trim().split('\n').pop()!;

  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error',
    path.join(work, tarball),
    `aws-cdk-lib@${pkg.devDependencies['aws-cdk-lib']}`,
    `constructs@${pkg.devDependencies.constructs}`,
    `typescript@${pkg.devDependencies.typescript}`,
    `ts-node@${pkg.devDependencies['ts-node']}`,
    `@types/node@${pkg.devDependencies['@types/node']}`], work);

  // the tarball ships the CloudFront Function source and no tests or example
  const installed = path.join(work, 'node_modules', 'cdk-spa-with-lambda-api');
  expect(fs.existsSync(path.join(installed, 'lib', 'routing', 'runtime', 'spa-routing.js'))).toBe(true);
  expect(fs.existsSync(path.join(installed, 'test'))).toBe(false);
  expect(fs.existsSync(path.join(installed, 'example'))).toBe(false);

  fs.cpSync(path.join(__dirname, 'fixtures', 'site'), path.join(work, 'site'), { recursive: true });
  fs.writeFileSync(path.join(work, 'app.ts'), MINIMAL_EXAMPLE);
  fs.writeFileSync(path.join(work, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, esModuleInterop: true, skipLibCheck: true, types: ['node'] },
  }));
  // type-checked against the packed .d.ts files, as a TypeScript user's app is
  fs.writeFileSync(path.join(work, 'cdk.json'), JSON.stringify({ app: 'npx ts-node app.ts' }));

  // no docker on PATH: prove that bundling never needs it
  const pathWithoutDocker = (process.env.PATH ?? '').split(path.delimiter)
    .filter((dir) => !fs.existsSync(path.join(dir, 'docker'))).join(path.delimiter);
  run(path.join(BIN, 'cdk'), ['synth', '--quiet', '--no-notices', '--no-version-reporting'], work, { PATH: `${BIN}${path.delimiter}${pathWithoutDocker}` });

  const outdir = path.join(work, 'cdk.out');
  const template = JSON.parse(fs.readFileSync(path.join(outdir, 'ConsumerStack.template.json'), 'utf8'));
  // the FastAPI function (its handler is the origin-verification wrapper, which names app.main.handler)
  const fn = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function'
    && r.Properties.Environment?.Variables?.CDK_SPA_ORIGIN_VERIFY_HANDLER === 'app.main.handler');
  expect(fn).toBeDefined();
  expect(fn.Properties.Architectures).toEqual(['arm64']);

  const assetHash = fn.Metadata['aws:asset:path'] as string;
  const bundle = path.join(outdir, assetHash);
  expect(fs.existsSync(path.join(bundle, 'app', 'main.py'))).toBe(true);
  const nativeModules = findFiles(path.join(bundle, 'pydantic_core'), (f) => f.endsWith('.so'));
  expect(nativeModules.length).toBeGreaterThan(0);
  for (const so of nativeModules) {
    expect({ file: path.relative(bundle, so), machine: elfMachine(so) }).toEqual({ file: path.relative(bundle, so), machine: EM_AARCH64 });
  }
  fs.rmSync(work, { recursive: true, force: true });
}, 900_000);
