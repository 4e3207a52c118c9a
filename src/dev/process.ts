import { ChildProcess, spawn, SpawnOptions } from 'child_process';
import * as net from 'net';

/** An error the dev command reports as one clear message, without a stack trace. */
export class DevError extends Error {}

/** Every child the dev command started, so a last-resort exit handler can kill their groups. */
const running = new Set<ChildProcess>();

/**
 * Spawns a command in its own process group (`detached`), so stopping it kills everything it started
 * (npx, a shell, Vite's esbuild service) and a Ctrl-C in the terminal reaches only the dev command,
 * which then stops its children in order.
 */
export function spawnGroup(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.once('error', () => running.delete(child));
  return child;
}

/** Whether the process has exited (or never started). */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
}

/**
 * Stops a child's whole process group: SIGTERM, then SIGKILL after `graceMs`. Resolves once the child has
 * exited; the group's other processes get the same signals.
 */
export async function killGroup(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => {
    if (hasExited(child)) resolve();
    else child.once('exit', () => resolve());
  });
  signalGroup(child.pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  // the leader is gone; anything it left behind in its group gets the final word
  signalGroup(child.pid, 'SIGKILL');
  running.delete(child);
}

/** Kills every group still running, synchronously (for `process.on('exit')`). */
export function killAllGroupsNow(): void {
  for (const child of running) {
    if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
  }
  running.clear();
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
