import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The folder of the bundle cache: `$CDK_SPA_BUNDLE_CACHE`, or `$XDG_CACHE_HOME/cdk-spa-with-lambda-api/bundles`,
 * or `~/.cache/cdk-spa-with-lambda-api/bundles`.
 */
export function bundleCacheDir(): string {
  if (process.env.CDK_SPA_BUNDLE_CACHE) return path.resolve(process.env.CDK_SPA_BUNDLE_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'cdk-spa-with-lambda-api', 'bundles');
}

/**
 * A cached bundle: the folder `<root>/<hash>` and its manifest `<root>/<hash>.json`. Both are written under a
 * temporary name and renamed, manifest first, so a folder that exists is complete.
 */
export function readCached<T>(root: string, hash: string): { dir: string; manifest: T } | undefined {
  const dir = path.join(root, hash);
  try {
    const manifest = JSON.parse(fs.readFileSync(`${dir}.json`, 'utf8')) as T;
    return fs.statSync(dir).isDirectory() ? { dir, manifest } : undefined;
  } catch {
    return undefined;
  }
}

/** Moves a finished bundle into the cache (atomically). Returns the cached folder. */
export function writeCached(root: string, hash: string, bundle: string, manifest: unknown): string {
  const dir = path.join(root, hash);
  const manifestTmp = `${dir}.json.${process.pid}.${Date.now()}`;
  fs.writeFileSync(manifestTmp, JSON.stringify(manifest, undefined, 2));
  fs.renameSync(manifestTmp, `${dir}.json`);
  try {
    fs.renameSync(bundle, dir);
  } catch (e) {
    // Another synth cached the same hash first: its bundle is identical.
    if (!fs.existsSync(dir)) throw e;
  }
  return dir;
}

/** Copies a folder's content into another (existing) folder. */
export function copyTree(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true, force: true, preserveTimestamps: true });
}
