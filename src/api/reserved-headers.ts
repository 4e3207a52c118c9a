/**
 * Header names the origin secret must not travel in: CloudFront or API Gateway treat them specially, or they
 * end up in logs, where the secret would be stored in plain text.
 *
 * Sources (checked 2026-12):
 * - CloudFront, "Custom headers that CloudFront can't add to origin requests":
 *   Cache-Control, Connection, Content-Length, Cookie, Host, If-Match, If-Modified-Since, If-None-Match, If-Range,
 *   If-Unmodified-Since, Max-Forwards, Pragma, Proxy-Authorization, Proxy-Connection, Range, Request-Range, TE,
 *   Trailer, Transfer-Encoding, Upgrade, Via, X-Real-Ip, and names starting with X-Amz- or X-Edge-.
 *   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html#add-origin-custom-headers-denylist
 * - CloudFront sets or rewrites on origin requests: X-Forwarded-For, X-Amz-Cf-Id, Via, the CloudFront-* headers
 *   (CloudFront-Viewer-Country, CloudFront-Forwarded-Proto, ...), and normalizes Accept-Encoding.
 *   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/adding-cloudfront-headers.html
 *   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html
 * - API Gateway HTTP APIs, "Reserved headers": Access-Control-*, Apigw-*, Authorization, Connection,
 *   Content-Encoding, Content-Length, Content-Location, Forwarded, Keep-Alive, Origin, Proxy-Authenticate,
 *   Proxy-Authorization, TE, Trailers, Transfer-Encoding, Upgrade, x-amz-*, x-amzn-*, X-Forwarded-For,
 *   X-Forwarded-Host, X-Forwarded-Proto, Via.
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html#http-api-mapping-reserved-headers
 * - Logged: the API's access log records `$context.identity.userAgent` of the request CloudFront sends
 *   (src/api/access-log-format.ts, the only request header it logs), so a custom header named User-Agent would put
 *   the secret there; web servers, frameworks and app request logs commonly record User-Agent, Referer, Host,
 *   Cookie and X-Forwarded-For.
 * - Headers with a meaning of their own for browsers, CloudFront caching or the app (Content-Type, Accept*,
 *   Origin, Referer, Authorization, ...): a secret there would break requests or be read as something else.
 * - This library's own headers (`x-cdk-spa-*`): the viewer-host function's `x-cdk-spa-viewer-host` carries the
 *   viewer's host to the app. CloudFront's origin custom header would replace it, and the app would present the
 *   secret as its host (in redirects and absolute URLs).
 */

/** Why a header name cannot carry the origin secret. */
export enum ReservedHeaderReason {
  LOGGED = 'logged',
  CLOUDFRONT = 'cloudfront',
  API_GATEWAY = 'apiGateway',
  STANDARD = 'standard',
  LIBRARY = 'library',
}

/** The reasons, as error messages say them. */
export const RESERVED_HEADER_EXPLANATIONS: Record<ReservedHeaderReason, string> = {
  [ReservedHeaderReason.LOGGED]: 'that header is written to logs (the API access log records the User-Agent it receives; web servers, '
    + 'frameworks and app request logs commonly record User-Agent, Referer, Host, Cookie and X-Forwarded-For), so the secret would be '
    + 'stored in the logs in plain text',
  [ReservedHeaderReason.CLOUDFRONT]: 'CloudFront cannot add that header to origin requests, or sets or rewrites it itself',
  [ReservedHeaderReason.API_GATEWAY]: 'API Gateway HTTP APIs reserve that header (they set, strip or interpret it)',
  [ReservedHeaderReason.STANDARD]: 'that is a standard HTTP header with a meaning of its own for browsers, CloudFront or your app',
  [ReservedHeaderReason.LIBRARY]: 'names starting with x-cdk-spa- are this library\'s own headers (x-cdk-spa-viewer-host carries the '
    + 'viewer\'s host to your app, which would then show the secret as its host in redirects and absolute URLs)',
};

/** Exact names (lower case), first matching reason wins: logging is checked first. */
const EXACT: Array<[ReservedHeaderReason, string[]]> = [
  [ReservedHeaderReason.LOGGED, ['user-agent', 'referer', 'host', 'cookie', 'x-forwarded-for']],
  [ReservedHeaderReason.CLOUDFRONT, [
    'cache-control', 'connection', 'content-length', 'if-match', 'if-modified-since', 'if-none-match', 'if-range',
    'if-unmodified-since', 'max-forwards', 'pragma', 'proxy-authorization', 'proxy-connection', 'range', 'request-range',
    'te', 'trailer', 'transfer-encoding', 'upgrade', 'via', 'x-real-ip', 'accept-encoding',
  ]],
  [ReservedHeaderReason.API_GATEWAY, [
    'authorization', 'content-encoding', 'content-location', 'forwarded', 'x-forwarded-host', 'x-forwarded-proto', 'keep-alive', 'origin', 'proxy-authenticate', 'trailers',
  ]],
  [ReservedHeaderReason.STANDARD, [
    'content-type', 'content-language', 'content-disposition', 'content-range', 'content-md5', 'accept', 'accept-charset',
    'accept-language', 'date', 'expect', 'from', 'set-cookie', 'www-authenticate', 'x-http-method-override',
    'x-requested-with', 'x-csrf-token', 'x-xsrf-token', 'x-api-key',
  ]],
];

/** Prefixes (lower case). */
const PREFIXES: Array<[ReservedHeaderReason, string[]]> = [
  [ReservedHeaderReason.LOGGED, []],
  [ReservedHeaderReason.CLOUDFRONT, ['x-amz-', 'x-edge-', 'cloudfront-', 'x-forwarded-']],
  [ReservedHeaderReason.API_GATEWAY, ['x-amzn-', 'apigw-', 'access-control-']],
  [ReservedHeaderReason.STANDARD, ['sec-', 'proxy-']],
  [ReservedHeaderReason.LIBRARY, ['x-cdk-spa-']],
];

/** Why `name` cannot carry the origin secret, or undefined when it can. Case-insensitive, as HTTP header names are. */
export function reservedHeaderReason(name: string): ReservedHeaderReason | undefined {
  const lower = name.toLowerCase();
  for (const [reason, names] of EXACT) {
    if (names.includes(lower)) {
      return reason;
    }
  }
  for (const [reason, prefixes] of PREFIXES) {
    if (prefixes.some((p) => lower.startsWith(p))) {
      return reason;
    }
  }
  return undefined;
}
