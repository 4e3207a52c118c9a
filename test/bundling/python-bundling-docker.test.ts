/**
 * The Docker path (`installer: DOCKER`, `dockerFallback`). There is no Docker here, so CDK's docker CLI
 * (CDK_DOCKER) is a stand-in that records the exact `docker run` arguments CDK builds from the bundling
 * options, and then runs the container command on this machine, with /asset-output mapped to the
 * mounted folder and this machine's python3 in place of the SAM build image's. That executes the real
 * command (install, trim, precompile, clean-up); only the image is not.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { FIXTURES, hostPython, INSTALL_TIMEOUT, listFiles, synthBundle, tmpDir, useWheelhouseAndFreshCache, withEnv } from './python-bundling-util';
import { PythonInstaller } from '../../src';
import { lastPythonBundleReport } from '../../src/bundling/python-bundling';

const FAKE_DOCKER = [
  '#!/usr/bin/env python3',
  'import json, os, shutil, subprocess, sys',
  'args = sys.argv[1:]',
  '# CDK spawns docker with the environment of the jest process, not the test\'s: settings come from a file.',
  'config = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "config.json")))',
  'log = config["log"]',
  'with open(os.path.join(log, "args.json"), "w") as f: json.dump(args, f)',
  'if not args or args[0] != "run": sys.exit(0)',
  'out = next(a.split(":")[0] for i, a in enumerate(args) if i > 0 and args[i - 1] == "-v" and ":/asset-output:" in a)',
  'for name in (".cdk-spa-requirements.txt", ".cdk-spa-pip.conf"):',
  '    if os.path.exists(os.path.join(out, name)): shutil.copy(os.path.join(out, name), os.path.join(log, name))',
  'if not config["execute"]:',
  '    open(os.path.join(out, "built-in-docker.txt"), "w").write("stand-in")',
  '    sys.exit(0)',
  'image = next(i for i, a in enumerate(args) if a.startswith("public.ecr.aws/"))',
  'env = dict(a.split("=", 1) for i, a in enumerate(args) if i > 0 and args[i - 1] in ("-e", "--env"))',
  'command = [c.replace("/asset-output", out) for c in args[image + 1:]]',
  'sys.exit(subprocess.call(command, env={**os.environ, **env, **config["env"], "HOME": os.environ["HOME"], "PIP_CACHE_DIR": os.path.join(log, "pip-cache")}))',
].join('\n');

let bin: string;
let log: string;
/** Settings of the stand-in: where to log, whether to run the command, the index settings of the tests. */
function configureDocker(execute: boolean): void {
  const env = Object.fromEntries(['PIP_NO_INDEX', 'PIP_FIND_LINKS'].filter((k) => process.env[k]).map((k) => [k, process.env[k]]));
  fs.writeFileSync(path.join(bin, 'config.json'), JSON.stringify({ log, execute, env }));
}
beforeAll(() => {
  useWheelhouseAndFreshCache();
  bin = tmpDir('py-fake-docker-');
  fs.writeFileSync(path.join(bin, 'docker'), FAKE_DOCKER, { mode: 0o755 });
  process.env.CDK_DOCKER = path.join(bin, 'docker');
});
afterAll(() => delete process.env.CDK_DOCKER);
beforeEach(() => {
  log = tmpDir('py-fake-docker-log-');
  configureDocker(false);
});

function dockerArgs(): string[] {
  return JSON.parse(fs.readFileSync(path.join(log, 'args.json'), 'utf8'));
}

describe('installer: PythonInstaller.DOCKER', () => {
  test('runs the SAM build image of the runtime for linux/arm64, with the project and its requirements mounted, and no index credentials in the options', () => {
    const host = hostPython();
    configureDocker(true);
    const { bundle } = withEnv({ PIP_INDEX_URL: 'https://user:s3cret@pypi.example.com/simple' }, () =>
      synthBundle({ entry: path.join(FIXTURES, 'python-app'), installer: PythonInstaller.DOCKER, extraInstallArgs: ['--prefer-binary'] }));

    const args = dockerArgs();
    expect(args.slice(0, 2)).toEqual(['run', '--rm']);
    expect(args).toEqual(expect.arrayContaining(['--platform', 'linux/arm64', '-u', `${os.userInfo().uid}:${os.userInfo().gid}`]));
    const image = args.indexOf('public.ecr.aws/sam/build-python3.14');
    expect(image).toBeGreaterThan(0);
    expect(args.slice(image + 1, image + 3)).toEqual(['bash', '-c']);
    expect(args.slice(image + 4)).toEqual(['bundle', '--prefer-binary']);
    expect(args[image + 3]).toContain('python3 -m pip install --no-compile --no-input -r "$req" --target "$site" "$@"');
    expect(args).toEqual(expect.arrayContaining(['HOME=/tmp', 'CDK_SPA_PRECOMPILE=1']));
    expect(args.join(' ')).not.toContain('s3cret');
    expect(args.join(' ')).not.toContain('pypi.example.com');

    // What the local step handed to the container: the requirements, and the index (with its credentials) in a pip config file.
    expect(fs.readFileSync(path.join(log, '.cdk-spa-requirements.txt'), 'utf8')).toBe(fs.readFileSync(path.join(FIXTURES, 'python-app', 'requirements.txt'), 'utf8'));
    expect(fs.readFileSync(path.join(log, '.cdk-spa-pip.conf'), 'utf8')).toBe('[global]\nindex-url = https://user:s3cret@pypi.example.com/simple\n');

    // The command's result: dependencies next to the project, trimmed, precompiled, hand-over files deleted.
    const files = listFiles(bundle);
    expect(files).toEqual(expect.arrayContaining(['app/main.py', 'fastapi/__init__.py', 'pydantic_core/__init__.py', `app/__pycache__/main.cpython-${host.version.replace('.', '')}.pyc`]));
    expect(files.filter((f) => f.startsWith('.cdk-spa') || f.startsWith('tests/') || f.startsWith('bin/') || f.endsWith('.pyi') || f === '.env')).toEqual([]);
    expect(lastPythonBundleReport()?.installer).toBe('docker');
  }, INSTALL_TIMEOUT);

  test('an x86_64 function runs the image for linux/amd64', () => {
    synthBundle({ entry: path.join(FIXTURES, 'python-app'), installer: PythonInstaller.DOCKER, architecture: lambda.Architecture.X86_64, runtime: lambda.Runtime.PYTHON_3_12 });
    const args = dockerArgs();
    expect(args).toEqual(expect.arrayContaining(['--platform', 'linux/amd64', 'public.ecr.aws/sam/build-python3.12']));
  });
});

describe('dockerFallback', () => {
  test('a dependency that needs compiling is bundled in Docker, with a warning', () => {
    const { bundle, messages } = synthBundle({ entry: path.join(FIXTURES, 'python-no-wheel'), installer: PythonInstaller.PIP, dockerFallback: true });
    expect(dockerArgs()).toEqual(expect.arrayContaining(['--platform', 'linux/arm64', 'public.ecr.aws/sam/build-python3.14']));
    expect(fs.readFileSync(path.join(log, '.cdk-spa-requirements.txt'), 'utf8')).toContain('netifaces==0.11.0');
    expect(listFiles(bundle).sort()).toEqual(['.cdk-spa-requirements.txt', 'app/__init__.py', 'app/main.py', 'built-in-docker.txt', 'requirements.txt']);
    expect(messages).toEqual(expect.arrayContaining([
      expect.stringMatching(/^Python bundling: 'netifaces==0\.11\.0' \(from .*\) has no wheel for CPython 3\.14 on linux aarch64 .* Bundling in Docker instead \(dockerFallback is true\)\.$/),
    ]));
  }, INSTALL_TIMEOUT);

  test('is not used without dockerFallback', () => {
    expect(() => synthBundle({ entry: path.join(FIXTURES, 'python-no-wheel'), installer: PythonInstaller.PIP }))
      .toThrow(/'netifaces==0\.11\.0' .* has no wheel for CPython 3\.14 on linux aarch64/);
    expect(fs.existsSync(path.join(log, 'args.json'))).toBe(false);
  }, INSTALL_TIMEOUT);
});
