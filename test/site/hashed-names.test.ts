/**
 * The detection of content-hashed file names (src/site/hashed-names.ts): real names written by esbuild and Vite
 * (built here), the documented names of webpack, Create React App, Angular, Parcel and Next.js, the names a
 * build copies verbatim, and the share of random hashes taken for unhashed.
 */
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listFiles } from '../../src/private/files';
import { hasContentHash } from '../../src/site/hashed-names';

const BIN = path.join(__dirname, '..', '..', 'node_modules', '.bin');

describe('names that carry a content hash', () => {
  test.each([
    // Vite / Rollup: [name]-[hash] with 8 base64url characters
    'assets/index-BdQq_4o_.js', 'assets/index-DiwrgTda.css', 'assets/index-DESi9q8R.js', 'assets/index-5K79yzeN.css',
    'assets/logo-Cdb2ZXaZ.svg', 'assets/vendor-react-D-4rW_pk.js', 'assets/chart.esm-Dk3Kx9aB.js', 'assets/index-BdQq_4o_.js.map',
    '_app/immutable/chunks/entry-Bq1xT0_e.js',
    // esbuild and Angular 17+: [name]-[hash] with 8 upper-case base32 characters
    'chunk-X63YXSG6.js', 'main-5YAOG3CD.js', 'polyfills-LNWD4RJW.js', 'styles-2Q3CUSON.css', 'media/font-C65A734C.woff2',
    // webpack [name].[contenthash].js (20 hex by default), CRA [contenthash:8], Angular webpack builder (16 hex)
    'main.3f2a9c1b5d6e7f801234.js', 'static/js/main.3f2a9c1b.chunk.js', 'static/js/787.3f2a9c1b.chunk.js',
    'static/css/main.0a1b2c3d.css', 'static/media/logo.6ce24c58023cc2f8fd88fe9d219db6c6.svg', 'main.3f2a9c1b5d6e7f80.js',
    // webpack asset modules [hash][ext], Next.js [name]-[16 hex], Parcel [name].[8 hex]
    '3f2a9c1b5d6e7f801234.png', '_next/static/chunks/framework-2c79e2a64abdb08b.js', 'index.7a1c3e5f.js',
    // Vite / Rollup hashes split by - or _ that read like a word and a number, in a script or stylesheet (issue #22)
    'assets/DataTable-zilpd-68.js', 'index-B_x7-kQd.js', 'assets/Checkout-BVrYX-2q.js', 'assets/page-abc_1234.css', 'assets/x--abcdefg.js',
    // folders a framework reserves for its content-hashed output (SvelteKit, Astro, Next.js)
    '_app/immutable/chunks/BFkPn9ZB.js', '_app/immutable/entry/start.BqATE4jW.js', '_astro/Counter.B5CIBCPJ.css',
    '_next/static/chunks/0cz1d0mv5g_q7.js', '_next/static/ywiTuWvyjE5oAU8IYBW0o/_buildManifest.js',
  ])('%s', (name) => {
    expect(hasContentHash(name)).toBe(true);
  });
});

describe('names without a content hash (served no-cache)', () => {
  test.each([
    'index.html', 'about/index.html', 'favicon.ico', 'favicon.svg', 'robots.txt', 'manifest.webmanifest', 'sw.js', 'sw.js.map',
    'assets/images/logo.svg', 'assets/logo-original.svg', 'assets/logo-FULLSIZE.svg', 'img/banner-1200x630.png',
    'img/hero-banner01.jpg', 'img/photo-20240101.jpg', 'docs/guide-v2-final.pdf', 'fonts/inter-Regular.woff2',
    'icons/apple-touch-icon-180x180.png', 'icons/android-chrome-512x512.png', 'img/IMG-IMG12345.jpg', 'lib.20240101.js',
    'cafe1234.png', 'deadbeef.js', 'data.deadbeef.json', 'README', 'assets/-BdQq_4o_.js', 'Makefile.BdQq_4o_',
    // scripts named by a person: words and versions; non-script names with a word and a number stay unhashed
    'widget-embed-v2.js', 'lib-jquery-ui.css', 'assets/icon-arrow-16.svg', 'img/photo-zilpd-68.png',
    // next to the reserved folders, but not in them
    '_app/version.json', '_app/env.js', '_next/x.js', 'about/__next._tree.txt', '_astro', 'x/_astro/a.css',
  ])('%s', (name) => {
    expect(hasContentHash(name)).toBe(false);
  });
});

describe('real build output', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-hash-names-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('every hashed chunk esbuild writes (200 of them) but those of letters only is detected; entry names without [hash] are not', () => {
    const src = path.join(work, 'esbuild-src');
    fs.mkdirSync(src);
    for (let i = 0; i < 100; i++) {
      fs.writeFileSync(path.join(src, `e${i}.js`), `export const v = ${i}; import('./c${i}.js');\n`);
      fs.writeFileSync(path.join(src, `c${i}.js`), `export default 'chunk ${i} ${randomBytes(4).toString('hex')}';\n`);
    }
    const out = path.join(work, 'esbuild-out');
    execFileSync(path.join(BIN, 'esbuild'), [...Array.from({ length: 100 }, (_, i) => path.join(src, `e${i}.js`)),
      '--bundle', '--splitting', '--format=esm', `--outdir=${out}`, '--entry-names=[name]', '--chunk-names=[name]-[hash]', '--log-level=error']);
    const files = listFiles(out);
    const entries = files.filter((f) => /^e\d+\.js$/.test(f));
    const chunks = files.filter((f) => !entries.includes(f));
    expect(entries).toHaveLength(100);
    expect(chunks.length).toBeGreaterThanOrEqual(100);
    expect(entries.filter(hasContentHash)).toEqual([]);
    const hash = (f: string) => /-([A-Z2-7]{8})\.js$/.exec(f)![1];
    // the misses are exactly the hashes of letters only (19% of them at random): never a wrong "hashed"
    expect(chunks.filter((f) => !hasContentHash(f)).map(hash).every((h) => /^[A-Z]{8}$/.test(h))).toBe(true);
    expect(chunks.filter((f) => hasContentHash(f)).length).toBeGreaterThan(chunks.length * 0.6);
  });
});

describe('random hashes', () => {
  test('fewer than 3% of Rollup, 3% of webpack and 22% of esbuild hashes are taken for unhashed (a revalidation, never a stale file)', () => {
    const n = 20000;
    const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let rollup = 0;
    let esbuild = 0;
    let webpack = 0;
    for (let i = 0; i < n; i++) {
      rollup += hasContentHash(`assets/index-${randomBytes(6).toString('base64url')}.js`) ? 0 : 1;
      const b = randomBytes(8);
      esbuild += hasContentHash(`chunk-${[...b].map((x) => base32[x % 32]).join('')}.js`) ? 0 : 1;
      webpack += hasContentHash(`static/js/main.${randomBytes(4).toString('hex')}.chunk.js`) ? 0 : 1;
    }
    expect(rollup / n).toBeLessThan(0.03);
    expect(webpack / n).toBeLessThan(0.03);
    expect(esbuild / n).toBeLessThan(0.22);
  });
});
