import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  copyFixture, EXAMPLE_BACKEND, errorMessage, FIXTURES, hostPython, INSTALL_TIMEOUT, listFiles, PYTHON, skippedAssetHash, synthBundle,
  tmpDir, useWheelhouseAndFreshCache, withEnv,
} from './python-bundling-util';
import { FastApiFunction, PythonInstaller } from '../../src';
import { elfMachine } from '../../src/bundling/postprocess';
import { DEFAULT_PYTHON_EXCLUDES, lastPythonBundleReport, pipPlatformTags, pythonBundledCode } from '../../src/bundling/python-bundling';

const FIXTURE = path.join(FIXTURES, 'python-app');
const EVENTS = path.join(FIXTURES, 'apigw-events');
const { ARM_64, X86_64 } = lambda.Architecture;
const { PYTHON_3_11, PYTHON_3_13, PYTHON_3_14 } = lambda.Runtime;

beforeAll(() => useWheelhouseAndFreshCache());

/** A private copy of the python-app fixture, optionally with another requirements.txt. */
function appCopy(requirements?: string): string {
  const dir = copyFixture('python-app');
  if (requirements !== undefined) fs.writeFileSync(path.join(dir, 'requirements.txt'), requirements);
  return dir;
}

/** A script that fails like a broken interpreter or uv would, and records that it was called. */
function failingTool(name: string): { path: string; calls: () => number } {
  const dir = tmpDir(`py-failing-${name}-`);
  const log = path.join(dir, 'calls.log');
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\necho called >> '${log}'\necho "${name} must not run" >&2\nexit 97\n`, { mode: 0o755 });
  return { path: file, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0) };
}

describe('target platform', () => {
  test('python3.14 on ARM_64 targets Amazon Linux 2023 aarch64 wheels only', () => {
    const tags = pipPlatformTags(PYTHON_3_14, ARM_64);
    expect(tags[0]).toBe('manylinux_2_34_aarch64');
    expect(tags).toContain('manylinux_2_28_aarch64');
    expect(tags).toContain('manylinux_2_17_aarch64');
    expect(tags).toContain('manylinux2014_aarch64');
    expect(tags.filter((t) => !t.endsWith('_aarch64'))).toEqual([]);
    expect(tags).not.toContain('manylinux_2_35_aarch64');
  });

  test('python3.11 on X86_64 targets Amazon Linux 2 (glibc 2.26)', () => {
    const tags = pipPlatformTags(PYTHON_3_11, X86_64);
    expect(tags[0]).toBe('manylinux_2_26_x86_64');
    expect(tags).toContain('manylinux2014_x86_64');
    expect(tags).toContain('manylinux1_x86_64');
    expect(tags).not.toContain('manylinux_2_28_x86_64');
    expect(tags.filter((t) => !t.endsWith('_x86_64'))).toEqual([]);
  });

  test('fails when the runtime is not Python', () => {
    expect(() => pipPlatformTags(lambda.Runtime.NODEJS_22_X, ARM_64)).toThrow(
      "Python bundling needs a Python 3 Lambda runtime (e.g. lambda.Runtime.PYTHON_3_14), got 'nodejs22.x'.");
  });
});

describe('asset hash', () => {
  test('is deterministic and independent of the folder location', () => {
    const hash = skippedAssetHash({ entry: FIXTURE });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(skippedAssetHash({ entry: FIXTURE })).toBe(hash);
    expect(skippedAssetHash({ entry: appCopy() })).toBe(hash);
  });

  test('changes with the source, the requirements, the runtime, the architecture and the options', () => {
    const hash = skippedAssetHash({ entry: FIXTURE });
    const source = appCopy();
    fs.appendFileSync(path.join(source, 'app', 'main.py'), '\n# changed\n');
    const requirements = appCopy();
    fs.appendFileSync(path.join(requirements, 'requirements.txt'), 'six==1.17.0\n');
    const others = [
      skippedAssetHash({ entry: source }),
      skippedAssetHash({ entry: requirements }),
      skippedAssetHash({ entry: FIXTURE, runtime: PYTHON_3_13 }),
      skippedAssetHash({ entry: FIXTURE, architecture: X86_64 }),
      skippedAssetHash({ entry: FIXTURE, installer: PythonInstaller.PIP }),
      skippedAssetHash({ entry: FIXTURE, precompile: false }),
      skippedAssetHash({ entry: FIXTURE, extraInstallArgs: ['--prefer-binary'] }),
    ];
    expect(new Set([hash, ...others]).size).toBe(others.length + 1);
  });

  test('ignores excluded files, .lambdaignore patterns and the machine (tools, index URLs and their credentials)', () => {
    const hash = skippedAssetHash({ entry: FIXTURE });
    const dir = appCopy();
    fs.writeFileSync(path.join(dir, 'tests', 'test_more.py'), 'def test_more():\n    pass\n');
    fs.writeFileSync(path.join(dir, '.env.local'), 'SECRET=something-else\n');
    fs.mkdirSync(path.join(dir, '.mypy_cache'));
    fs.writeFileSync(path.join(dir, '.mypy_cache', 'x.json'), '{}');
    for (const pycache of ['__pycache__', path.join('app', '__pycache__')]) {
      fs.mkdirSync(path.join(dir, pycache));
      fs.writeFileSync(path.join(dir, pycache, 'junk.cpython-314.pyc'), 'junk');
    }
    expect(skippedAssetHash({ entry: dir })).toBe(hash);

    withEnv({ PIP_INDEX_URL: 'https://user:s3cret@pypi.example.com/simple', UV_INDEX_URL: 'https://token@uv.example.com/simple' }, () => {
      expect(skippedAssetHash({ entry: dir, python: '/other/python3' })).toBe(hash);
    });

    fs.mkdirSync(path.join(dir, 'docs'));
    fs.writeFileSync(path.join(dir, 'docs', 'notes.md'), '# notes\n');
    expect(skippedAssetHash({ entry: dir })).not.toBe(hash);
    expect(skippedAssetHash({ entry: dir, exclude: ['docs/'] })).toBe(hash);
    fs.writeFileSync(path.join(dir, '.lambdaignore'), '# local notes\ndocs/\n');
    expect(skippedAssetHash({ entry: dir })).toBe(hash);
  });

  test('default excludes cover caches, virtualenvs, secrets and tests', () => {
    expect(DEFAULT_PYTHON_EXCLUDES).toEqual(expect.arrayContaining([
      'tests/', '__pycache__/', '.venv/', 'node_modules/', '.git/', '.mypy_cache/', '.pytest_cache/', '.env', '.env.*', '*.pyc',
    ]));
  });

  test('FastApiFunction passes its bundling options to the bundler', () => {
    const hashOf = (bundling?: object) => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Stack');
      new FastApiFunction(stack, 'Api', { source: FIXTURE, bundling });
      const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
        .find((r) => (r.Properties.Handler as string | undefined) !== undefined && r.Properties.Code?.S3Key);
      return fn?.Properties.Code.S3Key as string;
    };
    expect(hashOf({ precompile: false })).not.toBe(hashOf());
    expect(hashOf({ exclude: ['tests/'] })).toBe(hashOf());
  });
});

describe('errors', () => {
  test('fails when the project has no dependency list', () => {
    const dir = appCopy();
    fs.rmSync(path.join(dir, 'requirements.txt'));
    expect(() => pythonBundledCode({ entry: dir, runtime: PYTHON_3_14, architecture: ARM_64 })).toThrow(
      `Python bundling: the project folder ${dir} has no requirements.txt and no pyproject.toml. List the function's dependencies in one of: `
      + 'requirements.txt, uv.lock (also at a uv workspace root above it), poetry.lock + pyproject.toml, or pyproject.toml with [project] dependencies. '
      + 'An empty requirements.txt is fine for a function without dependencies.');
  });

  test('fails when the Python interpreter is missing', () => {
    const python = path.join(tmpDir('py-bundling-nopython-'), 'python3');
    const message = errorMessage(() => synthBundle({ entry: FIXTURE, python, installer: PythonInstaller.PIP }));
    expect(message).toContain(`Python bundling: the Python interpreter '${python}' was not found. The function is bundled locally with pip, `
      + 'so Docker is not needed, but a Python 3 interpreter with pip is (or uv). Install Python 3 with pip, or set the CDK_SPA_PYTHON environment variable');
  });

  test('fails when the interpreter has no pip', () => {
    const venv = tmpDir('py-bundling-venv-');
    expect(spawnSync(PYTHON, ['-m', 'venv', '--without-pip', venv]).status).toBe(0);
    const python = path.join(venv, 'bin', 'python');
    const message = errorMessage(() => synthBundle({ entry: FIXTURE, python, installer: PythonInstaller.PIP }));
    expect(message).toContain(`Python bundling: '${python} -m pip' failed: No module named pip.`);
    expect(message).toContain(`Install pip ('${python} -m ensurepip --upgrade', or your OS package 'python3-pip')`);
  }, 60_000);

  test('fails when uv is asked for, missing, and cannot be installed', () => {
    // an empty wheelhouse and no index: pip cannot install uv into the bundle cache
    const message = withEnv({ CDK_SPA_UV: '', PATH: '/usr/bin:/bin', PIP_NO_INDEX: '1', PIP_FIND_LINKS: tmpDir('py-empty-wheelhouse-') }, () =>
      errorMessage(() => synthBundle({ entry: FIXTURE, installer: PythonInstaller.UV })));
    expect(message).toContain('Python bundling: installer is PythonInstaller.UV, but uv was not found (neither the CDK_SPA_UV environment variable '
      + 'nor `uv` on PATH), and installing uv 0.13.9 into the bundle cache failed: `');
    expect(message).toContain('. Install uv (https://docs.astral.sh/uv/), set CDK_SPA_UV to its path, or check your index configuration (PIP_INDEX_URL) and network.');
  });

  test('fails when a dependency has no aarch64 wheel and needs compiling, naming it and the Docker fallback', () => {
    const message = errorMessage(() => synthBundle({ entry: path.join(FIXTURES, 'python-no-wheel'), installer: PythonInstaller.PIP }));
    expect(message).toContain("Python bundling: 'netifaces==0.11.0' (from ");
    expect(message).toContain('has no wheel for CPython 3.14 on linux aarch64 (manylinux_2_34 .. manylinux2014) and needs compiling: ');
    expect(message).toContain('pin a version of netifaces that publishes a wheel for this platform');
    expect(message).toContain('bundle in Docker: `bundling: { dockerFallback: true }` (or `installer: PythonInstaller.DOCKER`) builds it in the AWS SAM build image for python3.14');
    expect(message).not.toContain('six');
  }, INSTALL_TIMEOUT);

  test('fails when a requirement does not exist', () => {
    const entry = appCopy('six==1.17.0\nthis-package-does-not-exist-cdk-spa==1.0\n');
    const message = errorMessage(() => synthBundle({ entry, installer: PythonInstaller.PIP }));
    expect(message).toContain(`Python bundling: the requirements in ${path.join(entry, 'requirements.txt')} do not resolve: `
      + "no version of 'this-package-does-not-exist-cdk-spa==1.0' exists on the package index for CPython 3.14 on linux aarch64");
    expect(message).toContain('Check the names, versions and markers');
  }, INSTALL_TIMEOUT);

  test('fails when requirements conflict', () => {
    const entry = appCopy('six==1.17.0\nsix==1.16.0\n');
    const message = errorMessage(() => synthBundle({ entry, installer: PythonInstaller.PIP }));
    expect(message).toContain(`Python bundling: the requirements in ${path.join(entry, 'requirements.txt')} do not resolve: `);
    expect(message).toMatch(/six==1\.17\.0.*six==1\.16\.0|Double requirement|conflict/s);
  }, INSTALL_TIMEOUT);

  test('fails when the bundle is over the size limit, naming the five largest packages', () => {
    const message = errorMessage(() => synthBundle({ entry: EXAMPLE_BACKEND, installer: PythonInstaller.PIP, sizeLimitBytes: 2 * 1024 * 1024 }));
    expect(message).toMatch(/: Python bundling: the bundle of .*example\/backend is \d+\.\d MiB unzipped, above Lambda's limit of 2\.0 MiB for a function's code and layers\. /);
    const largest = /The five largest packages: (.*?)\. Remove/.exec(message)?.[1].split(', ') ?? [];
    expect(largest).toHaveLength(5);
    expect(largest[0]).toMatch(/^pydantic_core 2\.50\.5 \(4\.\d MiB\)$/);
    expect(largest[1]).toMatch(/^pydantic 2\.14\.4 \(\d\.\d MiB\)$/);
  }, INSTALL_TIMEOUT);
});

describe('ARM64 bundle of the example backend', () => {
  let first: ReturnType<typeof synthBundle>;
  let report: ReturnType<typeof lastPythonBundleReport>;
  beforeAll(() => {
    first = synthBundle({ entry: EXAMPLE_BACKEND, installer: PythonInstaller.PIP });
    report = lastPythonBundleReport();
  }, INSTALL_TIMEOUT);

  test('every native library is an aarch64 ELF, and pydantic_core is there', () => {
    const files = listFiles(first.bundle);
    const sharedObjects = files.filter((f) => /\.so(\.\d+)*$/.test(f));
    expect(sharedObjects).toEqual(expect.arrayContaining([expect.stringMatching(/^pydantic_core\/_pydantic_core\.cpython-314-aarch64-linux-gnu\.so$/)]));
    expect(sharedObjects.map((f) => [f, elfMachine(path.join(first.bundle, f))]).filter(([, m]) => m !== 183)).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['app/main.py', 'fastapi/__init__.py', 'mangum/__init__.py', 'pydantic_core/__init__.py']));
    expect(report?.installer).toBe('pip');
    expect(report?.installArgs).toEqual(expect.arrayContaining(['--platform', 'manylinux_2_34_aarch64', '--python-version', '3.14', '--abi', 'cp314', '--only-binary=:all:']));
  });

  test('has no tests, .env files, type stubs, bytecode or console scripts, and keeps the metadata importlib.metadata reads', () => {
    const files = listFiles(first.bundle);
    expect(files.filter((f) => /(^|\/)tests?\//.test(f))).toEqual([]);
    expect(files.filter((f) => /(^|\/)\.env/.test(f))).toEqual([]);
    expect(files.filter((f) => /\.(pyi|pyc)$/.test(f) || f.startsWith('bin/'))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['pydantic-2.14.4.dist-info/METADATA', 'fastapi-0.165.0.dist-info/METADATA']));
    expect(report?.trimmedBytes).toBeGreaterThan(10_000);
  });

  test('reports the unzipped and zipped size as an info annotation, with a zip size that matches a real zip', () => {
    expect(first.messages).toEqual(expect.arrayContaining([
      expect.stringMatching(/^Python bundle for python3\.14 aarch64: \d+\.\d MiB unzipped, \d\.\d MiB zipped, \d+ files; dependencies from requirements\.txt; trimmed 0\.\d MiB; not precompiled\.$/),
      expect.stringMatching(/^Bytecode precompilation skipped: no CPython 3\.14 interpreter found .* install Python 3\.14 so that python3\.14 is on PATH/),
    ]));
    const zipSize = (method: string) => Number(spawnSync(PYTHON, ['-c', [
      'import io, os, sys, zipfile',
      'buf = io.BytesIO()',
      `with zipfile.ZipFile(buf, "w", zipfile.${method}) as z:`,
      '    for root, dirs, files in os.walk(sys.argv[1]):',
      '        for f in files:',
      '            p = os.path.join(root, f); z.write(p, os.path.relpath(p, sys.argv[1]))',
      'print(len(buf.getvalue()))',
    ].join('\n'), first.bundle], { encoding: 'utf8' }).stdout);
    // The zip headers are counted exactly: an uncompressed zip is the files plus that overhead.
    const headers = 22 + listFiles(first.bundle).reduce((sum, f) => sum + 76 + 2 * Buffer.byteLength(f), 0);
    expect(zipSize('ZIP_STORED')).toBe(report!.unzippedBytes + headers);
    // Deflate: the estimate uses Node's zlib, as CDK's asset publisher does. CPython's zlib 1.2 packs native
    // libraries a few percent tighter than Node's (Chromium's zlib), so a Python-made zip is a little smaller.
    const pythonZip = zipSize('ZIP_DEFLATED');
    expect(report!.zippedBytes).toBeGreaterThanOrEqual(pythonZip * 0.99);
    expect(report!.zippedBytes).toBeLessThan(pythonZip * 1.05);
    expect(report!.unzippedBytes).toBeGreaterThan(report!.zippedBytes * 2);
  });

  test('a second synth into a new cdk.out installs nothing (bundle cache) and gives the same hash and files', () => {
    const python = failingTool('python3');
    const uv = failingTool('uv');
    const second = withEnv({ CDK_SPA_PYTHON: python.path, CDK_SPA_UV: uv.path }, () =>
      synthBundle({ entry: EXAMPLE_BACKEND, installer: PythonInstaller.PIP }));
    expect(python.calls()).toBe(0);
    expect(uv.calls()).toBe(0);
    expect(lastPythonBundleReport()?.cacheHit).toBe(true);
    expect(second.outdir).not.toBe(first.outdir);
    expect(path.basename(second.bundle)).toBe(path.basename(first.bundle));
    expect(listFiles(second.bundle).sort()).toEqual(listFiles(first.bundle).sort());
    // The info messages do not depend on the cache either: the metadata of both synths (and integ snapshots) are the same.
    expect(second.messages).toEqual(first.messages);
  });
});

describe('host bundle of the example backend', () => {
  const host = hostPython();
  const runsOnHost = host.runtime !== undefined && process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch);

  (runsOnHost ? test : test.skip)(`precompiled for python${host.version}, read-only, serves AWS's HTTP API payload 2.0 events`, () => {
    const { bundle, messages } = synthBundle({
      entry: EXAMPLE_BACKEND, runtime: host.runtime, architecture: host.architecture, installer: PythonInstaller.PIP,
    });
    const tag = `cpython-${host.version.replace('.', '')}`;
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`; precompiled for Python ${host.version.replace('.', '\\.')}\\.$`))]));

    // Precompiled, unchecked-hash pycs (flags word = 0b01) with Lambda's paths in tracebacks.
    const pyc = path.join(bundle, 'fastapi', '__pycache__', `routing.${tag}.pyc`);
    expect(fs.readFileSync(pyc).readUInt32LE(4)).toBe(1);
    expect(fs.readFileSync(pyc).includes(Buffer.from('/var/task/fastapi/routing.py'))).toBe(true);
    expect(fs.existsSync(path.join(bundle, 'app', '__pycache__', `main.${tag}.pyc`))).toBe(true);

    // A read-only copy, as /var/task is on Lambda.
    const readOnly = path.join(tmpDir('py-readonly-'), 'task');
    fs.cpSync(bundle, readOnly, { recursive: true });
    spawnSync('chmod', ['-R', 'a-w', readOnly]);
    const events = ['post-json-body', 'get-path-parameters', 'get-query-string', 'post-base64-body', 'get-cookies',
      'delete-path-parameters', 'aws-docs-payload-v2'].map((e) => path.join(EVENTS, `${e}.json`));
    const result = spawnSync(PYTHON, ['-S', '-s', path.join(EVENTS, 'invoke.py'), readOnly, 'app.main.handler', ...events], {
      cwd: tmpDir('py-cwd-'),
      env: { PATH: process.env.PATH, PYTHONDONTWRITEBYTECODE: '1', PYTHONNOUSERSITE: '1', LANG: 'C.UTF-8' },
      encoding: 'utf8',
    });
    spawnSync('chmod', ['-R', 'u+w', readOnly]);
    expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0 });
    const out = JSON.parse(result.stdout);
    expect(out.dont_write_bytecode).toBe(true);
    expect(out.sys_path[0]).toBe(readOnly);
    expect(out.sys_path.filter((p: string) => /site-packages/.test(p))).toEqual([]);
    expect(fs.realpathSync(out.pydantic_core).startsWith(fs.realpathSync(readOnly))).toBe(true);

    const [created, fetched, listed, created64, health, deleted, awsSample] = out.responses;
    const body = (r: { body: string }) => JSON.parse(r.body);
    expect(created.statusCode).toBe(201);
    expect(created.headers['content-type']).toBe('application/json');
    expect(body(created)).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'notebook', description: 'A5, dotted' });
    expect(created.isBase64Encoded).toBe(false);

    expect(fetched.statusCode).toBe(200);
    expect(body(fetched)).toEqual(body(created));
    expect(out.received[1]).toMatchObject({ method: 'GET', path: `/api/items/${body(created).id}` });

    expect(listed.statusCode).toBe(200);
    expect(body(listed)).toEqual([body(created)]);
    expect(out.received[2]).toMatchObject({ method: 'GET', path: '/api/items', query_string: 'limit=10&tag=a&tag=b' });

    expect(created64.statusCode).toBe(201);
    expect(body(created64)).toMatchObject({ name: 'café ☕', description: null });
    expect(out.received[3].body).toBe('{"name": "café ☕"}');

    expect(health.statusCode).toBe(200);
    expect(health.headers['content-type']).toBe('application/json');
    expect(body(health)).toMatchObject({ status: 'ok', version: '0.1.0' });
    expect(out.received[4]).toMatchObject({ path: '/api/health', cookie: 'session=abc123; theme=dark' });

    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');

    // AWS's sample event verbatim: POST /my/path is not a route of this API.
    expect(awsSample.statusCode).toBe(404);
    expect(body(awsSample)).toEqual({ detail: 'Not Found' });
    expect(out.received[6]).toMatchObject({ method: 'POST', path: '/my/path', query_string: 'parameter1=value1&parameter1=value2&parameter2=value', cookie: 'cookie1; cookie2' });

    // Nothing was written next to the code (no bytecode cache at import).
    expect(listFiles(readOnly).sort()).toEqual(listFiles(bundle).sort());
  }, INSTALL_TIMEOUT);
});
