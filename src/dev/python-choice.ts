import { spawnSync } from 'child_process';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DevError } from './process';
import { findOnPath } from '../bundling/installers';
import { findExactPython, findUvPython } from '../bundling/postprocess';
import { PythonRequirement } from '../bundling/project-checks';
import { resolveTarget } from '../bundling/target';

// @renovatebot/pep440: Renovate's PEP 440 implementation, as the bundler's requires-python check uses it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pep440: { satisfies(version: string, specifier: string): boolean; validRange(specifier: string): boolean } = require('@renovatebot/pep440');

/** The interpreter the preview runs the API with. */
export interface PreviewPython {
  readonly python: string;
  /** `major.minor`, e.g. `3.14`. */
  readonly version: string;
  /** How it was found, for the log line (`--python`, `python3.14 on PATH`, `uv`...). */
  readonly how: string;
}

/** Minor versions of Python 3 the lookup tries after the runtime's own, nearest to it first. */
const PYTHON_MINORS = Array.from({ length: 9 }, (_, i) => `3.${i + 8}`); // 3.8 ... 3.16

/** What the lookup chose in this process (the virtualenv is looked up again at every reload). */
const chosen = new Map<string, PreviewPython>();

/**
 * The Python the preview builds its virtualenv with, found as the bundler finds the Python it precompiles with:
 * - `--python` / `CDK_SPA_PYTHON` when given (it must satisfy `requires-python`);
 * - else the runtime's version: `python3.X` or `python3` on PATH, then a Python uv finds (uv-managed ones included);
 * - else the version nearest to the runtime's that satisfies every `requires-python` of the project, looked for
 *   the same way.
 * Nothing is downloaded. When none fits, a DevError names `requires-python` and the fix.
 */
export function choosePreviewPython(runtime: string, requirements: readonly PythonRequirement[], explicit?: string): PreviewPython {
  const given = explicit || process.env.CDK_SPA_PYTHON;
  if (given) {
    const version = interpreterVersion(given);
    const refusing = requirements.filter((r) => !satisfiesOne(version.full, r));
    if (refusing.length > 0) {
      throw new DevError(`${explicit ? '--python' : 'CDK_SPA_PYTHON'} is ${given}, Python ${version.full}, but the project requires Python `
        + `${describe(refusing)}. Pass --python <path> to a Python that satisfies requires-python (or set CDK_SPA_PYTHON), `
        + `for example one installed with \`uv python install ${wanted(runtime, requirements)}\`.`);
    }
    return { python: given, version: version.minor, how: explicit ? '--python' : 'CDK_SPA_PYTHON' };
  }

  const runtimeVersion = /^python(3\.\d+)$/.exec(runtime)?.[1] ?? '3.14';
  const runtimeMinor = Number(runtimeVersion.split('.')[1]);
  const versions = [runtimeVersion, ...PYTHON_MINORS.filter((v) => v !== runtimeVersion)
    .sort((a, b) => Math.abs(Number(a.split('.')[1]) - runtimeMinor) - Math.abs(Number(b.split('.')[1]) - runtimeMinor)
      || Number(a.split('.')[1]) - Number(b.split('.')[1]))]
    .filter((v) => requirements.every((r) => someReleaseSatisfies(v, r)));
  const uv = process.env.CDK_SPA_UV || findOnPath('uv');
  const memoKey = JSON.stringify([runtime, requirements, process.env.PATH, uv]);
  const memo = chosen.get(memoKey);
  if (memo) return memo;
  // the runtime's version on PATH, then with uv; then the other versions on PATH (cheap), then with uv (a second or so each)
  const [first, ...others] = versions;
  const lookups: Array<[string, 'path' | 'uv']> = first === runtimeVersion
    ? [[first, 'path'], [first, 'uv'], ...others.map((v): [string, 'path'] => [v, 'path']), ...others.map((v): [string, 'uv'] => [v, 'uv'])]
    : [...versions.map((v): [string, 'path'] => [v, 'path']), ...versions.map((v): [string, 'uv'] => [v, 'uv'])];
  for (const [version, where] of lookups) {
    if (where === 'uv' && !uv) continue;
    const target = resolveTarget(new lambda.Runtime(`python${version}`, lambda.RuntimeFamily.PYTHON), lambda.Architecture.ARM_64);
    const found = where === 'path'
      ? findExactPython(target, [`python${version}`, 'python3', 'python'].filter((c) => findOnPath(c) !== undefined))
      : findUvPython(target, false);
    if (!found) continue;
    const full = interpreterVersion(found).full;
    if (requirements.every((r) => satisfiesOne(full, r))) {
      const result = { python: found, version, how: where === 'path' ? `${found} on PATH` : `a Python ${version} uv found (${found})` };
      chosen.set(memoKey, result);
      return result;
    }
  }

  const python3 = findOnPath('python3') ?? findOnPath('python');
  if (!python3 && ![`python${/^python(3\.\d+)$/.exec(runtime)?.[1]}`, ...PYTHON_MINORS.map((v) => `python${v}`)].some((c) => findOnPath(c))) {
    throw new DevError('No Python found: the dev server runs the API in a host virtualenv, so it needs a Python 3 interpreter. '
      + 'Install Python 3 (ideally the version of the Lambda runtime), put `python3` on PATH, or pass --python <path> (or set CDK_SPA_PYTHON).');
  }
  const python3Version = python3 ? spawnSync(python3, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8' }).stdout?.trim() : undefined;
  const need = wanted(runtime, requirements);
  const what = requirements.length > 0
    ? `the function runs ${runtime} and the project requires Python ${describe(requirements)}`
    : `the function runs ${runtime}`;
  throw new DevError(`No Python for the API preview: ${what}, and no interpreter that fits was found `
    + `(looked for python3.X and python3 on PATH${uv ? ' and with uv, uv-managed Pythons included' : ''}${python3Version ? `; python3 is ${python3Version}` : ''}). `
    + `Install one: \`uv python install ${need}\` (uv-managed Pythons are found too), or install Python ${need} and pass --python <path> `
    + `(or set CDK_SPA_PYTHON)${requirements.length > 0 ? ', or lower requires-python if the code runs on an older Python' : ''}.`);
}

/** `>=3.14` (pyproject.toml [project] requires-python) and ... */
function describe(requirements: readonly PythonRequirement[]): string {
  return requirements.map((r) => `${JSON.stringify(r.written)} (${r.where})`).join(' and ');
}

/** The version to suggest installing: the runtime's when requires-python allows it, else the newest that fits. */
function wanted(runtime: string, requirements: readonly PythonRequirement[]): string {
  const runtimeVersion = /^python(3\.\d+)$/.exec(runtime)?.[1] ?? '3.14';
  if (requirements.every((r) => someReleaseSatisfies(runtimeVersion, r))) return runtimeVersion;
  return [...PYTHON_MINORS].reverse().find((v) => requirements.every((r) => someReleaseSatisfies(v, r))) ?? runtimeVersion;
}

function alternatives(r: PythonRequirement): string[] {
  return r.specifier.split('||').map((alt) => alt.trim());
}

/** Whether a full version (`3.13.0`) satisfies one of the requirement's alternatives (an unreadable one counts). */
function satisfiesOne(full: string, r: PythonRequirement): boolean {
  return alternatives(r).some((alt) => alt === '' || !pep440.validRange(alt) || pep440.satisfies(full, alt));
}

/** Whether some patch release of `3.X` satisfies the requirement. */
function someReleaseSatisfies(minor: string, r: PythonRequirement): boolean {
  for (let patch = 0; patch <= 40; patch++) {
    if (satisfiesOne(`${minor}.${patch}`, r)) return true;
  }
  return false;
}

function interpreterVersion(python: string): { minor: string; full: string } {
  const result = spawnSync(python, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8', timeout: 30_000 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new DevError(`The Python interpreter '${python}' was not found. Pass --python <path> (or set CDK_SPA_PYTHON) to a Python 3 interpreter, or install Python 3.`);
  }
  if (result.error || result.status !== 0) {
    throw new DevError(`The Python interpreter '${python}' does not run (${result.error?.message ?? result.stderr.trim()}). `
      + 'Pass --python <path> (or set CDK_SPA_PYTHON) to a working Python 3.');
  }
  const full = result.stdout.trim();
  return { full, minor: full.split('.').slice(0, 2).join('.') };
}
