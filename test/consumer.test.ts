/**
 * Tried as a new user would: `npm pack` the compiled library, install the tarball into a fresh CDK app
 * next to aws-cdk-lib, write the README's minimal example against the example backend and a built
 * site, and run `cdk synth`. It must succeed without Docker, and the Lambda asset must hold aarch64
 * `pydantic_core` binaries.
 *
 * Needs the compiled library (`lib/`): it runs after `compile` in `npx projen build`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BIN, createConsumerApp, devDependency, packLibrary, pathWithoutDocker, ROOT, run } from './consumer-app';
import { elfMachine, findFiles } from './elf';

const EM_AARCH64 = 183;

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
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-consumer-'));
  createConsumerApp(work, packLibrary(work), ['aws-cdk-lib', 'constructs', 'typescript', 'ts-node', '@types/node']
    .map((name) => `${name}@${devDependency(name)}`));

  // the tarball ships the CloudFront Function source and no tests or example
  const installed = path.join(work, 'node_modules', 'cdk-spa-with-lambda-api');
  expect(fs.existsSync(path.join(installed, 'lib', 'routing', 'runtime', 'spa-routing.js'))).toBe(true);
  expect(fs.existsSync(path.join(installed, 'test'))).toBe(false);
  expect(fs.existsSync(path.join(installed, 'example'))).toBe(false);

  fs.cpSync(path.join(__dirname, 'fixtures', 'site'), path.join(work, 'site'), { recursive: true });
  fs.writeFileSync(path.join(work, 'app.ts'), MINIMAL_EXAMPLE);
  fs.writeFileSync(path.join(work, 'cdk.json'), JSON.stringify({ app: 'npx ts-node app.ts' }));

  // no docker on PATH: prove that bundling never needs it
  run(path.join(BIN, 'cdk'), ['synth', '--quiet', '--no-notices', '--no-version-reporting'], work, { PATH: pathWithoutDocker(BIN) });

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
