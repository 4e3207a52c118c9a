import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  copyFixture, errorMessage, EXAMPLE_BACKEND, FIXTURES, findPoetry, findUv, hostPython, INSTALL_TIMEOUT, listFiles, PYTHON, skippedAssetHash,
  synthBundle, tmpDir, useWheelhouseAndFreshCache, withEnv,
} from './python-bundling-util';
import { PythonInstaller } from '../../src';
import { elfMachine } from '../../src/bundling/postprocess';
import { lastPythonBundleReport } from '../../src/bundling/python-bundling';

const UV = findUv();
const uvTest = UV ? test : test.skip;
const POETRY = findPoetry();
const poetryTest = POETRY ? test : test.skip;
const WORKSPACE = path.join(FIXTURES, 'python-uv-workspace');
const WORKSPACE_API = path.join(WORKSPACE, 'packages', 'api');

beforeAll(() => {
  useWheelhouseAndFreshCache();
  if (UV) process.env.CDK_SPA_UV = UV;
});

/** Runs the bundled handler with the host interpreter (pure-Python fixtures only) and returns what it returned. */
function invoke(bundle: string): unknown {
  const result = spawnSync(PYTHON, ['-S', '-s', '-c', [
    'import json, sys',
    `sys.path[:0] = [${JSON.stringify(bundle)}]`,
    'from app.main import handler',
    'print(json.dumps(handler({}, None)))',
  ].join('\n')], { encoding: 'utf8', env: { PATH: process.env.PATH, PYTHONDONTWRITEBYTECODE: '1' } });
  expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0 });
  return JSON.parse(result.stdout);
}

describe('pyproject.toml + uv.lock', () => {
  uvTest('installs the locked versions with uv', () => {
    const { bundle, messages } = synthBundle({ entry: path.join(FIXTURES, 'python-uv-project'), installer: PythonInstaller.UV });
    expect(lastPythonBundleReport()).toMatchObject({ installer: 'uv', dependencies: 'uv.lock' });
    expect(lastPythonBundleReport()?.installArgs).toEqual(expect.arrayContaining(['--python-platform', 'aarch64-manylinux_2_34', '--python-version', '3.14']));
    expect(listFiles(bundle)).toEqual(expect.arrayContaining(['app/main.py', 'six.py', 'idna/__init__.py', 'pyproject.toml', 'uv.lock']));
    expect(invoke(bundle)).toEqual({ six: '1.17.0', idna: '3.21' });
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/ files; dependencies from uv\.lock; /)]));
  }, INSTALL_TIMEOUT);

  test('the lock is part of the asset hash', () => {
    const dir = copyFixture('python-uv-project');
    const hash = skippedAssetHash({ entry: dir });
    fs.appendFileSync(path.join(dir, 'uv.lock'), '\n');
    expect(skippedAssetHash({ entry: dir })).not.toBe(hash);
  });

  test('fails when uv is missing to export the lock, and cannot be installed', () => {
    // no index and an empty wheelhouse: the bundler cannot install uv into its cache either
    const message = withEnv({ CDK_SPA_UV: '', PATH: '/usr/bin:/bin', PIP_NO_INDEX: '1', PIP_FIND_LINKS: tmpDir('py-empty-wheelhouse-') }, () =>
      errorMessage(() => synthBundle({ entry: path.join(FIXTURES, 'python-uv-project'), installer: PythonInstaller.PIP, python: PYTHON })));
    expect(message).toContain(`Python bundling: the project is locked with ${path.join(FIXTURES, 'python-uv-project', 'uv.lock')}, and exporting that lock `
      + `needs uv, which was not found (neither the CDK_SPA_UV environment variable nor \`uv\` on PATH) and could not be installed (\`${PYTHON} -m pip install `
      + 'uv==0.13.9 --require-hashes` exited with code 1: ERROR: ');
    expect(message).toContain('). Install uv (`pip install uv`, or see '
      + 'https://docs.astral.sh/uv/), set CDK_SPA_UV to its path, or add a requirements.txt (`uv export --no-dev --no-emit-project -o requirements.txt`).');
  });
});

describe('uv workspace member (the lock is at the workspace root)', () => {
  const fileLists: string[][] = [];
  for (const installer of [PythonInstaller.UV, PythonInstaller.PIP]) {
    uvTest(`installs the member's locked dependencies and the workspace library it uses, with ${installer}`, () => {
      const { bundle } = synthBundle({ entry: WORKSPACE_API, installer });
      expect(lastPythonBundleReport()).toMatchObject({ installer, dependencies: 'uv.lock' });
      const files = listFiles(bundle);
      expect(files).toEqual(expect.arrayContaining(['app/main.py', 'shared/__init__.py', 'six.py', 'idna/__init__.py']));
      expect(files.filter((f) => f.startsWith('other') || f.startsWith('api-'))).toEqual([]);
      expect(invoke(bundle)).toEqual({ greeting: 'hello from shared', six: '1.17.0', idna: '3.21' });
      fileLists.push(files.filter((f) => !f.includes('__pycache__')).sort());
      // Nothing was built inside the workspace (packages are built from copies: no build/ or *.egg-info/ left behind).
      expect(listFiles(path.join(WORKSPACE, 'packages', 'shared')).sort()).toEqual(['pyproject.toml', 'src/shared/__init__.py']);
      if (fileLists.length === 2) {
        // pip and uv give the same files (installer records, uv's .lock and console scripts are removed).
        expect(fileLists[1]).toEqual(fileLists[0]);
      }
    }, INSTALL_TIMEOUT);
  }

  test('the asset hash covers the workspace lock and the libraries the member uses, not the other members', () => {
    const root = copyFixture('python-uv-workspace');
    const api = path.join(root, 'packages', 'api');
    const hash = skippedAssetHash({ entry: api });
    expect(skippedAssetHash({ entry: WORKSPACE_API })).toBe(hash);

    fs.writeFileSync(path.join(root, 'packages', 'other', 'README.md'), 'not used by api\n');
    expect(skippedAssetHash({ entry: api })).toBe(hash);

    fs.appendFileSync(path.join(root, 'packages', 'shared', 'src', 'shared', '__init__.py'), '\n# changed\n');
    const changedLibrary = skippedAssetHash({ entry: api });
    expect(changedLibrary).not.toBe(hash);

    fs.appendFileSync(path.join(root, 'uv.lock'), '\n');
    expect(skippedAssetHash({ entry: api })).not.toBe(changedLibrary);
  });
});

describe('requirements.txt', () => {
  test('hash-pinned requirements install, and a wrong hash fails', () => {
    const { bundle } = synthBundle({ entry: path.join(FIXTURES, 'python-hashed-requirements'), installer: PythonInstaller.PIP });
    expect(invoke(bundle)).toEqual({ six: '1.17.0', idna: '3.21' });

    const tampered = copyFixture('python-hashed-requirements');
    const file = path.join(tampered, 'requirements.txt');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/sha256:4721f391/, 'sha256:00000000'));
    const message = errorMessage(() => synthBundle({ entry: tampered, installer: PythonInstaller.PIP }));
    expect(message).toContain(`Python bundling: the requirements in ${file} do not resolve: a downloaded file does not match its --hash in the requirements`);
  }, INSTALL_TIMEOUT);

  test('a pure-Python package published only as an sdist is built into a wheel locally (pip)', () => {
    const { bundle } = synthBundle({ entry: path.join(FIXTURES, 'python-sdist-dependency'), installer: PythonInstaller.PIP });
    expect(lastPythonBundleReport()?.builtLocally).toEqual(['docopt==0.6.2']);
    expect(listFiles(bundle)).toEqual(expect.arrayContaining(['docopt.py', 'six.py']));
    expect(fs.readFileSync(path.join(bundle, 'docopt-0.6.2.dist-info', 'WHEEL'), 'utf8')).toMatch(/^Tag: py3-none-any$/m);
  }, INSTALL_TIMEOUT);

  test.each([PythonInstaller.PIP, ...(UV ? [PythonInstaller.UV] : [])])('a hash-pinned package published only as an sdist: the hash is checked against the sdist, not the wheel built from it, with %s', (installer) => {
    const { bundle } = synthBundle({ entry: path.join(FIXTURES, 'python-sdist-hashed'), installer });
    if (installer === PythonInstaller.PIP) expect(lastPythonBundleReport()?.builtLocally).toEqual(['docopt==0.6.2']);
    expect(listFiles(bundle)).toEqual(expect.arrayContaining(['docopt.py', 'six.py']));
    expect(fs.readFileSync(path.join(bundle, 'docopt-0.6.2.dist-info', 'WHEEL'), 'utf8')).toMatch(/^Tag: py3-none-any$/m);
    expect(invoke(bundle)).toEqual({ '--verbose': false });

    // and it is checked: an sdist that does not match the lock's hash is refused as a changed file
    const tampered = copyFixture('python-sdist-hashed');
    const file = path.join(tampered, 'requirements.txt');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('sha256:49b3a825', 'sha256:00000000'));
    const message = errorMessage(() => synthBundle({ entry: tampered, installer, cache: false }));
    expect(message).toContain(`Python bundling: the requirements in ${file} do not resolve: a downloaded file does not match its --hash in the requirements`);
    expect(message).toMatch(/docopt/);
  }, INSTALL_TIMEOUT);

  uvTest('a pure-Python package published only as an sdist is built into a wheel locally (uv)', () => {
    const { bundle } = synthBundle({ entry: path.join(FIXTURES, 'python-sdist-dependency'), installer: PythonInstaller.UV });
    expect(listFiles(bundle)).toEqual(expect.arrayContaining(['docopt.py', 'six.py']));
    // uv may take the wheel it built from its own cache: the wheel's metadata shows it was built from the sdist.
    const wheel = fs.readFileSync(path.join(bundle, 'docopt-0.6.2.dist-info', 'WHEEL'), 'utf8');
    expect(wheel).toMatch(/^Generator: setuptools/m);
    expect(wheel).toMatch(/^Tag: py3-none-any$/m);
  }, INSTALL_TIMEOUT);

  uvTest('a C extension with no aarch64 wheel fails with uv too, naming it', () => {
    const message = errorMessage(() => synthBundle({ entry: path.join(FIXTURES, 'python-no-wheel'), installer: PythonInstaller.UV }));
    expect(message).toContain("Python bundling: 'netifaces==0.11.0' (from ");
    expect(message).toContain('has no wheel for CPython 3.14 on linux aarch64 (manylinux_2_34 .. manylinux2014) and needs compiling: ');
    expect(message).toContain('bundle in Docker: `bundling: { dockerFallback: true }`');
  }, INSTALL_TIMEOUT);

  test('local path and git+ dependencies are built and installed, and the local path is part of the asset hash', () => {
    const work = tmpDir('py-local-deps-');
    const library = (name: string) => {
      const dir = path.join(work, name);
      fs.mkdirSync(path.join(dir, name), { recursive: true });
      fs.writeFileSync(path.join(dir, 'pyproject.toml'), `[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "${name}"\nversion = "1.0"\ndependencies = ["six==1.17.0"]\n`);
      fs.writeFileSync(path.join(dir, name, '__init__.py'), `NAME = "${name}"\n`);
      return dir;
    };
    library('locallib');
    const repo = library('gitlib');
    const git = (...args: string[]) => expect(spawnSync('git', args, { cwd: repo, encoding: 'utf8' }).status).toBe(0);
    git('init', '-q');
    git('add', '.');
    git('-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'library');
    // The project sits next to the libraries, so the local path is relative (as in a monorepo).
    const app = path.join(work, 'app');
    fs.cpSync(path.join(FIXTURES, 'python-app'), app, { recursive: true });
    fs.writeFileSync(path.join(app, 'requirements.txt'), `../locallib\ngit+file://${repo}#egg=gitlib\n`);

    const { bundle } = synthBundle({ entry: app, installer: PythonInstaller.PIP });
    expect(listFiles(bundle)).toEqual(expect.arrayContaining(['locallib/__init__.py', 'gitlib/__init__.py', 'six.py']));
    expect(listFiles(bundle).filter((f) => f.endsWith('direct_url.json'))).toEqual([]);
    expect(listFiles(path.join(work, 'locallib')).sort()).toEqual(['locallib/__init__.py', 'pyproject.toml']);

    const hash = skippedAssetHash({ entry: app });
    fs.appendFileSync(path.join(work, 'locallib', 'locallib', '__init__.py'), 'CHANGED = True\n');
    expect(skippedAssetHash({ entry: app })).not.toBe(hash);
  }, INSTALL_TIMEOUT);

  test('fails when a local path does not exist', () => {
    const entry = copyFixture('python-app');
    fs.writeFileSync(path.join(entry, 'requirements.txt'), 'six==1.17.0\n./libs/missing\n');
    expect(() => skippedAssetHash({ entry })).toThrow(
      `Python bundling: requirements.txt line 2 refers to the local path './libs/missing', which does not exist (resolved to ${path.join(entry, 'libs', 'missing')}). `
      + 'Local paths in requirements.txt are relative to the project folder.');
  });
});

describe('pyproject.toml without a lock', () => {
  test('installs [project] dependencies, with markers evaluated for the Lambda target', () => {
    const { bundle } = synthBundle({ entry: path.join(FIXTURES, 'python-pyproject'), installer: PythonInstaller.PIP });
    expect(lastPythonBundleReport()?.dependencies).toBe('pyproject.toml');
    // idna is only for python_version >= '3.12': the target is 3.14, whatever runs pip.
    expect(listFiles(bundle)).toEqual(expect.arrayContaining(['six.py', 'idna/__init__.py', 'app/main.py']));
  }, INSTALL_TIMEOUT);

  test('fails when the dependencies are dynamic', () => {
    const entry = copyFixture('python-pyproject');
    fs.writeFileSync(path.join(entry, 'pyproject.toml'), '[project]\nname = "x"\nversion = "1"\ndynamic = ["dependencies"]\n');
    expect(() => skippedAssetHash({ entry })).toThrow(
      `Python bundling: ${path.join(entry, 'pyproject.toml')} declares its dependencies as dynamic, which the bundler cannot read without building the project. `
      + 'List them in [project] dependencies, lock them with `uv lock`, or add a requirements.txt.');
  });
});

describe('poetry.lock', () => {
  const POETRY_PROJECT = path.join(FIXTURES, 'python-poetry-project');
  const installers = [PythonInstaller.PIP, ...(UV ? [PythonInstaller.UV] : [])];
  poetryTest.each(installers)('exports the lock with poetry and installs its main group, hash-checked, with %s', (installer) => {
    const { bundle, messages } = withEnv({ CDK_SPA_POETRY: POETRY }, () => synthBundle({ entry: POETRY_PROJECT, installer }));
    expect(lastPythonBundleReport()).toMatchObject({ installer, dependencies: 'poetry.lock' });
    const files = listFiles(bundle);
    expect(files).toEqual(expect.arrayContaining(['app/main.py', 'six.py', 'six-1.17.0.dist-info/METADATA']));
    // iniconfig is in the lock, in the dev group: `poetry export` leaves it out (and the offline wheelhouse has no iniconfig).
    expect(files.filter((f) => f.startsWith('iniconfig'))).toEqual([]);
    expect(invoke(bundle)).toEqual({ six: '1.17.0' });
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/ files; dependencies from poetry\.lock; /)]));
  }, INSTALL_TIMEOUT);

  poetryTest.each(installers)('a file that does not match the lock\'s hashes is refused, with %s', (installer) => {
    const entry = copyFixture('python-poetry-project');
    const lock = path.join(entry, 'poetry.lock');
    fs.writeFileSync(lock, fs.readFileSync(lock, 'utf8').replace(/sha256:[0-9a-f]{64}/g, `sha256:${'0'.repeat(64)}`));
    const message = withEnv({ CDK_SPA_POETRY: POETRY }, () => errorMessage(() => synthBundle({ entry, installer })));
    expect(message).toContain(`Python bundling: the requirements in ${lock} do not resolve: a downloaded file does not match its --hash in the requirements `
      + '(a changed or tampered file, or a hash for another file). Regenerate the hashes from the index you install from (`uv lock`, `poetry lock`, '
      + '`pip-compile --generate-hashes`), and check your index configuration (PIP_INDEX_URL / UV_INDEX_URL): a mirror that serves other files fails this check. '
      + 'Last lines of the installer\'s output:\n');
    expect(message).toMatch(installer === PythonInstaller.PIP ? /THESE PACKAGES DO NOT MATCH THE HASHES/ : /Hash mismatch for `six==1\.17\.0`/);
  }, INSTALL_TIMEOUT);

  poetryTest.each(installers)('a package published only as an sdist installs from the lock, its sdist hash checked, with %s', (installer) => {
    const { bundle } = withEnv({ CDK_SPA_POETRY: POETRY }, () => synthBundle({ entry: path.join(FIXTURES, 'python-poetry-sdist'), installer }));
    expect(lastPythonBundleReport()).toMatchObject({ installer, dependencies: 'poetry.lock' });
    if (installer === PythonInstaller.PIP) expect(lastPythonBundleReport()?.builtLocally).toEqual(['docopt==0.6.2']);
    expect(listFiles(bundle)).toEqual(expect.arrayContaining(['docopt.py', 'six.py', 'docopt-0.6.2.dist-info/METADATA']));
    expect(invoke(bundle)).toEqual({ '--verbose': false });
  }, INSTALL_TIMEOUT);

  test('the lock is part of the asset hash', () => {
    const dir = copyFixture('python-poetry-project');
    const hash = skippedAssetHash({ entry: dir });
    fs.appendFileSync(path.join(dir, 'poetry.lock'), '\n');
    expect(skippedAssetHash({ entry: dir })).not.toBe(hash);
  });

  poetryTest('a lock older than pyproject.toml fails with poetry\'s own message', () => {
    const entry = copyFixture('python-poetry-project');
    const pyproject = path.join(entry, 'pyproject.toml');
    fs.writeFileSync(pyproject, fs.readFileSync(pyproject, 'utf8').replace('six==1.17.0', 'six==1.16.0'));
    const message = withEnv({ CDK_SPA_POETRY: POETRY }, () => errorMessage(() => synthBundle({ entry, installer: PythonInstaller.PIP })));
    expect(message).toContain(`Python bundling: '${POETRY} export --no-ansi --no-interaction --format requirements.txt' (run in ${entry}) exited with code 1. `
      + `Check that ${path.join(entry, 'poetry.lock')} is up to date (\`poetry lock\`). Its output:\n`);
    expect(message).toContain('pyproject.toml changed significantly since poetry.lock was last generated. Run `poetry lock` to fix the lock file.');
  });

  test('fails when poetry is missing', () => {
    const entry = path.join(FIXTURES, 'python-poetry-project');
    const message = withEnv({ CDK_SPA_POETRY: undefined, PATH: '/usr/bin:/bin' }, () =>
      errorMessage(() => synthBundle({ entry, installer: PythonInstaller.PIP, python: PYTHON, cache: false })));
    expect(message).toContain(`Python bundling: the project is locked with ${path.join(entry, 'poetry.lock')}, and exporting that lock needs poetry, `
      + 'which was not found on PATH. Install poetry and its export plugin (`pipx install poetry && pipx inject poetry poetry-plugin-export`), '
      + 'set CDK_SPA_POETRY to its path, or add a requirements.txt (`poetry export -o requirements.txt`).');
  });
});

describe('.lambdaignore', () => {
  test('leaves out what it lists (gitignore syntax, with negation)', () => {
    const entry = copyFixture('python-app');
    fs.mkdirSync(path.join(entry, 'notebooks'));
    fs.writeFileSync(path.join(entry, 'notebooks', 'explore.ipynb'), '{}');
    fs.writeFileSync(path.join(entry, 'notebooks', 'keep.txt'), 'kept');
    fs.writeFileSync(path.join(entry, 'app', 'local_settings.py'), 'DEBUG = True\n');
    fs.writeFileSync(path.join(entry, '.lambdaignore'), '# not for Lambda\nnotebooks/*\n!notebooks/keep.txt\n**/local_settings.py\n');
    fs.writeFileSync(path.join(entry, 'requirements.txt'), '');
    const { bundle } = synthBundle({ entry });
    expect(listFiles(bundle).sort()).toEqual(['app/__init__.py', 'app/main.py', 'notebooks/keep.txt', 'requirements.txt']);
    expect(lastPythonBundleReport()?.installer).toBe('none');
  });
});

describe('installers', () => {
  const host = hostPython();
  uvTest('an x86_64 function gets x86_64 wheels by the same path (uv)', () => {
    const runtime = host.runtime ?? lambda.Runtime.PYTHON_3_14;
    const { bundle } = synthBundle({ entry: EXAMPLE_BACKEND, installer: PythonInstaller.UV, runtime, architecture: lambda.Architecture.X86_64 });
    const so = listFiles(bundle).filter((f) => f.endsWith('.so'));
    expect(so.length).toBeGreaterThan(0);
    expect(so.map((f) => elfMachine(path.join(bundle, f)))).toEqual(so.map(() => 62));
    expect(lastPythonBundleReport()?.installArgs).toEqual(expect.arrayContaining(['--python-platform', `x86_64-manylinux_2_${runtime === lambda.Runtime.PYTHON_3_14 ? 34 : 17}`]));
  }, INSTALL_TIMEOUT);

  uvTest('uv installs the example backend for ARM64 from PyPI (the one online test)', () => {
    const { bundle } = withEnv({ PIP_NO_INDEX: undefined, PIP_FIND_LINKS: undefined, UV_OFFLINE: undefined }, () =>
      synthBundle({ entry: EXAMPLE_BACKEND, installer: PythonInstaller.AUTO }));
    expect(lastPythonBundleReport()?.installer).toBe('uv');
    expect(lastPythonBundleReport()?.installArgs).not.toContain('--no-index');
    const so = listFiles(bundle).filter((f) => f.endsWith('.so'));
    expect(so).toEqual(['pydantic_core/_pydantic_core.cpython-314-aarch64-linux-gnu.so']);
    expect(elfMachine(path.join(bundle, so[0]))).toBe(183);
  }, INSTALL_TIMEOUT);
});

describe('project clutter', () => {
  /** The python-app fixture without dependencies, as `backend/` of a git repository (a `.git` folder at its root). */
  function repoWithBackend(): { repo: string; entry: string } {
    const repo = tmpDir('py-clutter-repo-');
    fs.mkdirSync(path.join(repo, '.git'));
    const entry = path.join(repo, 'backend');
    fs.cpSync(path.join(FIXTURES, 'python-app'), entry, { recursive: true });
    fs.writeFileSync(path.join(entry, 'requirements.txt'), '');
    return { repo, entry };
  }
  const write = (file: string, content = 'x\n') => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  };

  test('what the .gitignore files of the project and of the repository above it ignore is left out, and does not change the asset hash', () => {
    const { repo, entry } = repoWithBackend();
    const clean = skippedAssetHash({ entry });
    write(path.join(repo, '.gitignore'), '*.log\nlocal_assets/\n');
    write(path.join(entry, '.gitignore'), '/build/\nsecrets.json\n!keep.log\n');
    write(path.join(entry, 'app', 'static', '.gitignore'), '*.tmp\n');
    for (const f of ['debug.log', 'keep.log', 'build/out.txt', 'local_assets/cache.bin', 'app/secrets.json', 'app/static/x.tmp', 'app/static/logo.svg', 'app/b[1].py']) {
      write(path.join(entry, f));
    }
    const { bundle } = synthBundle({ entry });
    expect(listFiles(bundle).sort()).toEqual(['app/__init__.py', 'app/b[1].py', 'app/main.py', 'app/static/logo.svg', 'keep.log', 'requirements.txt']);

    // the hash sees what ships: ignored files change nothing, a shipped file changes it
    const withClutter = skippedAssetHash({ entry });
    expect(withClutter).not.toBe(clean); // keep.log, b[1].py and logo.svg ship
    fs.rmSync(path.join(entry, 'debug.log'));
    expect(skippedAssetHash({ entry })).toBe(withClutter); // ignored: the hash does not see it
    fs.rmSync(path.join(entry, 'keep.log'));
    fs.rmSync(path.join(entry, 'app', 'b[1].py'));
    fs.rmSync(path.join(entry, 'app', 'static'), { recursive: true });
    fs.rmSync(path.join(entry, '.gitignore'));
    fs.rmSync(path.join(repo, '.gitignore'));
    for (const f of ['build', 'local_assets', 'app/secrets.json']) fs.rmSync(path.join(entry, f), { recursive: true });
    expect(skippedAssetHash({ entry })).toBe(clean);
  });

  test('respectGitignore false ships what .gitignore ignores', () => {
    const { entry } = repoWithBackend();
    write(path.join(entry, '.gitignore'), 'notes.txt\n');
    write(path.join(entry, 'notes.txt'));
    expect(listFiles(synthBundle({ entry, respectGitignore: false }).bundle)).toContain('notes.txt');
    expect(listFiles(synthBundle({ entry }).bundle)).not.toContain('notes.txt');
  });

  test('Dockerfile*, .dockerignore and the preview\'s .cdk-spa-dev/ are left out by default', () => {
    const { entry } = repoWithBackend();
    for (const f of ['Dockerfile', 'Dockerfile.dev', '.dockerignore', 'deploy/Dockerfile', '.cdk-spa-dev/venv-x/pyvenv.cfg']) write(path.join(entry, f));
    expect(listFiles(synthBundle({ entry }).bundle).sort()).toEqual(['app/__init__.py', 'app/main.py', 'requirements.txt']);
  });

  test('an empty folder a local run left in the code folder does not ship (the asset hash cannot see it); one with a file ships and changes the hash', () => {
    const { entry } = repoWithBackend();
    const before = skippedAssetHash({ entry });
    fs.mkdirSync(path.join(entry, 'local_assets', 'thumbs'), { recursive: true });
    expect(skippedAssetHash({ entry })).toBe(before);
    const { bundle } = synthBundle({ entry, cache: false });
    expect(fs.existsSync(path.join(bundle, 'local_assets'))).toBe(false);
    write(path.join(entry, 'local_assets', 'thumbs', 'a.png'));
    expect(skippedAssetHash({ entry })).not.toBe(before);
    expect(listFiles(synthBundle({ entry, cache: false }).bundle)).toContain('local_assets/thumbs/a.png');
  });
});
