import * as fs from 'fs';
import * as path from 'path';
import { Duration, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { hasDependencyFile } from '../bundling/inputs';
import { checkHandlerAttribute } from '../api/handler-check';

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

/** Environment variable names Lambda reserves; a function that sets one fails to deploy. */
const RESERVED_ENV = /^(AWS_.*|_HANDLER|_X_AMZN_TRACE_ID|LAMBDA_TASK_ROOT|LAMBDA_RUNTIME_DIR|TZ)$/;
const RESERVED_ENV_ALLOWED = new Set(['AWS_LAMBDA_EXEC_WRAPPER', 'AWS_LAMBDA_LOG_LEVEL', 'AWS_LAMBDA_LOG_FORMAT']);

/** Whether Lambda reserves an environment variable name (a function that sets it fails to deploy). */
export function isReservedEnvName(name: string): boolean {
  return RESERVED_ENV.test(name) && !RESERVED_ENV_ALLOWED.has(name);
}

const PY_IDENT = '[A-Za-z_][A-Za-z0-9_]*';
const HANDLER_RE = new RegExp(`^${PY_IDENT}(\\.${PY_IDENT})*\\.${PY_IDENT}$`);

/** The props of a Python API function that both the facade and FastApiFunction validate. */
export interface FunctionPropsToValidate {
  readonly source: string;
  readonly handler: string;
  readonly runtime: lambda.Runtime;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: { [key: string]: string };
  /** The interpreter of the handler check (the bundling `python` option). */
  readonly python?: string;
}

/**
 * Validates a FastAPI project folder and the function settings.
 * @param prefix the prop path shown in messages, `api.` in the facade, empty in FastApiFunction
 */
export function validateFunctionProps(errors: PropErrors, p: FunctionPropsToValidate, prefix: string): void {
  const sourceOk = validateDirectory(errors, `${prefix}source`, p.source,
    'the folder of your FastAPI project, which holds requirements.txt or pyproject.toml and the handler module');
  if (sourceOk && !hasDependencyFile(p.source)) {
    errors.add(`${prefix}source is ${show(p.source)}, but it has neither requirements.txt nor pyproject.toml. `
      + 'The bundler installs the function\'s dependencies from one of them (with uv.lock or poetry.lock when present). '
      + 'Add a requirements.txt (it may be empty) listing fastapi and mangum, for example `pip freeze > requirements.txt` in your virtualenv.');
  }

  if (!Token.isUnresolved(p.handler)) {
    if (!HANDLER_RE.test(p.handler)) {
      errors.add(`${prefix}handler is ${show(p.handler)}, but it must be \`module.attribute\` in Python import syntax, `
        + 'for example "app.main.handler" for `handler = Mangum(app)` in app/main.py. Use dots, not slashes, and no ".py".');
    } else if (sourceOk) {
      const modulePath = p.handler.split('.').slice(0, -1).join(path.sep);
      const candidates = [`${modulePath}.py`, path.join(modulePath, '__init__.py')];
      if (!candidates.some((c) => fs.existsSync(path.join(p.source, c)))) {
        errors.add(`${prefix}handler is ${show(p.handler)}, but neither ${candidates.map((c) => show(c.split(path.sep).join('/'))).join(' nor ')} exists in `
          + `${prefix}source ${show(p.source)}. Point the handler at the module that defines it, relative to the source folder.`);
      } else {
        // the one place where the source folder and the module are known: read the module with the host Python's ast
        const check = checkHandlerAttribute(p.source, p.handler, p.python);
        if (check?.status === 'absent') {
          errors.add(`${prefix}handler is ${show(p.handler)}, but ${check.moduleFile} in ${prefix}source ${show(p.source)} defines no top-level `
            + `${show(check.attribute)} (no assignment, def, class or import binds it), so Lambda's import of the handler would fail at the `
            + `first request. Define it at the top level of ${check.moduleFile}, for example \`${check.attribute} = Mangum(app)\`, `
            + `or set ${prefix}handler to the module and name of your Mangum handler.`);
        }
      }
    }
  }

  if (p.runtime.family !== lambda.RuntimeFamily.PYTHON) {
    errors.add(`${prefix}runtime is ${show(p.runtime.name)}, but a FastAPI function needs a Python runtime. `
      + 'Use lambda.Runtime.PYTHON_3_12 or newer, or leave it unset for the default.');
  }

  if (!p.timeout.isUnresolved()) {
    const seconds = p.timeout.toMilliseconds() / 1000;
    if (seconds > LIMITS.maxApiTimeoutSeconds) {
      errors.add(`${prefix}timeout is ${show(p.timeout)}, but an HTTP API integration times out after 30 seconds. `
        + 'Use a timeout of at most 30 seconds (move longer work to a queue or Step Functions).');
    } else if (seconds < 1) {
      errors.add(`${prefix}timeout is ${show(p.timeout)}, but Lambda timeouts are whole seconds from 1 to 30 here. Use at least Duration.seconds(1).`);
    }
  }

  if (!Token.isUnresolved(p.memorySize)
    && (!Number.isInteger(p.memorySize) || p.memorySize < LIMITS.minMemoryMb || p.memorySize > LIMITS.maxMemoryMb)) {
    errors.add(`${prefix}memorySize is ${show(p.memorySize)}, but Lambda allows whole megabytes from ${LIMITS.minMemoryMb} to ${LIMITS.maxMemoryMb}. `
      + 'Use a value in that range, for example 256 or 512.');
  }

  for (const name of Object.keys(p.environment)) {
    if (isReservedEnvName(name)) {
      errors.add(`${prefix}environment sets ${show(name)}, but Lambda reserves that name and rejects the function at deploy time. `
        + 'Rename the variable (for example with your app\'s prefix).');
    }
  }
}

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
