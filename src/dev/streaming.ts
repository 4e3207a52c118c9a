import { ChildProcess } from 'child_process';
import * as crypto from 'crypto';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { freePort, hasExited, killGroup, spawnGroup } from './process';
import { PythonApiOptions } from './python-api';
import { STREAMING_EXEC_WRAPPER } from '../api/streaming-runtime';

/** The origin-verify layer as shipped (src/api/runtime, copied to lib/api/runtime at compile). */
const LAYER_DIR = path.join(__dirname, '..', 'api', 'runtime', 'origin-verify-layer');
/** The layer's exec wrapper, the one Lambda runs (`/opt/cdk-spa-streaming/bootstrap` there). */
export const STREAMING_WRAPPER = path.join(LAYER_DIR, path.relative('/opt', STREAMING_EXEC_WRAPPER));

/**
 * The same options as the Mangum path's `PythonApi`: here `handler` is a Mangum instance (unwrapped to its app) or the
 * ASGI app, the interpreter must have uvicorn, and a response still streaming at the timeout is cut, as Lambda cuts it.
 */
export type StreamingApiOptions = PythonApiOptions;

/**
 * The API in streaming mode (`api.streaming`), locally: uvicorn started by the layer's own exec wrapper on
 * `cdk_spa_streaming:app` (the app imported before it listens; origin verification off, as no CloudFront is in front),
 * and each `<prefix>/*` request proxied to it over HTTP as the Lambda Web Adapter does, the response streamed back
 * chunk by chunk as uvicorn sends it. Same lifecycle as PythonApi: start, restart after a file change, stop.
 */
export class StreamingApi {
  private child?: ChildProcess;
  private port?: number;
  private starting?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: StreamingApiOptions) {}

  /** Starts uvicorn (and builds the virtualenv); resolves when it accepts connections, or has exited. */
  public start(): Promise<void> {
    this.starting = this.spawn();
    return this.starting;
  }

  /** Replaces uvicorn with a new process (requests in flight are cut, as a redeploy cuts them). */
  public async restart(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.kill();
    await this.start();
  }

  /** Stops uvicorn for good. */
  public async stop(): Promise<void> {
    this.stopped = true;
    await this.kill();
  }

  /** The process id of the wrapper (uvicorn, after its exec), while it runs. */
  public get pid(): number | undefined {
    return this.child && !hasExited(this.child) ? this.child.pid : undefined;
  }

  /**
   * Proxies one request to uvicorn and streams the response to `res`, with `extraHeaders` (the response headers
   * policy) added. The request carries the headers LWA adds: `x-amzn-request-context` and `x-amzn-lambda-context`.
   */
  public async proxy(req: http.IncomingMessage, res: http.ServerResponse, extraHeaders: Record<string, string>): Promise<number> {
    await this.starting?.catch(() => undefined);
    if (!this.stopped && (!this.child || hasExited(this.child))) await this.start();
    if (this.port === undefined || !this.child || hasExited(this.child)) {
      return this.fail(res, 502, 'the API process is not running (its output is above); it restarts when a file changes');
    }
    const requestId = crypto.randomUUID();
    const headers: http.OutgoingHttpHeaders = {
      ...withoutHopByHop(req.headers),
      'x-amzn-request-context': JSON.stringify({ requestId, stage: '$default', http: { method: req.method, path: (req.url ?? '/').split('?')[0] } }),
      'x-amzn-lambda-context': JSON.stringify({ request_id: requestId, deadline: Date.now() + this.options.timeoutSeconds * 1000 }),
    };
    return new Promise<number>((resolve) => {
      const upstream = http.request({ host: '127.0.0.1', port: this.port, method: req.method, path: req.url, headers }, (answer) => {
        const status = answer.statusCode ?? 502;
        res.writeHead(status, { ...withoutHopByHop(answer.headers), ...extraHeaders });
        res.flushHeaders();
        answer.on('data', (chunk: Buffer) => res.write(chunk)); // each chunk as uvicorn sends it, not buffered
        answer.on('end', () => {
          clearTimeout(timer);
          res.end();
          resolve(status);
        });
        answer.on('error', () => res.destroy());
      });
      const timer = setTimeout(() => {
        this.options.log(`a response ran past the function's timeout (${this.options.timeoutSeconds} s) and was cut, as Lambda cuts it`);
        upstream.destroy();
        res.destroy();
        resolve(504);
      }, this.options.timeoutSeconds * 1000);
      upstream.on('error', (e) => {
        clearTimeout(timer);
        resolve(res.headersSent ? (res.destroy(), 502) : this.fail(res, 502, `the API did not answer: ${e.message}`));
      });
      res.on('close', () => upstream.destroy()); // the browser went away: stop the app's generator too
      req.pipe(upstream);
    });
  }

  private fail(res: http.ServerResponse, status: number, message: string): number {
    const body = JSON.stringify({ message: 'Internal Server Error', detail: message });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
    return status;
  }

  private async spawn(): Promise<void> {
    if (this.stopped) return;
    const python = await this.options.python();
    const port = await freePort();
    const started = Date.now();
    // the exec wrapper runs `python3` from PATH: the virtualenv's, first. A small shell stays in front of it and
    // stops uvicorn when its stdin closes, so uvicorn never outlives the dev command, even one killed with SIGKILL.
    const child = spawnGroup('/bin/sh', ['-c', WATCHDOG, STREAMING_WRAPPER], {
      cwd: this.options.source,
      env: {
        ...process.env,
        ...this.options.environment,
        PATH: `${path.dirname(python)}${path.delimiter}${process.env.PATH ?? ''}`,
        LAMBDA_TASK_ROOT: path.resolve(this.options.source),
        AWS_LWA_PORT: String(port),
        CDK_SPA_ORIGIN_VERIFY_HANDLER: this.options.handler,
        PYTHONUNBUFFERED: '1',
        PYTHONDONTWRITEBYTECODE: '1',
      },
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    child.stdin!.on('error', () => undefined);
    this.child = child;
    this.port = port;
    // ready when it accepts connections (uvicorn listens once the app is imported), as LWA's TCP readiness check
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (hasExited(child)) {
        this.options.log(`the API process exited while starting ${this.options.handler} (see above); API requests get 502 until a file changes`);
        return;
      }
      if (await accepts(port)) {
        this.options.log(`started uvicorn on ${this.options.handler} (streaming mode) in ${Date.now() - started} ms`);
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    this.options.log('uvicorn did not accept connections within 60 s; stopping it. A file change starts it again');
    await this.kill();
  }

  private async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.port = undefined;
    if (child) await killGroup(child, 2000);
  }
}

/** Runs `$0` (the wrapper) in the background; exits with it, and stops it when stdin reaches its end. */
const WATCHDOG = 'exec 3<&0; "$0" & app=$!; (read -r _ <&3; kill "$app" 2>/dev/null) & wait "$app"';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']);

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}


/** Whether the app's dev facts ask for streaming mode (`api.streaming`, recorded by the construct as `api.streaming`). */
export function streamingFromFacts(api: unknown): boolean {
  return typeof api === 'object' && api !== null && (api as { streaming?: unknown }).streaming === true;
}

/** The dev server's hook: one `<prefix>/*` request through the streaming API, logged as the buffered path logs. */
export async function proxyStreaming(api: StreamingApi, req: http.IncomingMessage, res: http.ServerResponse,
  responseHeaders: Record<string, string>, log: (line: string) => void): Promise<void> {
  const started = Date.now();
  const status = await api.proxy(req, res, responseHeaders).catch((e: Error) => {
    log(`error: ${e.stack ?? e.message}`);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end();
    return 500;
  });
  log(`${req.method} ${req.url} -> API ${status} (${Date.now() - started} ms, streamed)`);
}
