import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

// @renovatebot/pep440: Renovate's PEP 440 implementation (versions, specifiers), CommonJS, no dependencies.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pep440: { satisfies(version: string, specifier: string): boolean; validRange(specifier: string): boolean; clean(version: string): string | null } = require('@renovatebot/pep440');

/**
 * Synth-time checks of a Python project against its lock and its runtime, before anything is installed:
 * lockfile drift (uv), the runtime against `requires-python`, and a uv workspace root given as the project.
 */

/** A PEP 508 requirement, as far as the checks need it. */
export interface Requirement {
  /** PEP 503 normalized. */
  readonly name: string;
  /** Normalized, sorted. */
  readonly extras: string[];
  /** Version clauses, each as `<op><version>` without spaces, sorted; empty for none. */
  readonly specifier: string[];
  readonly url?: string;
  readonly marker?: string;
}

/** PEP 503: lower case, runs of `-`, `_` and `.` become one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Version clauses, normalized for comparison: `>= 1.0-RC1 ,<2` -> `['<2', '>=1.0rc1']`. */
export function normalizeSpecifier(specifier: string): string[] {
  return specifier.split(',').map((c) => c.replace(/\s+/g, '')).filter((c) => c !== '').map((c) => {
    const m = /^(===|~=|==|!=|<=|>=|<|>)(.+)$/.exec(c);
    if (!m || m[1] === '===') return c;
    const wildcard = m[2].endsWith('.*');
    const cleaned = pep440.clean(wildcard ? m[2].slice(0, -2) : m[2]);
    return cleaned === null ? c : `${m[1]}${cleaned}${wildcard ? '.*' : ''}`;
  }).sort();
}

/** Parses a PEP 508 requirement (`name[extra] (>=1,<2) ; marker`, `name @ url ; marker`); undefined when it is not one. */
export function parseRequirement(text: string): Requirement | undefined {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(.*)$/s.exec(text);
  if (!m) return undefined;
  let rest = m[3];
  let marker: string | undefined;
  let url: string | undefined;
  const at = /^@\s*(\S+)\s*(?:;\s*(.*))?$/s.exec(rest);
  if (at) {
    url = at[1];
    marker = at[2]?.trim();
    rest = '';
  } else {
    const semi = rest.indexOf(';');
    if (semi >= 0) {
      marker = rest.slice(semi + 1).trim();
      rest = rest.slice(0, semi);
    }
  }
  const specifier = rest.trim().replace(/^\((.*)\)$/s, '$1');
  const extras = (m[2] ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '').map(normalizeName).sort();
  return { name: normalizeName(m[1]), extras, specifier: normalizeSpecifier(specifier), url, marker: marker || undefined };
}

/** `requires-dist` of a package in uv.lock, as requirements (`{ name, extras, specifier, marker, url|git|path|... }`). */
function lockRequirement(entry: Record<string, unknown>): Requirement {
  const extras = Array.isArray(entry.extras) ? entry.extras.map((e) => normalizeName(String(e))).sort() : [];
  return {
    name: normalizeName(String(entry.name)),
    extras,
    specifier: typeof entry.specifier === 'string' ? normalizeSpecifier(entry.specifier) : [],
    marker: typeof entry.marker === 'string' ? entry.marker : undefined,
    url: ['url', 'git', 'path', 'editable', 'directory'].map((k) => entry[k]).find((v): v is string => typeof v === 'string'),
  };
}

function show(r: Requirement): string {
  return `${r.name}${r.extras.length ? `[${r.extras.join(',')}]` : ''}${r.specifier.join(',')}`;
}

/** Markers that select an extra (`extra == 'x'`): requirements of optional dependencies, which the bundle never installs. */
const EXTRA_MARKER = /\bextra\s*==/;

/**
 * Lockfile drift of one uv project (the Lambda project or a workspace member it depends on): every requirement of
 * `[project] dependencies` must appear in the lock's `requires-dist` of that package with the same name (PEP 503),
 * extras and version clauses, and the lock may not require what the project no longer declares. Markers and
 * sources are not compared here (uv rewrites markers into its own normal form; `uv lock --check` compares them
 * where uv is at hand). Returns one line per problem.
 */
export function uvLockDrift(pyprojectFile: string, project: Record<string, unknown>, lockPackage: Record<string, unknown>): string[] {
  const declared = (Array.isArray(project.dependencies) ? project.dependencies : []).filter((d): d is string => typeof d === 'string');
  const metadata = lockPackage.metadata !== null && typeof lockPackage.metadata === 'object' ? lockPackage.metadata as Record<string, unknown> : {};
  const locked = (Array.isArray(metadata['requires-dist']) ? metadata['requires-dist'] : [])
    .filter((e): e is Record<string, unknown> => e !== null && typeof e === 'object')
    .map(lockRequirement)
    .filter((r) => !(r.marker && EXTRA_MARKER.test(r.marker)));
  const problems: string[] = [];
  const matched = new Set<Requirement>();
  for (const text of declared) {
    const wanted = parseRequirement(text);
    if (!wanted) continue; // not PEP 508: uv itself reports it
    const sameName = locked.filter((l) => l.name === wanted.name);
    const same = sameName.find((l) => !matched.has(l) && l.extras.join() === wanted.extras.join()
      && (wanted.url !== undefined || l.url !== undefined || l.specifier.join() === wanted.specifier.join()));
    if (same) {
      matched.add(same);
    } else if (sameName.length === 0) {
      problems.push(`${JSON.stringify(text)} is in ${pyprojectFile} but not in the lock`);
    } else {
      problems.push(`${JSON.stringify(text)} in ${pyprojectFile} is locked as ${sameName.map((l) => JSON.stringify(show(l))).join(' and ')}`);
    }
  }
  const declaredNames = new Set(declared.map((d) => parseRequirement(d)?.name));
  for (const l of locked) {
    if (!declaredNames.has(l.name)) {
      problems.push(`the lock still requires ${JSON.stringify(show(l))}, which ${pyprojectFile} no longer lists`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// requires-python

/** Where a `requires-python` came from, for the message. */
export interface PythonRequirement {
  /** A PEP 440 specifier (poetry constraints converted). */
  readonly specifier: string;
  /** As written, e.g. `^3.13` for poetry. */
  readonly written: string;
  /** `pyproject.toml ([project] requires-python)`, ... */
  readonly where: string;
}

/**
 * A poetry version constraint as PEP 440 specifiers, one per `||` alternative: `^3.11` -> `>=3.11,<4`,
 * `~3.11` -> `>=3.11,<3.12`, `3.11.*`, `>=3.9,<4`, `*`. Undefined when it cannot be read.
 * @see https://python-poetry.org/docs/dependency-specification/#version-constraints
 */
export function poetryConstraintToPep440(constraint: string): string[] | undefined {
  const alternatives: string[] = [];
  for (const alternative of constraint.split('||')) {
    const clauses: string[] = [];
    for (const raw of alternative.split(/,|\s+(?=[<>=!~^*\d])/).map((c) => c.trim()).filter((c) => c !== '')) {
      if (raw === '*') continue;
      const m = /^(\^|~=|~|==|!=|<=|>=|<|>|=)?\s*(\d+(?:\.\d+)*)(\.\*)?$/.exec(raw);
      if (!m) return undefined;
      const [, op, version, star] = m;
      const parts = version.split('.').map(Number);
      if (op === '^') {
        const first = parts.findIndex((p) => p !== 0);
        const bump = first < 0 ? parts.length - 1 : first;
        clauses.push(`>=${version}`, `<${[...parts.slice(0, bump), parts[bump] + 1].join('.')}`);
      } else if (op === '~') {
        const bump = parts.length === 1 ? 0 : 1;
        clauses.push(`>=${version}`, `<${[...parts.slice(0, bump), parts[bump] + 1].join('.')}`);
      } else {
        clauses.push(`${!op || op === '=' ? '==' : op}${version}${star ?? ''}`);
      }
    }
    alternatives.push(clauses.join(','));
  }
  return alternatives;
}

/** Whether some patch release of `major.minor` satisfies the specifier (`''`: anything). */
export function someReleaseOf(minorVersion: string, specifier: string): boolean {
  if (specifier.trim() === '') return true;
  for (let patch = 0; patch <= 40; patch++) {
    if (pep440.satisfies(`${minorVersion}.${patch}`, specifier)) return true;
  }
  return false;
}

/**
 * The Python 3 runtimes of the installed aws-cdk-lib (its `lambda.Runtime.PYTHON_3_X` statics, read at run time, so a
 * newer aws-cdk-lib brings its new runtimes along), oldest first, as `[static name, Python version]`.
 */
export function lambdaPythonRuntimes(): Array<{ name: string; version: string }> {
  const found: Array<{ name: string; version: string }> = [];
  for (const key of Object.getOwnPropertyNames(lambda.Runtime)) {
    const m = /^PYTHON_3_(\d+)$/.exec(key);
    const runtime = (lambda.Runtime as unknown as Record<string, unknown>)[key];
    if (m && runtime instanceof lambda.Runtime && runtime.name === `python3.${m[1]}`) found.push({ name: key, version: `3.${m[1]}` });
  }
  return found.sort((a, b) => Number(a.version.slice(2)) - Number(b.version.slice(2)));
}

/**
 * Fails when no release of the runtime's Python satisfies the project's `requires-python` (in `[project]`,
 * uv.lock's top level, or poetry's `python` dependency): such a project cannot be installed for that runtime,
 * and the installers would only say that a hash or the requirements do not match.
 */
export function checkRuntimeAgainstRequiresPython(runtime: lambda.Runtime, requirements: PythonRequirement[]): void {
  const m = /^python(\d+\.\d+)$/.exec(runtime.name);
  if (!m) return;
  const version = m[1];
  const refusing = requirements.filter((r) => r.specifier.split('||').every((alt) => pep440.validRange(alt) && !someReleaseOf(version, alt)));
  if (refusing.length === 0) return;
  const fits = lambdaPythonRuntimes()
    .filter((r) => requirements.every((req) => req.specifier.split('||').some((alt) => !pep440.validRange(alt) || someReleaseOf(r.version, alt))));
  const fix = fits.length > 0
    ? `Use a runtime the project supports (${fits.map((r) => `lambda.Runtime.${r.name}`).join(', ')})`
    : 'No Python runtime of the installed aws-cdk-lib satisfies it: use one the project supports (a newer aws-cdk-lib may have it)';
  throw new Error(`Python bundling: the runtime is ${runtime.name}, but the project requires Python ${refusing.map((r) => `${JSON.stringify(r.written)} `
    + `(${r.where})`).join(' and ')}, which no Python ${version} release satisfies. ${fix}, or lower requires-python if the code runs on ${version}.`);
}

// ---------------------------------------------------------------------------------------------------------
// workspace roots

/**
 * Fails with the members when `entry` is a virtual uv workspace root (`[tool.uv.workspace]`, no `[project]`):
 * such a root installs nothing of its own, so it is not the folder of a Lambda function.
 */
export function checkNotVirtualWorkspaceRoot(entry: string, pyproject: Record<string, unknown>, lock: Record<string, unknown> | undefined): void {
  const tool = (pyproject.tool ?? {}) as Record<string, unknown>;
  const uv = (tool.uv ?? {}) as Record<string, unknown>;
  if (uv.workspace === undefined || pyproject.project !== undefined) return;
  const members: Array<{ name: string; dir: string }> = [];
  const manifest = (lock?.manifest ?? {}) as Record<string, unknown>;
  const memberNames = new Set((Array.isArray(manifest.members) ? manifest.members : []).map((n) => normalizeName(String(n))));
  for (const pkg of Array.isArray(lock?.package) ? lock!.package as Array<Record<string, unknown>> : []) {
    const source = (pkg.source ?? {}) as Record<string, unknown>;
    const dir = source.virtual ?? source.editable ?? source.directory;
    if (memberNames.has(normalizeName(String(pkg.name))) && typeof dir === 'string') {
      members.push({ name: String(pkg.name), dir });
    }
  }
  if (members.length === 0) {
    // no lock yet: the members' folders from the workspace globs (a `*` in the last segment)
    const workspace = uv.workspace as Record<string, unknown>;
    for (const glob of Array.isArray(workspace.members) ? workspace.members.map(String) : []) {
      const star = glob.endsWith('/*') ? glob.slice(0, -2) : undefined;
      const dirs = star !== undefined && fs.existsSync(path.join(entry, star))
        ? fs.readdirSync(path.join(entry, star)).map((d) => `${star}/${d}`)
        : [glob];
      for (const dir of dirs.filter((d) => fs.existsSync(path.join(entry, d, 'pyproject.toml')))) {
        members.push({ name: path.basename(dir), dir });
      }
    }
  }
  members.sort((a, b) => a.dir.localeCompare(b.dir));
  const list = members.map((mb) => `${mb.name} (${mb.dir})`).join(', ');
  const example = members.find((mb) => /api|app|backend|server|lambda/i.test(mb.name)) ?? members[0];
  throw new Error(`Python bundling: ${entry} is the root of a uv workspace without a [project] table (a virtual workspace root), `
    + `so it is not a project that can be bundled: the Lambda function is one of its members${members.length ? `: ${list}` : ''}. `
    + `Point the source (api.source) at the member that holds the FastAPI app${example ? `, for example ${JSON.stringify(path.join(entry, example.dir))}` : ''}; `
    + 'the bundler finds the workspace\'s uv.lock above it.');
}
