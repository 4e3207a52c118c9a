import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { bundleCacheDir } from './cache';
import { installerEnv, NeedsCompilingError, redact, stripAnsi } from './installers';
import { describeTarget, PythonTarget, wheelTagFits } from './target';
import { availableUv } from './uv-bootstrap';
import { listFiles } from '../private/files';

/**
 * Checks that what was installed runs on the target: every wheel's tag fits it (a package that pip or uv
 * built from source on this machine does not), and every native library is an ELF for the target's machine.
 */
export function validateInstalled(site: string, t: PythonTarget): void {
  const misfits: string[] = [];
  for (const name of fs.readdirSync(site)) {
    const wheelFile = path.join(site, name, 'WHEEL');
    if (!name.endsWith('.dist-info') || !fs.existsSync(wheelFile)) continue;
    const tags = [...fs.readFileSync(wheelFile, 'utf8').matchAll(/^Tag:\s*(\S+)/gm)].map((m) => m[1]);
    if (tags.length > 0 && !tags.some((tag) => wheelTagFits(tag, t))) {
      misfits.push(`${name.replace(/\.dist-info$/, '')} (${tags.join(', ')})`);
    }
  }
  const wrongMachine = listFiles(site)
    .filter((f) => /\.so(\.\d+)*$/.test(f))
    .filter((f) => {
      const machine = elfMachine(path.join(site, f));
      return machine !== undefined && machine !== t.elfMachine;
    });
  if (misfits.length > 0 || wrongMachine.length > 0) {
    const names = misfits.map((m) => m.split(' ')[0]);
    throw new NeedsCompilingError(`Python bundling: the install contains code that does not run on ${describeTarget(t)}: `
      + [...misfits.map((m) => `wheel ${m}`), ...wrongMachine.slice(0, 10).map((f) => `native library ${f}`)].join(', ')
      + '. It was built on this machine from source (a local path, a git URL or an sdist). Publish or pin a wheel for the Lambda '
      + 'platform, make the package pure Python, or bundle in Docker (`bundling: { dockerFallback: true }`).', names);
  }
}

/** A top-level module a bundle must contain, and why (for the error message). */
export interface RequiredModule {
  /** The import name, e.g. `uvicorn`. */
  readonly name: string;
  /** Why the bundle needs it, e.g. `streaming mode (api.streaming) runs the app under uvicorn`. */
  readonly reason: string;
}

/** The required modules a bundle lacks (neither `<name>/` nor `<name>.py` at its top level). */
export function missingModules(bundle: string, required: RequiredModule[]): RequiredModule[] {
  return required.filter((m) => !fs.existsSync(path.join(bundle, m.name)) && !fs.existsSync(path.join(bundle, `${m.name}.py`)));
}

/** The ELF `e_machine` of a file (183 = aarch64, 62 = x86_64), or undefined when it is not ELF. */
export function elfMachine(file: string): number | undefined {
  const header = Buffer.alloc(20);
  const fd = fs.openSync(file, 'r');
  try {
    if (fs.readSync(fd, header, 0, 20, 0) < 20) return undefined;
  } finally {
    fs.closeSync(fd);
  }
  if (header.readUInt32BE(0) !== 0x7f454c46) return undefined;
  return header[5] === 2 ? header.readUInt16BE(18) : header.readUInt16LE(18);
}

/** What trimming removed. */
export interface TrimResult {
  readonly files: number;
  readonly bytes: number;
  /** Of these, the build sources (C/C++ and Cython sources, package headers, man pages). */
  readonly sourceFiles: number;
  readonly sourceBytes: number;
}

/**
 * Files that only serve to build a native extension, never read when it is imported: C and C++ sources, Cython
 * sources and declarations (`.pyx`, `.pxd`, `.pxi`; `cimport` reads them when ANOTHER package is compiled).
 * Headers (`.h`, `.hpp`) go only inside an `include/` folder of a package (numpy's, pybind11's: for compiling
 * against the package), never elsewhere, because cffi-style packages may read a header next to their code at
 * run time. `.py`, `.so` and data files are never touched.
 */
const BUILD_SOURCE = /\.(c|cc|cpp|cxx|pyx|pxd|pxi)$/i;
const HEADER = /\.(h|hh|hpp|hxx)$/i;

/**
 * Files of `*.dist-info` that only record how a package was installed (`direct_url.json` holds a local path):
 * removed, so that pip and uv give the same bundle. `importlib.metadata` reads none of them.
 */
const INSTALLER_RECORDS = ['direct_url.json', 'INSTALLER', 'REQUESTED', 'uv_cache.json', 'uv_build.json'];

/**
 * Removes from installed packages what the Lambda runtime never reads: test folders, type stubs (`*.pyi`),
 * bytecode caches (regenerated for the target by precompile), console scripts (`bin/`, with this
 * machine's interpreter in their shebang), installer records and uv's `.lock` of the target folder.
 * `*.dist-info/METADATA` and the rest of `*.dist-info` stay: `importlib.metadata` reads them.
 */
export function trimInstalled(site: string, options: { buildSources?: boolean } = {}): TrimResult {
  const trimSources = options.buildSources ?? true;
  let files = 0;
  let bytes = 0;
  let sourceFiles = 0;
  let sourceBytes = 0;
  const remove = (p: string, isSource = false) => {
    for (const f of fs.statSync(p).isDirectory() ? listFiles(p).map((r) => path.join(p, r)) : [p]) {
      const size = fs.lstatSync(f).size;
      bytes += size;
      files++;
      if (isSource) {
        sourceBytes += size;
        sourceFiles++;
      }
    }
    fs.rmSync(p, { recursive: true, force: true });
  };
  const binDir = path.join(site, 'bin');
  if (fs.existsSync(binDir)) remove(binDir);
  const manDir = path.join(site, 'share', 'man');
  if (trimSources && fs.existsSync(manDir)) remove(manDir, true);
  const walk = (dir: string, depth: number, inInclude: boolean) => {
    for (const dirent of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, dirent.name);
      const inDistInfo = /\.dist-info$/.test(path.basename(dir));
      if (dirent.isDirectory()) {
        if (dirent.name === '__pycache__' || ((dirent.name === 'tests' || dirent.name === 'test') && !inDistInfo)) {
          remove(full);
        } else {
          // `include/` of a package, or the headers pip and uv put at the root (`include/site/python3.X/greenlet/`),
          // but not a top-level `include` package of its own (one with an __init__.py)
          walk(full, depth + 1, inInclude || (dirent.name === 'include' && (depth > 0 || !fs.existsSync(path.join(full, '__init__.py')))));
        }
      } else if (/\.(pyi|pyc|pyo)$/.test(dirent.name) || (inDistInfo && INSTALLER_RECORDS.includes(dirent.name)) || (depth === 0 && dirent.name === '.lock')) {
        remove(full);
      } else if (trimSources && !inDistInfo && depth > 0 && (BUILD_SOURCE.test(dirent.name) || (inInclude && HEADER.test(dirent.name)))) {
        remove(full, true);
      }
    }
  };
  walk(site, 0, false);
  // the root `include/` of headers leaves empty folders behind: remove it when no file is left in it
  const rootInclude = path.join(site, 'include');
  if (trimSources && fs.existsSync(rootInclude) && !fs.existsSync(path.join(rootInclude, '__init__.py')) && listFiles(rootInclude).length === 0) {
    fs.rmSync(rootInclude, { recursive: true, force: true });
  }
  return { files, bytes, sourceFiles, sourceBytes };
}

/** Finds an interpreter of exactly the target's Python version, or undefined. */
export function findExactPython(t: PythonTarget, candidates: string[]): string | undefined {
  for (const candidate of [...new Set(candidates)]) {
    const result = spawnSync(candidate, ['-c', 'import sys; print("%d.%d %s" % (sys.version_info[0], sys.version_info[1], sys.implementation.name))'], {
      encoding: 'utf8', timeout: 30_000,
    });
    if (result.status === 0 && result.stdout.trim() === `${t.version} cpython`) return candidate;
  }
  return undefined;
}

/** How long a failed `uv python install` is remembered on this machine before it is tried again. */
export const PYTHON_DOWNLOAD_RETRY_HOURS = 24;

/** A failed `uv python install`, as remembered in the bundle cache. */
export interface PythonDownloadFailure {
  /** The command that failed, e.g. `uv python install cpython@3.14`. */
  readonly command: string;
  /** What failed: uv's error line (credentials hidden), or how the command ended. */
  readonly error: string;
  /** When it failed (ISO 8601). */
  readonly at: string;
}

/** The marker of a failed download of a Python version: `<bundle cache>/.python-download-failed-3.14.json`. */
export function pythonDownloadMarker(version: string): string {
  return path.join(bundleCacheDir(), `.python-download-failed-${version}.json`);
}

/** The failed download of this Python version remembered on this machine, if it is recent enough not to retry. */
export function recentPythonDownloadFailure(version: string, now = Date.now()): PythonDownloadFailure | undefined {
  try {
    const failure = JSON.parse(fs.readFileSync(pythonDownloadMarker(version), 'utf8')) as PythonDownloadFailure;
    const age = now - Date.parse(failure.at);
    return age >= 0 && age < PYTHON_DOWNLOAD_RETRY_HOURS * 3_600_000 ? failure : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A CPython of the target's version that uv finds (its managed Pythons, then PATH) or, when `download` is true,
 * installs (`uv python install`, a python-build-standalone CPython in uv's cache). A failed install is remembered
 * for PYTHON_DOWNLOAD_RETRY_HOURS on this machine (a marker with its time and error in the bundle cache), so an
 * offline machine pays its timeout once, not on every synth. Undefined without uv.
 */
export function findUvPython(t: PythonTarget, download: boolean): string | undefined {
  const uv = availableUv();
  if (!uv) return undefined;
  const find = () => {
    const r = spawnSync(uv, ['python', 'find', `cpython@${t.version}`, '--no-python-downloads', '--no-project'], { encoding: 'utf8', timeout: 60_000, env: installerEnv() });
    const found = stripAnsi(r.stdout ?? '').trim();
    return r.status === 0 && found ? findExactPython(t, [found]) : undefined;
  };
  const found = find();
  if (found || !download || recentPythonDownloadFailure(t.version)) return found;
  const args = ['python', 'install', `cpython@${t.version}`];
  const install = spawnSync(uv, args, { encoding: 'utf8', timeout: 600_000, env: installerEnv() });
  const marker = pythonDownloadMarker(t.version);
  if (install.status !== 0) {
    const lines = stripAnsi(`${install.stderr ?? ''}\n${install.stdout ?? ''}`).split('\n').map((l) => l.trim()).filter((l) => l !== '');
    const errorLine = lines.find((l) => /^error:/i.test(l)) ?? lines[lines.length - 1];
    const how = install.error ? `could not start (${install.error.message})` : install.status === null ? `was stopped (${install.signal}) after ${install.signal === 'SIGTERM' ? '600 s' : 'a signal'}` : `exited with code ${install.status}`;
    const failure: PythonDownloadFailure = {
      command: `uv ${args.join(' ')}`,
      error: redact(`${how}${errorLine ? `: ${errorLine.length > 300 ? `${errorLine.slice(0, 300)}...` : errorLine}` : ''}`),
      at: new Date().toISOString(),
    };
    try {
      fs.mkdirSync(path.dirname(marker), { recursive: true });
      fs.writeFileSync(marker, JSON.stringify(failure, undefined, 2));
    } catch {
      // a read-only cache: the download is tried again next time
    }
    return undefined;
  }
  fs.rmSync(marker, { force: true });
  return find();
}

/** The result of precompiling. */
export interface PrecompileResult {
  readonly ok: boolean;
  readonly output: string;
}

/**
 * Compiles every `.py` file of the bundle to `__pycache__/*.cpython-3X.pyc` with unchecked-hash
 * invalidation (`/var/task` never changes, so the source is not stat-ed or hashed at import), with the
 * paths in tracebacks as Lambda sees them (`/var/task/...`).
 */
export function precompile(python: string, bundle: string): PrecompileResult {
  const result = spawnSync(python, ['-m', 'compileall', '-q', '-j', '0', '--invalidation-mode', 'unchecked-hash',
    '-s', bundle, '-p', '/var/task', bundle], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '' } });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/** Sizes of a bundle. */
export interface BundleSize {
  /** Sum of the file sizes, in bytes. */
  readonly unzippedBytes: number;
  /** Size of the bundle as a zip file (deflate, zlib's default level), in bytes. */
  readonly zippedBytes: number;
  readonly fileCount: number;
}

/**
 * Measures a bundle, and the size of the zip file CDK will publish (computed here, since CDK zips only at
 * publish time): each file deflated as zip does (raw deflate, zlib's default level 6, stored when that is
 * smaller), plus the zip headers (30-byte local header and 46-byte central directory entry per file, each
 * with the file name, and the 22-byte end record). It matches Python's `zipfile` (ZIP_DEFLATED) to within a few bytes per file.
 */
export function measureBundle(bundle: string, withZip: boolean): BundleSize {
  let unzippedBytes = 0;
  let zippedBytes = 22;
  const files = listFiles(bundle);
  for (const file of files) {
    const full = path.join(bundle, file);
    const size = fs.statSync(full).size;
    unzippedBytes += size;
    if (withZip) {
      const data = fs.readFileSync(full);
      const deflated = zlib.deflateRawSync(data).length;
      zippedBytes += Math.min(deflated, size) + 30 + 46 + 2 * Buffer.byteLength(file);
    }
  }
  return { unzippedBytes, zippedBytes: withZip ? zippedBytes : 0, fileCount: files.length };
}

/** The largest distributions in a bundle (from each `*.dist-info/RECORD`), then the project's own files. */
export function largestPackages(bundle: string, count: number): Array<{ name: string; bytes: number }> {
  const owner = new Map<string, string>();
  for (const name of fs.readdirSync(bundle)) {
    const record = path.join(bundle, name, 'RECORD');
    if (!name.endsWith('.dist-info') || !fs.existsSync(record)) continue;
    const dist = name.replace(/\.dist-info$/, '').replace(/-/, ' ');
    for (const line of fs.readFileSync(record, 'utf8').split(/\r?\n/)) {
      const file = line.split(',')[0];
      if (file) owner.set(path.posix.normalize(file), dist);
    }
    owner.set(`${name}/RECORD`, dist);
  }
  const sizes = new Map<string, number>();
  for (const file of listFiles(bundle)) {
    const dist = owner.get(file) ?? (file.includes('__pycache__') ? owner.get(file.replace(/__pycache__\/([^/]+)\.cpython-\d+\.pyc$/, '$1.py')) : undefined)
      ?? `${file.split('/')[0]} (not from a wheel)`;
    sizes.set(dist, (sizes.get(dist) ?? 0) + fs.statSync(path.join(bundle, file)).size);
  }
  return [...sizes.entries()].map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name)).slice(0, count);
}

/** `12.3 MiB`: sizes are in MiB (2^20 bytes) everywhere, as Lambda states its limits (250 MiB = 262,144,000 bytes). */
export function megabytes(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}
