import { fnmatchToRegExp } from '../private/fnmatch';

/**
 * `exclude` and `include` globs as BucketDeployment hands them to `aws s3 sync`: every `--exclude` first, then
 * every `--include`, and the last filter that matches a path decides (a path no filter matches is synced). So a
 * path is synced when it matches an include, or matches no exclude.
 */
export interface SyncFilters {
  readonly exclude: string[];
  readonly include: string[];
}

/** Whether `aws s3 sync` with these filters (BucketDeployment's order) syncs `file`. */
export function syncs(filters: SyncFilters, file: string): boolean {
  const test = (globs: string[]) => globs.some((g) => fnmatchToRegExp(g).test(file));
  return test(filters.include) || !test(filters.exclude);
}

/** A glob that matches exactly `literal` (fnmatch: `*`, `?` and `[` in a name are escaped as `[*]`, `[?]`, `[[]`). */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[]/g, (c) => `[${c}]`);
}

/**
 * Filters under which `aws s3 sync` of a folder holding exactly `files` syncs exactly `selected`, written short:
 * a folder whose files are all selected is one glob (`assets/*`: fnmatch's `*` crosses `/`), an extension all of
 * whose files below a folder are selected is one glob (`assets/*.js`), other files are named. Both forms are
 * built, "exclude everything, include what is selected" and "exclude what is not selected", and the shorter
 * one is returned, so the filters (custom resource properties) stay small for sites of thousands of files.
 * The result is checked against every file with the fnmatch port that the tests compare with Python's.
 */
export function filtersSelecting(files: string[], selected: ReadonlySet<string>): SyncFilters {
  const chosen = files.filter((f) => selected.has(f));
  if (chosen.length === files.length) {
    return { exclude: [], include: [] };
  }
  if (chosen.length === 0) {
    return { exclude: ['*'], include: [] };
  }
  const others = new Set(files.filter((f) => !selected.has(f)));
  const includeForm: SyncFilters = { exclude: ['*'], include: cover(files, selected) };
  const excludeForm: SyncFilters = { exclude: cover(files, others), include: [] };
  const best = JSON.stringify(excludeForm).length < JSON.stringify(includeForm).length ? excludeForm : includeForm;
  const include = matcher(best.include);
  const exclude = matcher(best.exclude);
  for (const f of files) {
    const synced = include(f) || !exclude(f);
    if (synced !== selected.has(f)) {
      throw new Error(`internal error: the upload filters ${JSON.stringify(best)} ${synced ? 'select' : 'miss'} ${f}`);
    }
  }
  return best;
}

/** A test of "matches one of the globs": names written by {@link escapeGlob} by set lookup, the others by RegExp. */
function matcher(globs: string[]): (file: string) => boolean {
  const literals = new Set<string>();
  const patterns: RegExp[] = [];
  for (const g of globs) {
    const literal = g.replace(/\[([*?[])\]/g, '$1');
    if (escapeGlob(literal) === g) {
      literals.add(literal);
    } else {
      patterns.push(fnmatchToRegExp(g));
    }
  }
  return (file) => literals.has(file) || patterns.some((p) => p.test(file));
}

/** Globs that together match every file of `wanted` and no other file of `files`. */
function cover(files: string[], wanted: ReadonlySet<string>): string[] {
  const globs: string[] = [];
  const done = new Set<string>(); // wanted files a glob already matches
  const walk = (prefix: string, subtree: string[]) => {
    if (!subtree.some((f) => wanted.has(f) && !done.has(f))) {
      return;
    }
    const any = prefix === '' ? '*' : `${escapeGlob(prefix)}/*`;
    if (subtree.every((f) => wanted.has(f))) {
      globs.push(any);
      return;
    }
    // an extension whose every file below this folder is wanted: one glob for all of them
    const byExtension = new Map<string, number>();
    for (const f of subtree) {
      const ext = extensionOf(f);
      if (ext !== undefined && wanted.has(f) && !done.has(f)) {
        byExtension.set(ext, (byExtension.get(ext) ?? 0) + 1);
      }
    }
    for (const [ext, count] of [...byExtension].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (count < 2) {
        continue;
      }
      const glob = `${any}.${escapeGlob(ext)}`;
      const re = fnmatchToRegExp(glob);
      const matched = subtree.filter((f) => re.test(f));
      if (matched.every((f) => wanted.has(f))) {
        globs.push(glob);
        matched.forEach((f) => done.add(f));
      }
    }
    const children = new Map<string, string[]>();
    for (const f of subtree) {
      const rest = prefix === '' ? f : f.slice(prefix.length + 1);
      const slash = rest.indexOf('/');
      if (slash < 0) {
        if (wanted.has(f) && !done.has(f)) {
          globs.push(escapeGlob(f));
          done.add(f);
        }
      } else {
        const child = (prefix === '' ? '' : prefix + '/') + rest.slice(0, slash);
        const list = children.get(child);
        if (list) {
          list.push(f);
        } else {
          children.set(child, [f]);
        }
      }
    }
    for (const [child, childFiles] of children) {
      walk(child, childFiles);
    }
  };
  walk('', files);
  return globs;
}

function extensionOf(file: string): string | undefined {
  const base = file.substring(file.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.substring(dot + 1) : undefined;
}
