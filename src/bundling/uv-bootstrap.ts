import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleCacheDir } from './cache';
import { findOnPath, redact, run } from './installers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pep440: { gte(version: string, other: string): boolean } = require('@renovatebot/pep440');

/**
 * The installer the bundler counts on: uv. When it is not on the machine (`CDK_SPA_UV`, `uv` on PATH), the bundler
 * installs one exact uv release from PyPI into its cache, once per machine, with pip's hash-checking mode against the
 * wheel hashes below (pip's oldest releases can do that: no extras, no sdist). pip stays a last resort for machines
 * that can reach no index with uv on it, with its minimum version checked (see `checkPipVersion`).
 */

/** The uv release the bundler installs when none is found. Bump with its hashes (PyPI's simple API lists them). */
export const BOOTSTRAP_UV_VERSION = '0.13.9';

/**
 * SHA-256 of the uv 0.13.9 wheels of the host platforms the bundler supports: Linux x86_64 and aarch64 (glibc and
 * musl), macOS x86_64 and arm64, Windows x86_64 and arm64. pip picks the one for the machine and checks its hash.
 */
const UV_WHEEL_HASHES: string[] = [
  'd7f459fe4fd247d830351c75686d3996ace3c6f3f728eb0e85a30b7ada0cef19', // manylinux_2_17_x86_64
  '2c45530751517d6c3bbc69a19473f6effe47cce047bede01ffd8af7ea7b36b25', // musllinux_1_1_x86_64
  '5435c5ce14a56431208ca0996416d310f1598e8c2c8ba707688985a16bb82dbe', // manylinux_2_17_aarch64 / musllinux_1_1_aarch64
  'ecb6028d79dc96fbeafffe5c8af62a7099487ebc05a701e76714eebcffd06375', // manylinux_2_28_aarch64
  'c16ed11e013557536b3e60065f1b912f6407bd6518e041b961e23ef9e6b4fbf5', // macosx_10_12_x86_64
  '66c512266d633bef48384a1f53003f41f2a8e7b36fe6e7fbfd3e0fd52d96fa63', // macosx_11_0_arm64
  '6a44b2ed8111d2f60d2b92627c5dccda3f7ed7570b18ce115e569cd68c28246b', // win_amd64
  'eeb92051c2123b9730c46b04cc843cfa4bc7d7b0aec56df431a2215ef4cb0273', // win_arm64
];

/** The oldest pip the bundler runs: pip 23.x rejects `--require-hashes` with extras (`google-auth[requests]`). */
export const MIN_PIP_VERSION = '24.2';

/** Where the bundler keeps the uv it installed: `<bundle cache>/.tools/uv-0.13.9`. */
export function bootstrapUvDir(): string {
  return path.join(bundleCacheDir(), '.tools', `uv-${BOOTSTRAP_UV_VERSION}`);
}

function bootstrappedBinary(dir: string): string | undefined {
  return [path.join(dir, 'bin', 'uv'), path.join(dir, 'bin', 'uv.exe'), path.join(dir, 'Scripts', 'uv.exe')].find((f) => fs.existsSync(f));
}

/** uv as the user has it (`CDK_SPA_UV`, then PATH), or the one the bundler installed before; never downloads. */
export function availableUv(): string | undefined {
  return process.env.CDK_SPA_UV || findOnPath('uv') || bootstrappedBinary(bootstrapUvDir());
}

/** The outcome of looking for uv, installing it when it is missing. */
export interface UvLookup {
  /** The uv binary, when there is one. */
  readonly uv?: string;
  /** True when the bundler installed it (now or on an earlier synth). */
  readonly bootstrapped: boolean;
  /** Why installing uv failed, when it did. */
  readonly error?: string;
}

/**
 * uv from `CDK_SPA_UV` or PATH; otherwise the exact uv release BOOTSTRAP_UV_VERSION, installed into the bundle cache
 * with `python -m pip install --require-hashes` (the index configuration of pip applies: PIP_INDEX_URL, PIP_FIND_LINKS).
 */
export function findOrBootstrapUv(python: string): UvLookup {
  const own = process.env.CDK_SPA_UV || findOnPath('uv');
  if (own) return { uv: own, bootstrapped: false };
  const dir = bootstrapUvDir();
  const existing = bootstrappedBinary(dir);
  if (existing) return { uv: existing, bootstrapped: true };

  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  try {
    const requirements = path.join(tmp, 'uv-requirements.txt');
    fs.writeFileSync(requirements, `uv==${BOOTSTRAP_UV_VERSION} ${UV_WHEEL_HASHES.map((h) => `--hash=sha256:${h}`).join(' ')}\n`);
    const target = path.join(tmp, 'uv');
    const args = ['-m', 'pip', 'install', '--target', target, '--no-deps', '--only-binary=:all:', '--require-hashes', '--no-compile',
      '--no-input', '--quiet', '--retries', '1', '--timeout', '15', '-r', requirements];
    const result = run(python, args, tmp);
    const binary = bootstrappedBinary(target);
    if (result.status !== 0 || result.error || !binary) {
      const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}`.split('\n').map((l) => l.trim()).filter((l) => l !== '');
      const why = result.error ? `could not start ${python} (${result.error.message})` : `exited with code ${result.status}`;
      const line = output.find((l) => /^ERROR:|No module named/.test(l)) ?? output[output.length - 1] ?? '';
      return { bootstrapped: false, error: redact(`\`${python} -m pip install uv==${BOOTSTRAP_UV_VERSION} --require-hashes\` ${why}${line ? `: ${line}` : ''}`) };
    }
    const version = run(binary, ['--version'], tmp);
    if (version.status !== 0 || !(version.stdout ?? '').includes(BOOTSTRAP_UV_VERSION)) {
      return { bootstrapped: false, error: `the uv ${BOOTSTRAP_UV_VERSION} that pip installed does not run on this machine: ${(version.stderr || version.stdout || version.error?.message || '').trim()}` };
    }
    try {
      fs.renameSync(target, dir);
    } catch (e) {
      // another synth installed it first: use theirs
      if (!bootstrappedBinary(dir)) throw e;
    }
    return { uv: bootstrappedBinary(dir)!, bootstrapped: true };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** pip versions already checked in this process: interpreter -> version. */
const pipVersions = new Map<string, string>();

/**
 * Fails unless `python -m pip` is pip MIN_PIP_VERSION or later (the pip of Python 3.11 and 3.12 is 23.x or 24.0). The
 * message names the version found and the minimum, and why uv could not be used when that was tried first.
 */
export function checkPipVersion(python: string, uvProblem?: string): void {
  let version = pipVersions.get(python);
  if (version === undefined) {
    const result = run(python, ['-m', 'pip', '--version'], os.tmpdir()); // not the cwd: `-m` would import a folder named pip there
    version = /^pip (\d+(?:\.\d+)*)/.exec(result.stdout ?? '')?.[1] ?? '';
    if (version) pipVersions.set(python, version);
  }
  // no interpreter, or no pip at all: pip's own run says which, with the fix
  if (!version || pep440.gte(version, MIN_PIP_VERSION)) return;
  const found = `pip ${version}`;
  throw new Error(`Python bundling: the installer is pip, and ${python} has ${found}; the bundler needs pip ${MIN_PIP_VERSION} or later `
    + '(older pips reject hash-pinned requirements with extras, such as `google-auth[requests]`, which uv and poetry locks export). '
    + (uvProblem ? `uv, which the bundler prefers, could not be used: ${uvProblem}. ` : '')
    + `Upgrade pip (\`${python} -m pip install 'pip>=${MIN_PIP_VERSION}'\`), install uv (https://docs.astral.sh/uv/), `
    + `or set CDK_SPA_PYTHON (or the python bundling option) to an interpreter with pip ${MIN_PIP_VERSION} or later.`);
}
