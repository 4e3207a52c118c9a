// Viewer host - CloudFront Function (runtime cloudfront-js-2.0, viewer-request event) on the API behaviour.
//
// The API behaviour forwards every viewer header but Host to the HTTP API (the origin needs its own
// execute-api Host), so the application would build redirects and absolute URLs for the execute-api host.
// This function passes the site's name the viewer used to the origin in a header only CloudFront sets:
// - `x-cdk-spa-viewer-host` = always one of the site's names in canonical form (lower case, no trailing dot, no
//   port, punycode): the custom domain names (SITE_NAMES, written in at synth with their Unicode spellings) or the
//   distribution's own domain (`event.context.distributionDomainName`). CloudFront routes some Host values that
//   are not a name in that form (`app.example.com.`, `app.example.com:8443`, an unencoded internationalised name);
//   they are canonicalised, and anything that is still not one of the site's names (a comma-joined value, no Host,
//   another name) becomes the primary name (PRIMARY_NAME, else the distribution's domain). Every value the viewer
//   sent for that header is replaced;
// - the viewer's `x-forwarded-host` and `forwarded` headers are removed, so a viewer cannot choose the host
//   the application sees.
// The function's origin-verifying wrapper (cdk_spa_origin_verify.py) trusts `x-cdk-spa-viewer-host` only after the
// origin secret matched, and presents it to the application as `host`, with https.
// Nothing else changes: method, uri, query string, cookies and other headers pass as the viewer sent them.
// CloudFront Functions limits: at most 10 KB of code, no network, no body access; this needs none of them.

var VIEWER_HOST_HEADER = 'x-cdk-spa-viewer-host';
// the site's custom domain names: each spelling a viewer may send (canonical, Unicode) -> its canonical name
var SITE_NAMES = {};
// the first custom domain name; empty without one (the distribution's domain is then the primary name)
var PRIMARY_NAME = '';

// lower case, without a port and trailing dots (the spelling is not checked here: only known names pass)
function canonicalHost(value) {
  return value.trim().toLowerCase().replace(/:[0-9]*$/, '').replace(/\.+$/, '');
}

function siteName(host, distributionName) {
  if (host !== '' && Object.prototype.hasOwnProperty.call(SITE_NAMES, host)) return SITE_NAMES[host];
  if (host !== '' && host === distributionName) return distributionName;
  return PRIMARY_NAME || distributionName;
}

function handler(event) {
  var request = event.request;
  var headers = request.headers || {};
  request.headers = headers;
  var host = headers.host && typeof headers.host.value === 'string' ? canonicalHost(headers.host.value) : '';
  var distributionName = event.context && typeof event.context.distributionDomainName === 'string'
    ? canonicalHost(event.context.distributionDomainName) : '';
  var name = siteName(host, distributionName);
  delete headers['x-forwarded-host'];
  delete headers.forwarded;
  delete headers[VIEWER_HOST_HEADER];
  if (name) {
    headers[VIEWER_HOST_HEADER] = { value: name };
  }
  return request;
}
