/**
 * Bytecode for the runtime's exact Python with a uv-managed interpreter (item 5 of issue 13): an interpreter of the
 * runtime's version that is on the machine but not usable as `python3.X` on PATH (here: pyenv's, behind a PATH
 * without pyenv) is found by `uv python find` as a uv-managed Python (UV_PYTHON_INSTALL_DIR laid out as uv
 * installs them, its executables linking to pyenv's), and the bundle is precompiled with it. Without it, uv is asked
 * to install one unless `downloadPython` is false (a logging uv wrapper shows the commands).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { findUv, INSTALL_TIMEOUT, synthBundle, tmpDir, useWheelhouseAndFreshCache, withEnv } from './python-bundling-util';
import { PythonInstaller } from '../../src';
import { pythonDownloadMarker } from '../../src/bundling/postprocess';
import { lastPythonBundleReport } from '../../src/bundling/python-bundling';

useWheelhouseAndFreshCache();
const UV = findUv();
const PYENV = path.join(process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv'), 'versions');

/** A pyenv CPython of a Lambda runtime's version that is not the host's `python3`, e.g. { version: '3.12', dir }. */
function pyenvInterpreter(): { version: string; full: string; executable: string } | undefined {
  if (!fs.existsSync(PYENV)) return undefined;
  for (const full of fs.readdirSync(PYENV).sort().reverse()) {
    const m = /^3\.(1[0-4])\.\d+$/.exec(full);
    const version = m ? `3.${m[1]}` : undefined;
    const executable = version ? path.join(PYENV, full, 'bin', `python${version}`) : undefined;
    if (version && executable && fs.existsSync(executable) && version !== hostVersion()) return { version, full, executable };
  }
  return undefined;
}

function hostVersion(): string {
  return execFileSync('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']).toString().trim();
}

/** A project with one dependency from the wheelhouse. */
function project(): string {
  const dir = tmpDir('uv-python-project-');
  fs.mkdirSync(path.join(dir, 'app'));
  fs.writeFileSync(path.join(dir, 'app', '__init__.py'), '');
  fs.writeFileSync(path.join(dir, 'app', 'main.py'), 'import six\n\ndef handler(event, context):\n    return {}\n');
  fs.writeFileSync(path.join(dir, 'requirements.txt'), 'six==1.17.0\n');
  return dir;
}

/** PATH without pyenv (its shims and versions): `python3.X` is not there, /usr/bin/python3 is. */
function pathWithoutPyenv(): string {
  return (process.env.PATH ?? '').split(path.delimiter).filter((d) => !d.includes('.pyenv')).join(path.delimiter);
}

const interpreter = pyenvInterpreter();
const runtimeOf = (v: string) => new lambda.Runtime(`python${v}`, lambda.RuntimeFamily.PYTHON);

(UV && interpreter ? describe : describe.skip)('a runtime whose interpreter is on the machine but not python3.X on PATH', () => {
  test(`python${interpreter?.version}: precompiled with the Python that uv python find finds`, () => {
    const managed = tmpDir('uv-managed-pythons-');
    const key = `cpython-${interpreter!.full}-linux-${os.arch() === 'arm64' ? 'aarch64' : 'x86_64'}-gnu`;
    fs.mkdirSync(path.join(managed, key, 'bin'), { recursive: true });
    for (const name of ['python', 'python3', `python${interpreter!.version}`]) {
      fs.symlinkSync(interpreter!.executable, path.join(managed, key, 'bin', name));
    }
    const hostArch = os.arch() === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64;
    const env = { PATH: pathWithoutPyenv(), CDK_SPA_UV: UV, CDK_SPA_PYTHON: undefined, UV_PYTHON_INSTALL_DIR: managed, UV_PYTHON_DOWNLOADS: 'never' };
    const { bundle, messages } = withEnv(env, () => synthBundle({
      entry: project(), runtime: runtimeOf(interpreter!.version), architecture: hostArch, installer: PythonInstaller.UV,
    }));
    expect(lastPythonBundleReport()?.precompiledWith).toBe(path.join(managed, key, 'bin', `python${interpreter!.version}`));
    const tag = `cpython-${interpreter!.version.replace('.', '')}`;
    expect(fs.existsSync(path.join(bundle, '__pycache__', `six.${tag}.pyc`))).toBe(true);
    expect(fs.existsSync(path.join(bundle, 'app', '__pycache__', `main.${tag}.pyc`))).toBe(true);
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`; precompiled for Python ${interpreter!.version.replace('.', '\\.')}\\.$`))]));
  }, INSTALL_TIMEOUT);
});

(UV ? describe : describe.skip)('no interpreter of the version anywhere: uv python install, unless downloadPython is false', () => {
  /** A uv that logs its arguments and runs the real one. */
  function loggingUv(): { path: string; calls: () => string[] } {
    const dir = tmpDir('uv-logging-');
    const log = path.join(dir, 'calls.log');
    const wrapper = path.join(dir, 'uv');
    fs.writeFileSync(wrapper, `#!/bin/sh\necho "$@" >> "${log}"\nexec "${UV}" "$@"\n`, { mode: 0o755 });
    return { path: wrapper, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []) };
  }
  // Python 3.9: a Lambda runtime whose interpreter this machine's uv does not manage (an empty managed folder)
  const env = (uv: string) => ({
    PATH: pathWithoutPyenv().split(path.delimiter).filter((d) => !fs.existsSync(path.join(d, 'python3.9'))).join(path.delimiter),
    CDK_SPA_UV: uv,
    CDK_SPA_PYTHON: undefined,
    UV_PYTHON_INSTALL_DIR: tmpDir('uv-empty-pythons-'),
    UV_PYTHON_DOWNLOADS: 'never',
    UV_OFFLINE: '1',
  });
  const hostArch = os.arch() === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64;

  test('asks uv to install it; when that fails (offline here) the bundle is not precompiled and synth goes on with the info message', () => {
    const uv = loggingUv();
    const { messages } = withEnv(env(uv.path), () => synthBundle({
      entry: project(), runtime: lambda.Runtime.PYTHON_3_9, architecture: hostArch, installer: PythonInstaller.UV,
    }));
    expect(uv.calls().filter((c) => c.startsWith('python '))).toEqual([
      'python find cpython@3.9 --no-python-downloads --no-project',
      'python install cpython@3.9',
    ]);
    expect(lastPythonBundleReport()?.precompiledWith).toBeUndefined();
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/^Bytecode precompilation skipped: no CPython 3\.9 interpreter found .*with uv for a uv-managed Python 3\.9/)]));
  }, INSTALL_TIMEOUT);

  test('a failed download is remembered on this machine with its time and error, not retried on the next synths, and retried once it is old', () => {
    const uv = loggingUv();
    const installs = () => uv.calls().filter((c) => c === 'python install cpython@3.9').length;
    const marker = pythonDownloadMarker('3.9');
    fs.rmSync(marker, { force: true });
    const synth = () => withEnv(env(uv.path), () => synthBundle({
      entry: project(), runtime: lambda.Runtime.PYTHON_3_9, architecture: hostArch, installer: PythonInstaller.UV, cache: false,
    }));
    const first = synth();
    expect(installs()).toBe(1);
    const failure = JSON.parse(fs.readFileSync(marker, 'utf8'));
    expect(failure.command).toBe('uv python install cpython@3.9');
    expect(failure.error).toMatch(/^exited with code [1-9]\d*: /);
    expect(Date.now() - Date.parse(failure.at)).toBeLessThan(600_000);
    // the message says what failed, and for how long it is not retried
    const skipped = (messages: string[]) => messages.find((m) => m.startsWith('Bytecode precompilation skipped'))!;
    expect(skipped(first.messages)).toContain(`; \`uv python install cpython@3.9\` failed on this machine (${failure.error}), and is not tried again for 24 hours `
      + '(delete .python-download-failed-3.9.json in the bundle cache to retry at the next synth).');
    expect(skipped(first.messages)).toContain('run `uv python install 3.9` once online');

    // the next synths (a new process would read the same marker) do not try again, and still say why
    const second = synth();
    expect(installs()).toBe(1);
    expect(skipped(second.messages)).toBe(skipped(first.messages));

    // 25 hours later it is tried again
    fs.writeFileSync(marker, JSON.stringify({ ...failure, at: new Date(Date.now() - 25 * 3_600_000).toISOString() }));
    synth();
    expect(installs()).toBe(2);
  }, INSTALL_TIMEOUT);

  test('downloadPython false: only looks', () => {
    const uv = loggingUv();
    withEnv(env(uv.path), () => synthBundle({
      entry: project(),
      runtime: lambda.Runtime.PYTHON_3_9,
      architecture: hostArch,
      installer: PythonInstaller.UV,
      downloadPython: false,
      cache: false,
    }));
    expect(uv.calls().filter((c) => c.startsWith('python '))).toEqual(['python find cpython@3.9 --no-python-downloads --no-project']);
  }, INSTALL_TIMEOUT);
});
