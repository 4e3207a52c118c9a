import * as fs from 'fs';
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
import ignore = require('ignore');

/**
 * What the project's `.gitignore` files leave out of the bundle, as exclude patterns for CDK's `IgnoreMode.GIT`
 * (the same list decides the asset hash and the copy, so the hash covers exactly what ships).
 *
 * The rules are git's: the `.gitignore` of the project folder and of its subfolders, and, when the project is inside
 * a git repository, those of the folders between the repository root and the project; a deeper file wins, `!` brings
 * a file back, and nothing inside an ignored folder comes back. The matcher is `ignore` (the one eslint and prettier
 * use); the walk does not enter ignored folders, so an ignored `.venv/` or `node_modules/` costs nothing.
 */
export function gitignoreExcludes(entry: string): string[] {
  const layers: Layer[] = [];
  for (const dir of ancestorsInRepository(entry)) addLayer(layers, dir);
  const excludes: string[] = [];
  walk(entry, entry, layers, excludes);
  return excludes;
}

interface Layer {
  readonly base: string;
  readonly rules: ReturnType<typeof ignore>;
}

function addLayer(layers: Layer[], dir: string): void {
  const file = path.join(dir, '.gitignore');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return;
  }
  layers.push({ base: dir, rules: ignore().add(text) });
}

/** The folders from the root of the git repository that holds `entry` down to its parent (none outside a repository). */
function ancestorsInRepository(entry: string): string[] {
  if (fs.existsSync(path.join(entry, '.git'))) return []; // the project is the repository
  const chain: string[] = [];
  let dir = path.dirname(entry);
  for (;;) {
    chain.unshift(dir);
    if (fs.existsSync(path.join(dir, '.git'))) return chain;
    const parent = path.dirname(dir);
    if (parent === dir) return [];
    dir = parent;
  }
}

/** Folders never entered: git's own, and what the default excludes leave out at any depth. */
const NOT_ENTERED = new Set(['.git', 'node_modules', '__pycache__']);

function walk(entry: string, dir: string, inherited: Layer[], excludes: string[]): void {
  const layers = [...inherited];
  addLayer(layers, dir);
  let dirents: fs.Dirent[];
  try {
    dirents = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const dirent of dirents.sort((a, b) => a.name.localeCompare(b.name))) {
    if (NOT_ENTERED.has(dirent.name)) continue;
    const full = path.join(dir, dirent.name);
    const isDir = dirent.isDirectory();
    if (ignored(layers, full, isDir)) {
      excludes.push(`${escapePattern(`/${path.relative(entry, full).split(path.sep).join('/')}`)}${isDir ? '/' : ''}`);
    } else if (isDir) {
      walk(entry, full, layers, excludes);
    }
  }
}

/** git's answer for one path: the deepest `.gitignore` with a rule that matches it decides. */
function ignored(layers: Layer[], full: string, isDir: boolean): boolean {
  for (let i = layers.length - 1; i >= 0; i--) {
    const relative = path.relative(layers[i].base, full).split(path.sep).join('/');
    const result = layers[i].rules.test(isDir ? `${relative}/` : relative);
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return false;
}

/** A literal path as a gitignore pattern (wildcards, brackets, backslashes and trailing spaces escaped). */
function escapePattern(literal: string): string {
  return literal.replace(/[\\*?[\]]/g, '\\$&').replace(/ $/, '\\ ');
}
