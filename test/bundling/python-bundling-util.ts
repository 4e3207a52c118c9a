/**
 * Helpers of the Python bundling tests: a wheelhouse so installs run offline, a bundle cache per test
 * file, and a synth that returns the bundled asset folder.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { pythonBundledCode, PythonBundlingProps } from '../../src/bundling/python-bundling';

export const ROOT = path.join(__dirname, '..', '..');
export const FIXTURES = path.join(__dirname, '..', 'fixtures');
export const EXAMPLE_BACKEND = path.join(ROOT, 'example', 'backend');
export const WHEELHOUSE = path.join(ROOT, '.bundle-cache', 'wheelhouse');
export const PYTHON = process.env.CDK_SPA_PYTHON ?? 'python3';
/** Installs take seconds from the wheelhouse; the timeout covers a cold machine. */
export const INSTALL_TIMEOUT = 300_000;

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

export function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}

/**
 * Points pip and uv at the wheelhouse that `npx projen test:wheelhouse` downloads (`PIP_NO_INDEX` +
 * `PIP_FIND_LINKS`; the bundler maps them to uv), and gives the test file its own bundle cache. Without a
 * wheelhouse (a test file run on its own), installs go to PyPI.
 */
export function useWheelhouseAndFreshCache(): void {
  if (fs.existsSync(path.join(WHEELHOUSE, '.lists'))) {
    process.env.PIP_NO_INDEX = '1';
    process.env.PIP_FIND_LINKS = WHEELHOUSE;
  }
  delete process.env.UV_INDEX_URL;
  delete process.env.UV_FIND_LINKS;
  // tests never download interpreters (`uv python install` for precompiling): uv refuses at once
  process.env.UV_PYTHON_DOWNLOADS = 'never';
  process.env.CDK_SPA_BUNDLE_CACHE = tmpDir('py-bundle-cache-');
  // the pip path needs pip 24.2 or later, which the host's Python may not have
  process.env.CDK_SPA_PYTHON = pipPython();
}

/** The pip release of the test interpreter (wheels-host.txt), above the bundler's minimum (24.2). */
export const TEST_PIP_VERSION = '26.3';

/**
 * A virtualenv of the host's python3 with pip TEST_PIP_VERSION (from the wheelhouse when there is one), made once per
 * machine in the CI cache folder. Returns its interpreter.
 */
export function pipPython(): string {
  const dir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'cdk-spa-with-lambda-api-ci', `venv-pip-${TEST_PIP_VERSION}`);
  const python = path.join(dir, 'bin', 'python');
  if (fs.existsSync(python)) return python;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  const check = (r: ReturnType<typeof spawnSync>) => {
    if (r.status !== 0) throw new Error(`making the pip ${TEST_PIP_VERSION} test virtualenv failed: ${r.stderr}`);
  };
  check(spawnSync('python3', ['-m', 'venv', tmp], { encoding: 'utf8' }));
  // from the wheelhouse when it has it (wheels-host.txt), else from the index
  const links = fs.existsSync(WHEELHOUSE) ? ['--find-links', WHEELHOUSE] : [];
  check(spawnSync(path.join(tmp, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', ...links, `pip==${TEST_PIP_VERSION}`],
    { encoding: 'utf8', env: { ...process.env, PIP_NO_INDEX: undefined } }));
  try {
    // `python -m pip` works from the renamed folder (pyvenv.cfg is found next to bin/); the bin/pip scripts are not used
    fs.renameSync(tmp, dir);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // another test file made it first
  }
  return python;
}

/** Runs `fn` with some environment variables set (undefined removes one), then restores them. */
export function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return fn();
  } finally {
    apply(saved);
  }
}

/**
 * A tool that requirements-dev.txt installs, or undefined outside CI when it is missing (its tests are skipped).
 * In CI a missing tool fails the suite: CI must exercise every installer and lock tool.
 */
function requiredTool(name: string, found: string | undefined): string | undefined {
  if (!found && process.env.CI) {
    throw new Error(`${name} was not found, and CI must run its tests: install the test tools into the project virtualenv: \`python3 -m venv .venv && . .venv/bin/activate && pip install -r requirements-dev.txt\`.`);
  }
  return found;
}

/** The uv binary (`pip install uv` from requirements-dev.txt puts it next to the interpreter), or undefined. */
export function findUv(): string | undefined {
  if (process.env.CDK_SPA_UV) return process.env.CDK_SPA_UV;
  const result = spawnSync(PYTHON, ['-c', 'import uv; print(uv.find_uv_bin())'], { encoding: 'utf8' });
  return requiredTool('uv', result.status === 0 ? result.stdout.trim() : undefined);
}

/** The poetry script that `pip install poetry` (requirements-dev.txt) puts in the interpreter's scripts folder, or undefined. */
export function findPoetry(): string | undefined {
  if (process.env.CDK_SPA_POETRY) return process.env.CDK_SPA_POETRY;
  const result = spawnSync(PYTHON, ['-c', 'import sysconfig; print(sysconfig.get_path("scripts"))'], { encoding: 'utf8' });
  const poetry = result.status === 0 ? path.join(result.stdout.trim(), 'poetry') : undefined;
  return requiredTool('poetry', poetry && fs.existsSync(poetry) ? poetry : undefined);
}

export type BundleProps = Partial<PythonBundlingProps> & { entry: string };

export function addFunction(stack: Stack, props: BundleProps, id = 'Fn'): lambda.Function {
  const runtime = props.runtime ?? lambda.Runtime.PYTHON_3_14;
  const architecture = props.architecture ?? lambda.Architecture.ARM_64;
  return new lambda.Function(stack, id, {
    code: pythonBundledCode({ scope: stack, ...props, runtime, architecture }),
    handler: 'app.main.handler',
    runtime,
    architecture,
  });
}

/** Asset hash of the code, in a stack CDK does not bundle (so nothing is installed). */
export function skippedAssetHash(props: BundleProps): string {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Stack');
  // A nonexistent interpreter and uv prove that nothing is spawned at construction/synth time.
  withEnv({ CDK_SPA_UV: '/nonexistent/uv' }, () => addFunction(stack, { python: '/nonexistent/python3', ...props }));
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  const s3Key: string = Object.values(functions)[0].Properties.Code.S3Key;
  return s3Key.replace(/\.zip$/, '');
}

/** Synthesizes an app with one function and returns the bundled asset folder and the stack's messages. */
export function synthBundle(props: BundleProps): { bundle: string; messages: string[]; outdir: string } {
  const outdir = tmpDir('py-bundling-out-');
  const app = new App({ outdir });
  const stack = new Stack(app, 'Stack');
  addFunction(stack, props);
  const assembly = app.synth();
  const assets = fs.readdirSync(outdir).filter((name) => name.startsWith('asset.'));
  expect(assets).toHaveLength(1);
  const messages = assembly.getStackByName('Stack').messages.map((m) => String(m.entry.data).replace(/ \[ack: [^\]]+\]$/, ''));
  return { bundle: path.join(outdir, assets[0]), messages, outdir };
}

export function errorMessage(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

/** Relative paths of all files under a folder (forward slashes). */
export function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((d) => {
    const relative = prefix ? `${prefix}/${d.name}` : d.name;
    return d.isDirectory() ? listFiles(dir, relative) : [relative];
  });
}

/** A private copy of a fixture folder. */
export function copyFixture(name: string): string {
  const dir = tmpDir(`py-fixture-${name}-`);
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

/** The host's Python version (e.g. `3.11`) and the matching Lambda runtime, if Lambda has one. */
export function hostPython(): { version: string; runtime?: lambda.Runtime; architecture: lambda.Architecture } {
  const version = spawnSync(PYTHON, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).stdout.trim();
  return {
    version,
    runtime: lambda.Runtime.ALL.find((r) => r.name === `python${version}`),
    architecture: process.arch === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
  };
}
