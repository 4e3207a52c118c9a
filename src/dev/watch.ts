import * as fs from 'fs';
import * as path from 'path';

/** Changes that never change what the API runs: bytecode, caches, virtualenvs, editor files, tests' caches. */
const IGNORED = /(^|[\\/])(__pycache__|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.venv|venv|\.cdk-spa-dev|node_modules|\.git|cdk\.out)([\\/]|$)|\.py[co]$|~$|\.sw[px]$|(^|[\\/])\.#/;

/** Whether a changed path (relative to the watched folder) can change the API. */
export function isRelevantChange(relative: string): boolean {
  return !IGNORED.test(relative);
}

export interface WatchOptions {
  readonly poll?: boolean;
  readonly pollMs?: number;
  readonly debounceMs?: number;
}

/**
 * Calls `onChange` (debounced) when a file under `dir` changes: `fs.watch` with `recursive` (inotify on Linux,
 * FSEvents on macOS), or polling the folder's modification times every `pollMs` when `poll` is set or the file
 * system cannot be watched (network drives, some containers). Returns a function that stops watching.
 */
export function watchTree(dir: string, onChange: (files: string[]) => void, options: WatchOptions = {}): () => void {
  const debounceMs = options.debounceMs ?? 200;
  let changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const notice = (file: string): void => {
    if (!isRelevantChange(file)) return;
    changed.add(file);
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...changed];
      changed = new Set();
      onChange(files);
    }, debounceMs);
  };

  if (!options.poll) {
    try {
      const watcher = fs.watch(dir, { recursive: true }, (_event, file) => notice(file ? String(file) : '.'));
      watcher.on('error', () => undefined);
      return () => {
        watcher.close();
        if (timer) clearTimeout(timer);
      };
    } catch {
      // fall through to polling
    }
  }
  let previous = snapshot(dir);
  const interval = setInterval(() => {
    const current = snapshot(dir);
    for (const [file, mtime] of current) if (previous.get(file) !== mtime) notice(file);
    for (const file of previous.keys()) if (!current.has(file)) notice(file);
    previous = current;
  }, options.pollMs ?? 1000);
  return () => {
    clearInterval(interval);
    if (timer) clearTimeout(timer);
  };
}

function snapshot(dir: string): Map<string, number> {
  const result = new Map<string, number>();
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(d, entry.name);
      const relative = path.relative(dir, full);
      if (!isRelevantChange(relative)) continue;
      if (entry.isDirectory()) {
        walk(full);
      } else {
        try {
          result.set(relative, fs.statSync(full).mtimeMs);
        } catch {
          // deleted meanwhile
        }
      }
    }
  };
  walk(dir);
  return result;
}
