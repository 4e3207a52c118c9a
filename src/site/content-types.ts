/**
 * The `Content-Type` of each file extension a web build writes, set explicitly by the site upload (never guessed by
 * the upload's runtime, whose `mimetypes` answers depend on the Python version and the image's `/etc/mime.types`).
 *
 * Text types carry `charset=utf-8`. `.js`/`.mjs`/`.cjs` are `text/javascript` (RFC 9239); `.wasm` must be
 * `application/wasm` for `WebAssembly.instantiateStreaming()`; with `X-Content-Type-Options: nosniff` a script or
 * stylesheet of another type is blocked. Extensions are lower case, without the dot.
 */
export const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  cjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  map: 'application/json',
  webmanifest: 'application/manifest+json',
  xml: 'application/xml',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/vnd.microsoft.icon',
  bmp: 'image/bmp',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  eot: 'application/vnd.ms-fontobject',
  wasm: 'application/wasm',
  pdf: 'application/pdf',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  zip: 'application/zip',
  yaml: 'application/yaml',
  yml: 'application/yaml',
};

/** The type of a file whose extension is not in {@link CONTENT_TYPES}. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** The lower-case extension of a file name (without the dot), or '' when it has none. */
export function extensionOf(file: string): string {
  const name = file.substring(file.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.substring(dot + 1).toLowerCase() : '';
}

/** The `Content-Type` the upload sets on `file`. */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extensionOf(file)] ?? DEFAULT_CONTENT_TYPE;
}
