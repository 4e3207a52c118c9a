import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** What the host Python's `ast` says about the handler attribute in its module. */
export interface HandlerAttributeCheck {
  /**
   * `defined`: a top-level statement binds it; `absent`: nothing can (an error); `dynamic`: the module could bind it
   * at import in a way a static reading cannot follow; `unparsable`: the host Python cannot parse the module;
   * `unchecked`: no Python to run the check with.
   */
  readonly status: 'defined' | 'absent' | 'dynamic' | 'unparsable' | 'unchecked';
  /** Why, for `dynamic`, `unparsable` and `unchecked`. */
  readonly detail: string;
  /** The module file, relative to the source folder, forward slashes (`app/main.py`, `app/main/__init__.py`). */
  readonly moduleFile: string;
  /** The attribute (`handler`). */
  readonly attribute: string;
  /** The version of the Python that checked, when one ran. */
  readonly python?: string;
}

const SCRIPT = path.join(__dirname, 'runtime', 'handler-check', 'check_handler.py');
const cache = new Map<string, HandlerAttributeCheck>();

/**
 * The module file Python imports for `module.attr` in `source`: the package (`app/main/__init__.py`) wins over the
 * module (`app/main.py`), as Python's path finder checks for a package first. Undefined when neither exists.
 */
export function handlerModuleFile(source: string, handler: string): string | undefined {
  const modulePath = handler.split('.').slice(0, -1).join('/');
  return [`${modulePath}/__init__.py`, `${modulePath}.py`].find((c) => fs.existsSync(path.join(source, ...c.split('/'))));
}

/**
 * Reads the handler's module with the host Python's `ast` (one `python3` process per module file and content,
 * cached: the facade's validation and FastApiFunction's share it) and says whether the attribute is defined.
 *
 * @param python the interpreter: the bundling `python` option, `CDK_SPA_PYTHON` or `python3`, as the bundler
 */
export function checkHandlerAttribute(source: string, handler: string, python?: string): HandlerAttributeCheck | undefined {
  const moduleFile = handlerModuleFile(source, handler);
  if (moduleFile === undefined) {
    return undefined;
  }
  const attribute = handler.substring(handler.lastIndexOf('.') + 1);
  const file = path.resolve(source, ...moduleFile.split('/'));
  const interpreter = python ?? process.env.CDK_SPA_PYTHON ?? 'python3';
  const stat = fs.statSync(file);
  const key = [file, stat.mtimeMs, stat.size, attribute, interpreter].join('\0');
  const cached = cache.get(key);
  if (cached) {
    return cached;
  }
  const packageDir = moduleFile.endsWith('/__init__.py') ? path.dirname(file) : undefined;
  const result = spawnSync(interpreter, ['-I', '-B', SCRIPT, file, attribute, ...packageDir ? [packageDir] : []], {
    encoding: 'utf8', timeout: 60_000,
  });
  let check: HandlerAttributeCheck;
  try {
    if (result.error || result.status !== 0) {
      throw new Error(result.error ? result.error.message : `exit ${result.status}: ${result.stderr.trim().split('\n').pop()}`);
    }
    const answer = JSON.parse(result.stdout) as { status: HandlerAttributeCheck['status']; detail: string; python: string };
    check = { status: answer.status, detail: answer.detail, python: answer.python, moduleFile, attribute };
  } catch (e) {
    check = { status: 'unchecked', detail: `${interpreter} could not run the check (${(e as Error).message})`, moduleFile, attribute };
  }
  cache.set(key, check);
  return check;
}

/** The warning for a handler that the check could not confirm, or undefined when there is nothing to say. */
export function handlerWarning(check: HandlerAttributeCheck | undefined, prop: string, handler: string): string | undefined {
  if (check === undefined) {
    return undefined;
  }
  const what = `${prop} is "${handler}", and ${check.moduleFile} binds no top-level ${check.attribute} in a statement`;
  switch (check.status) {
    case 'dynamic':
      return `${what}, but it could define it at import (${check.detail}). If the first request fails with "Unable to import module" or `
        + `"Handler '${check.attribute}' missing", define \`${check.attribute} = Mangum(app)\` at the top level of ${check.moduleFile}.`;
    case 'unparsable':
      return `${prop} is "${handler}", but Python ${check.python} on this machine cannot parse ${check.moduleFile} (${check.detail}), `
        + `so the construct could not check that it defines ${check.attribute}. This is expected when the module uses syntax of a newer `
        + 'Python than the host\'s; set CDK_SPA_PYTHON to an interpreter of the runtime\'s version to check it.';
    case 'unchecked':
      return `${prop} is "${handler}", but the construct could not check that ${check.moduleFile} defines ${check.attribute}: ${check.detail}.`;
    default:
      return undefined;
  }
}
