/**
 * Benchmark of the Python bundler against the baselines of issue 3, measured side by side in one run:
 *
 *   npx projen bench:bundling [--runs 7] [--imports 10]
 *
 * 1. zip size of the example backend for ARM64, precompile off, against a naive
 *    `pip install --no-compile -r requirements.txt --target` of the same wheels (plus the app package), zipped;
 * 2. cold import of the handler in a fresh `python3` (read-only copy, PYTHONDONTWRITEBYTECODE=1, only the bundle on
 *    sys.path), host build with runtime = host Python, against the naive `--no-compile` bundle;
 * 3. synth time of the example app on a second synth (unchanged backend, fresh cdk.out) against the same app
 *    with the Lambda code given as a prebuilt asset folder;
 * 4. bundle time with uv against pip, both with warm download caches (the bundle cache off).
 *
 * Then a headroom table: the naive zip with its Python code shrunk further than the bundler does (scripts/zip-headroom.py),
 * to show what the 0.8× zip-size target would cost.
 *
 * Each figure is the median of the runs. Writes a Markdown table to stdout and bench-out/bench-bundling.md.
 * Zip sizes use the bundler's own zip-size computation (Node's zlib, as CDK's publisher) for both sides.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AssetStaging, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { PythonInstaller } from '../src';
import { arg, median } from './bench-util';
import { measureBundle } from '../src/bundling/postprocess';
import * as bundling from '../src/bundling/python-bundling';
import { resolveTarget } from '../src/bundling/target';

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'bench-out');
const BACKEND = path.join(ROOT, 'example', 'backend');
const PYTHON = process.env.CDK_SPA_PYTHON ?? 'python3';

function fresh(name: string): string {
  const dir = path.join(OUT, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Bundles the backend with the library's bundler, in a throwaway app; returns the asset folder and the report. */
function bundleWithLibrary(name: string, props: Partial<bundling.PythonBundlingProps>) {
  const outdir = fresh(name);
  AssetStaging.clearAssetHashCache(); // CDK caches staged assets per process; each run must bundle
  const app = new App({ outdir });
  const stack = new Stack(app, 'Bench');
  const runtime = props.runtime ?? lambda.Runtime.PYTHON_3_14;
  const architecture = props.architecture ?? lambda.Architecture.ARM_64;
  new lambda.Function(stack, 'Fn', {
    runtime,
    architecture,
    handler: 'app.main.handler',
    code: bundling.pythonBundledCode({ ...props, entry: BACKEND, runtime, architecture }),
  });
  app.synth();
  const asset = fs.readdirSync(outdir).find((f) => f.startsWith('asset.'))!;
  return { dir: path.join(outdir, asset), report: bundling.lastPythonBundleReport()! };
}

/** The naive bundle: the app package plus `pip install --no-compile -r requirements.txt --target` (same wheels). */
function naiveBundle(name: string, runtime: lambda.Runtime, architecture: lambda.Architecture, crossPlatform: boolean): string {
  const dir = fresh(name);
  fs.cpSync(path.join(BACKEND, 'app'), path.join(dir, 'app'), { recursive: true, filter: (p) => !p.includes('__pycache__') });
  const t = resolveTarget(runtime, architecture);
  const platform = crossPlatform
    ? [...t.platformTags.flatMap((tag) => ['--platform', tag]), '--implementation', 'cp', '--python-version', t.version, '--abi', t.abi, '--only-binary=:all:']
    : [];
  execFileSync(PYTHON, ['-m', 'pip', 'install', '--quiet', '--no-compile', '--disable-pip-version-check', '-r', path.join(BACKEND, 'requirements.txt'),
    '--target', dir, ...platform], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } });
  return dir;
}

/** Seconds to import the handler module in a fresh interpreter, from a read-only copy of the bundle. */
function coldImport(bundle: string): number {
  const script = [
    'import sys, time',
    `sys.path[0:0] = [${JSON.stringify(bundle)}]`,
    'start = time.perf_counter()',
    'import app.main',
    'print(time.perf_counter() - start)',
  ].join('\n');
  const result = spawnSync(PYTHON, ['-S', '-s', '-c', script], {
    cwd: os.tmpdir(), encoding: 'utf8', env: { PATH: process.env.PATH, PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (result.status !== 0) throw new Error(`import failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

function readOnlyCopy(bundle: string, name: string): string {
  const dir = fresh(name);
  fs.cpSync(bundle, dir, { recursive: true });
  execFileSync('chmod', ['-R', 'a-w', dir]);
  return dir;
}

/** Synthesizes the example app in a fresh node process; returns the milliseconds of construction + synth. */
function synthExample(mode: 'bundled' | 'prebuilt', prebuilt: string): number {
  const outdir = fresh(`synth-${mode}`);
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register', __filename, '--synth-child', mode, outdir, prebuilt], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json') },
  });
  if (result.status !== 0) throw new Error(`synth failed: ${result.stderr}`);
  return Number(/SYNTH_MS=(\d+(\.\d+)?)/.exec(result.stdout)![1]);
}

/** Child process of synthExample. */
function synthChild(mode: string, outdir: string, prebuilt: string): void {
  if (mode === 'prebuilt') {
    // The same app, with the Lambda code given as a prebuilt asset folder instead of the bundler.
    (bundling as { pythonBundledCode: unknown }).pythonBundledCode = () => lambda.Code.fromAsset(prebuilt);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { addExampleApp } = require('../example/app');
  const started = process.hrtime.bigint();
  const app = new App({ outdir, analyticsReporting: false });
  const stack = new Stack(app, 'SpaWithLambdaApiExample', { env: { account: '111111111111', region: 'us-east-1' } });
  addExampleApp(stack);
  app.synth();
  console.log(`SYNTH_MS=${Number(process.hrtime.bigint() - started) / 1e6}`);
}

/** The variants that scripts/zip-headroom.py writes: a description, and what the change costs users. */
const HEADROOM: Record<string, [string, string]> = {
  'native-only': ['only the compiled extensions (`*.so`), byte-identical in both bundles: the floor', 'everything else'],
  'no-comments': ['every comment removed from every `.py` (line numbers kept)', 'comments in tracebacks and `inspect.getsource`'],
  'no-docstrings': ['every comment and docstring removed (line numbers kept)',
    '`__doc__`, which docopt, PLY grammars, click/typer help and pydantic schema descriptions read'],
  'bytecode-only': ['every `.py` replaced by its sourceless `.pyc`', 'source lines in tracebacks, `inspect`; ties the bundle to one CPython minor version'],
  'bytecode-only-OO': ['the same at optimization level 2', 'all of the above, plus docstrings and `assert`s'],
};

function ratio(ours: number, baseline: number): string {
  return `${(ours / baseline).toFixed(2)}×`;
}

function main(): void {
  const runs = arg('runs', 7);
  const imports = arg('imports', 10);
  fs.mkdirSync(OUT, { recursive: true });
  // A bundle cache of its own, so the figures do not depend on earlier synths.
  process.env.CDK_SPA_BUNDLE_CACHE = fresh('bundle-cache');
  if (!fs.existsSync(path.join(ROOT, 'example', 'frontend', 'dist', 'index.html'))) {
    execFileSync('npm', ['run', 'build', '--workspace', 'example/frontend'], { cwd: ROOT, stdio: 'inherit' });
  }
  const uv = process.env.CDK_SPA_UV ?? (spawnSync('uv', ['--version']).status === 0 ? 'uv' : undefined);
  const log = (text: string) => process.stderr.write(`${text}\n`);

  // 1. zip size, ARM64, precompile off.
  const zip = { ours: [] as number[], naive: [] as number[] };
  for (let i = 0; i < runs; i++) {
    const ours = bundleWithLibrary('zip-ours', { installer: PythonInstaller.PIP, precompile: false, cache: false });
    zip.ours.push(ours.report.zippedBytes);
    zip.naive.push(measureBundle(naiveBundle('zip-naive', lambda.Runtime.PYTHON_3_14, lambda.Architecture.ARM_64, true), true).zippedBytes);
    log(`zip run ${i + 1}: ours ${zip.ours[i]} B, naive ${zip.naive[i]} B`);
  }

  // 1b. zip-size headroom: what the naive bundle's zip would be with its Python code shrunk in ways the bundler does
  // not take (they change what users see), and the floor that the native extensions alone set.
  const naiveZip = median(zip.naive);
  const headroomDir = fresh('zip-headroom');
  const made = execFileSync(PYTHON, [path.join(__dirname, 'zip-headroom.py'), path.join(OUT, 'zip-naive'), headroomDir], { encoding: 'utf8' });
  const headroom = made.trim().split('\n').map((line) => {
    const [variant, changed, unchanged] = line.split(' ');
    const bytes = measureBundle(path.join(headroomDir, variant), true).zippedBytes;
    const label = HEADROOM[variant];
    if (!label) throw new Error(`unknown headroom variant ${variant}`);
    log(`headroom ${variant}: ${bytes} B (${changed} files changed, ${unchanged} left unchanged)`);
    return [label[0], `${(bytes / 1e6).toFixed(2)} MB`, ratio(bytes, naiveZip), label[1]];
  });

  // 2. cold import, host build.
  const hostVersion = execFileSync(PYTHON, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).trim();
  const hostRuntime = lambda.Runtime.ALL.find((r) => r.name === `python${hostVersion}`);
  const hostArch = process.arch === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64;
  let importRow: string[] | undefined;
  if (hostRuntime) {
    const ours = readOnlyCopy(bundleWithLibrary('import-ours-build', { runtime: hostRuntime, architecture: hostArch, installer: PythonInstaller.PIP }).dir, 'import-ours');
    const naive = readOnlyCopy(naiveBundle('import-naive-build', hostRuntime, hostArch, false), 'import-naive');
    const times = { ours: [] as number[], naive: [] as number[] };
    for (let i = 0; i < imports; i++) {
      times.naive.push(coldImport(naive));
      times.ours.push(coldImport(ours));
    }
    log(`cold import: ours ${times.ours.map((t) => t.toFixed(3)).join(' ')}; naive ${times.naive.map((t) => t.toFixed(3)).join(' ')}`);
    importRow = ['cold import of the handler (runtime python' + hostVersion + ', the host\'s, not the default python3.14; host build, read-only, '
      + '`PYTHONDONTWRITEBYTECODE=1`), median of ' + imports,
    `${(median(times.ours) * 1000).toFixed(0)} ms`, `${(median(times.naive) * 1000).toFixed(0)} ms (naive \`--no-compile\` bundle)`,
    ratio(median(times.ours), median(times.naive)), '≤ 0.75×'];
    execFileSync('chmod', ['-R', 'u+w', path.join(OUT, 'import-ours'), path.join(OUT, 'import-naive')]);
  }

  // 3. synth time: second synth into a fresh cdk.out (bundle cache warm), against a prebuilt asset folder.
  const prebuilt = bundleWithLibrary('prebuilt', {}).dir; // also fills the bundle cache for the example app's function
  synthExample('bundled', prebuilt); // first synth of the example app (fills the cache if its hash differs)
  const synth = { ours: [] as number[], prebuilt: [] as number[] };
  for (let i = 0; i < runs; i++) {
    synth.prebuilt.push(synthExample('prebuilt', prebuilt));
    synth.ours.push(synthExample('bundled', prebuilt));
    log(`synth run ${i + 1}: bundled ${synth.ours[i].toFixed(0)} ms, prebuilt ${synth.prebuilt[i].toFixed(0)} ms`);
  }

  // 4. bundle time, uv against pip, warm download caches, no bundle cache.
  const bundleTime = { uv: [] as number[], pip: [] as number[] };
  if (uv) {
    bundleWithLibrary('warm-uv', { installer: PythonInstaller.UV, cache: false });
    bundleWithLibrary('warm-pip', { installer: PythonInstaller.PIP, cache: false });
    for (let i = 0; i < runs; i++) {
      bundleTime.pip.push(bundleWithLibrary('time-pip', { installer: PythonInstaller.PIP, cache: false }).report.totalMillis);
      bundleTime.uv.push(bundleWithLibrary('time-uv', { installer: PythonInstaller.UV, cache: false }).report.totalMillis);
      log(`bundle run ${i + 1}: uv ${bundleTime.uv[i]} ms, pip ${bundleTime.pip[i]} ms`);
    }
  }

  const rows = [
    ['zip size of the example backend (runtime python3.14 ARM64, precompile off)', `${(median(zip.ours) / 1e6).toFixed(2)} MB`,
      `${(median(zip.naive) / 1e6).toFixed(2)} MB (naive \`pip install --no-compile --target\`, same wheels)`, ratio(median(zip.ours), median(zip.naive)), '≤ 0.8×'],
    ...(importRow ? [importRow] : []),
    [`synth time of the example app (runtime python3.14 ARM64), second synth into a fresh cdk.out, median of ${runs}`, `${median(synth.ours).toFixed(0)} ms`,
      `${median(synth.prebuilt).toFixed(0)} ms (Lambda code as a prebuilt asset folder)`, ratio(median(synth.ours), median(synth.prebuilt)), '≤ 1.2×'],
    ...(uv ? [[`bundle time of the example backend with uv (runtime python3.14 ARM64), warm caches, median of ${runs}`, `${median(bundleTime.uv).toFixed(0)} ms`,
      `${median(bundleTime.pip).toFixed(0)} ms (pip, warm cache)`, ratio(median(bundleTime.uv), median(bundleTime.pip)), 'report']] : []),
  ];
  const uvVersion = uv ? execFileSync(uv, ['--version'], { encoding: 'utf8' }).trim() : 'uv not found';
  const table = [
    '| figure | this library | baseline | ratio | target |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `Zip-size headroom: the naive bundle (${(naiveZip / 1e6).toFixed(2)} MB) with its Python code shrunk further than the bundler does `
      + `(\`scripts/zip-headroom.py\`, bytecode compiled by Python ${hostVersion}):`,
    '',
    '| variant of the naive ARM64 bundle | zip | ratio | what users would lose |',
    '|---|---|---|---|',
    ...headroom.map((r) => `| ${r.join(' | ')} |`),
    '',
    `Measured on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${os.platform()} ${process.arch}, Node ${process.version}, `
      + `Python ${hostVersion}, ${uvVersion}, ${runs} runs (${imports} imports).`,
  ].join('\n');
  fs.writeFileSync(path.join(OUT, 'bench-bundling.md'), table + '\n');
  console.log(table);
}

if (process.argv[2] === '--synth-child') {
  synthChild(process.argv[3], process.argv[4], process.argv[5]);
} else {
  main();
}
