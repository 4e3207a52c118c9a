import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** The generated site of the site benchmarks (bench-site.ts, bench-site-synth.ts), shaped like a Vite build of a large app. */

/** Deterministic bytes (no randomness: the same site every run and on every machine), poorly compressible like images. */
function bytes(seed: number, size: number): Buffer {
  // SHA-256 in counter mode: deterministic and as incompressible as random bytes
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * 32 < size; counter++) {
    blocks.push(createHash('sha256').update(`${seed}:${counter}`).digest());
  }
  return Buffer.concat(blocks).subarray(0, size);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
function hash(i: number): string {
  let h = '';
  let x = (i + 1) * 2246822519;
  for (let k = 0; k < 8; k++) {
    h += B64[x % 64];
    x = Math.floor(x / 64) + (k + 3) * 40503;
  }
  return h.replace(/^(.)(.)/, 'B$2').replace(/.$/, '7'); // a hash-looking mix of case and digits
}

/** Writes the generated site and returns its folder, file count and size. */
export function generateSite(dir: string, files: number, megabytes: number): { files: number; bytes: number } {
  const total = megabytes * 1024 * 1024;
  const plan: Array<[string, number]> = [['index.html', 2048], ['robots.txt', 64], ['favicon.svg', 900], ['manifest.webmanifest', 500]];
  const rest = files - plan.length;
  const copied = Math.round(rest * 0.15); // public/ files: unhashed
  const hashed = rest - copied;
  const avg = Math.floor((total - 4000) / rest);
  for (let i = 0; i < hashed; i++) {
    const kind = i % 10;
    const ext = kind < 6 ? 'js' : kind < 7 ? 'css' : kind < 9 ? 'png' : 'woff2';
    const name = kind < 6 ? `chunk${i}` : kind < 7 ? `style${i}` : kind < 9 ? `image${i}` : `font${i}`;
    plan.push([`assets/${name}-${hash(i)}.${ext}`, avg]);
  }
  for (let i = 0; i < copied; i++) {
    const sub = i % 3 === 0 ? 'assets/images' : i % 3 === 1 ? 'icons' : 'fonts';
    plan.push([`${sub}/public-file-${i}.${sub === 'fonts' ? 'woff2' : 'png'}`, avg]);
  }
  let size = 0;
  plan.forEach(([rel, n], i) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), bytes(i + 1, n));
    size += n;
  });
  return { files: plan.length, bytes: size };
}

