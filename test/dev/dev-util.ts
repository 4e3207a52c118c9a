/**
 * Helpers of the dev server tests: start the real CLI (`src/dev/cli.ts` through ts-node, a child process as a user
 * runs it), wait until it is ready, make requests, and find the processes it started.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
export const CLI = path.join(ROOT, 'src', 'dev', 'cli.ts');
/** The virtualenvs of the tests, kept between runs (keyed by the dependency file, as for users). */
export const CACHE_DIR = path.join(ROOT, '.bundle-cache', 'dev-server');
/** ts-node's register hook, resolved here so the CLI can run from any folder. */
const TS_NODE = require.resolve('ts-node/register');
const WHEELHOUSE = path.join(ROOT, '.bundle-cache', 'wheelhouse');

/** A first run builds the virtualenv (pip, from the wheelhouse when there is one). */
export const START_TIMEOUT = 180_000;

export interface RunningDev {
  readonly child: ChildProcess;
  readonly port: number;
  readonly output: () => string;
  /** Sends a signal and resolves with the exit code (or signal) once the CLI has exited. */
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | string | null>;
}

/** The environment of the CLI: offline installs from the wheelhouse when it exists, ts-node without type-checking. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json') };
  delete env.PORT;
  // the wheelhouse's host wheels are python3's: the preview would otherwise pick the runtime's Python when it exists
  env.CDK_SPA_PYTHON = process.env.CDK_SPA_PYTHON || 'python3';
  Object.assign(env, extra);
  if (fs.existsSync(path.join(WHEELHOUSE, '.lists'))) {
    env.PIP_NO_INDEX = '1';
    env.PIP_FIND_LINKS = WHEELHOUSE;
  }
  return env;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
}

/** Runs the CLI to its end (for commands that fail), with a time limit. */
export function runCli(args: string[], options: CliOptions = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', TS_NODE, CLI, ...args], { cwd: options.cwd ?? ROOT, env: cliEnv(options.env) });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI did not exit within ${options.timeoutMs ?? 60_000} ms:\n${output}`));
    }, options.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Starts `cdk-spa-with-lambda-api dev <args> --port 0` and resolves once it prints its URL. */
export function startDev(args: string[], options: { cwd?: string; env?: Record<string, string>; bin?: string } = {}): Promise<RunningDev> {
  // the source through ts-node, or an installed `cdk-spa-with-lambda-api` bin
  const [command, ...prefix] = options.bin ? [options.bin] : [process.execPath, '-r', TS_NODE, CLI];
  const child = spawn(command, [...prefix, 'dev', '--port', '0', '--cache-dir', CACHE_DIR, ...args], {
    cwd: options.cwd ?? ROOT, env: cliEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const stop = async (signal: NodeJS.Signals = 'SIGINT') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const result = await exited;
    clearTimeout(timer);
    return result;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop('SIGKILL');
      reject(new Error(`the dev server was not ready within ${START_TIMEOUT} ms:\n${output}`));
    }, START_TIMEOUT - 5_000);
    const onData = (d: Buffer) => {
      output += d;
      const m = /ready on http:\/\/localhost:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), output: () => output, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the dev server exited (${code}) before it was ready:\n${output}`));
    });
  });
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: Buffer | string;
}

/** One HTTP request to the dev server. */
export function request(port: number, pathAndQuery: string, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathAndQuery, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer to ${pathAndQuery} within 30 s`)));
    req.end(options.body);
  });
}

/** Every process below `pid` (children, grandchildren, ...), from /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.substring(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const result: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      result.push(child);
      queue.push(child);
    }
  }
  return result;
}

/** Whether a process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.substring(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The command line of a process, for messages. */
export function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '(gone)';
  }
}

/** Polls `fn` until it returns true, at most `timeoutMs`. */
export async function eventually(fn: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A temporary copy of a folder (without caches), removed after the test file. */
export function tmpCopy(dir: string, prefix: string): string {
  const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), prefix)), path.basename(dir));
  tmpDirs.push(path.dirname(target));
  fs.cpSync(dir, target, { recursive: true, filter: (src) => !/(^|[\\/])(__pycache__|\.pytest_cache)([\\/]|$)/.test(src) });
  return target;
}
