import * as crypto from 'crypto';
import * as http from 'http';
import * as net from 'net';
import { functionErrorResponse, fromHttpApiResult, toHttpApiEvent } from './apigw';
import { blockedHostMessage, HostCheck } from './host-check';
import { DevError } from './process';
import { PythonApi } from './python-api';
import {
  CloudFrontRequest, DevResponse, functionResponse, loadViewerRequestFunction, noSuchKey, queryStringOf, StaticSite, VITE_INTERNAL_PATH,
  viewerRequestEvent, ViteOrigin,
} from './site';
import { proxyStreaming, StreamingApi } from './streaming';
import { securityHeaderValues } from '../distribution/security-headers';

export interface DevServerOptions {
  readonly port: number;
  readonly host: string;
  /** The API prefix, for example `/api`: `<prefix>/*` goes to the API, as the distribution's behaviour does. */
  readonly prefix: string;
  /** The site routing mode: `viewer-request-function`, `error-responses` or `none`. */
  readonly routing: string;
  /** The headers of the response headers policy; none with the user's own policy. */
  readonly responseHeaders: Record<string, string>;
  /** Exactly one of `site` and `vite`. */
  readonly site?: StaticSite;
  readonly vite?: ViteOrigin;
  readonly api: PythonApi;
  /** In streaming mode (`api.streaming`), `<prefix>/*` is proxied to uvicorn and streamed (src/dev/streaming.ts). */
  readonly streaming?: StreamingApi;
  /** Which `Host` values are answered (the DNS-rebinding guard); any other gets a 403. */
  readonly hostCheck: HostCheck;
  readonly log: (line: string) => void;
}

/** The response headers of the construct's policy for a Content-Security-Policy. */
export function responseHeadersFor(contentSecurityPolicy: string): Record<string, string> {
  return securityHeaderValues(contentSecurityPolicy);
}

/**
 * One local origin that routes as the distribution does: `<prefix>/*` to the API (a payload 2.0 event for the
 * Mangum handler), everything else through the SPA-routing CloudFront Function to the site (the built folder,
 * or the Vite dev server), with the response headers policy on every response.
 */
export class DevServer {
  private readonly server: http.Server;
  private readonly routingFunction = loadViewerRequestFunction();
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly options: DevServerOptions) {
    this.server = http.createServer((req, res) => {
      if (!options.hostCheck.allows(req.headers.host)) {
        options.log(`${req.method} ${req.url} -> 403: Host ${JSON.stringify(req.headers.host)} is not allowed (--allowed-host adds a name)`);
        req.resume();
        return this.send(res, { statusCode: 403, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from(blockedHostMessage(req.headers.host!)) });
      }
      if (options.streaming && (req.url ?? '/').split('?')[0].startsWith(`${options.prefix}/`)) {
        return void proxyStreaming(options.streaming, req, res, options.responseHeaders, options.log);
      }
      this.handle(req).then((response) => this.send(res, response), (e: Error) => {
        options.log(`error: ${e.stack ?? e.message}`);
        this.send(res, { statusCode: 500, headers: { 'content-type': 'text/plain' }, body: Buffer.from(String(e.message)) });
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      if (!options.hostCheck.allows(req.headers.host)) {
        socket.end('HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n\r\n' + blockedHostMessage(req.headers.host!));
      } else if (this.options.vite && !(req.url ?? '').startsWith(`${this.options.prefix}/`)) {
        this.options.vite.upgrade(req, socket, head);
      } else {
        socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      }
    });
  }

  /** Listens; resolves with the port (useful with port 0). A port in use is a DevError that says what to do. */
  public listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE') {
          reject(new DevError(`Port ${this.options.port} on ${this.options.host} is in use by another process. `
            + 'Stop it, or choose another port with --port <n> or the PORT environment variable (--port 0 picks a free one).'));
        } else if (e.code === 'EACCES') {
          reject(new DevError(`Port ${this.options.port} needs privileges this user does not have. Choose a port above 1023 with --port <n> or PORT.`));
        } else {
          reject(e);
        }
      });
      this.server.listen(this.options.port, this.options.host, () => resolve((this.server.address() as net.AddressInfo).port));
    });
  }

  /** Stops accepting connections and closes the open ones. */
  public close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage): Promise<DevResponse> {
    const body = await readBody(req);
    const url = req.url ?? '/';
    const pathname = url.split('?')[0];
    let response: DevResponse;
    if (pathname.startsWith(`${this.options.prefix}/`)) {
      response = await this.api(req, body);
    } else {
      response = await this.site(req, body);
    }
    if (this.options.routing === 'error-responses' && (response.statusCode === 403 || response.statusCode === 404)) {
      // the distribution's custom error responses: every 403 and 404, the API's included, become the shell with 200
      response = await this.origin(req, '/index.html', Buffer.alloc(0), 'GET');
    }
    return response;
  }

  private async api(req: http.IncomingMessage, body: Buffer): Promise<DevResponse> {
    const event = toHttpApiEvent(req, body);
    const started = Date.now();
    const invocation = await this.options.api.invoke(event);
    const requestId = event.requestContext.requestId;
    const response = invocation.error !== undefined ? functionErrorResponse(500, requestId) : fromHttpApiResult(invocation.result, requestId);
    this.options.log(`${req.method} ${req.url} -> API ${response.statusCode} (${Date.now() - started} ms)${invocation.error !== undefined ? `: ${firstLine(invocation.error)}` : ''}`);
    return response;
  }

  private async site(req: http.IncomingMessage, body: Buffer): Promise<DevResponse> {
    const url = req.url ?? '/';
    const pathname = url.split('?')[0];
    if (this.options.vite && VITE_INTERNAL_PATH.test(pathname)) {
      // Vite's own paths (its client, pre-bundled dependencies) do not exist in a build: straight to Vite
      return this.options.vite.request(req, url, body);
    }
    let uri = pathname;
    let query = url.includes('?') ? url.substring(url.indexOf('?')) : '';
    if (this.options.routing === 'viewer-request-function') {
      const event = viewerRequestEvent(req, crypto.randomBytes(12).toString('base64url'));
      const result = this.routingFunction(event) as Record<string, unknown> | CloudFrontRequest;
      if (result && typeof result === 'object' && 'statusCode' in result) return functionResponse(result as Record<string, unknown>);
      const request = result as CloudFrontRequest;
      uri = request.uri;
      query = queryStringOf(request);
    }
    const response = await this.origin(req, uri + query, body, req.method ?? 'GET');
    if (this.options.vite && uri !== '/index.html' && !/\.html?$/i.test(uri) && /^text\/html/.test(String(response.headers['content-type'] ?? ''))) {
      // Vite's own SPA fallback answers a missing file with index.html; the bucket answers 404
      return noSuchKey(uri.replace(/^\//, ''));
    }
    return response;
  }

  private origin(req: http.IncomingMessage, pathAndQuery: string, body: Buffer, method: string): Promise<DevResponse> | DevResponse {
    if (this.options.vite) return this.options.vite.request(req, pathAndQuery, body, method);
    return this.options.site!.serve(pathAndQuery.split('?')[0], method);
  }

  private send(res: http.ServerResponse, response: DevResponse): void {
    const headers: Record<string, string | string[]> = { ...response.headers, ...this.options.responseHeaders };
    headers['content-length'] = String(response.body.length);
    res.writeHead(response.statusCode, headers);
    res.end(res.req.method === 'HEAD' ? undefined : response.body);
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function firstLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1];
}
