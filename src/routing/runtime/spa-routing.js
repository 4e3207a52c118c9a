// SPA routing - CloudFront Function (runtime cloudfront-js-2.0, viewer-request event).
//
// Rule:
// - Requests are rewritten to `/index.html` (the SPA shell, served with 200) when EITHER
//   a) the last path segment has no file extension (`/`, `/users`, `/users/42/`, `/v1.2/page`), OR
//   b) the request is a browser navigation (the `Accept` header includes `text/html`) AND the
//      last segment's extension is not one of the known static-file extensions (so
//      `/users/john.doe` opened in a browser works).
// - Everything else passes through unchanged to S3 (assets, `/robots.txt`, `/favicon.ico`,
//   `/about.html`, and `/users/john.doe` requested with `Accept: */*`). A missing asset is then
//   S3's 404 (the bucket grants list permission), never index.html.
// - The query string is left untouched (CloudFront keeps it in `event.request.querystring`,
//   separate from `uri`); only `request.uri` is ever changed.
// - "extension" = the part after the last `.` of the last segment (the text after the last `/`),
//   when the segment does not start with `.`, is not empty, and the extension is 1 to 10
//   characters of [A-Za-z0-9]. Otherwise the segment has no extension
//   (e.g. `name.`, `a.b-c`, `a.verylongextension`). Exception: a known static extension always
//   counts, whatever its length (`webmanifest` is 11 characters).
// - Hidden-file segments: only the LAST segment matters, so `/.well-known/x` has last segment `x`
//   (no extension -> /index.html). A last segment that starts with `.` (`/.env`, `/.well-known`,
//   `/.htaccess`) is treated as a static file and always passes through (S3 answers, usually 404),
//   even for browser navigations.
// - Known static extensions are compared lowercase (`/IMG.PNG` is a `png` file).
// - Missing/odd input never throws: no headers or no Accept header = not a navigation; an empty or
//   non-string uri has no extension (-> /index.html).

var KNOWN_STATIC_EXTENSIONS = [
  'html', 'htm', 'js', 'mjs', 'cjs', 'css', 'map', 'json', 'txt', 'xml',
  'ico', 'png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'avif', 'bmp',
  'woff', 'woff2', 'ttf', 'otf', 'eot', 'wasm', 'webmanifest',
  'mp4', 'webm', 'ogg', 'mp3', 'wav', 'pdf', 'zip', 'gz', 'br',
  'csv', 'md', 'yaml', 'yml', 'glb', 'gltf',
];

var EXTENSION_PATTERN = /^[A-Za-z0-9]{1,10}$/;

function handler(event) {
  var request = event && event.request;
  if (!request || typeof request !== 'object') {
    return request;
  }

  var uri = typeof request.uri === 'string' ? request.uri : '';
  var segment = uri.substring(uri.lastIndexOf('/') + 1);

  // Dot-file last segment (`.env`, `.well-known`): a file, never the SPA shell.
  if (segment.charAt(0) === '.') {
    return request;
  }

  var extension = '';
  var dot = segment.lastIndexOf('.');
  if (dot > 0) {
    var candidate = segment.substring(dot + 1);
    var lower = candidate.toLowerCase();
    if (EXTENSION_PATTERN.test(candidate) || KNOWN_STATIC_EXTENSIONS.indexOf(lower) !== -1) {
      extension = lower;
    }
  }

  var rewrite = false;
  if (extension === '') {
    rewrite = true; // a) no file extension
  } else if (isNavigation(request.headers) && KNOWN_STATIC_EXTENSIONS.indexOf(extension) === -1) {
    rewrite = true; // b) browser navigation to an unknown extension
  }

  if (rewrite) {
    request.uri = '/index.html';
  }
  return request;
}

function isNavigation(headers) {
  var accept = headers && headers.accept;
  var value = accept && accept.value;
  return typeof value === 'string' && value.toLowerCase().indexOf('text/html') !== -1;
}
