import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { checkNotVirtualWorkspaceRoot, poetryConstraintToPep440, PythonRequirement, uvLockDrift } from './project-checks';
import { localTargetPath, readRequirementsFile } from './requirements-file';

// smol-toml (a small, TOML 1.0-compliant parser with no dependencies) ships CommonJS for require() next to
// ESM; its type declarations are ESM-only, which TypeScript's node16 mode refuses to import from CommonJS.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml }: { parse(text: string): unknown } = require('smol-toml');

/**
 * Project files that never belong in a Lambda bundle, in `.gitignore` syntax
 * (a pattern without a slash matches at any depth).
 */
export const DEFAULT_PYTHON_EXCLUDES: string[] = [
  '__pycache__/', '*.pyc', '*.pyo',
  '.env', '.env.*', '.venv/', 'venv/',
  'tests/', 'conftest.py',
  '.pytest_cache/', '.mypy_cache/', '.ruff_cache/', '.tox/', '.nox/', '.coverage', 'htmlcov/',
  '*.egg-info/', '.git/', '.gitignore', '.idea/', '.vscode/', '.DS_Store',
  'node_modules/', 'cdk.out/', '.lambdaignore',
  // container build files: a Lambda zip is not an image
  'Dockerfile*', '.dockerignore',
  // the local preview's folder (its virtualenv and synthesized app), when it runs from the code folder
  '.cdk-spa-dev/',
];

/** What is left out of local package folders (path dependencies), for the hash and for the copy that is built. */
export const LOCAL_PACKAGE_EXCLUDES: string[] = [...DEFAULT_PYTHON_EXCLUDES, 'build/', 'dist/'];

/** Where a project's dependencies are listed, in the order the bundler looks for them. */
export enum DependencyKind {
  /** `requirements.txt` in the project folder. */
  REQUIREMENTS = 'requirements.txt',
  /** `uv.lock` in the project folder, or at the root of the uv workspace the project belongs to. */
  UV_LOCK = 'uv.lock',
  /** `poetry.lock` next to `pyproject.toml`. */
  POETRY_LOCK = 'poetry.lock',
  /** PEP 621 `[project] dependencies` of `pyproject.toml`, without a lock. */
  PYPROJECT = 'pyproject.toml',
}

/** The dependencies of a project, as found at synth time (nothing is spawned). */
export interface DependencySource {
  readonly kind: DependencyKind;
  /** The file that lists them (for a uv workspace member, the workspace's `uv.lock`). */
  readonly file: string;
  /** For `uv.lock`: the folder that holds it (the project, or the workspace root above it). */
  readonly lockRoot?: string;
  /** For `pyproject.toml`: the PEP 508 requirements of `[project] dependencies`. */
  readonly requirements?: string[];
  /** False when the file lists nothing to install (an empty `requirements.txt`, no dependencies). */
  readonly hasDependencies: boolean;
  /**
   * What, besides the project folder itself, decides what gets installed: files outside the folder
   * (a workspace lock, `-r` includes) and local path dependencies, each as `label:sha256`.
   */
  readonly hashParts: string[];
  /** Every `requires-python` the project declares (pyproject, uv.lock, poetry), for the runtime check. */
  readonly pythonRequirements: PythonRequirement[];
}

/** Files in the project folder that list dependencies (for messages). */
export const DEPENDENCY_FILES = 'requirements.txt, uv.lock (also at a uv workspace root above it), poetry.lock + pyproject.toml, or pyproject.toml with [project] dependencies';

/** Whether a folder has any file the bundler reads dependencies from (for prop validation). */
export function hasDependencyFile(dir: string): boolean {
  return ['requirements.txt', 'pyproject.toml'].some((f) => isFile(path.join(dir, f)));
}

/**
 * Finds the project's dependency list and everything outside the project folder that decides the install.
 * Throws a clear error for files that cannot be read or parsed, or local paths that do not exist.
 */
export function findDependencySource(entry: string): DependencySource {
  const requirements = path.join(entry, 'requirements.txt');
  const pyprojectFile = path.join(entry, 'pyproject.toml');
  if (isFile(requirements)) {
    const hashParts: string[] = [];
    const hasDependencies = scanRequirements(requirements, entry, hashParts, new Set());
    const pythonRequirements = isFile(pyprojectFile) ? projectPythonRequirements(readToml(pyprojectFile)) : [];
    return { kind: DependencyKind.REQUIREMENTS, file: requirements, hasDependencies, hashParts, pythonRequirements };
  }

  if (!isFile(pyprojectFile)) {
    throw new Error(`Python bundling: the project folder ${entry} has no requirements.txt and no pyproject.toml. `
      + `List the function's dependencies in one of: ${DEPENDENCY_FILES}. An empty requirements.txt is fine for a function without dependencies.`);
  }
  const pyproject = readToml(pyprojectFile);
  const ownLock = path.join(entry, 'uv.lock');
  checkNotVirtualWorkspaceRoot(entry, pyproject, isFile(ownLock) ? readToml(ownLock) : undefined);

  const uvLock = findUvLock(entry, pyproject);
  if (uvLock) {
    return uvLock;
  }

  const poetryLock = path.join(entry, 'poetry.lock');
  if (isFile(poetryLock)) {
    const lock = readToml(poetryLock);
    const pythonRequirements = projectPythonRequirements(pyproject);
    const poetryPython = asRecord(asRecord(asRecord(pyproject.tool).poetry).dependencies).python;
    if (typeof poetryPython === 'string') {
      const converted = poetryConstraintToPep440(poetryPython);
      if (converted) {
        pythonRequirements.push({ specifier: converted.join('||'), written: poetryPython, where: 'pyproject.toml [tool.poetry.dependencies] python' });
      }
    }
    const hashParts: string[] = [];
    for (const pkg of asArray(lock.package)) {
      const source = asRecord(asRecord(pkg).source);
      if ((source.type === 'directory' || source.type === 'file') && typeof source.url === 'string') {
        hashParts.push(localPathHash(path.resolve(entry, source.url), `poetry.lock package ${String(asRecord(pkg).name)}`));
      }
    }
    return { kind: DependencyKind.POETRY_LOCK, file: poetryLock, hasDependencies: asArray(lock.package).length > 0, hashParts, pythonRequirements };
  }

  const project = asRecord(pyproject.project);
  if (Object.keys(project).length === 0) {
    throw new Error(`Python bundling: ${pyprojectFile} has no [project] table, and the folder has no requirements.txt, uv.lock or poetry.lock. `
      + 'List the dependencies in [project] dependencies (PEP 621), lock them with `uv lock` or `poetry lock`, or add a requirements.txt.');
  }
  if (asArray(project.dynamic).includes('dependencies')) {
    throw new Error(`Python bundling: ${pyprojectFile} declares its dependencies as dynamic, which the bundler cannot read without building the project. `
      + 'List them in [project] dependencies, lock them with `uv lock`, or add a requirements.txt.');
  }
  const deps = asArray(project.dependencies);
  if (!deps.every((d) => typeof d === 'string')) {
    throw new Error(`Python bundling: [project] dependencies in ${pyprojectFile} must be a list of strings (PEP 508 requirements).`);
  }
  return {
    kind: DependencyKind.PYPROJECT,
    file: pyprojectFile,
    requirements: deps as string[],
    hasDependencies: deps.length > 0,
    hashParts: [],
    pythonRequirements: projectPythonRequirements(pyproject),
  };
}

/** `[project] requires-python` of a pyproject.toml, as a list of none or one. */
function projectPythonRequirements(pyproject: Record<string, unknown>): PythonRequirement[] {
  const requiresPython = asRecord(pyproject.project)['requires-python'];
  return typeof requiresPython === 'string'
    ? [{ specifier: requiresPython, written: requiresPython, where: 'pyproject.toml [project] requires-python' }]
    : [];
}

/** Patterns from the project's `.lambdaignore` (gitignore syntax), or none. */
export function readLambdaIgnore(entry: string): string[] {
  const file = path.join(entry, '.lambdaignore');
  if (!isFile(file)) return [];
  return fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

/**
 * Looks for the `uv.lock` of the project: in its folder, or at the root of a uv workspace above it
 * whose lock has the project as a member. Returns undefined when there is none.
 */
function findUvLock(entry: string, pyproject: Record<string, unknown>): DependencySource | undefined {
  let dir = entry;
  for (;;) {
    const file = path.join(dir, 'uv.lock');
    if (isFile(file)) {
      const lock = readToml(file);
      const packages = asArray(lock.package).map(asRecord);
      const relative = path.relative(dir, entry).split(path.sep).join('/') || '.';
      const own = packages.find((pkg) => {
        const source = asRecord(pkg.source);
        const local = source.editable ?? source.virtual ?? source.directory;
        return typeof local === 'string' && normalizeRelative(local) === relative;
      });
      if (!own) {
        if (dir === entry) {
          throw new Error(`Python bundling: ${file} has no package for the project in ${entry}. Run \`uv lock\` in the project folder.`);
        }
        return undefined; // a lock above that does not know this project: not its workspace
      }
      // lockfile drift: the project's (and its workspace members') declared dependencies against the lock
      const drift = uvLockDrift(path.relative(dir, path.join(entry, 'pyproject.toml')) || 'pyproject.toml', asRecord(pyproject.project), own);
      const hashParts: string[] = [];
      if (dir !== entry) {
        hashParts.push(`uv.lock:${sha256(fs.readFileSync(file))}`);
        const rootPyproject = path.join(dir, 'pyproject.toml');
        if (isFile(rootPyproject)) hashParts.push(`workspace pyproject.toml:${sha256(fs.readFileSync(rootPyproject))}`);
      }
      // Local packages the project depends on (workspace members, path sources): their sources decide the install too.
      const byName = new Map(packages.map((pkg) => [String(pkg.name), pkg]));
      const seen = new Set<string>([String(own.name)]);
      const queue = [own];
      while (queue.length > 0) {
        const pkg = queue.shift()!;
        for (const dep of asArray(pkg.dependencies).map(asRecord)) {
          const name = String(dep.name);
          const target = byName.get(name);
          if (!target || seen.has(name)) continue;
          seen.add(name);
          queue.push(target);
          const source = asRecord(target.source);
          const local = source.editable ?? source.virtual ?? source.directory ?? source.path;
          if (typeof local === 'string') {
            hashParts.push(localPathHash(path.resolve(dir, local), `uv.lock package ${name}`));
            const memberPyproject = path.join(dir, local, 'pyproject.toml');
            if (typeof (source.editable ?? source.virtual ?? source.directory) === 'string' && isFile(memberPyproject)) {
              drift.push(...uvLockDrift(path.relative(dir, memberPyproject), asRecord(readToml(memberPyproject).project), target));
            }
          }
        }
      }
      if (drift.length > 0) {
        throw new Error(`Python bundling: ${file} is out of date: ${drift.join('; ')}. Run \`uv lock\` in ${dir} and commit uv.lock. `
          + 'The bundle installs exactly what the lock lists (uv export --frozen), so without a new lock these changes would not reach the function.');
      }
      const hasDependencies = asArray(own.dependencies).length > 0;
      const pythonRequirements = projectPythonRequirements(pyproject);
      if (typeof lock['requires-python'] === 'string') {
        pythonRequirements.push({ specifier: lock['requires-python'], written: lock['requires-python'], where: `${path.relative(entry, file) || 'uv.lock'} requires-python` });
      }
      return { kind: DependencyKind.UV_LOCK, file, lockRoot: dir, hasDependencies, hashParts, pythonRequirements };
    }
    const parent = path.dirname(dir);
    if (parent === dir || isDirectory(path.join(dir, '.git'))) return undefined;
    dir = parent;
  }
}

/**
 * Reads a requirements file for what decides the install besides its own text: `-r`/`-c` includes
 * and local path requirements. Returns whether it lists any requirement.
 */
function scanRequirements(file: string, entry: string, hashParts: string[], seen: Set<string>): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  let listsSomething = false;
  for (const line of readRequirementsFile(file)) {
    if (line.text === '') continue;
    const where = `${path.relative(entry, file) || file} line ${line.number}`;
    if (line.include) {
      const included = path.resolve(path.dirname(file), line.include.target);
      if (!isFile(included)) {
        throw new Error(`Python bundling: ${where} includes '${line.include.target}', which does not exist (resolved to ${included}). Fix the path; it is relative to the file that includes it.`);
      }
      hashParts.push(`${path.relative(entry, included)}:${sha256(fs.readFileSync(included))}`);
      if (line.include.requirements && scanRequirements(included, entry, hashParts, seen)) listsSomething = true;
      continue;
    }
    if (line.option) continue; // --index-url, --hash-only lines, ...
    listsSomething = true;
    if (line.local) {
      const local = localTargetPath(line.local.target, entry);
      if (!fs.existsSync(local)) {
        throw new Error(`Python bundling: ${where} refers to the local path '${line.local.target}', which does not exist (resolved to ${local}). `
          + 'Local paths in requirements.txt are relative to the project folder.');
      }
      hashParts.push(localPathHash(local, `${where}`));
    }
  }
  return listsSomething;
}

/** A hash of a local dependency: the fingerprint of a folder (without the default excludes) or the hash of a file. */
function localPathHash(local: string, label: string): string {
  if (isDirectory(local)) {
    return `${label}:${cdk.FileSystem.fingerprint(local, { exclude: LOCAL_PACKAGE_EXCLUDES, ignoreMode: cdk.IgnoreMode.GIT })}`;
  }
  if (isFile(local)) {
    return `${label}:${sha256(fs.readFileSync(local))}`;
  }
  throw new Error(`Python bundling: ${label} refers to the local path ${local}, which does not exist.`);
}

function normalizeRelative(p: string): string {
  const normalized = path.posix.normalize(p.replace(/\\/g, '/'));
  return normalized === '' ? '.' : normalized.replace(/\/$/, '');
}

export function readToml(file: string): Record<string, unknown> {
  try {
    return parseToml(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`Python bundling: ${file} is not valid TOML: ${(e as Error).message.split('\n')[0]}`);
  }
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {};
}

export function sha256(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
