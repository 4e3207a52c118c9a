import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { stripVTControlCharacters } from 'util';
import * as cdk from 'aws-cdk-lib';
import { DependencyKind, DependencySource, isFile, LOCAL_PACKAGE_EXCLUDES } from './inputs';
import { normalizeName } from './project-checks';
import { localTargetPath, readRequirementsFile } from './requirements-file';
import { describeTarget, isPureWheel, markerEnvironment, PythonTarget } from './target';

/** A dependency that has no wheel for the target and is not pure Python: only Docker (or a wheel) can fix it. */
export class NeedsCompilingError extends Error {
  constructor(message: string, public readonly requirements: string[]) {
    super(message);
  }
}

/** What an install needs. */
export interface InstallRequest {
  readonly entry: string;
  /** The user's file that lists the dependencies (named in messages). */
  readonly dependencyFile: string;
  readonly target: PythonTarget;
  /** Folder the dependencies are installed into (empty). */
  readonly site: string;
  /** A scratch folder for exported requirements and locally built wheels. */
  readonly work: string;
  readonly extraArgs: string[];
  readonly python: string;
  readonly uv?: string;
  /** Why uv could not be installed into the bundle cache, when it was tried and failed. */
  readonly uvProblem?: string;
}

/** What an install did. */
export interface InstallResult {
  readonly installer: 'pip' | 'uv';
  /** The command that installed the dependencies (installer arguments). */
  readonly args: string[];
  /** Requirements built into pure-Python wheels on this machine (sdist-only packages). */
  readonly builtLocally: string[];
}

/**
 * Environment for pip, uv and poetry: the user's index configuration (never hashed) plus pip/uv equivalents, and no
 * colour. The CDK CLI runs the app with `FORCE_COLOR=0`, which pip's rich console reads as "force a terminal", so
 * pip would print ANSI codes into the output the bundler parses: FORCE_COLOR and CLICOLOR_FORCE are removed, and
 * NO_COLOR / PIP_NO_COLOR / UV_NO_COLOR... turn colour off (every parse also strips ANSI codes, see `run`).
 */
export function installerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PIP_REQUIRE_VIRTUALENV: '0',
    PIP_ROOT_USER_ACTION: 'ignore',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    NO_COLOR: '1',
    PIP_NO_COLOR: '1',
    PIP_PROGRESS_BAR: 'off',
  };
  delete env.FORCE_COLOR;
  delete env.CLICOLOR_FORCE;
  delete env.PY_COLORS;
  // uv does not read pip's variables: map them when the uv ones are not set.
  const map: Array<[string, string]> = [
    ['PIP_INDEX_URL', 'UV_INDEX_URL'], ['PIP_EXTRA_INDEX_URL', 'UV_EXTRA_INDEX_URL'], ['PIP_FIND_LINKS', 'UV_FIND_LINKS'],
  ];
  for (const [pip, uv] of map) {
    if (env[pip] && !env[uv] && !(uv === 'UV_INDEX_URL' && env.UV_DEFAULT_INDEX)) env[uv] = env[pip];
  }
  return env;
}

/** Hides credentials of index URLs (`https://user:secret@host` becomes `https://***@host`). */
export function redact(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(:[^\s/@]*)?@/gi, '$1***@');
}

/**
 * Writes the requirements to install to a file in `work` and returns its path, or undefined when there
 * is nothing to install. Locks are exported with their tool (`uv export`, `poetry export`).
 */
export function resolveRequirements(source: DependencySource, req: InstallRequest, forPip: boolean): string | undefined {
  if (!source.hasDependencies) return undefined;
  switch (source.kind) {
    case DependencyKind.REQUIREMENTS:
      return isolateLocalPaths(source.file, req.entry, req.work, path.join(req.work, 'requirements.txt'), forPip);
    case DependencyKind.PYPROJECT: {
      const file = path.join(req.work, 'requirements.txt');
      fs.writeFileSync(file, (source.requirements ?? []).join('\n') + '\n');
      return file;
    }
    case DependencyKind.UV_LOCK: {
      if (!req.uv) {
        throw new Error(`Python bundling: the project is locked with ${source.file}, and exporting that lock needs uv, which was not found `
          + `(neither the CDK_SPA_UV environment variable nor \`uv\` on PATH)${req.uvProblem ? ` and could not be installed (${req.uvProblem})` : ''}. `
          + 'Install uv (`pip install uv`, or see https://docs.astral.sh/uv/), '
          + 'set CDK_SPA_UV to its path, or add a requirements.txt (`uv export --no-dev --no-emit-project -o requirements.txt`).');
      }
      // The static comparison of pyproject.toml and uv.lock (inputs.ts) already passed; uv's own check also sees
      // what it cannot (markers in uv's normal form, [tool.uv.sources], indexes). Only its "needs to be updated"
      // answer fails: without an interpreter or the index (offline), it cannot tell, and the static answer stands.
      const check = run(req.uv, ['lock', '--check', '--no-python-downloads'], req.entry);
      if (check.status !== 0 && /needs to be updated/.test(check.stderr ?? '')) {
        throw new Error(`Python bundling: ${source.file} is out of date: \`uv lock --check\` says it needs to be updated. `
          + `Run \`uv lock\` in ${source.lockRoot ?? req.entry} and commit uv.lock. The bundle installs exactly what the lock lists `
          + `(uv export --frozen), so without a new lock the changes would not reach the function. uv's output:\n${tail(check)}`);
      }
      const file = path.join(req.work, 'requirements.txt');
      const args = ['export', '--frozen', '--no-dev', '--no-editable', '--no-emit-project', '--format', 'requirements.txt', '--no-header', '--quiet', '--output-file', file];
      const result = run(req.uv, args, req.entry);
      if (result.status !== 0 || result.error) {
        throw new Error(`Python bundling: '${req.uv} ${args.slice(0, -2).join(' ')}' (run in ${req.entry}) ${exitText(result)}. `
          + `Check that ${source.file} is up to date (\`uv lock\`). Its output:\n${tail(result)}`);
      }
      return isolateLocalPaths(file, source.lockRoot ?? req.entry, req.work, file, forPip);
    }
    case DependencyKind.POETRY_LOCK: {
      const poetry = process.env.CDK_SPA_POETRY ?? findOnPath('poetry');
      if (!poetry) {
        throw new Error(`Python bundling: the project is locked with ${source.file}, and exporting that lock needs poetry, which was not found on PATH. `
          + 'Install poetry and its export plugin (`pipx install poetry && pipx inject poetry poetry-plugin-export`), '
          + 'set CDK_SPA_POETRY to its path, or add a requirements.txt (`poetry export -o requirements.txt`).');
      }
      const file = path.join(req.work, 'requirements.txt');
      const args = ['export', '--no-ansi', '--no-interaction', '--format', 'requirements.txt', '--output', file];
      const result = run(poetry, args, req.entry);
      if (result.status !== 0 || result.error) {
        const noPlugin = /command "export" does not exist|The requested command export does not exist/i.test(result.stderr ?? '');
        throw new Error(`Python bundling: '${poetry} ${args.slice(0, -2).join(' ')}' (run in ${req.entry}) ${exitText(result)}. `
          + (noPlugin ? 'Poetry 2 needs the export plugin: `poetry self add poetry-plugin-export`. ' : `Check that ${source.file} is up to date (\`poetry lock\`). `)
          + `Its output:\n${tail(result)}`);
      }
      return isolateLocalPaths(file, req.entry, req.work, file, forPip);
    }
  }
}

/**
 * Installs with uv: `uv pip install --target --python-platform --python-version`. uv evaluates markers for
 * the target, builds pure-Python sdists itself and refuses built wheels that do not fit the target.
 */
export function installWithUv(requirements: string, req: InstallRequest): InstallResult {
  const t = req.target;
  const args = [
    'pip', 'install', '--target', req.site, '-r', requirements,
    '--python-platform', t.uvPlatform, '--python-version', t.version,
    '--link-mode', 'copy', '--no-progress', '--color', 'never',
    // uv has no variable for pip's PIP_NO_INDEX: honour it (find-links still apply, from PIP_FIND_LINKS/UV_FIND_LINKS).
    ...(/^(1|true|yes|on)$/i.test(process.env.PIP_NO_INDEX ?? '') ? ['--no-index'] : []),
    ...req.extraArgs,
  ];
  const result = run(req.uv!, args, req.entry);
  if (result.status === 0 && !result.error) {
    const built = [...(result.stderr ?? '').matchAll(/^\s*Built (\S+)/gm)].map((m) => m[1]);
    return { installer: 'uv', args, builtLocally: built };
  }
  const stderr = result.stderr ?? '';
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(`Python bundling: uv ('${req.uv}') was not found. Install uv, set CDK_SPA_UV to its path, or use installer PythonInstaller.PIP.`);
  }
  const incompatible = [...stderr.matchAll(/built wheel `([^`]+)` is not compatible with the target/g)].map((m) => m[1]);
  const failedBuilds = [...stderr.matchAll(/Failed to (?:download and )?build `([^`]+)`/g)].map((m) => m[1]);
  if (incompatible.length > 0 || (failedBuilds.length > 0 && /not compatible|compil|gcc|error: command|Python\.h/i.test(stderr))) {
    const names = failedBuilds.length > 0 ? failedBuilds : incompatible;
    throw needsCompiling(names, req.dependencyFile, t, `uv ${exitText(result)}; last lines of its output:\n${tail(result)}`,
      incompatible.length > 0 ? `building it on this machine gave ${incompatible.map((w) => `'${w}'`).join(', ')}, which only runs here` : 'building it on this machine failed');
  }
  throw doesNotResolve('uv pip install', req.dependencyFile, t, result);
}

/**
 * Installs with pip, restricted to wheels for the target (`--platform ... --only-binary=:all:`). A
 * requirement with no such wheel is built from its sdist on this machine: a pure-Python wheel is then
 * installed (it runs anywhere), anything else fails with NeedsCompilingError.
 */
export function installWithPip(requirements: string, req: InstallRequest): InstallResult {
  const t = req.target;
  const wheelDir = path.join(req.work, 'built-wheels');
  const builtLocally: string[] = [];
  const tried = new Set<string>();
  for (;;) {
    const args = [
      'install', '-r', requirements, '--target', req.site,
      ...t.platformTags.flatMap((tag) => ['--platform', tag]),
      '--implementation', 'cp', '--python-version', t.version, '--abi', t.abi,
      '--only-binary=:all:', '--no-compile', '--no-input', '--quiet',
      ...(builtLocally.length > 0 ? ['--find-links', wheelDir] : []),
      ...req.extraArgs,
    ];
    const result = runPip(req.python, args, req.entry, t);
    if (result.status === 0 && !result.error) {
      return { installer: 'pip', args, builtLocally };
    }
    const missing = unresolvedRequirements(result.stderr ?? '').filter((r) => !tried.has(r));
    if (missing.length === 0) {
      throw doesNotResolve('pip install', req.dependencyFile, t, result, undefined, builtLocally.length > 0 ? wheelDir : undefined);
    }
    for (const requirement of missing) {
      tried.add(requirement);
      buildPureWheel(requirement, wheelDir, req, requirements);
      builtLocally.push(requirement);
    }
    fs.rmSync(req.site, { recursive: true, force: true });
    fs.mkdirSync(req.site, { recursive: true });
  }
}

/** `--hash` options of a requirements line. */
const HASH_OPTION = /\s+--hash[=\s]\s*\S+/g;

/**
 * Builds one requirement from its sdist into `wheelDir`; throws unless the wheel is pure Python. The sdist is
 * downloaded with the requirement's line of the file (its `--hash` options included), so pip checks the hash the
 * lock pins against the file it pins: the sdist. When the file is hash-checked, that line then pins the built wheel
 * by its own hash, which the bundler just computed from a checked source; the lock's hash is never held against
 * the bundler's own build.
 */
function buildPureWheel(requirement: string, wheelDir: string, req: InstallRequest, requirementsFile: string): void {
  const name = projectName(requirement);
  const out = path.join(req.work, `build-${name}`);
  fs.mkdirSync(out, { recursive: true });
  const lines = readRequirementsFile(requirementsFile);
  const line = lines.find((l) => !l.include && !l.local && !l.option && sameProject(l.text.replace(HASH_OPTION, ''), name));
  const one = path.join(out, 'requirement.txt');
  fs.writeFileSync(one, `${line?.text ?? requirement}\n`);
  const args = ['wheel', '--no-deps', '--no-binary', name, '--wheel-dir', out, '--no-input', '--quiet', '-r', one, ...req.extraArgs];
  const result = runPip(req.python, args, req.entry, req.target);
  const wheels = fs.readdirSync(out).filter((f) => f.endsWith('.whl'));
  if (result.status !== 0 || wheels.length === 0) {
    if (unresolvedRequirements(result.stderr ?? '').length > 0 || /DO NOT MATCH THE HASHES/i.test(result.stderr ?? '')) {
      throw doesNotResolve('pip wheel', req.dependencyFile, req.target, result, requirement);
    }
    throw needsCompiling([requirement], req.dependencyFile, req.target,
      `pip wheel ${exitText(result)}; last lines of its output:\n${tail(result)}`, 'building its sdist on this machine failed');
  }
  if (!isPureWheel(wheels[0])) {
    throw needsCompiling([requirement], req.dependencyFile, req.target, '',
      `building its sdist on this machine gave '${wheels[0]}', which contains compiled code for this machine only`);
  }
  fs.mkdirSync(wheelDir, { recursive: true });
  const wheel = path.join(wheelDir, wheels[0]);
  fs.renameSync(path.join(out, wheels[0]), wheel);
  if (line && lines.some((l) => /(^|\s)--hash[=\s]/.test(l.text))) {
    const digest = crypto.createHash('sha256').update(fs.readFileSync(wheel)).digest('hex');
    fs.writeFileSync(requirementsFile, lines.map((l) => (l === line ? `${l.text.replace(HASH_OPTION, '')} --hash=sha256:${digest}` : l.raw)).join('\n') + '\n');
  }
}

/** Whether a requirement (`Name[extra]==1.0 ; marker`) is of the project `name` (PEP 503 names). */
function sameProject(requirement: string, name: string): boolean {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(requirement);
  return m !== null && normalizeName(m[1]) === normalizeName(name);
}

function needsCompiling(requirements: string[], file: string, t: PythonTarget, detail: string, why: string): NeedsCompilingError {
  const list = requirements.map((r) => `'${r}'`).join(', ');
  return new NeedsCompilingError(redact(`Python bundling: ${list} (from ${file}) has no wheel for ${describeTarget(t)} and needs compiling: ${why}. `
    + 'Without Docker only wheels built for the Lambda platform, and pure-Python packages, can be installed. To fix it:\n'
    + `  - pin a version of ${requirements.map(projectName).join(', ')} that publishes a wheel for this platform ('*-${t.abi}-*manylinux*_${t.machine}.whl', `
    + `'*-abi3-*manylinux*_${t.machine}.whl' or '*-py3-none-any.whl'), or\n`
    + '  - bundle in Docker: `bundling: { dockerFallback: true }` (or `installer: PythonInstaller.DOCKER`) builds it in the AWS SAM build image '
    + `for ${t.runtimeName} (needs Docker${t.machine === 'aarch64' ? ', and QEMU on an x86_64 machine' : ''}), or\n`
    + '  - choose another runtime (Python version) or architecture for the function.'
    + (detail ? `\n${detail}` : '')), requirements);
}

function doesNotResolve(
  what: string, file: string, t: PythonTarget, result: SpawnSyncReturns<string>, requirement?: string, builtWheels?: string,
): Error {
  const stderr = result.stderr ?? '';
  const hashMismatch = /DO NOT MATCH THE HASHES|Hash mismatch/i.test(stderr);
  const missing = requirement && !hashMismatch ? [requirement] : unresolvedRequirements(stderr);
  const conflict = /conflicting dependencies|ResolutionImpossible|No solution found when resolving/.test(stderr);
  // a wheel the bundler built itself is pinned by its own hash: a mismatch there is the bundler's, not the file's
  const ownBuild = hashMismatch && builtWheels !== undefined && stderr.includes(builtWheels);
  const problem = ownBuild
    ? 'a wheel the bundler built from a source distribution failed the hash check (a fault of the bundler, not a changed or tampered file)'
    : hashMismatch
      ? 'a downloaded file does not match its --hash in the requirements (a changed or tampered file, or a hash for another file)'
      : missing.length > 0
        ? `no version of ${missing.map((r) => `'${r}'`).join(', ')} exists on the package index for ${describeTarget(t)}`
        : conflict ? 'the requirements conflict with each other' : `${what} ${exitText(result)}`;
  const fix = ownBuild
    ? 'Report it to cdk-spa-with-lambda-api with the output below; `installer: PythonInstaller.UV` avoids this path.'
    : hashMismatch
      ? 'Regenerate the hashes from the index you install from (`uv lock`, `poetry lock`, `pip-compile --generate-hashes`), '
        + 'and check your index configuration (PIP_INDEX_URL / UV_INDEX_URL): a mirror that serves other files fails this check.'
      : 'Check the names, versions and markers (`pip index versions <name>` lists what exists), and your index configuration '
        + '(PIP_INDEX_URL / UV_INDEX_URL, network).';
  return new Error(redact(`Python bundling: the requirements in ${file} do not resolve: ${problem}. ${fix} `
    + `Last lines of the installer's output:\n${tail(result)}`));
}

/** Requirements pip or uv could not find, parsed from their output. */
function unresolvedRequirements(stderr: string): string[] {
  const found = new Set<string>();
  for (const m of stderr.matchAll(/No matching distribution found for (\S+)/g)) found.add(m[1]);
  for (const m of stderr.matchAll(/Because (\S+) was not found in the (?:package registry|provided package locations)/g)) found.add(m[1]);
  for (const m of stderr.matchAll(/Because there is no version of (\S+) and you require/g)) found.add(m[1]);
  return [...found];
}

function projectName(requirement: string): string {
  return /^[A-Za-z0-9._-]+/.exec(requirement)?.[0] ?? requirement;
}

/**
 * Runs pip as `python -m pip`, but first points pip's environment-marker evaluation at the
 * Lambda target. pip evaluates markers such as `python_version < "3.13"` or
 * `platform_machine == "aarch64"` against the interpreter running it, not against
 * --python-version/--platform (pypa/pip#11664), which would silently drop or add dependencies
 * when bundling from another Python version or OS. argv[1] is the JSON marker environment.
 */
const PIP_SHIM = [
  'import sys',
  "if sys.path and sys.path[0] == '':",
  '    del sys.path[0]  # never import from the project folder (the cwd)',
  'import json, runpy',
  'target = json.loads(sys.argv.pop(1))',
  'try:',
  '    from pip._vendor.packaging import markers',
  '    host_environment = markers.default_environment',
  '    markers.default_environment = lambda: {**host_environment(), **target}',
  'except Exception:',
  '    pass  # unknown pip layout: run pip unpatched',
  "runpy.run_module('pip', run_name='__main__', alter_sys=True)",
].join('\n');

function runPip(python: string, args: string[], cwd: string, t: PythonTarget): SpawnSyncReturns<string> {
  const result = run(python, ['-c', PIP_SHIM, JSON.stringify(markerEnvironment(t)), ...args], cwd);
  const stderr = result.stderr ?? '';
  const noPython = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  if (noPython || (result.status !== 0 && /No module named '?pip'?/.test(stderr))) {
    const problem = noPython ? `the Python interpreter '${python}' was not found` : `'${python} -m pip' failed: No module named pip`;
    const fix = noPython ? 'Install Python 3 with pip' : `Install pip ('${python} -m ensurepip --upgrade', or your OS package 'python3-pip')`;
    throw new Error(`Python bundling: ${problem}. The function is bundled locally with pip, so Docker is not needed, `
      + `but a Python 3 interpreter with pip is (or uv). ${fix}, or set the CDK_SPA_PYTHON environment variable `
      + '(or the python option) to an interpreter that has pip.');
  }
  if (result.error) {
    throw new Error(`Python bundling: failed to run '${python} -m pip': ${result.error.message}`);
  }
  return result;
}

/** Runs an installer without colour; its output comes back with any ANSI escape codes removed, ready to parse. */
export function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env: installerEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ...result, stdout: stripAnsi(result.stdout), stderr: stripAnsi(result.stderr) };
}

/** Text without ANSI escape codes (colours, cursor moves), with Node's own `util.stripVTControlCharacters`. */
export function stripAnsi<T extends string | null | undefined>(text: T): T {
  return (typeof text === 'string' ? stripVTControlCharacters(text) : text) as T;
}

export function exitText(result: SpawnSyncReturns<string>): string {
  if (result.error) return `could not start (${result.error.message})`;
  return result.status === null ? `was killed by ${result.signal}` : `exited with code ${result.status}`;
}

/** The last lines of a command's output, indented, credentials hidden. */
export function tail(result: SpawnSyncReturns<string>, lines = 20): string {
  const text = `${result.stderr ?? ''}\n${result.stdout ?? ''}`.trim();
  return redact(text.split('\n').slice(-lines)
    .map((line) => `  ${line.length > 400 ? `${line.slice(0, 400)}...` : line}`).join('\n'));
}

/** The path of an executable on PATH, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (isFile(candidate)) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Writes a copy of a requirements file to `out` in which nothing points into the user's folders: `-r`/`-c`
 * includes become absolute paths, and local package folders (`./lib`, `-e ../lib`, `name @ file:///...`) are
 * copied to the scratch folder first, because building a package in place writes `build/` and `*.egg-info/`
 * into its sources. pip cannot check hashes of local folders, so for pip a file that has local folders loses
 * its `--hash` options (every other line is still an exact `==` pin of the lock or file).
 */
function isolateLocalPaths(file: string, base: string, work: string, out: string, forPip: boolean, depth = 0): string {
  let copies = 0;
  const rewritten = readRequirementsFile(file).map((line) => {
    if (line.include) {
      const included = path.resolve(path.dirname(file), line.include.target);
      // Includes get the same treatment, in copies of their own (relative paths in them stay relative to the project).
      const copy = depth < 10 && isFile(included)
        ? isolateLocalPaths(included, base, work, path.join(fs.mkdtempSync(path.join(work, 'include-')), path.basename(included)), forPip, depth + 1)
        : included;
      return `${line.include.option} ${copy}${line.include.rest}`;
    }
    // a line with nothing to isolate stays as the user wrote it, comments included
    if (!line.local) return line.raw;
    const local = localTargetPath(line.local.target, base);
    let installFrom = local;
    if (fs.existsSync(local) && fs.statSync(local).isDirectory()) {
      copies++;
      installFrom = path.join(fs.mkdtempSync(path.join(work, 'local-')), path.basename(local));
      cdk.FileSystem.copyDirectory(local, installFrom, {
        exclude: LOCAL_PACKAGE_EXCLUDES,
        ignoreMode: cdk.IgnoreMode.GIT,
      });
    }
    // An editable install makes no sense in a bundle: install the package itself.
    return `${line.local.named ? `${line.local.named} @ file://${installFrom}` : installFrom}${line.local.rest}`;
  });
  const hasLocal = copies > 0;
  const result = forPip && hasLocal ? rewritten.map((line) => line.replace(/\s+--hash[=\s]\S+/g, '')) : rewritten;
  fs.writeFileSync(out, result.join('\n'));
  return out;
}
