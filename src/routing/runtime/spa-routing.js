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
//
// Prerendered pages (issue #25), before the rule above, from the build's own file list: ROUTES maps a
// path without its leading and trailing `/` to flags (HTML: `<path>.html` exists, DIR_INDEX:
// `<path>/index.html` exists, FILE: `<path>` is a file the rule above would rewrite). Exact keys, one
// property read per request (a second one only when the uri has a `%`, for its decoded form), no scan:
// - `/x`  -> `/x` if FILE, else `/x.html` if HTML, else `/x/index.html` if DIR_INDEX;
// - `/x/` -> `/x/index.html` if DIR_INDEX, else `/x.html` if HTML;
// - otherwise the rule above. The construct writes ROUTES and NOT_FOUND at synth time
//   (src/routing/route-table.ts); empty, as in this file, the function is the rule above alone.
// NOT_FOUND (a static site's 404 page, e.g. `/404.html`): what the rule above would answer with the SPA
// shell gets this page instead (`/` still gets `/index.html`), and the same code, associated with the
// viewer-response event, sets its status to 404.

var ROUTES = {};
var NOT_FOUND = '';
var HTML = 1;
var DIR_INDEX = 2;
var FILE = 4;

var KNOWN_STATIC_EXTENSIONS = [
  'html', 'htm', 'js', 'mjs', 'cjs', 'css', 'map', 'json', 'txt', 'xml',
  'ico', 'png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'avif', 'bmp',
  'woff', 'woff2', 'ttf', 'otf', 'eot', 'wasm', 'webmanifest',
  'mp4', 'webm', 'ogg', 'mp3', 'wav', 'pdf', 'zip', 'gz', 'br',
  'csv', 'md', 'yaml', 'yml', 'glb', 'gltf',
];

var EXTENSION_PATTERN = /^[A-Za-z0-9]{1,10}$/;

function handler(event) {
  if (event && event.context && event.context.eventType === 'viewer-response') {
    return notFoundStatus(event);
  }
  var request = event && event.request;
  if (!request || typeof request !== 'object') {
    return request;
  }
  var target = routedUri(request);
  if (target !== request.uri) {
    request.uri = target;
  }
  return request;
}

// The uri the request is served from (the request's own when nothing applies).
function routedUri(request) {
  var uri = typeof request.uri === 'string' ? request.uri : '';
  var prerendered = prerenderedPage(uri);
  if (prerendered !== '') {
    return prerendered;
  }
  var segment = uri.substring(uri.lastIndexOf('/') + 1);

  // Dot-file last segment (`.env`, `.well-known`): a file, never the SPA shell.
  if (segment.charAt(0) === '.') {
    return request.uri;
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

  if (!rewrite) {
    return request.uri;
  }
  return NOT_FOUND !== '' && uri !== '/' ? NOT_FOUND : '/index.html';
}

// The prerendered page or file for `uri` from ROUTES, or '' when it has none.
function prerenderedPage(uri) {
  if (uri.length < 2 || uri.charAt(0) !== '/') {
    return '';
  }
  var slash = uri.charAt(uri.length - 1) === '/';
  var flags = routeFlags(uri.substring(1, slash ? uri.length - 1 : uri.length));
  if (slash) {
    if (flags & DIR_INDEX) return uri + 'index.html';
    if (flags & HTML) return uri.substring(0, uri.length - 1) + '.html';
    return '';
  }
  if (flags & FILE) return uri;
  if (flags & HTML) return uri + '.html';
  if (flags & DIR_INDEX) return uri + '/index.html';
  return '';
}

function routeFlags(key) {
  var flags = ROUTES[key];
  if (typeof flags !== 'number' && key.indexOf('%') !== -1) {
    try {
      flags = ROUTES[decodeURIComponent(key)];
    } catch (e) {
      flags = 0;
    }
  }
  return typeof flags === 'number' ? flags : 0;
}

// Viewer response: the static site's 404 page, served in place of an unknown path, gets status 404.
// The request is routed again (the same pure rule), so this holds whether CloudFront shows this event
// the viewer's uri or the rewritten one.
function notFoundStatus(event) {
  var response = event.response;
  var request = event.request;
  if (NOT_FOUND !== '' && response && request && response.statusCode === 200
    && (request.uri === NOT_FOUND || routedUri(request) === NOT_FOUND)) {
    response.statusCode = 404;
    response.statusDescription = 'Not Found';
  }
  return response;
}

function isNavigation(headers) {
  var accept = headers && headers.accept;
  var value = accept && accept.value;
  return typeof value === 'string' && value.toLowerCase().indexOf('text/html') !== -1;
}
