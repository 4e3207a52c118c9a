/**
 * The runtime's Python for the preview, found as the bundler finds it: the runtime's version first, then the
 * version nearest to it that satisfies `requires-python` (python3.X and python3 on PATH, then uv, uv-managed
 * Pythons included). The real CLI runs with a PATH that holds only the interpreters a test gives it; what fails
 * must leave nothing behind (`<cache>/building-*`, `$TMPDIR/cdk-spa-dev-*`).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLI, cliEnv, eventually, FIXTURES, request, ROOT, runCli, START_TIMEOUT, startDev } from './dev-util';
import { testTempDir } from '../util';

const SITE = path.join(FIXTURES, 'vite-build');
const PREFIX = 'cdk-spa-with-lambda-api dev: ';


/** A real interpreter of `3.X` on this machine (PATH, else pyenv's folders), or undefined. */
function realPython(version: string): string | undefined {
  const pyenv = path.join(process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv'), 'versions');
  const candidates = [`python${version}`, ...(fs.existsSync(pyenv) ? fs.readdirSync(pyenv) : [])
    .filter((v) => v.startsWith(`${version}.`)).map((v) => path.join(pyenv, v, 'bin', `python${version}`))];
  for (const candidate of candidates) {
    const r = spawnSync(candidate, ['-c', 'import os, sys; print("%d.%d" % sys.version_info[:2], os.path.realpath(sys.executable))'], { encoding: 'utf8' });
    const [v, exe] = (r.stdout ?? '').trim().split(' ');
    if (r.status === 0 && v === version) return exe;
  }
  return undefined;
}

const PY311 = realPython('3.11');
const PY312 = realPython('3.12');
const PY313 = realPython('3.13');
const UV = process.env.CDK_SPA_UV || spawnSync('sh', ['-c', 'command -v uv'], { encoding: 'utf8' }).stdout.trim() || undefined;

/** A bin folder with `python3` (3.11) and the given `python3.X` links (and uv when there is one), as the only PATH. */
function pathWith(pythons: Record<string, string | undefined>): string {
  const bin = testTempDir('dev-python-bin-');
  for (const [name, target] of Object.entries({ python3: PY311, ...pythons, ...(UV ? { uv: UV } : {}) })) {
    if (target) fs.symlinkSync(target, path.join(bin, name));
  }
  return `${bin}:/usr/bin:/bin`.split(':').filter((d) => d === bin || !fs.existsSync(path.join(d, 'python3.12'))).join(':');
}

/** An API project: pyproject.toml with `requires-python` (no dependencies), or a requirements.txt, and a handler. */
function project(requiresPython: string | undefined, requirements?: string): string {
  const dir = testTempDir('dev-python-api-');
  if (requirements !== undefined) {
    fs.writeFileSync(path.join(dir, 'requirements.txt'), requirements);
  } else {
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "preview-python"\nversion = "0.1.0"\n'
      + `requires-python = "${requiresPython}"\ndependencies = []\n`);
  }
  fs.mkdirSync(path.join(dir, 'app'));
  fs.writeFileSync(path.join(dir, 'app', '__init__.py'), '');
  fs.writeFileSync(path.join(dir, 'app', 'main.py'), 'import sys\n\n\ndef handler(event, context):\n'
    + '    return {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": "%d.%d" % sys.version_info[:2]}\n');
  return dir;
}

/** The environment of a run: only the PATH given, its own TMPDIR, no interpreter or uv from the caller. */
function env(pathValue: string, tmpdir: string): Record<string, string> {
  return { PATH: pathValue, TMPDIR: tmpdir, CDK_SPA_PYTHON: '', CDK_SPA_UV: '' };
}

function leftovers(cacheDir: string, tmpdir: string): string[] {
  return [
    ...(fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter((e) => e.startsWith('building-')) : []),
    ...fs.readdirSync(tmpdir).filter((e) => e.startsWith('cdk-spa-dev-')),
  ];
}

const withPythons = PY311 && PY312 && PY313 ? describe : describe.skip;

withPythons('the runtime\'s Python for the preview', () => {
  test('fails when no Python satisfies requires-python: the message names it and the fix, and nothing is left behind', async () => {
    const cacheDir = path.join(testTempDir('dev-python-cache-'), 'cache');
    const tmpdir = testTempDir('dev-python-tmp-');
    const api = project('>=3.14');
    const { code, output } = await runCli(['dev', '--api', api, '--handler', 'app.main.handler', '--site', SITE, '--port', '0', '--cache-dir', cacheDir], {
      env: env(pathWith({ 'python3.12': PY312, 'python3.13': PY313 }), tmpdir),
    });
    expect(code).toBe(1);
    expect(output).toContain(`${PREFIX}No Python for the API preview: the function runs python3.14 and the project requires Python `
      + '">=3.14" (pyproject.toml [project] requires-python), and no interpreter that fits was found (looked for python3.X and python3 on PATH');
    expect(output).toContain('; python3 is 3.11.');
    expect(output).toContain('Install one: `uv python install 3.14` (uv-managed Pythons are found too), or install Python 3.14 and pass --python <path> '
      + '(or set CDK_SPA_PYTHON), or lower requires-python if the code runs on an older Python.');
    expect(output).not.toMatch(/resolver|depends on/);
    expect(leftovers(cacheDir, tmpdir)).toEqual([]);
  }, 120_000);

  test('fails when --python does not satisfy requires-python', async () => {
    const tmpdir = testTempDir('dev-python-tmp-');
    const api = project('>=3.12');
    const { code, output } = await runCli(['dev', '--api', api, '--site', SITE, '--port', '0', '--python', PY311!, '--cache-dir', path.join(tmpdir, 'c')], {
      env: env(pathWith({ 'python3.13': PY313 }), tmpdir),
    });
    expect(code).toBe(1);
    expect(output).toMatch(new RegExp(`${PREFIX}--python is \\S+, Python 3\\.11\\.\\d+, but the project requires Python ">=3\\.12" `
      + '\\(pyproject.toml \\[project\\] requires-python\\)\\. Pass --python <path> to a Python that satisfies requires-python'));
    expect(output).toContain('`uv python install 3.14`');
  }, 60_000);

  test('a failed install leaves nothing behind either', async () => {
    const cacheDir = path.join(testTempDir('dev-python-cache-'), 'cache');
    const tmpdir = testTempDir('dev-python-tmp-');
    const api = project(undefined, 'no-such-package-of-cdk-spa-tests==1.0\n');
    const { code, output } = await runCli(['dev', '--api', api, '--site', SITE, '--port', '0', '--cache-dir', cacheDir], {
      env: { ...env(pathWith({}), tmpdir), PIP_NO_INDEX: '1', PIP_FIND_LINKS: tmpdir },
      timeoutMs: 120_000,
    });
    expect(code).toBe(1);
    expect(output).toContain('Building the API\'s virtualenv failed');
    expect(leftovers(cacheDir, tmpdir)).toEqual([]);
  }, 150_000);

  test('without the runtime\'s version, the nearest version that satisfies requires-python runs the API', async () => {
    const tmpdir = testTempDir('dev-python-tmp-');
    const api = project('>=3.12');
    const dev = await startDev(['--api', api, '--handler', 'app.main.handler', '--site', SITE, '--cache-dir', path.join(tmpdir, 'cache')], {
      env: env(pathWith({ 'python3.12': PY312, 'python3.13': PY313 }), tmpdir),
    });
    try {
      expect((await request(dev.port, '/api/version')).text).toBe('3.13');
      expect(dev.output()).toMatch(/note: the function runs python3\.14 in Lambda; locally the API runs on Python 3\.13 \(\S*python3\.13 on PATH: no Python 3\.14 was found, and it is the nearest version that satisfies requires-python\)/);
    } finally {
      await dev.stop('SIGKILL');
    }
  }, START_TIMEOUT);

  test('requires-python\'s upper bound counts: <3.13 runs on 3.12, not on 3.13 or python3 (3.11)', async () => {
    const tmpdir = testTempDir('dev-python-tmp-');
    const api = project('>=3.10,<3.13');
    const dev = await startDev(['--api', api, '--handler', 'app.main.handler', '--site', SITE, '--cache-dir', path.join(tmpdir, 'cache')], {
      env: env(pathWith({ 'python3.12': PY312, 'python3.13': PY313 }), tmpdir),
    });
    try {
      expect((await request(dev.port, '/api/version')).text).toBe('3.12');
    } finally {
      await dev.stop('SIGKILL');
    }
  }, START_TIMEOUT);
});

test('Ctrl-C while the virtualenv is being built leaves nothing behind', async () => {
  const cacheDir = path.join(testTempDir('dev-python-cache-'), 'cache');
  const tmpdir = testTempDir('dev-python-tmp-');
  // the example backend's dependencies with pip (no uv on PATH): long enough to be interrupted
  const bin = testTempDir('dev-python-bin-');
  fs.symlinkSync(realPython('3.11') ?? '/usr/bin/python3', path.join(bin, 'python3'));
  const child = spawn(process.execPath, ['-r', require.resolve('ts-node/register'), CLI, 'dev', '--api', path.join(ROOT, 'example', 'backend'),
    '--site', SITE, '--port', '0', '--cache-dir', cacheDir], {
    env: cliEnv({ PATH: `${bin}:/usr/bin:/bin`, TMPDIR: tmpdir, CDK_SPA_PYTHON: '', CDK_SPA_UV: '' }), stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no build started:\n${output}`)), 60_000);
    const onData = (d: Buffer) => {
      output += d;
      if (/building the API's virtualenv/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
  await eventually(async () => fs.existsSync(cacheDir) && fs.readdirSync(cacheDir).some((e) => e.startsWith('building-')), 20_000, 'the build folder');
  child.kill('SIGINT');
  expect(await exited).toBe(130);
  await new Promise((r) => setTimeout(r, 1000)); // an installer that outlived the CLI would write on meanwhile
  expect(leftovers(cacheDir, tmpdir)).toEqual([]);
  expect(fs.readdirSync(cacheDir).filter((e) => e.startsWith('venv-'))).toEqual([]);
}, 120_000);
