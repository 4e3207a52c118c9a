import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import * as vm from 'vm';
import { listFiles } from '../private/files';
import { evaluateFunction, routeTable, routingFunctionCode } from '../routing/route-table';
import { contentTypeOf } from '../site/content-types';
import { hashedClassifier } from '../site/site-deployment';

/** The SPA-routing CloudFront Function that the distribution runs, the same file. */
export const SPA_ROUTING_FUNCTION = path.join(__dirname, '..', 'routing', 'runtime', 'spa-routing.js');

/** How the site's routing function is built, as the construct builds it (see `routingData`). */
export interface SiteRoutingOptions {
  /** The API prefix, for example `/api`: its paths never enter the route table. */
  readonly apiPrefix: string;
  /** Whether prerendered pages are routed from the folder's file list. */
  readonly prerenderedRoutes: boolean;
  /** The static site's not-found page, served with status 404 for unknown paths. */
  readonly notFoundPage?: string;
}

/**
 * The routing function of the built folder being served, when there is one: `loadViewerRequestFunction()` without
 * a file runs it. The dev command serves one folder per process; the last `StaticSite` made with routing options
 * is the one (the dev server loads its routing function after the site is made).
 */
let servedSite: StaticSite | undefined;

/** How long the served folder's route table is trusted before the folder is listed again. */
const RELIST_AFTER_MS = 500;

/** A response the dev server sends, fully buffered. */
export interface DevResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** A CloudFront Functions viewer-request request object (the fields the function may read and change). */
export interface CloudFrontRequest {
  method: string;
  uri: string;
  querystring: Record<string, { value: string; multiValue?: Array<{ value: string }> }>;
  headers: Record<string, { value: string; multiValue?: Array<{ value: string }> }>;
  cookies: Record<string, { value: string; multiValue?: Array<{ value: string }> }>;
}

/** A CloudFront Functions viewer-request event. */
export interface ViewerRequestEvent {
  readonly version: string;
  readonly context: object;
  readonly viewer: object;
  readonly request: CloudFrontRequest;
}

type ViewerRequestHandler = (event: unknown) => unknown;

/**
 * Loads the CloudFront Function's `handler` in a fresh context, as the runtime evaluates the code. Without a file:
 * the code the construct deploys for the folder being served (its route table, read again when the folder
 * changes), or the SPA rule alone when no folder is served (Vite).
 */
export function loadViewerRequestFunction(file?: string): ViewerRequestHandler {
  if (file !== undefined) {
    return vm.runInNewContext(`${fs.readFileSync(file, 'utf8')}\n;handler`, {}, { filename: file });
  }
  const site = servedSite;
  if (site) return (event) => site.routingFunction()(event);
  return evaluateFunction(routingFunctionCode({}));
}

/**
 * The viewer-request event CloudFront builds for a request (cloudfront-js-2.0): header names lowercased,
 * repeated headers and query parameters in `multiValue`, cookies parsed, `uri` and query values as received.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html
 */
export function viewerRequestEvent(req: http.IncomingMessage, requestId: string): ViewerRequestEvent {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const uri = q === -1 ? url : url.substring(0, q);
  const querystring: CloudFrontRequest['querystring'] = {};
  if (q !== -1) {
    for (const pair of url.substring(q + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      addValue(querystring, eq === -1 ? pair : pair.substring(0, eq), eq === -1 ? '' : pair.substring(eq + 1));
    }
  }
  const headers: CloudFrontRequest['headers'] = {};
  const cookies: CloudFrontRequest['cookies'] = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    const value = req.rawHeaders[i + 1];
    if (name === 'cookie') {
      for (const c of value.split(';')) {
        const eq = c.indexOf('=');
        if (c.trim() !== '') addValue(cookies, (eq === -1 ? c : c.substring(0, eq)).trim(), eq === -1 ? '' : c.substring(eq + 1).trim());
      }
    } else {
      addValue(headers, name, value);
    }
  }
  return {
    version: '1.0',
    context: { distributionDomainName: req.headers.host ?? 'localhost', distributionId: 'LOCALDEV', eventType: 'viewer-request', requestId },
    viewer: { ip: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '') },
    request: { method: req.method ?? 'GET', uri, querystring, headers, cookies },
  };
}

function addValue(map: Record<string, { value: string; multiValue?: Array<{ value: string }> }>, name: string, value: string): void {
  const existing = map[name];
  if (!existing) {
    map[name] = { value };
  } else {
    existing.multiValue = [...(existing.multiValue ?? [{ value: existing.value }]), { value }];
  }
}

/** The query string of a (possibly changed) CloudFront request object, for the origin request. */
export function queryStringOf(request: CloudFrontRequest): string {
  const parts: string[] = [];
  for (const [name, entry] of Object.entries(request.querystring ?? {})) {
    for (const { value } of entry.multiValue ?? [{ value: entry.value }]) parts.push(value === '' ? name : `${name}=${value}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** A response a CloudFront Function returned instead of a request (it has a `statusCode`). */
export function functionResponse(result: Record<string, unknown>): DevResponse {
  const headers: Record<string, string> = {};
  for (const [name, entry] of Object.entries((result.headers ?? {}) as Record<string, { value: string }>)) headers[name] = entry.value;
  const body = result.body as string | { data: string; encoding: string } | undefined;
  const data = typeof body === 'string' ? Buffer.from(body) : body ? Buffer.from(body.data, body.encoding === 'base64' ? 'base64' : 'utf8') : Buffer.alloc(0);
  return { statusCode: Number(result.statusCode), headers, body: data };
}


/**
 * The site bucket, read from the built folder on every request (so a `vite build --watch` shows at once):
 * an object's key is the decoded URI without its leading `/`; a key that is not a file is S3's 404
 * `NoSuchKey` (the distribution's origin access has LIST, so S3 answers 404, not 403). Content types and
 * `Cache-Control` are those of the site deployment: hashed files `immutable`, the others `no-cache`.
 */
export class StaticSite {
  private readonly root: string;
  private readonly isHashed: (file: string) => boolean;
  private readonly routing?: SiteRoutingOptions;
  private built?: { readonly stamp: string; readonly at: number; readonly handler: ViewerRequestHandler };

  /**
   * @param hashedAssetGlobs `site.hashedAssetGlobs`; unset, hashed files are told by their names, as the upload does
   * @param routing the routing function's options; with them, `loadViewerRequestFunction()` runs this folder's function
   */
  constructor(root: string, hashedAssetGlobs?: string[], routing?: SiteRoutingOptions) {
    this.root = path.resolve(root);
    this.isHashed = hashedClassifier(hashedAssetGlobs);
    this.routing = routing;
    if (routing) servedSite = this;
  }

  /**
   * The routing function the construct would deploy for the folder as it is now: the same code with the same route
   * table (`routeTable` of the folder's file list), made again when a file is added or removed.
   */
  public routingFunction(): ViewerRequestHandler {
    if (this.built && Date.now() - this.built.at < RELIST_AFTER_MS) return this.built.handler; // one listing per request burst
    const files = this.routing?.prerenderedRoutes ? listFiles(this.root, { followSymlinks: true }) : [];
    const stamp = files.join('\n');
    if (!this.built || this.built.stamp !== stamp) {
      const code = routingFunctionCode(routeTable(files, this.routing?.apiPrefix ?? '/api'), this.routing?.notFoundPage);
      this.built = { stamp, at: Date.now(), handler: evaluateFunction(code) };
    } else {
      this.built = { ...this.built, at: Date.now() };
    }
    return this.built.handler;
  }

  public serve(uri: string, method: string): DevResponse {
    if (method !== 'GET' && method !== 'HEAD') {
      // the default behaviour allows GET, HEAD and OPTIONS; S3 has no CORS configuration, so OPTIONS is refused too
      return cloudFrontError(403, 'This distribution is not configured to allow the HTTP request method that was used for this request.');
    }
    let key: string;
    try {
      key = decodeURIComponent(uri).replace(/^\//, '');
    } catch {
      key = uri.replace(/^\//, '');
    }
    const file = path.resolve(this.root, key);
    let stat: fs.Stats | undefined;
    if (key !== '' && !key.endsWith('/') && (file + path.sep).startsWith(this.root + path.sep) && !key.split('/').includes('..')) {
      try {
        stat = fs.statSync(file);
      } catch {
        stat = undefined;
      }
    }
    if (!stat?.isFile()) return noSuchKey(key);
    const body = fs.readFileSync(file);
    // the viewer-response event of the same function: the not-found page gets its 404 (a 200 otherwise)
    const statusCode = this.routing?.notFoundPage === undefined ? 200 : (this.routingFunction()({
      version: '1.0',
      context: { eventType: 'viewer-response' },
      viewer: { ip: '127.0.0.1' },
      request: { method, uri, querystring: {}, headers: {}, cookies: {} },
      response: { statusCode: 200, statusDescription: 'OK', headers: {}, cookies: {} },
    }) as { statusCode: number }).statusCode;
    return {
      statusCode,
      headers: {
        'content-type': contentTypeOf(key), // what the site deploy sets on the object
        'cache-control': this.isHashed(key) ? 'public, max-age=31536000, immutable' : 'no-cache',
        'etag': `"${crypto.createHash('md5').update(body).digest('hex')}"`,
        'last-modified': stat.mtime.toUTCString(),
      },
      body, // the server leaves it out for HEAD, after setting content-length
    };
  }
}

/** S3's answer for a key that does not exist, when the reader may list the bucket. */
export function noSuchKey(key: string): DevResponse {
  const id = crypto.randomBytes(8).toString('hex').toUpperCase();
  const body = '<?xml version="1.0" encoding="UTF-8"?>\n'
    + `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${escapeXml(key)}</Key><RequestId>${id}</RequestId><HostId>local</HostId></Error>`;
  return { statusCode: 404, headers: { 'content-type': 'application/xml' }, body: Buffer.from(body) };
}

function cloudFrontError(statusCode: number, message: string): DevResponse {
  const body = '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n<HTML><HEAD><TITLE>ERROR: The request could not be satisfied</TITLE></HEAD>'
    + `<BODY><H1>${statusCode} ERROR</H1><H2>The request could not be satisfied.</H2><HR noshade size="1px">${message}</BODY></HTML>`;
  return { statusCode, headers: { 'content-type': 'text/html' }, body: Buffer.from(body) };
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Paths of the Vite dev server itself (its client, pre-bundled deps, file system access): not part of a build. */
export const VITE_INTERNAL_PATH = /^\/(@vite\/|@id\/|@fs\/|@react-refresh|__vite|node_modules\/)/;

/**
 * The Vite dev server as the origin of the site: requests go to it with the URI the routing function chose,
 * and WebSocket upgrades (Vite's HMR) are piped through unchanged.
 */
export class ViteOrigin {
  private readonly target: URL;

  constructor(url: string) {
    this.target = new URL(url);
  }

  public request(req: http.IncomingMessage, pathAndQuery: string, body: Buffer, method = req.method): Promise<DevResponse> {
    return new Promise((resolve) => {
      const headers = { ...req.headers };
      delete headers.connection;
      const upstream = http.request({
        host: this.target.hostname, port: this.target.port, method, path: pathAndQuery, headers,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const out: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined && !['connection', 'transfer-encoding', 'keep-alive'].includes(name)) out[name] = value;
          }
          resolve({ statusCode: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
        });
        res.on('error', () => resolve(this.unreachable()));
      });
      upstream.on('error', () => resolve(this.unreachable()));
      upstream.end(body);
    });
  }

  /** Pipes a WebSocket upgrade (Vite's HMR client) to the Vite dev server. */
  public upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const upstream = net.connect(Number(this.target.port), this.target.hostname, () => {
      let raw = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) raw += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      upstream.write(raw + '\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
  }

  private unreachable(): DevResponse {
    return {
      statusCode: 502,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: Buffer.from(`The Vite dev server at ${this.target.origin} did not answer. Is it running?\n`),
    };
  }
}
