import * as fs from 'fs';
import * as path from 'path';
import { Duration, Token } from 'aws-cdk-lib';

/**
 * Collects every problem in a construct's props, so a user sees all of them in one synth,
 * then throws once. Each message names the prop, shows the value received, says what is allowed
 * and how to fix it.
 */
export class PropErrors {
  private readonly messages: string[] = [];

  public add(message: string): void {
    this.messages.push(message);
  }

  public get count(): number {
    return this.messages.length;
  }

  /** Throws one Error listing every collected problem (no-op when there is none). */
  public throwIfAny(constructName: string, id: string): void {
    if (this.messages.length === 0) {
      return;
    }
    const list = this.messages.map((m) => `- ${m}`).join('\n');
    throw new Error(`Invalid props for ${constructName} '${id}':\n${list}`);
  }
}

/** A value as shown in error messages. */
export function show(value: unknown): string {
  if (value instanceof Duration) {
    return value.toHumanString();
  }
  return JSON.stringify(value);
}

/** Lambda's hard limits and the HTTP API integration limit, used by validation and docs. */
export const LIMITS = {
  minMemoryMb: 128,
  maxMemoryMb: 10240,
  /** An HTTP API integration times out after 30 seconds; a longer Lambda timeout cannot be honoured. */
  maxApiTimeoutSeconds: 30,
};

/** Checks that a path is an existing directory. Returns true when it is. */
export function validateDirectory(errors: PropErrors, prop: string, dir: string, what: string): boolean {
  if (Token.isUnresolved(dir)) {
    return false;
  }
  if (!fs.existsSync(dir)) {
    errors.add(`${prop} is ${show(dir)}, but that path does not exist (resolved to ${show(path.resolve(dir))}). `
      + `It must be ${what}. Check the path, which is relative to the directory you run cdk from, or pass an absolute path.`);
    return false;
  }
  if (!fs.statSync(dir).isDirectory()) {
    errors.add(`${prop} is ${show(dir)}, but that is a file, not a folder. It must be ${what}.`);
    return false;
  }
  return true;
}

const VALIDATED = new WeakSet<object>();

/**
 * Marks props as validated by the caller (the facade validates every part's props at once, before it builds
 * anything), so the construct that receives them does not validate them a second time.
 */
export function markValidated<T extends object>(props: T): T {
  VALIDATED.add(props);
  return props;
}

/** Whether `markValidated` was called on these props: the construct then skips its own validation. */
export function isValidated(props: object): boolean {
  return VALIDATED.has(props);
}
