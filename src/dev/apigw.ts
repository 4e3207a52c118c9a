import * as crypto from 'crypto';
import { IncomingMessage } from 'http';

/**
 * API Gateway HTTP API (payload format 2.0) events and results, as API Gateway builds them from a request
 * and turns a Lambda result into a response.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */

/** A payload 2.0 event (the fields API Gateway sets for a `$default` route). */
export interface HttpApiEvent {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

/** What the dev server sends back for an API request. */
export interface HttpApiResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

// Bodies API Gateway passes as text; any other content type (form posts, files, no type) arrives base64-encoded.
const TEXT_CONTENT_TYPE = /^(text\/|application\/(json|xml|javascript|[^;]*\+json|[^;]*\+xml)\b)/i;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, the format of `requestContext.time`. */
export function requestTime(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`;
}

/**
 * The payload 2.0 event API Gateway would send for this request: header names lowercased and repeated headers
 * joined with commas, the `Cookie` header moved into `cookies`, query parameters decoded (repeated ones joined
 * with commas), binary bodies base64-encoded. `host` is the local host: the app sees the URL the browser uses,
 * as it sees the public host behind CloudFront.
 */
export function toHttpApiEvent(req: IncomingMessage, body: Buffer, now: Date = new Date()): HttpApiEvent {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.substring(0, q);
  const rawQueryString = q === -1 ? '' : url.substring(q + 1);

  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const value = raw[i + 1];
    if (name === 'cookie') {
      cookies = [...(cookies ?? []), ...value.split(';').map((c) => c.trim()).filter((c) => c !== '')];
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const host = headers.host ?? 'localhost';
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-port'] = String(req.socket.localPort ?? '');
  headers['x-forwarded-proto'] = 'http';
  if (body.length > 0 || 'content-length' in headers) headers['content-length'] = String(body.length);

  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString !== '') {
    queryStringParameters = {};
    for (const [k, v] of new URLSearchParams(rawQueryString)) {
      queryStringParameters[k] = k in queryStringParameters ? `${queryStringParameters[k]},${v}` : v;
    }
  }

  const requestId = crypto.randomBytes(8).toString('base64url').replace(/[-_]/g, 'A').substring(0, 14) + '=';
  const textBody = TEXT_CONTENT_TYPE.test(headers['content-type'] ?? '');
  const event: HttpApiEvent = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0].split(':')[0],
      http: {
        method: req.method ?? 'GET',
        path: safeDecode(rawPath),
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: requestTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: body.length > 0 && !textBody,
  };
  if (body.length > 0) {
    event.body = textBody ? body.toString('utf8') : body.toString('base64');
  }
  return event;
}

/**
 * The response API Gateway sends for a Lambda result of payload format 2.0: `statusCode`, `headers`, each of
 * `cookies` as its own `Set-Cookie`, and the body (base64-decoded when `isBase64Encoded`). A result without
 * `statusCode` is taken as the body of a 200 JSON response, as API Gateway does.
 */
export function fromHttpApiResult(result: unknown, requestId: string): HttpApiResponse {
  const headers: Record<string, string | string[]> = { 'apigw-requestid': requestId };
  const record = result !== null && typeof result === 'object' && !Array.isArray(result) ? result as Record<string, unknown> : undefined;
  if (!record || typeof record.statusCode !== 'number') {
    headers['content-type'] = 'application/json';
    const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { statusCode: 200, headers, body: Buffer.from(text, 'utf8') };
  }
  for (const [name, value] of Object.entries((record.headers ?? {}) as Record<string, unknown>)) {
    if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
  }
  const cookies = Array.isArray(record.cookies) ? record.cookies.map(String) : [];
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  const text = typeof record.body === 'string' ? record.body : record.body === undefined || record.body === null ? '' : JSON.stringify(record.body);
  const body = record.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { statusCode: record.statusCode, headers, body };
}

/** API Gateway's answer when the function fails (an unhandled exception, an init error, a timeout). */
export function functionErrorResponse(statusCode: 500 | 503, requestId: string): HttpApiResponse {
  const message = statusCode === 500 ? 'Internal Server Error' : 'Service Unavailable';
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'apigw-requestid': requestId },
    body: Buffer.from(JSON.stringify({ message })),
  };
}

function safeDecode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}
