/**
 * Synth-time checks of a Python project before anything is installed (src/bundling/project-checks.ts, wired in
 * inputs.ts and installers.ts): lockfile drift against uv.lock (static, then `uv lock --check`), the runtime
 * against requires-python, and a virtual uv workspace root given as the project. Real uv locks where uv is
 * installed (requirements-dev.txt), hand-written TOML otherwise.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { copyFixture, FIXTURES, findUv, tmpDir, useWheelhouseAndFreshCache, WHEELHOUSE, withEnv } from './python-bundling-util';
import { findDependencySource } from '../../src/bundling/inputs';
import { resolveRequirements } from '../../src/bundling/installers';
import {
  checkRuntimeAgainstRequiresPython, lambdaPythonRuntimes, normalizeSpecifier, parseRequirement, poetryConstraintToPep440, someReleaseOf,
} from '../../src/bundling/project-checks';
import { resolveTarget } from '../../src/bundling/target';

useWheelhouseAndFreshCache();
const UV = findUv();

function editToml(file: string, from: string | RegExp, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  expect(next).not.toBe(text);
  fs.writeFileSync(file, next);
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('lockfile drift (uv.lock), static', () => {
  test('fails when a dependency was added to pyproject.toml without `uv lock`, naming it and the command', () => {
    const dir = copyFixture('python-uv-project');
    editToml(path.join(dir, 'pyproject.toml'), 'dependencies = ["six==1.17.0", "idna==3.21"]', 'dependencies = ["six==1.17.0", "idna==3.21", "docopt>=0.6"]');
    expect(errorOf(() => findDependencySource(dir))).toBe(`Python bundling: ${path.join(dir, 'uv.lock')} is out of date: `
      + '"docopt>=0.6" is in pyproject.toml but not in the lock. '
      + `Run \`uv lock\` in ${dir} and commit uv.lock. The bundle installs exactly what the lock lists (uv export --frozen), `
      + 'so without a new lock these changes would not reach the function.');
  });

  test('fails when a version was changed or a dependency removed', () => {
    const dir = copyFixture('python-uv-project');
    editToml(path.join(dir, 'pyproject.toml'), 'dependencies = ["six==1.17.0", "idna==3.21"]', 'dependencies = ["six>=1.16"]');
    const message = errorOf(() => findDependencySource(dir));
    expect(message).toContain('"six>=1.16" in pyproject.toml is locked as "six==1.17.0"');
    expect(message).toContain('the lock still requires "idna==3.21", which pyproject.toml no longer lists');
  });

  test('fails when a workspace member the project depends on gained a dependency, naming the member\'s pyproject.toml', () => {
    const ws = copyFixture('python-uv-workspace');
    editToml(path.join(ws, 'packages', 'shared', 'pyproject.toml'), /dependencies = \[[^\]]*\]/, 'dependencies = ["idna==3.21", "six"]');
    expect(errorOf(() => findDependencySource(path.join(ws, 'packages', 'api'))))
      .toContain('"six" is in packages/shared/pyproject.toml but not in the lock. Run `uv lock` in ' + ws);
  });

  test('a member the project does not depend on is not its concern', () => {
    const ws = copyFixture('python-uv-workspace');
    editToml(path.join(ws, 'packages', 'other', 'pyproject.toml'), /dependencies = \[[^\]]*\]/, 'dependencies = ["six==1.17.0", "idna"]');
    expect(findDependencySource(path.join(ws, 'packages', 'api')).kind).toBe('uv.lock');
  });

  (UV ? test : test.skip)('agrees with a real `uv lock` on spellings: case, separators, spaces, extras, clause order, pre-releases, markers', () => {
    const dir = tmpDir('uv-spellings-');
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), [
      '[project]', 'name = "spellings"', 'version = "0.1.0"', 'requires-python = ">=3.11"',
      'dependencies = [',
      '  "Six >= 1.16 , < 2",',
      '  "IDNA[No_Such.Extra]==3.21 ; python_version >= \'3.8\'",',
      '  "typing_extensions>=4.0.0-RC1",',
      '  "Annotated.Types",',
      '  "anyio (>=4, !=4.0.1)",',
      ']', '',
    ].join('\n'));
    const lock = spawnSync(UV!, ['lock', '--no-index', '--find-links', WHEELHOUSE, '--no-python-downloads', '--quiet'], { cwd: dir, encoding: 'utf8' });
    expect(lock.stderr + lock.stdout).not.toMatch(/^error/im);
    expect(lock.status).toBe(0);
    expect(findDependencySource(dir).kind).toBe('uv.lock');
    // and one more requirement is drift again
    editToml(path.join(dir, 'pyproject.toml'), '"Annotated.Types",', '"Annotated.Types", "packaging>=26",');
    expect(errorOf(() => findDependencySource(dir))).toContain('"packaging>=26" is in pyproject.toml but not in the lock');
  });
});

describe('lockfile drift (uv.lock), uv lock --check', () => {
  (UV ? test : test.skip)('a change the static check does not compare (a marker) fails with uv\'s answer at bundling', () => {
    const dir = copyFixture('python-uv-project');
    editToml(path.join(dir, 'pyproject.toml'), '"idna==3.21"', '"idna==3.21; sys_platform == \'linux\'"');
    const source = findDependencySource(dir); // static: names, extras and versions unchanged
    const work = tmpDir('uv-check-');
    const message = withEnv({ CDK_SPA_UV: UV }, () => errorOf(() => resolveRequirements(source, {
      entry: dir,
      dependencyFile: source.file,
      target: resolveTarget(lambda.Runtime.PYTHON_3_12, lambda.Architecture.ARM_64),
      site: work,
      work,
      extraArgs: [],
      python: 'python3',
      uv: UV,
    }, false)));
    expect(message).toContain(`Python bundling: ${path.join(dir, 'uv.lock')} is out of date: \`uv lock --check\` says it needs to be updated. Run \`uv lock\` in ${dir}`);
  });
});

describe('runtime against requires-python', () => {
  test('fails when no release of the runtime\'s Python satisfies [project] requires-python and uv.lock', () => {
    const dir = copyFixture('python-uv-project');
    editToml(path.join(dir, 'pyproject.toml'), 'requires-python = ">=3.11"', 'requires-python = ">=3.13"');
    editToml(path.join(dir, 'uv.lock'), 'requires-python = ">=3.11"', 'requires-python = ">=3.13"');
    const source = findDependencySource(dir);
    expect(errorOf(() => checkRuntimeAgainstRequiresPython(lambda.Runtime.PYTHON_3_12, source.pythonRequirements))).toBe(
      'Python bundling: the runtime is python3.12, but the project requires Python ">=3.13" (pyproject.toml [project] requires-python) and '
      + '">=3.13" (uv.lock requires-python), which no Python 3.12 release satisfies. Use a runtime the project supports '
      + '(lambda.Runtime.PYTHON_3_13, lambda.Runtime.PYTHON_3_14), or lower requires-python if the code runs on 3.12.');
    expect(() => checkRuntimeAgainstRequiresPython(lambda.Runtime.PYTHON_3_13, source.pythonRequirements)).not.toThrow();
  });

  test('fails naming every runtime of the installed aws-cdk-lib that satisfies requires-python, read at run time', () => {
    const requirements = [{ specifier: '>=3.14,<4.0', written: '>=3.14,<4.0', where: 'pyproject.toml [project] requires-python' }];
    const before = errorOf(() => checkRuntimeAgainstRequiresPython(lambda.Runtime.PYTHON_3_12, requirements));
    expect(before).toContain('Use a runtime the project supports (lambda.Runtime.PYTHON_3_14), or lower');
    // an aws-cdk-lib with a newer runtime (2.278 has PYTHON_3_15): the message names it too, with no list to update here
    Object.defineProperty(lambda.Runtime, 'PYTHON_3_15', { value: new lambda.Runtime('python3.15', lambda.RuntimeFamily.PYTHON), configurable: true });
    try {
      expect(lambdaPythonRuntimes().map((r) => r.name).slice(-2)).toEqual(['PYTHON_3_14', 'PYTHON_3_15']);
      expect(errorOf(() => checkRuntimeAgainstRequiresPython(lambda.Runtime.PYTHON_3_12, requirements))).toBe(
        'Python bundling: the runtime is python3.12, but the project requires Python ">=3.14,<4.0" (pyproject.toml [project] requires-python), '
        + 'which no Python 3.12 release satisfies. Use a runtime the project supports (lambda.Runtime.PYTHON_3_14, lambda.Runtime.PYTHON_3_15), '
        + 'or lower requires-python if the code runs on 3.12.');
    } finally {
      delete (lambda.Runtime as unknown as Record<string, unknown>).PYTHON_3_15;
    }
    expect(errorOf(() => checkRuntimeAgainstRequiresPython(lambda.Runtime.PYTHON_3_12,
      [{ specifier: '>=3.16', written: '>=3.16', where: 'uv.lock requires-python' }])))
      .toContain('No Python runtime of the installed aws-cdk-lib satisfies it');
  });

  test('fails for poetry\'s python constraint (^3.13), converted to PEP 440', () => {
    const dir = copyFixture('python-poetry-project');
    const pyproject = path.join(dir, 'pyproject.toml');
    const text = fs.readFileSync(pyproject, 'utf8');
    fs.writeFileSync(pyproject, text.replace('requires-python = ">=3.11"', 'requires-python = ">=3.8"')
      + (text.includes('[tool.poetry.dependencies]') ? '' : '\n[tool.poetry.dependencies]\npython = "^3.13"\n'));
    const source = findDependencySource(dir);
    expect(errorOf(() => checkRuntimeAgainstRequiresPython(lambda.Runtime.PYTHON_3_12, source.pythonRequirements)))
      .toContain('the project requires Python "^3.13" (pyproject.toml [tool.poetry.dependencies] python), which no Python 3.12 release satisfies');
  });

  test('a patch-level bound is satisfied by some release of the minor version; an exclusion of the whole minor is not', () => {
    expect(someReleaseOf('3.12', '>=3.12.4')).toBe(true);
    expect(someReleaseOf('3.12', '<3.12.2')).toBe(true);
    expect(someReleaseOf('3.12', '!=3.12.*')).toBe(false);
    expect(someReleaseOf('3.12', '~=3.13.0')).toBe(false);
    expect(someReleaseOf('3.14', '>=3.10,<3.15')).toBe(true);
    expect(someReleaseOf('3.14', '>=3.10,<3.14')).toBe(false);
    expect(someReleaseOf('3.13', '==3.13.*')).toBe(true);
    expect(someReleaseOf('3.13', '')).toBe(true);
  });

  test.each([
    ['^3.11', ['>=3.11,<4']], ['~3.11', ['>=3.11,<3.12']], ['~3.11.2', ['>=3.11.2,<3.12']], ['3.11.*', ['==3.11.*']],
    ['>=3.9,<4', ['>=3.9,<4']], ['>=3.9 <4', ['>=3.9,<4']], ['*', ['']], ['^0.2.3', ['>=0.2.3,<0.3']], ['3.12', ['==3.12']],
    ['^3.9 || ^4.0', ['>=3.9,<4', '>=4.0,<5']],
  ])('poetry constraint %s is %j', (poetry, pep) => {
    expect(poetryConstraintToPep440(poetry)).toEqual(pep);
  });
});

describe('requirement parsing', () => {
  test.each([
    ['Six >= 1.16 , < 2', { name: 'six', extras: [], specifier: ['<2', '>=1.16'] }],
    ['psycopg[Binary,pool] (>=3.1)', { name: 'psycopg', extras: ['binary', 'pool'], specifier: ['>=3.1'] }],
    ['Foo_Bar.baz ==1.0-RC1 ; python_version < "3.12"', { name: 'foo-bar-baz', extras: [], specifier: ['==1.0rc1'], marker: 'python_version < "3.12"' }],
    ['shared @ file:///w/packages/shared', { name: 'shared', extras: [], specifier: [], url: 'file:///w/packages/shared' }],
    ['x==1.2.*', { name: 'x', extras: [], specifier: ['==1.2.*'] }],
  ])('%s', (text, expected) => {
    expect(parseRequirement(text)).toEqual(expect.objectContaining(expected));
  });

  test('specifiers normalize like uv writes them', () => {
    expect(normalizeSpecifier('>=0.110, <1')).toEqual(normalizeSpecifier('<1,>=0.110'));
    expect(normalizeSpecifier('~= 1.4.0')).toEqual(['~=1.4.0']);
  });
});

describe('a virtual uv workspace root given as the project', () => {
  test('fails naming the members and pointing the source at one of them', () => {
    const ws = path.join(FIXTURES, 'python-uv-workspace');
    expect(errorOf(() => findDependencySource(ws))).toBe(`Python bundling: ${ws} is the root of a uv workspace without a [project] table `
      + '(a virtual workspace root), so it is not a project that can be bundled: the Lambda function is one of its members: '
      + 'api (packages/api), other (packages/other), shared (packages/shared). Point the source (api.source) at the member that holds the '
      + `FastAPI app, for example ${JSON.stringify(path.join(ws, 'packages/api'))}; the bundler finds the workspace's uv.lock above it.`);
  });

  test('without a lock yet, the members come from [tool.uv.workspace] members', () => {
    const ws = copyFixture('python-uv-workspace');
    fs.rmSync(path.join(ws, 'uv.lock'));
    expect(errorOf(() => findDependencySource(ws))).toContain('its members: api (packages/api), other (packages/other), shared (packages/shared)');
  });
});
