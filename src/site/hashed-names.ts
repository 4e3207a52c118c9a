/**
 * Tells content-hashed file names (safe to cache for a year) from every other file, by the name alone.
 *
 * Only a file whose NAME changes when its content changes may be `immutable`: a file that a build copies
 * verbatim (Vite's `public/`, webpack's CopyPlugin, `favicon.ico`, a logo in `public/assets/`) keeps its name
 * across releases, so caching it for a year would serve a stale copy. The folder tells nothing (Vite puts
 * both kinds in `assets/`), so the name is read, as the common build tools write the hash into it:
 *
 * | tool | default template | hash |
 * |---|---|---|
 * | Vite / Rollup (also SvelteKit, Astro) | `assets/[name]-[hash].js`, `assets/[name]-[hash][extname]` | 8 characters of base64url (`A-Z a-z 0-9 - _`), e.g. `index-BdQq_4o_.js`, `index-DiwrgTda.css` (Rollup `DEFAULT_HASH_SIZE` 8, at most 21) |
 * | esbuild (also Angular 17+ `application` builder) | `[name]-[hash]` | 8 characters of upper-case base32 (`A-Z 2-7`), e.g. `chunk-X63YXSG6.js`, `main-5YAOG3CD.js` |
 * | webpack 5 | `[name].[contenthash].js`; asset modules `[hash][ext]` | hex, `output.hashDigestLength` 20 by default, often `[contenthash:8]` |
 * | Create React App | `static/js/[name].[contenthash:8].chunk.js`, `static/media/[name].[hash].[ext]` | 8 (or 20/32) hex, e.g. `main.3f2a9c1b.chunk.js` |
 * | Angular (webpack builder), Parcel, Next.js | `main.[16 hex].js`, `index.[8 hex].js`, `framework-[16 hex].js` | hex |
 *
 * First, the folders that a framework reserves for its own content-hashed output, which a user's copied files
 * cannot reach (their `public/` or `static/` folder is copied to the root): SvelteKit's `_app/immutable/`, Astro's
 * `_astro/` and Next.js's `_next/static/` (chunk names there carry no `[name]`, such as `_app/immutable/chunks/BxYz12Ab.js`
 * or `_next/static/chunks/0cz1d0mv5g_q7.js`, and Next.js's `_next/static/<build id>/_buildManifest.js` is new with
 * each build id). Then the rules, applied to each dot-separated part of the base name but the last (the extension):
 * 1. a `-` then 8 characters ending the part: upper-case base32 with at least one digit (esbuild, Angular), or
 *    base64url that does not read like words or numbers (Vite, Rollup; see {@link looksLikeWords}); for scripts
 *    and stylesheets (`.js`, `.mjs`, `.cjs`, `.css` and their `.map`), a base64url hash split by `-` or `_` is a hash
 *    unless every piece is a word of letters or a version such as `v2` (`DataTable-zilpd-68.js` is hashed,
 *    `widget-embed-v2.js` is not; see {@link looksLikeScriptWords});
 * 2. a `-` or `.` then 8 to 64 lower-case hex digits, at least one digit and one letter (webpack, CRA, Parcel,
 *    Next.js), a dotted part after the name (`main.3f2a9c1b.js`, `main.3f2a9c1b.chunk.js`) or ending a part after a
 *    `-` (`framework-2c79e2a64abdb08b.js`);
 * 3. a whole base name of 16 to 64 hex digits (webpack asset modules: `3f2a9c1b5d6e7f801234.png`).
 *
 * A wrong "hashed" would cache a changing file for a year; a wrong "unhashed" only costs a revalidation
 * (a 304). So the rules lean to "unhashed": about 2% of Vite hashes and 19% of esbuild hashes (those of
 * letters only, such as `HXMLWDUD`) are taken for unhashed and served `no-cache`. The known false positives are a
 * name ending in `-` and 8 characters that mix case, digits or `_` like a hash does (`logo-DarkMode.svg`), a script
 * copied verbatim whose name ends in `-` and 8 characters with a `-` or `_` between a word and a number
 * (`icons-arrow-16.js`), and a file the user put in a reserved folder (`public/_astro/x.css`): rename it, or list the
 * hashed files with `hashedAssetGlobs`, which replaces this detection. docs/measurements.md ("Hash detection on real
 * builds") counts the misses on real builds; none of their unhashed files is taken as hashed.
 */
export function hasContentHash(file: string): boolean {
  if (RESERVED_HASHED_FOLDERS.some((folder) => file.startsWith(folder)) && !file.endsWith('/')) {
    return true;
  }
  const base = file.substring(file.lastIndexOf('/') + 1);
  const script = SCRIPT.test(base);
  const parts = base.split('.');
  if (parts.length === 1) {
    return false; // no extension: not a build tool's output
  }
  if (parts.length === 2 && isHex(parts[0], 16)) {
    return true; // rule 3
  }
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i];
    // rule 1: name-XXXXXXXX
    if (part.length >= 10 && part[part.length - 9] === '-') {
      const hash = part.slice(-8);
      const esbuild = /^[A-Z2-7]{8}$/.test(hash) && /[2-7]/.test(hash);
      const base64url = /^[A-Za-z0-9_-]{8}$/.test(hash);
      if (esbuild || (base64url && !looksLikeWords(hash)) || (base64url && script && /[-_]/.test(hash) && !looksLikeScriptWords(hash))) {
        return true;
      }
    }
    // rule 2: name.<hex> or name-<hex>
    if (i > 0 && isHex(part, 8)) {
      return true;
    }
    const dashed = /-([0-9a-f]{8,64})$/.exec(part);
    if (dashed && dashed.index > 0 && isHex(dashed[1], 8)) {
      return true;
    }
  }
  return false;
}

/**
 * Folders that a framework fills with content-hashed files only, and that a user's copied files do not reach:
 * SvelteKit (`kit.appDir` `_app`, documented as immutable), Astro (`build.assets` `_astro`), Next.js (`_next/static`,
 * served by Next.js itself as immutable).
 */
export const RESERVED_HASHED_FOLDERS: readonly string[] = ['_app/immutable/', '_astro/', '_next/static/'];

/** Scripts and stylesheets, and their source maps: a build's own output far more often than a copied file. */
const SCRIPT = /\.(?:js|mjs|cjs|css)(?:\.map)?$/;

/** 8 to 64 (or `min` to 64) lower-case hex digits with at least one digit and one letter (not a date or a word). */
function isHex(s: string, min: number): boolean {
  return s.length >= min && s.length <= 64 && /^[0-9a-f]+$/.test(s) && /[0-9]/.test(s) && /[a-f]/.test(s);
}

/**
 * Whether 8 base64url characters read like words or numbers rather than a hash: split at `-` and `_`, every piece
 * is empty, one word in one case (`original`, `FULLSIZE`, `Regular`), such a word then a number (`banner01`,
 * `IMG12345`), a number then such a word (`20240101`, `512px`), or a size (`1200x630`). `v2-final` is words; `BdQq_4o_` and `DiwrgTda` are not.
 */
export function looksLikeWords(hash: string): boolean {
  const word = /^(?:|(?:[a-z]+|[A-Z]+|[A-Z][a-z]+)[0-9]*|[0-9]+(?:[a-z]+|[A-Z]+)?|[0-9]+x[0-9]+)$/;
  return hash.split(/[-_]/).every((piece) => word.test(piece));
}

/**
 * Whether 8 base64url characters split by `-` or `_` read like a script's or stylesheet's own name: every piece a
 * word of letters (`embed-ui`) or a version (`v2`, `V10`). `zilpd-68`, `B_x7-kQd` and `-abcdefg` are not.
 */
export function looksLikeScriptWords(hash: string): boolean {
  return hash.split(/[-_]/).every((piece) => /^(?:[a-z]+|[A-Z]+|[A-Z][a-z]+|[vV][0-9]+)$/.test(piece));
}
