import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  DEFAULT_PYTHON_EXCLUDES,
  lastPythonBundleReport,
  pipPlatformTags,
  pythonBundledCode,
  PythonBundlingProps,
} from '../src/private/python-bundling';

const FIXTURE = path.join(__dirname, 'fixtures', 'python-app');
const PYTHON = process.env.CDK_SPA_PYTHON ?? 'python3';
const PIP_TIMEOUT = 300_000;
const { ARM_64, X86_64 } = lambda.Architecture;
const { PYTHON_3_11, PYTHON_3_13, PYTHON_3_14 } = lambda.Runtime;

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}

/** A private copy of the fixture, optionally with another requirements.txt. */
function copyFixture(requirements?: string): string {
  const dir = tmpDir('py-bundling-src-');
  fs.cpSync(FIXTURE, dir, { recursive: true });
  if (requirements !== undefined) fs.writeFileSync(path.join(dir, 'requirements.txt'), requirements);
  return dir;
}

type BundleProps = Partial<PythonBundlingProps> & { entry: string };

function addFunction(stack: Stack, props: BundleProps): void {
  const runtime = props.runtime ?? PYTHON_3_14;
  const architecture = props.architecture ?? ARM_64;
  new lambda.Function(stack, 'Fn', {
    code: pythonBundledCode({ ...props, runtime, architecture }),
    handler: 'app.main.handler',
    runtime,
    architecture,
  });
}

/** Asset hash of the code, in a stack CDK does not bundle (so pip never runs). */
function skippedAssetHash(props: BundleProps): string {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Stack');
  // A nonexistent interpreter proves that nothing is spawned at construction/synth time.
  addFunction(stack, { python: '/nonexistent/python3', ...props });
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  const s3Key: string = Object.values(functions)[0].Properties.Code.S3Key;
  return s3Key.replace(/\.zip$/, '');
}

/** Synthesizes an app with one function and returns the bundled asset folder. */
function synthBundle(props: BundleProps): string {
  const outdir = tmpDir('py-bundling-out-');
  const app = new App({ outdir });
  addFunction(new Stack(app, 'Stack'), props);
  app.synth();
  const assets = fs.readdirSync(outdir).filter((name) => name.startsWith('asset.'));
  expect(assets).toHaveLength(1);
  return path.join(outdir, assets[0]);
}

function errorMessage(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

/** Relative paths of all files under a folder. */
function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((d) => {
    const relative = path.join(prefix, d.name);
    return d.isDirectory() ? listFiles(dir, relative) : [relative];
  });
}

describe('pipPlatformTags', () => {
  test('python3.14 on ARM_64 targets Amazon Linux 2023 aarch64 wheels only', () => {
    const tags = pipPlatformTags(PYTHON_3_14, ARM_64);
    expect(tags[0]).toBe('manylinux_2_34_aarch64');
    expect(tags).toContain('manylinux_2_28_aarch64');
    expect(tags).toContain('manylinux_2_17_aarch64');
    expect(tags).toContain('manylinux2014_aarch64');
    expect(tags.filter((t) => !t.endsWith('_aarch64'))).toEqual([]);
    expect(tags.some((t) => t.includes('x86_64'))).toBe(false);
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

  test('non-Python runtimes are rejected', () => {
    expect(() => pipPlatformTags(lambda.Runtime.NODEJS_22_X, ARM_64)).toThrow(/Python 3 Lambda runtime.*nodejs22\.x/);
    expect(() => pythonBundledCode({ entry: FIXTURE, runtime: lambda.Runtime.NODEJS_22_X, architecture: ARM_64 }))
      .toThrow(/Python 3 Lambda runtime/);
  });
});

describe('asset hash', () => {
  test('is deterministic and independent of the folder location', () => {
    const hash = skippedAssetHash({ entry: FIXTURE });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(skippedAssetHash({ entry: FIXTURE })).toBe(hash);
    expect(skippedAssetHash({ entry: copyFixture() })).toBe(hash);
  });

  test('changes with the source, requirements.txt, runtime and architecture', () => {
    const hash = skippedAssetHash({ entry: FIXTURE });

    const source = copyFixture();
    fs.appendFileSync(path.join(source, 'app', 'main.py'), '\n# changed\n');
    expect(skippedAssetHash({ entry: source })).not.toBe(hash);

    const requirements = copyFixture();
    fs.appendFileSync(path.join(requirements, 'requirements.txt'), 'six==1.17.0\n');
    expect(skippedAssetHash({ entry: requirements })).not.toBe(hash);

    expect(skippedAssetHash({ entry: FIXTURE, runtime: PYTHON_3_13 })).not.toBe(hash);
    expect(skippedAssetHash({ entry: FIXTURE, architecture: X86_64 })).not.toBe(hash);
  });

  test('ignores excluded files', () => {
    const hash = skippedAssetHash({ entry: FIXTURE });
    const dir = copyFixture();
    fs.writeFileSync(path.join(dir, 'tests', 'test_more.py'), 'def test_more():\n    pass\n');
    fs.writeFileSync(path.join(dir, '.env'), 'SECRET=something-else\n');
    for (const pycache of ['__pycache__', path.join('app', '__pycache__')]) {
      fs.mkdirSync(path.join(dir, pycache));
      fs.writeFileSync(path.join(dir, pycache, 'junk.cpython-314.pyc'), 'junk');
    }
    expect(skippedAssetHash({ entry: dir })).toBe(hash);

    // Extra user excludes are honoured too.
    fs.mkdirSync(path.join(dir, 'docs'));
    fs.writeFileSync(path.join(dir, 'docs', 'notes.md'), '# notes\n');
    expect(skippedAssetHash({ entry: dir })).not.toBe(hash);
    expect(skippedAssetHash({ entry: dir, exclude: ['docs'] })).toBe(hash);
  });

  test('default excludes cover caches, secrets and tests', () => {
    expect(DEFAULT_PYTHON_EXCLUDES).toEqual(expect.arrayContaining(['__pycache__', '*.pyc', '.env', 'tests', '.venv']));
  });
});

describe('errors', () => {
  test('missing requirements.txt', () => {
    const dir = copyFixture();
    fs.rmSync(path.join(dir, 'requirements.txt'));
    expect(() => pythonBundledCode({ entry: dir, runtime: PYTHON_3_14, architecture: ARM_64 }))
      .toThrow(/requirements\.txt not found/);
  });

  test('missing Python interpreter', () => {
    const python = path.join(tmpDir('py-bundling-nopython-'), 'python3');
    const message = errorMessage(() => synthBundle({ entry: FIXTURE, python }));
    expect(message).toContain(`'${python}' was not found`);
    expect(message).toContain('Docker is not needed');
    expect(message).toContain('CDK_SPA_PYTHON');
  });

  test('Python without pip', () => {
    const venv = tmpDir('py-bundling-venv-');
    expect(spawnSync(PYTHON, ['-m', 'venv', '--without-pip', venv]).status).toBe(0);
    const python = path.join(venv, 'bin', 'python');
    const message = errorMessage(() => synthBundle({ entry: FIXTURE, python }));
    expect(message).toContain('No module named pip');
    expect(message).toContain(python);
    expect(message).toContain('Docker is not needed');
  }, 60_000);

  test('a requirement without a wheel for the target names the requirement and the platform', () => {
    // netifaces 0.11.0 is an sdist-only C extension: it cannot be installed for linux aarch64 without compiling.
    const entry = copyFixture('mangum==0.22.0\nnetifaces==0.11.0\n');
    const message = errorMessage(() => synthBundle({ entry }));
    expect(message).toContain("no installable wheel for 'netifaces==0.11.0'");
    expect(message).toContain('CPython 3.14 on linux aarch64 (manylinux_2_34 .. manylinux2014)');
    expect(message).toContain('only pre-built binary wheels');
    expect(message).toContain('pin a version of netifaces that publishes a wheel');
    expect(message).toContain('choose another runtime');
    expect(message).toMatch(/No matching distribution found for netifaces==0\.11\.0/);
  }, PIP_TIMEOUT);
});

describe('local bundling', () => {
  test('empty requirements.txt skips pip', () => {
    const entry = copyFixture('# no dependencies\n\n');
    const bundle = synthBundle({ entry, python: '/nonexistent/python3' });
    expect(listFiles(bundle).sort()).toEqual(['app/__init__.py', 'app/main.py', 'requirements.txt']);
    expect(lastPythonBundleReport()?.pipArgs).toBeUndefined();
  });

  test('ARM64 bundle for python3.14 contains only aarch64 binaries', () => {
    const bundle = synthBundle({ entry: FIXTURE, runtime: PYTHON_3_14, architecture: ARM_64 });
    const files = listFiles(bundle);

    expect(fs.existsSync(path.join(bundle, 'app', 'main.py'))).toBe(true);
    expect(fs.existsSync(path.join(bundle, 'pydantic_core'))).toBe(true);
    expect(fs.existsSync(path.join(bundle, 'fastapi'))).toBe(true);
    expect(fs.existsSync(path.join(bundle, 'mangum'))).toBe(true);
    expect(fs.existsSync(path.join(bundle, 'tests'))).toBe(false);
    expect(fs.existsSync(path.join(bundle, '.env'))).toBe(false);
    expect(files.filter((f) => f.endsWith('.pyc'))).toEqual([]);

    const sharedObjects = files.filter((f) => /\.so(\.\d+)*$/.test(f));
    expect(sharedObjects.length).toBeGreaterThan(0);
    const notAarch64 = sharedObjects.filter((file) => {
      const header = Buffer.alloc(20);
      const fd = fs.openSync(path.join(bundle, file), 'r');
      fs.readSync(fd, header, 0, 20, 0);
      fs.closeSync(fd);
      const isElf = header.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
      return !isElf || header.readUInt16LE(18) !== 183; // e_machine 183 = EM_AARCH64
    });
    expect(notAarch64).toEqual([]);

    const report = lastPythonBundleReport();
    expect(report?.outputDir).toContain(path.dirname(bundle));
    expect(report?.sizeBytes).toBeGreaterThan(1_000_000);
    expect(report?.pipArgs).toEqual(expect.arrayContaining([
      '--platform', 'manylinux_2_34_aarch64', '--python-version', '3.14', '--abi', 'cp314', '--only-binary=:all:', '--no-compile',
    ]));
  }, PIP_TIMEOUT);

  test('environment markers are evaluated for the Lambda target, not the host interpreter', () => {
    const entry = copyFixture([
      'six==1.17.0 ; python_version == "3.14" and platform_machine == "aarch64" and sys_platform == "linux"',
      'idna==3.10 ; python_version < "3.12" or platform_machine != "aarch64"',
      '',
    ].join('\n'));
    const bundle = synthBundle({ entry, runtime: PYTHON_3_14, architecture: ARM_64 });
    expect(fs.existsSync(path.join(bundle, 'six.py'))).toBe(true);
    expect(fs.existsSync(path.join(bundle, 'idna'))).toBe(false);
  }, PIP_TIMEOUT);

  // Bundle for the host's own Python and architecture, then run the handler with that interpreter.
  const hostVersion = spawnSync(PYTHON, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).stdout?.trim();
  const hostRuntime = lambda.Runtime.ALL.find((r) => r.name === `python${hostVersion}`);
  const hostArchitecture = process.arch === 'arm64' ? ARM_64 : X86_64;
  const runsOnHost = hostRuntime !== undefined && ['x64', 'arm64'].includes(process.arch) && process.platform === 'linux';

  (runsOnHost ? test : test.skip)(`host bundle (python${hostVersion}, ${hostArchitecture.name}) serves GET /api/health`, () => {
    const bundle = synthBundle({ entry: FIXTURE, runtime: hostRuntime, architecture: hostArchitecture });
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/api/health',
      rawQueryString: '',
      headers: { 'host': 'd111111abcdef8.cloudfront.net', 'accept': 'application/json', 'user-agent': 'jest' },
      requestContext: {
        accountId: '123456789012',
        apiId: 'api',
        domainName: 'd111111abcdef8.cloudfront.net',
        domainPrefix: 'd111111abcdef8',
        http: { method: 'GET', path: '/api/health', protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'jest' },
        requestId: 'request-1',
        routeKey: '$default',
        stage: '$default',
        time: '01/Jan/2025:00:00:00 +0000',
        timeEpoch: 1735689600000,
      },
      isBase64Encoded: false,
    };
    const script = [
      'import json, os, sys, types',
      'import pydantic_core',
      'from app.main import handler',
      'context = types.SimpleNamespace(function_name="fn", aws_request_id="request-1")',
      'response = handler(json.loads(os.environ["EVENT"]), context)',
      'print(json.dumps({"response": response, "pydantic_core": pydantic_core.__file__}))',
    ].join('\n');
    // -S: no site-packages, so everything must come from the bundle.
    const result = spawnSync(PYTHON, ['-S', '-c', script], {
      cwd: bundle,
      env: { ...process.env, PYTHONPATH: bundle, PYTHONDONTWRITEBYTECODE: '1', PYTHONNOUSERSITE: '1', EVENT: JSON.stringify(event) },
      encoding: 'utf8',
    });
    expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0 });
    const output = JSON.parse(result.stdout);
    expect(fs.realpathSync(output.pydantic_core).startsWith(fs.realpathSync(bundle))).toBe(true);
    expect(output.response.statusCode).toBe(200);
    expect(JSON.parse(output.response.body)).toEqual({ status: 'ok' });
  }, PIP_TIMEOUT);
});
