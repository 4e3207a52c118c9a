/**
 * The handler attribute check (src/api/handler-check.ts, src/api/runtime/handler-check/check_handler.py): the
 * script run on real module sources with the host Python (and with Python 3.12 when pyenv has it), and the
 * construct's error, warnings and single Python run per module.
 */
import * as childProcess from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { FastApiFunction, SpaWithLambdaApi } from '../../src';
import { checkHandlerAttribute } from '../../src/api/handler-check';
import { minimalProps, newStack } from '../util';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-handler-check-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
let counter = 0;

/** A project folder with the given files (and a requirements.txt). */
function project(files: Record<string, string>): string {
  const dir = path.join(work, `p${counter++}`);
  for (const [rel, content] of Object.entries({ 'requirements.txt': '', ...files })) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

function statusOf(mainPy: string, python?: string): string {
  return checkHandlerAttribute(project({ 'app/main.py': mainPy }), 'app.main.handler', python)!.status;
}

describe('check_handler.py with the host Python', () => {
  test.each([
    ['assignment', 'handler = Mangum(app)'],
    ['annotated assignment', 'handler: Mangum = Mangum(app)'],
    ['augmented assignment', 'handler = None\nhandler += 1'],
    ['tuple target', 'app, handler = make()'],
    ['starred target', 'first, *handler = make()'],
    ['nested list target', '[a, (b, handler)] = make()'],
    ['walrus', 'if (handler := make()):\n    pass'],
    ['def', 'def handler(event, context):\n    return {}'],
    ['async def', 'async def handler(event, context):\n    return {}'],
    ['class', 'class handler:\n    pass'],
    ['import as', 'import mangum as handler'],
    ['import of a dotted module binds its first name', 'import handler.sub'],
    ['from-import', 'from app.wiring import handler'],
    ['from-import as', 'from app.wiring import make as handler'],
    ['inside if/else', 'if DEBUG:\n    handler = a\nelse:\n    handler = b'],
    ['inside try/except', 'try:\n    from x import handler\nexcept ImportError:\n    handler = None'],
    ['for target', 'for handler in []:\n    pass'],
    ['with target', 'with make() as handler:\n    pass'],
    ['match capture', 'match make():\n    case [handler]:\n        pass'],
    ['decorated def', '@decorate\ndef handler(event, context):\n    return {}'],
  ])('defined: %s', (_, source) => {
    expect(statusOf(source)).toBe('defined');
  });

  test.each([
    ['no mention', 'app = FastAPI()'],
    ['annotation without a value', 'handler: Mangum'],
    ['only inside a function', 'def make():\n    handler = Mangum(app)\n    return handler'],
    ['only inside a class', 'class Wiring:\n    handler = Mangum(app)'],
    ['only in a comment and a string', '# handler = Mangum(app)\ndoc = "handler = Mangum(app)"'],
    ['only a lambda parameter', 'f = lambda handler: handler'],
    ['a differently named handler', 'lambda_handler = Mangum(app)'],
  ])('absent: %s', (_, source) => {
    expect(statusOf(source)).toBe('absent');
  });

  test.each([
    ['module __getattr__', 'def __getattr__(name):\n    return make(name)'],
    ['star import', 'from app.wiring import *'],
    ['globals() write', 'globals()["handler"] = make()'],
    ['global in a function', 'def setup():\n    global handler\n    handler = make()\nsetup()'],
    ['sys.modules', 'import sys\nsetattr(sys.modules[__name__], "handler", make())'],
    ['exec', 'exec("handler = make()")'],
  ])('dynamic (a warning): %s', (_, source) => {
    expect(statusOf(source)).toBe('dynamic');
  });

  test('unparsable (a warning): syntax the host Python cannot parse', () => {
    expect(statusOf('def handler(:\n    pass')).toBe('unparsable');
  });

  test('a package: app/main/__init__.py is the module, and a submodule of that name could be the attribute', () => {
    const pkg = project({ 'app/__init__.py': '', 'app/main/__init__.py': 'from .wiring import handler\n', 'app/main/wiring.py': 'handler = 1\n' });
    expect(checkHandlerAttribute(pkg, 'app.main.handler')).toMatchObject({ status: 'defined', moduleFile: 'app/main/__init__.py' });
    const sub = project({ 'app/main/__init__.py': 'app = 1\n', 'app/main/handler.py': 'x = 1\n' });
    expect(checkHandlerAttribute(sub, 'app.main.handler')).toMatchObject({ status: 'dynamic', detail: 'the package has a submodule handler' });
    // the package wins over a module of the same name, as in Python's path finder
    const both = project({ 'app/main.py': 'handler = 1\n', 'app/main/__init__.py': 'app = 1\n' });
    expect(checkHandlerAttribute(both, 'app.main.handler')).toMatchObject({ status: 'absent', moduleFile: 'app/main/__init__.py' });
  });

  const pyenv = path.join(process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv'), 'versions');
  const python312 = (fs.existsSync(pyenv) ? fs.readdirSync(pyenv) : [])
    .map((version) => path.join(pyenv, version, 'bin', 'python3.12')).find((p) => fs.existsSync(p));
  (python312 ? test : test.skip)('PEP 695 `type handler = ...` (Python 3.12 syntax): unparsable for the host 3.11, defined for 3.12', () => {
    const host = childProcess.execFileSync('python3', ['-c', 'import sys; print(sys.version_info[:2] < (3, 12))']).toString().trim();
    if (host === 'True') {
      expect(statusOf('type handler = int')).toBe('unparsable');
    }
    expect(statusOf('type handler = int', python312)).toBe('defined');
  });
});

describe('the construct', () => {
  test('fails when api.handler names an attribute that app/main.py does not define', () => {
    const dir = project({ 'app/__init__.py': '', 'app/main.py': 'from fastapi import FastAPI\napp = FastAPI()\nlambda_handler = 1\n' });
    expect(() => new SpaWithLambdaApi(newStack(), 'App', minimalProps({ api: { source: dir } }))).toThrow(
      `api.handler is "app.main.handler", but app/main.py in api.source ${JSON.stringify(dir)} defines no top-level "handler" `
      + '(no assignment, def, class or import binds it), so Lambda\'s import of the handler would fail at the first request. '
      + 'Define it at the top level of app/main.py, for example `handler = Mangum(app)`, or set api.handler to the module and name of your Mangum handler.');
  });

  test('fails when FastApiFunction\'s handler names an attribute of a package that does not define it', () => {
    const dir = project({ 'app/__init__.py': '', 'app/main/__init__.py': 'app = 1\n' });
    expect(() => new FastApiFunction(newStack(), 'Fn', { source: dir, handler: 'app.main.handler' })).toThrow(
      `handler is "app.main.handler", but app/main/__init__.py in source ${JSON.stringify(dir)} defines no top-level "handler"`);
  });

  test('warns (and synthesizes) when the module could define the handler dynamically', () => {
    const dir = project({ 'app/main.py': 'def __getattr__(name):\n    return 1\n' });
    const stack = newStack();
    new SpaWithLambdaApi(stack, 'App', minimalProps({ api: { source: dir } }));
    Annotations.fromStack(stack).hasWarning('/TestStack/App/ApiFunction', Match.stringLikeRegexp(
      'handler is "app.main.handler", and app/main.py binds no top-level handler in a statement, but it could define it at import '
      + '\\(it defines a module __getattr__\\)'));
  });

  test('warns when the host Python cannot parse the module', () => {
    const dir = project({ 'app/main.py': 'handler = t"template strings are Python 3.14 syntax {1}"\n' });
    const stack = newStack();
    new FastApiFunction(stack, 'Fn', { source: dir });
    const host = childProcess.execFileSync('python3', ['-c', 'import sys; print(sys.version_info[:2] < (3, 14))']).toString().trim();
    expect(Annotations.fromStack(stack).findWarning('/TestStack/Fn', Match.stringLikeRegexp('cannot parse app/main.py')))
      .toHaveLength(host === 'True' ? 1 : 0);
  });

  test('runs Python once per module, though the facade and FastApiFunction both validate the handler', () => {
    const dir = project({ 'app/main.py': 'handler = 1\n' });
    // a python3 that logs each run, given as CDK_SPA_PYTHON (the interpreter the bundler and the check use)
    const log = path.join(work, `runs-${counter++}.log`);
    const wrapper = path.join(work, `python-${counter++}`);
    const real = childProcess.execFileSync('python3', ['-c', 'import sys; print(sys.executable)']).toString().trim();
    fs.writeFileSync(wrapper, `#!/bin/sh\necho "$@" >> ${JSON.stringify(log)}\nexec ${JSON.stringify(real)} "$@"\n`, { mode: 0o755 });
    const before = process.env.CDK_SPA_PYTHON;
    process.env.CDK_SPA_PYTHON = wrapper;
    try {
      new SpaWithLambdaApi(newStack(), 'App', minimalProps({ api: { source: dir } }));
    } finally {
      if (before === undefined) delete process.env.CDK_SPA_PYTHON; else process.env.CDK_SPA_PYTHON = before;
    }
    const runs = fs.readFileSync(log, 'utf8').trim().split('\n').filter((l) => l.includes('check_handler.py'));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toContain(path.join(dir, 'app', 'main.py'));
  });
});
