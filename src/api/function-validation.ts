import * as fs from 'fs';
import * as path from 'path';
import { Duration, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { FastApiFunctionOptions } from './fastapi-function';
import { isReservedEnvName, validateOperationsProps } from './function-operations';
import { checkHandlerAttribute } from './handler-check';
import { MAX_STREAMING_TIMEOUT_SECONDS } from './streaming-function';
import { hasDependencyFile } from '../bundling/inputs';
import { LIMITS, PropErrors, show, validateDirectory } from '../private/validation';

/** The default runtime: the newest Python runtime with aarch64 wheels for FastAPI's dependencies. */
export const DEFAULT_PYTHON_RUNTIME = lambda.Runtime.PYTHON_3_14;

/** FastApiFunction options with every default applied. */
export function resolveFunctionProps(props: FastApiFunctionOptions): FunctionPropsToValidate {
  return {
    source: props.source,
    handler: props.handler ?? 'app.main.handler',
    runtime: props.runtime ?? DEFAULT_PYTHON_RUNTIME,
    timeout: props.timeout ?? (props.streaming ? DEFAULT_STREAMING_TIMEOUT : Duration.seconds(15)),
    memorySize: props.memorySize ?? 256,
    environment: props.environment ?? {},
    python: props.bundling?.python,
    streaming: props.streaming === true,
  };
}

/** The function timeout in streaming mode unless `timeout` says otherwise: room for a long LLM call. */
export const DEFAULT_STREAMING_TIMEOUT = Duration.minutes(5);

/**
 * Validates the options a FastAPI function has wherever it is built: the project folder, the function
 * settings, secrets, VPC, SnapStart and concurrency.
 * @param prefix the prop path shown in messages, `api.` in the facade, empty in FastApiFunction
 */
export function validateFunctionOptions(errors: PropErrors, options: FastApiFunctionOptions, prefix: string): void {
  const resolved = resolveFunctionProps(options);
  validateFunctionProps(errors, resolved, prefix);
  validateOperationsProps(errors, options, resolved.runtime, prefix);
}

const PY_IDENT = '[A-Za-z_][A-Za-z0-9_]*';
const HANDLER_RE = new RegExp(`^${PY_IDENT}(\\.${PY_IDENT})*\\.${PY_IDENT}$`);

/** The settings of a Python API function, with every default applied, as validation checks them. */
export interface FunctionPropsToValidate {
  readonly source: string;
  readonly handler: string;
  readonly runtime: lambda.Runtime;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: { [key: string]: string };
  /** The interpreter of the handler check (the bundling `python` option). */
  readonly python?: string;
  /** Streaming mode: a Function URL honours timeouts up to 15 minutes. */
  readonly streaming?: boolean;
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
    if (p.streaming && seconds > MAX_STREAMING_TIMEOUT_SECONDS) {
      errors.add(`${prefix}timeout is ${show(p.timeout)}, but Lambda runs a function for at most 15 minutes. `
        + 'Use a timeout of at most Duration.minutes(15) (move longer work to a queue or Step Functions).');
    } else if (!p.streaming && seconds > LIMITS.maxApiTimeoutSeconds) {
      errors.add(`${prefix}timeout is ${show(p.timeout)}, but an HTTP API integration times out after 30 seconds. `
        + `Use a timeout of at most 30 seconds, or set ${prefix}streaming to true (a Function URL behind CloudFront, up to 15 minutes; `
        + 'see docs/streaming.md), or move longer work to a queue or Step Functions.');
    } else if (seconds < 1) {
      errors.add(`${prefix}timeout is ${show(p.timeout)}, but Lambda timeouts are whole seconds from 1 to ${p.streaming ? 900 : 30} here. `
        + 'Use at least Duration.seconds(1).');
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
