// Viewer host - CloudFront Function (runtime cloudfront-js-2.0, viewer-request event) on the API behaviour.
//
// The API behaviour forwards every viewer header but Host to the HTTP API (the origin needs its own
// execute-api Host), so the application would build redirects and absolute URLs for the execute-api host.
// This function passes the host the viewer used (the custom domain or the *.cloudfront.net name) to the origin
// in a header only CloudFront sets:
// - `x-cdk-spa-viewer-host` = the viewer's Host, lower-cased (every value the viewer sent for that header is
//   replaced); without a Host header (never seen from CloudFront, kept for safety) the distribution's own
//   domain name (`event.context.distributionDomainName`);
// - the viewer's `x-forwarded-host` and `forwarded` headers are removed, so a viewer cannot choose the host
//   the application sees.
// The function's origin-verifying wrapper (cdk_spa_origin_verify.py) trusts `x-cdk-spa-viewer-host` only after the
// origin secret matched, and presents it to the application as `host`, with https.
// Nothing else changes: method, uri, query string, cookies and other headers pass as the viewer sent them.
// CloudFront Functions limits: at most 10 KB of code, no network, no body access; this needs none of them.

var VIEWER_HOST_HEADER = 'x-cdk-spa-viewer-host';

function handler(event) {
  var request = event.request;
  var headers = request.headers || {};
  request.headers = headers;
  var host = headers.host && typeof headers.host.value === 'string' ? headers.host.value : '';
  if (!host && event.context && typeof event.context.distributionDomainName === 'string') {
    host = event.context.distributionDomainName;
  }
  delete headers['x-forwarded-host'];
  delete headers.forwarded;
  delete headers[VIEWER_HOST_HEADER];
  if (host) {
    headers[VIEWER_HOST_HEADER] = { value: host.toLowerCase() };
  }
  return request;
}
