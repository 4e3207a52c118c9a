/**
 * The installer the bundler counts on (issue 23 item 3): without uv on the machine, the bundler installs the exact
 * uv release it pins into its cache (pip's hash-checking mode against the pinned wheel hashes) and installs with
 * it; pip is the last resort, and only pip 24.2 or later. Real pip and uv runs: the uv wheel comes from the
 * wheelhouse (wheels-host.txt) or, when the wheelhouse lacks it, from PyPI.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { errorMessage, FIXTURES, INSTALL_TIMEOUT, pipPython, synthBundle, tmpDir, useWheelhouseAndFreshCache, WHEELHOUSE, withEnv } from './python-bundling-util';
import { PythonInstaller } from '../../src';
import { lastPythonBundleReport } from '../../src/bundling/python-bundling';
import { BOOTSTRAP_UV_VERSION, bootstrapUvDir } from '../../src/bundling/uv-bootstrap';

useWheelhouseAndFreshCache();

/** PATH without any folder that has a `uv`. */
const PATH_WITHOUT_UV = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d && !fs.existsSync(path.join(d, 'uv'))).join(path.delimiter);
/** The host's python3 when its pip is older than 24.2 (Python 3.11 ships pip 23.2.1), to see the bundler refuse it. */
const OLD_PIP_PYTHON = (() => {
  const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
  const pip = /^pip (\d+)\.(\d+)/.exec(spawnSync(python, ['-m', 'pip', '--version'], { encoding: 'utf8' }).stdout ?? '');
  return pip && (Number(pip[1]) < 24 || (Number(pip[1]) === 24 && Number(pip[2]) < 2)) ? python : undefined;
})();

/** A find-links folder with the wheel of six only (not uv's), so that pip can install the project but not uv. */
function wheelhouseWithoutUv(): string {
  const dir = tmpDir('uv-bootstrap-six-only-');
  const six = fs.existsSync(WHEELHOUSE) ? fs.readdirSync(WHEELHOUSE).find((f) => /^six-1\.17\.0-.*\.whl$/.test(f)) : undefined;
  if (six) fs.copyFileSync(path.join(WHEELHOUSE, six), path.join(dir, six));
  else expect(spawnSync(pipPython(), ['-m', 'pip', 'download', '--quiet', '--no-deps', '--dest', dir, 'six==1.17.0'], { encoding: 'utf8' }).status).toBe(0);
  return dir;
}

function project(): string {
  const dir = tmpDir('uv-bootstrap-project-');
  fs.cpSync(path.join(FIXTURES, 'python-app'), dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'requirements.txt'), 'six==1.17.0\n');
  return dir;
}

describe('no uv on the machine', () => {
  test('installs the pinned uv into the bundle cache once, and bundles with it', () => {
    // PIP_NO_INDEX off: the uv wheel comes from the wheelhouse when it has it, else from PyPI
    const env = { PATH: PATH_WITHOUT_UV, CDK_SPA_UV: undefined, PIP_NO_INDEX: undefined };
    withEnv(env, () => synthBundle({ entry: project(), cache: false }));
    const uv = path.join(bootstrapUvDir(), 'bin', 'uv');
    expect(lastPythonBundleReport()?.installer).toBe('uv');
    expect(spawnSync(uv, ['--version'], { encoding: 'utf8' }).stdout).toMatch(new RegExp(`^uv ${BOOTSTRAP_UV_VERSION.replace(/\./g, '\\.')}\\b`));
    expect(bootstrapUvDir()).toBe(path.join(process.env.CDK_SPA_BUNDLE_CACHE!, '.tools', `uv-${BOOTSTRAP_UV_VERSION}`));
    const installedAt = fs.statSync(uv).mtimeMs;

    // the next synth uses it as it is, even offline (no index, and no uv wheel to find)
    const offline = { ...env, PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheelhouseWithoutUv() };
    const { bundle } = withEnv(offline, () => synthBundle({ entry: project(), cache: false }));
    expect(lastPythonBundleReport()?.installer).toBe('uv');
    expect(fs.statSync(uv).mtimeMs).toBe(installedAt);
    expect(fs.existsSync(path.join(bundle, 'six.py'))).toBe(true);
  }, INSTALL_TIMEOUT);

  test('when uv cannot be installed either, pip 24.2 or later installs, with a warning that says why uv was not used', () => {
    const env = { PATH: PATH_WITHOUT_UV, CDK_SPA_UV: undefined, PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheelhouseWithoutUv(), CDK_SPA_BUNDLE_CACHE: tmpDir('uv-bootstrap-cache-') };
    const { messages } = withEnv(env, () => synthBundle({ entry: project(), cache: false }));
    expect(lastPythonBundleReport()?.installer).toBe('pip');
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(
      /^uv was not found and could not be installed \(`.*python -m pip install uv==0\.13\.9 --require-hashes` exited with code 1: ERROR: .*\); the dependencies are installed with pip instead, the last resort\./)]));
  }, INSTALL_TIMEOUT);
});

(OLD_PIP_PYTHON ? describe : describe.skip)('pip older than 24.2', () => {
  test('fails when the installer is pip and pip is older than 24.2, naming both versions', () => {
    const message = errorMessage(() => synthBundle({ entry: project(), installer: PythonInstaller.PIP, python: OLD_PIP_PYTHON, cache: false }));
    expect(message).toMatch(new RegExp(`Python bundling: the installer is pip, and ${OLD_PIP_PYTHON} has pip 2\\d\\.\\d+(\\.\\d+)?; the bundler needs pip 24\\.2 or later `
      + '\\(older pips reject hash-pinned requirements with extras'));
    expect(message).toContain(`Upgrade pip (\`${OLD_PIP_PYTHON} -m pip install 'pip>=24.2'\`), install uv (https://docs.astral.sh/uv/)`);
  }, INSTALL_TIMEOUT);

  test('fails when uv cannot be installed and pip is older than 24.2, saying why uv could not be used', () => {
    const env = { PATH: PATH_WITHOUT_UV, CDK_SPA_UV: undefined, PIP_NO_INDEX: '1', PIP_FIND_LINKS: tmpDir('uv-bootstrap-empty-'), CDK_SPA_BUNDLE_CACHE: tmpDir('uv-bootstrap-cache-') };
    const message = withEnv(env, () => errorMessage(() => synthBundle({ entry: project(), python: OLD_PIP_PYTHON, cache: false })));
    expect(message).toContain('; the bundler needs pip 24.2 or later');
    expect(message).toMatch(/uv, which the bundler prefers, could not be used: `.* -m pip install uv==0\.13\.9 --require-hashes` exited with code 1: ERROR: /);
  }, INSTALL_TIMEOUT);
});

test('the test interpreter has pip 24.2 or later', () => {
  expect(spawnSync(pipPython(), ['-m', 'pip', '--version'], { encoding: 'utf8' }).stdout).toMatch(/^pip (2[5-9]|24\.([2-9]|\d\d))/);
});
