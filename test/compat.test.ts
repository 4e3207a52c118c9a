/**
 * The compatibility matrix: the packed library installed into fresh CDK apps at both ends of the supported range
 * (test/fixtures/compat/versions.json; the upgrade workflow bumps the newest end):
 *
 * - minimum: the lowest aws-cdk-lib of the peer dependency with the newest cdk-nag 2.x, on the lowest Node of `engines`;
 * - newest: the newest aws-cdk-lib and cdk-nag, on the newest Node of its major.
 *
 * Each app runs on its own Node (the `node` npm package installed into the app), whatever Node runs the tests.
 *
 * Each app (test/fixtures/compat/app.ts) synthesizes the README's minimal stack and a stack with every option that
 * brings its own resources, with cdk-nag's AwsSolutions pack wired as that cdk-nag generation's README shows
 * (nag-v2.ts: an Aspect; nag-v3.ts: a Validations plugin). It passes with no unacknowledged cdk-nag finding, no
 * other validation-report violation, no CDK warning or error annotation, no warning on stderr, and no cfn-lint finding.
 *
 * Bundling is real (aarch64 wheels, no Docker), from the test wheelhouse (`npx projen test:wheelhouse`) when it
 * exists so that no test depends on PyPI, into a bundle cache of its own. npm installs come from ~/.npm when cached.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cfnLintFindings } from './cfn-lint-run';
import { createConsumerApp, devDependency, packLibrary, pathWithoutDocker, ROOT } from './consumer-app';

interface End {
  readonly 'aws-cdk-lib': string;
  readonly 'cdk-nag': string;
  /** The Node.js version the app runs on (the `node` npm package). */
  readonly 'node': string;
}

const FIXTURE = path.join(__dirname, 'fixtures', 'compat');
const VERSIONS: Record<'minimum' | 'newest', End> = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'versions.json'), 'utf8'));
const WHEELHOUSE = path.join(ROOT, '.bundle-cache', 'wheelhouse');

/** Everything that keeps a synthesized app from passing, as `<kind> <id> @ <construct path>`. */
function problems(outdir: string): string[] {
  const found: string[] = [];
  // cdk-nag 3 and aws-cdk-lib's own template validation report here (aws-cdk-lib 2.251 and later)
  const report = path.join(outdir, 'validation-report.json');
  if (fs.existsSync(report)) {
    for (const plugin of JSON.parse(fs.readFileSync(report, 'utf8')).pluginReports ?? []) {
      for (const v of plugin.violations ?? []) {
        for (const c of v.violatingConstructs ?? v.violatingResources ?? [{}]) {
          found.push(`${plugin.pluginName} ${v.severity} ${v.ruleName} @ ${c.constructPath ?? c.resourceLogicalId}`);
        }
      }
    }
  }
  // cdk-nag 2 reports as error and warning annotations, as do the CDK and this library
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  for (const [name, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    const metadataFile = path.join(outdir, `${name}.metadata.json`);
    const metadata = artifact.metadata ?? (fs.existsSync(metadataFile) ? JSON.parse(fs.readFileSync(metadataFile, 'utf8')) : {});
    for (const [constructPath, entries] of Object.entries<any[]>(metadata)) {
      for (const e of entries.filter((x) => x.type === 'aws:cdk:error' || x.type === 'aws:cdk:warning')) {
        found.push(`${e.type} ${String(e.data).split(':')[0]} @ ${constructPath}`);
      }
    }
  }
  return found.sort();
}

/** What `cdk synth` does with `"app": "npx ts-node app.ts"`, on the chosen Node (type-checked, as a user's app is). */
function runApp(work: string, node: string, outdir: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(node, [path.join(work, 'node_modules', 'ts-node', 'dist', 'bin.js'), 'app.ts'], {
    cwd: work,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      PATH: pathWithoutDocker(path.dirname(node)),
      CDK_OUTDIR: outdir,
      CDK_SPA_BUNDLE_CACHE: path.join(work, 'bundle-cache'),
      COMPAT_SITE: path.join(__dirname, 'fixtures', 'site'),
      COMPAT_BACKEND: path.join(ROOT, 'example', 'backend'),
      COMPAT_WHEELHOUSE: fs.existsSync(WHEELHOUSE) ? WHEELHOUSE : '',
      ...env,
    },
  });
  if (!fs.existsSync(path.join(outdir, 'manifest.json'))) {
    throw new Error(`the app wrote no cloud assembly (exit ${result.status}):\n${result.stderr}`);
  }
  return { result, outdir };
}

function templates(outdir: string): string[] {
  return fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).map((f) => path.join(outdir, f));
}

describe.each([['minimum', VERSIONS.minimum], ['newest', VERSIONS.newest]] as const)('%s end', (_name, end) => {
  const generation = Number(end['cdk-nag'].split('.')[0]);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `spa-compat-${_name}-`));
  const outdir = path.join(work, 'cdk.out');
  let synth: SpawnSyncReturns<string>;
  let node: string;

  beforeAll(() => {
    createConsumerApp(work, packLibrary(work), [
      `aws-cdk-lib@${end['aws-cdk-lib']}`,
      `cdk-nag@${end['cdk-nag']}`,
      ...['constructs', 'typescript', 'ts-node', '@types/node'].map((name) => `${name}@${devDependency(name)}`),
      `node@${end.node}`,
    ]);
    node = path.join(work, 'node_modules', '.bin', 'node');
    fs.copyFileSync(path.join(FIXTURE, 'app.ts'), path.join(work, 'app.ts'));
    fs.copyFileSync(path.join(FIXTURE, `nag-v${generation}.ts`), path.join(work, 'nag.ts'));

    synth = runApp(work, node, outdir).result;
  }, 1_200_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test(`installs aws-cdk-lib ${end['aws-cdk-lib']} and cdk-nag ${end['cdk-nag']} on Node ${end.node}`, () => {
    const installed = (name: string) => JSON.parse(fs.readFileSync(path.join(work, 'node_modules', name, 'package.json'), 'utf8')).version;
    expect([installed('aws-cdk-lib'), installed('cdk-nag')]).toEqual([end['aws-cdk-lib'], end['cdk-nag']]);
    expect(spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()).toBe(`v${end.node}`);
  });

  test('both stacks synthesize with no cdk-nag finding, no validation violation and no CDK warning', () => {
    const stderr = String(synth.stderr);
    expect(problems(outdir)).toEqual([]);
    // stderr holds the bundler's progress lines, nothing that warns (jsii deprecations, validation reports)
    expect(stderr.split('\n').filter((l) => /warn|deprecat|error/i.test(l))).toEqual([]);
    expect({ status: synth.status, error: synth.error }).toEqual({ status: 0, error: undefined });
    expect(templates(outdir).map((t) => path.basename(t)).sort()).toEqual(['FullOptions.template.json', 'Minimal.template.json']);
  });

  test('the control: cdk-nag still reports the findings of the user\'s own BucketDeployment in the same stack', () => {
    const control = runApp(work, node, path.join(work, 'cdk.out.control'), { COMPAT_CONTROL: '1' });
    const found = problems(control.outdir);
    const handler = 'Minimal/Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C';
    const userPaths = (f: string) => / @ \/?Minimal\/(UserBucket|UserDeployment|Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C\/)/.test(f);
    expect(found.filter((f) => !userPaths(f))).toEqual([]);
    for (const rule of ['AwsSolutions-L1', 'AwsSolutions-IAM4', 'AwsSolutions-IAM5']) {
      expect(found.filter((f) => f.includes(rule) && f.includes(handler)).length).toBeGreaterThan(0);
    }
  }, 900_000);

  test('cfn-lint reports nothing', () => {
    expect(cfnLintFindings(templates(outdir))).toEqual([]);
  }, 300_000);
});
