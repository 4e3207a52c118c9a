import * as fs from 'fs';
import * as path from 'path';

/** How `listFiles` treats symbolic links. */
export interface ListFilesOptions {
  /**
   * Follow symbolic links (to files and to folders) and list what they point to, as `cp -L` and an asset with
   * `SymlinkFollowMode.ALWAYS` do; a link that points back into a folder being listed is not followed twice.
   * When false, links are listed as files and never descended into.
   *
   * @default false
   */
  readonly followSymlinks?: boolean;
}

/**
 * Every file below `dir`, as sorted, forward-slash paths relative to it.
 *
 * The one file walker of the library: the site upload (which files go to which deployment), the bundler (sizes,
 * trimming, ELF checks) and the validation all list folders with it, so they agree on what a folder holds.
 * Broken links are skipped when links are followed.
 */
export function listFiles(dir: string, options: ListFilesOptions = {}): string[] {
  const out: string[] = [];
  const follow = options.followSymlinks ?? false;
  const walk = (relative: string, ancestors: Set<string>) => {
    const here = path.join(dir, relative);
    for (const entry of fs.readdirSync(here, { withFileTypes: true })) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(rel, follow ? new Set([...ancestors, fs.realpathSync(path.join(dir, rel))]) : ancestors);
      } else if (entry.isSymbolicLink() && follow) {
        const target = fs.statSync(path.join(dir, rel), { throwIfNoEntry: false });
        if (target?.isDirectory()) {
          const real = fs.realpathSync(path.join(dir, rel));
          if (!ancestors.has(real)) walk(rel, new Set([...ancestors, real]));
        } else if (target?.isFile()) {
          out.push(rel);
        }
      } else {
        out.push(rel);
      }
    }
  };
  walk('', new Set(follow ? [fs.realpathSync(dir)] : []));
  return out.sort();
}

/**
 * The symbolic links below `dir` whose target is outside it (or missing), as `[link, target]` with the link relative
 * to `dir` and the target as the link holds it. Links are not followed into other folders, so each is reported once.
 */
export function linksLeaving(dir: string): Array<[string, string]> {
  const root = fs.realpathSync(dir);
  const out: Array<[string, string]> = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      const full = path.join(dir, rel);
      if (entry.isSymbolicLink()) {
        const real = fs.existsSync(full) ? fs.realpathSync(full) : undefined;
        if (real === undefined || (real !== root && !real.startsWith(root + path.sep))) {
          out.push([rel, fs.readlinkSync(full)]);
        }
      } else if (entry.isDirectory()) {
        walk(rel);
      }
    }
  };
  walk('');
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
