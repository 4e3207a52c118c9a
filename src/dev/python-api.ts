import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import { HttpApiEvent } from './apigw';
import { hasExited, killGroup, spawnGroup } from './process';

/** The dev server's Python script (src/dev/runtime, copied to lib/dev/runtime at compile). */
export const DEV_SERVER_SCRIPT = path.join(__dirname, 'runtime', 'dev_server.py');

export interface PythonApiOptions {
  /** The API project folder: first on sys.path and the working directory, as /var/task in Lambda. */
  readonly source: string;
  /** `module.attribute`, for example `app.main.handler`. */
  readonly handler: string;
  /** Returns the interpreter to run (the virtualenv's), building or refreshing the virtualenv when needed. */
  readonly python: () => Promise<string>;
  /** Variables on top of this process's environment (the function's `environment`). */
  readonly environment: Record<string, string>;
  /** The function's timeout. */
  readonly timeoutSeconds: number;
  readonly log: (line: string) => void;
}

/** The result of one invocation. */
export interface Invocation {
  /** The handler's return value. */
  readonly result?: unknown;
  /** Why there is no result: the handler raised, the import failed, the process died or timed out. */
  readonly error?: string;
}

/**
 * One long-running Python process that imports the handler once and answers events one at a time, as one Lambda
 * execution environment does. Invocations and restarts go through one queue, so a restart (after a file change)
 * waits for the request in flight and the next request waits for the new process: no request ever sees a half
 * started process.
 */
export class PythonApi {
  private queue: Promise<unknown> = Promise.resolve();
  private child?: ChildProcess;
  private lines?: readline.Interface;
  private waiting?: (message: Record<string, unknown> | undefined) => void;
  private nextId = 1;
  private stopped = false;
  /** The process's temp folder (its TMPDIR, as /tmp in Lambda): a new one per process, removed with it. */
  private tmpDir?: string;

  constructor(private readonly options: PythonApiOptions) {}

  /** Starts the process (and builds the virtualenv); resolves when the handler is imported (or failed to). */
  public start(): Promise<void> {
    return this.enqueue(() => this.spawn());
  }

  /** Invokes the handler with an event. */
  public invoke(event: HttpApiEvent): Promise<Invocation> {
    return this.enqueue(() => this.invokeNow(event));
  }

  /** Replaces the process with a new one, after the request in flight. */
  public restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.kill();
      await this.spawn();
    });
  }

  /** Stops the process for good. */
  public async stop(): Promise<void> {
    this.stopped = true;
    await this.kill();
  }

  /** The process id of the Python process, while it runs. */
  public get pid(): number | undefined {
    return this.child && !hasExited(this.child) ? this.child.pid : undefined;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async spawn(): Promise<void> {
    if (this.stopped) return;
    const python = await this.options.python();
    const started = Date.now();
    // a fresh, empty /tmp for each process, as a new Lambda execution environment has
    if (this.tmpDir) fs.rmSync(this.tmpDir, { recursive: true, force: true });
    this.tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-spa-dev-tmp-'));
    tmpDirs.add(this.tmpDir);
    const child = spawnGroup(python, ['-u', DEV_SERVER_SCRIPT, path.resolve(this.options.source), this.options.handler], {
      cwd: this.options.source,
      env: {
        ...process.env,
        ...this.options.environment,
        PYTHONUNBUFFERED: '1',
        PYTHONDONTWRITEBYTECODE: '1',
        TMPDIR: this.tmpDir,
        TEMP: this.tmpDir,
        TMP: this.tmpDir,
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.child = child;
    this.lines = readline.createInterface({ input: child.stdout! });
    this.lines.on('line', (line) => {
      let message: Record<string, unknown> | undefined;
      try {
        message = JSON.parse(line);
      } catch {
        return;
      }
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.(message);
    });
    child.once('exit', () => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.(undefined);
    });
    child.stdin!.on('error', () => undefined); // a write after the process died: reported through 'exit'
    const ready = await this.next(60_000);
    if (ready === 'timeout') {
      this.options.log(`importing ${this.options.handler} took more than 60 s; stopping it. API requests start it again`);
      await this.kill();
    } else if (ready?.ready === true) {
      this.options.log(`imported ${this.options.handler} in ${Date.now() - started} ms`);
    } else if (ready === undefined) {
      this.options.log(`the Python process exited while importing ${this.options.handler} (see above); API requests get 500 until a file changes`);
    }
  }

  private async invokeNow(event: HttpApiEvent): Promise<Invocation> {
    if (this.stopped) return { error: 'the dev server is stopping' };
    if (!this.child || hasExited(this.child)) {
      await this.spawn();
      if (!this.child || hasExited(this.child)) return { error: 'the Python process is not running' };
    }
    const id = this.nextId++;
    const timeoutMs = this.options.timeoutSeconds * 1000;
    const reply = this.next(timeoutMs);
    this.child.stdin!.write(JSON.stringify({ id, event, timeoutMs }) + '\n');
    const message = await reply;
    if (message === 'timeout') {
      this.options.log(`the handler did not answer within the function's timeout (${this.options.timeoutSeconds} s); restarting the Python process, as Lambda does`);
      await this.kill();
      return { error: `Task timed out after ${this.options.timeoutSeconds} seconds` };
    }
    if (message === undefined) return { error: 'the Python process exited' };
    if (typeof message.error === 'string') return { error: message.error };
    return { result: message.response };
  }

  /** The next protocol message, undefined when the process exits, 'timeout' after `timeoutMs`. */
  private next(timeoutMs: number): Promise<Record<string, unknown> | undefined | 'timeout'> {
    return new Promise((resolve) => {
      if (!this.child || hasExited(this.child)) return resolve(undefined);
      const timer = setTimeout(() => {
        this.waiting = undefined;
        resolve('timeout');
      }, timeoutMs);
      this.waiting = (message) => {
        clearTimeout(timer);
        resolve(message);
      };
    });
  }

  private async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.lines?.close();
    this.lines = undefined;
    if (child) {
      child.stdin?.end();
      await killGroup(child, 2000);
    }
    if (this.tmpDir) {
      fs.rmSync(this.tmpDir, { recursive: true, force: true });
      tmpDirs.delete(this.tmpDir);
      this.tmpDir = undefined;
    }
  }
}

/** The temp folders of running Python processes, removed on exit (stop() in cli.ts exits without awaiting every kill). */
const tmpDirs = new Set<string>();
process.on('exit', () => tmpDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
