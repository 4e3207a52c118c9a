import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Docker-free bundling of a Python Lambda project.
 *
 * The project folder is copied (minus excludes) and its `requirements.txt` is
 * installed next to it with a local, cross-platform
 * `pip install --target --platform ... --only-binary=:all:`, so only wheels built
 * for the Lambda platform (Amazon Linux, glibc, arm64 or x86_64) are used.
 */
export interface PythonBundlingProps {
  /** Absolute path of the project folder (contains requirements.txt and the handler module). */
  readonly entry: string;
  /** A Python runtime, e.g. `lambda.Runtime.PYTHON_3_14`. */
  readonly runtime: lambda.Runtime;
  /** `ARM_64` or `X86_64`. */
  readonly architecture: lambda.Architecture;
  /** Extra exclude globs (CDK glob semantics), added to the defaults. */
  readonly exclude?: string[];
  /** Python interpreter used to run pip. @default 'python3' (env var CDK_SPA_PYTHON overrides) */
  readonly python?: string;
}

/** Default excludes, exported for docs/tests. Globs without a slash match at any depth. */
export const DEFAULT_PYTHON_EXCLUDES: string[] = [
  '__pycache__', '*.pyc', '*.pyo',
  '.env', '.env.*', '.venv', 'venv',
  'tests', 'conftest.py',
  '.pytest_cache', '.mypy_cache', '.ruff_cache', '.tox', '.coverage', 'htmlcov',
  '*.egg-info', '.git', '.gitignore', '.idea', '.vscode', '.DS_Store',
  'node_modules', 'cdk.out',
];

/** What the most recent local bundling did (diagnostics and tests). */
export interface PythonBundleReport {
  /** Directory the bundle was written to (CDK renames it to the final asset folder afterwards). */
  readonly outputDir: string;
  /** Interpreter that ran pip. */
  readonly python: string;
  /** pip arguments (after `python -m pip`), or undefined when requirements.txt lists nothing. */
  readonly pipArgs?: string[];
  /** Wall-clock time of the pip install, in milliseconds (0 when skipped). */
  readonly pipMillis: number;
  /** Unzipped size of the bundle, in bytes. */
  readonly sizeBytes: number;
  /** Number of files in the bundle. */
  readonly fileCount: number;
}

/** Returns the report of the most recent successful local bundling in this process. */
export function lastPythonBundleReport(): PythonBundleReport | undefined {
  return lastReport;
}

/** Lambda code for the project, bundled locally (no Docker), with a deterministic source-based asset hash. */
export function pythonBundledCode(props: PythonBundlingProps): lambda.AssetCode {
  const target = resolveTarget(props.runtime, props.architecture);
  if (!fs.existsSync(props.entry) || !fs.statSync(props.entry).isDirectory()) {
    throw new Error(`Python bundling: the project folder '${props.entry}' (entry) does not exist or is not a directory.`);
  }
  const requirements = path.join(props.entry, 'requirements.txt');
  if (!fs.existsSync(requirements) || !fs.statSync(requirements).isFile()) {
    throw new Error(`Python bundling: ${requirements} not found. The project folder given as 'entry' must contain a requirements.txt `
      + '(it may be empty when the function has no dependencies).');
  }
  const exclude = [...DEFAULT_PYTHON_EXCLUDES, ...(props.exclude ?? [])];
  // Hash the source (after excludes) plus everything that changes the pip output, never the pip output itself:
  // deterministic, machine-independent, and CDK skips bundling entirely for stacks it does not need to bundle.
  const assetHash = cdk.FileSystem.fingerprint(props.entry, {
    exclude,
    extraHash: JSON.stringify({
      bundler: BUNDLER_VERSION,
      runtime: props.runtime.name,
      architecture: props.architecture.name,
      platforms: target.platformTags,
    }),
  });
  return lambda.Code.fromAsset(props.entry, {
    assetHashType: cdk.AssetHashType.CUSTOM,
    assetHash,
    exclude,
    bundling: {
      // Never used: the local bundler either succeeds or throws, so CDK never falls back to Docker.
      image: cdk.DockerImage.fromRegistry(`public.ecr.aws/sam/build-${props.runtime.name}`),
      local: new LocalPipBundler(props.entry, requirements, exclude, target, props.python),
      outputType: cdk.BundlingOutput.NOT_ARCHIVED,
    },
  });
}

/** The pip platform tags used for a runtime/architecture (exported for tests). */
export function pipPlatformTags(runtime: lambda.Runtime, architecture: lambda.Architecture): string[] {
  return resolveTarget(runtime, architecture).platformTags;
}

/** Bump whenever the same source would bundle differently (pip flags, marker shim, platform tags logic...). */
const BUNDLER_VERSION = 'python-local-pip/1';
/** Lambda's limit for the unzipped deployment package (function code and layers), in bytes. */
const LAMBDA_UNZIPPED_LIMIT = 262_144_000;
let lastReport: PythonBundleReport | undefined;

/** Everything pip needs to know about the Lambda platform. */
interface PythonTarget {
  /** e.g. `3.14` */
  readonly version: string;
  /** e.g. `cp314` */
  readonly abi: string;
  /** `aarch64` or `x86_64` */
  readonly machine: string;
  /** Compatible manylinux tags, newest first. */
  readonly platformTags: string[];
}

function resolveTarget(runtime: lambda.Runtime, architecture: lambda.Architecture): PythonTarget {
  const match = /^python(\d+)\.(\d+)$/.exec(runtime.name);
  if (runtime.family !== lambda.RuntimeFamily.PYTHON || !match || match[1] !== '3') {
    throw new Error(`Python bundling needs a Python 3 Lambda runtime (e.g. lambda.Runtime.PYTHON_3_14), got '${runtime.name}'.`);
  }
  const machines: Record<string, string> = {
    [lambda.Architecture.ARM_64.name]: 'aarch64',
    [lambda.Architecture.X86_64.name]: 'x86_64',
  };
  const machine = machines[architecture.name];
  if (!machine) {
    throw new Error(`Python bundling supports the ARM_64 and X86_64 architectures, got '${architecture.name}'.`);
  }
  const minor = Number(match[2]);
  // python3.12+ runs on Amazon Linux 2023 (glibc 2.34), python3.8-3.11 on Amazon Linux 2 (glibc 2.26).
  // pip does not expand manylinux compatibility when --platform is given, so list every compatible tag.
  const glibcMinor = minor >= 12 ? 34 : 26;
  const platformTags: string[] = [];
  for (let glibc = glibcMinor; glibc >= 17; glibc--) {
    platformTags.push(`manylinux_2_${glibc}_${machine}`);
  }
  platformTags.push(`manylinux2014_${machine}`);
  if (machine === 'x86_64') {
    // Legacy x86_64 wheels (aarch64 wheels start at manylinux2014).
    for (let glibc = 16; glibc >= 5; glibc--) {
      platformTags.push(`manylinux_2_${glibc}_${machine}`);
      if (glibc === 12) platformTags.push(`manylinux2010_${machine}`);
    }
    platformTags.push(`manylinux1_${machine}`);
  }
  return { version: `3.${minor}`, abi: `cp3${minor}`, machine, platformTags };
}

/**
 * Runs pip as `python -m pip`, but first points pip's environment-marker evaluation at the
 * Lambda target. pip evaluates markers such as `python_version < "3.13"` or
 * `platform_machine == "aarch64"` against the interpreter running it, not against
 * --python-version/--platform (pypa/pip#11664), which would silently drop or add dependencies
 * when bundling from another Python version or OS. argv[1] is the JSON marker environment.
 */
const PIP_SHIM = [
  'import sys',
  "if sys.path and sys.path[0] == '':",
  '    del sys.path[0]  # never import from the project folder (the cwd)',
  'import json, runpy',
  'target = json.loads(sys.argv.pop(1))',
  'try:',
  '    from pip._vendor.packaging import markers',
  '    host_environment = markers.default_environment',
  '    markers.default_environment = lambda: {**host_environment(), **target}',
  'except Exception:',
  '    pass  # unknown pip layout: run pip unpatched',
  "runpy.run_module('pip', run_name='__main__', alter_sys=True)",
].join('\n');

class LocalPipBundler implements cdk.ILocalBundling {
  constructor(
    private readonly entry: string,
    private readonly requirements: string,
    private readonly exclude: string[],
    private readonly target: PythonTarget,
    private readonly python?: string,
  ) {}

  public tryBundle(outputDir: string): boolean {
    const python = this.python ?? process.env.CDK_SPA_PYTHON ?? 'python3';
    cdk.FileSystem.copyDirectory(this.entry, outputDir, { exclude: this.exclude });

    let pipArgs: string[] | undefined;
    let pipMillis = 0;
    if (listsRequirements(this.requirements)) {
      pipArgs = this.pipArgs(outputDir);
      const started = Date.now();
      this.runPip(python, pipArgs);
      pipMillis = Date.now() - started;
    }

    const { sizeBytes, fileCount } = measure(outputDir);
    if (sizeBytes > LAMBDA_UNZIPPED_LIMIT) {
      throw new Error(`Python bundling: the bundle for ${this.entry} is ${(sizeBytes / 1e6).toFixed(1)} MB unzipped, above Lambda's `
        + `${LAMBDA_UNZIPPED_LIMIT / 1e6} MB limit. Remove dependencies from requirements.txt or add 'exclude' globs.`);
    }
    lastReport = { outputDir, python, pipArgs, pipMillis, sizeBytes, fileCount };
    return true;
  }

  /** Keeps the asset hash (CDK hashes the bundling options) free of machine-specific paths. */
  public toJSON(): Record<string, string> {
    return { bundler: BUNDLER_VERSION };
  }

  private pipArgs(outputDir: string): string[] {
    const t = this.target;
    return [
      'install', '-r', this.requirements, '--target', outputDir,
      ...t.platformTags.flatMap((tag) => ['--platform', tag]),
      '--implementation', 'cp', '--python-version', t.version, '--abi', t.abi,
      '--only-binary=:all:', '--no-compile', '--disable-pip-version-check', '--no-input', '--quiet',
    ];
  }

  private runPip(python: string, pipArgs: string[]): void {
    const t = this.target;
    const markerEnvironment = JSON.stringify({
      python_version: t.version,
      python_full_version: `${t.version}.0`,
      implementation_name: 'cpython',
      implementation_version: `${t.version}.0`,
      platform_python_implementation: 'CPython',
      platform_machine: t.machine,
      platform_system: 'Linux',
      sys_platform: 'linux',
      os_name: 'posix',
    });
    const result = spawnSync(python, ['-c', PIP_SHIM, markerEnvironment, ...pipArgs], {
      cwd: this.entry,
      // Inherit PIP_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX, PIP_CACHE_DIR...; --target needs no virtualenv.
      env: { ...process.env, PIP_REQUIRE_VIRTUALENV: '0', PIP_ROOT_USER_ACTION: 'ignore' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const stderr = result.stderr ?? '';
    const noPython = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    if (noPython || (result.status !== 0 && /No module named '?pip'?/.test(stderr))) {
      const problem = noPython ? `the Python interpreter '${python}' was not found` : `'${python} -m pip' failed: No module named pip`;
      const fix = noPython ? 'Install Python 3 with pip' : `Install pip ('${python} -m ensurepip --upgrade', or your OS package 'python3-pip')`;
      throw new Error(`Python bundling: ${problem}. The function is bundled locally with pip, so Docker is not needed, `
        + `but a Python 3 interpreter with pip is. ${fix}, or set the CDK_SPA_PYTHON environment variable `
        + '(or the python option) to an interpreter that has pip.');
    }
    if (result.error) {
      throw new Error(`Python bundling: failed to run '${python} -m pip': ${result.error.message}`);
    }
    if (result.status === 0) return;

    const tail = stderr.trimEnd().split('\n').slice(-20)
      .map((line) => `  ${line.length > 400 ? `${line.slice(0, 400)}...` : line}`).join('\n');
    const how = result.status === null ? `was killed by ${result.signal}` : `exited with code ${result.status}`;
    const targetText = `CPython ${t.version} on linux ${t.machine} (${stripMachine(t.platformTags[0])} .. ${stripMachine(t.platformTags[t.platformTags.length - 1])})`;
    const missing = unresolvedRequirements(stderr);
    if (missing.length > 0) {
      const projects = [...new Set(missing.map((r) => /^[A-Za-z0-9._-]+/.exec(r)?.[0] ?? r))].join(', ');
      throw new Error(`Python bundling: no installable wheel for ${missing.map((r) => `'${r}'`).join(', ')} `
        + `(from ${this.requirements}) for ${targetText}.\n`
        + 'Without Docker only pre-built binary wheels can be installed for the Lambda platform; source distributions '
        + 'that need compiling are not supported. To fix it:\n'
        + `  - pin a version of ${projects} that publishes a wheel for this platform (a '*-${t.abi}-*manylinux*_${t.machine}.whl', `
        + `'*-abi3-*manylinux*_${t.machine}.whl' or '*-py3-none-any.whl' file on PyPI), or\n`
        + '  - choose another runtime (Python version) or architecture for the function.\n'
        + `pip ${how}; last lines of its output:\n${tail}`);
    }
    throw new Error(`Python bundling: 'pip install -r ${this.requirements}' for ${targetText} ${how}. `
      + `Check requirements.txt and your pip configuration (PIP_INDEX_URL, network). Last lines of pip's output:\n${tail}`);
  }
}

/** True when requirements.txt contains anything besides blank lines and comments. */
function listsRequirements(file: string): boolean {
  return fs.readFileSync(file, 'utf8').split(/\r?\n/).some((line) => line.replace(/(^|\s)#.*$/, '').trim() !== '');
}

/** Requirements pip could not satisfy, parsed from its stderr. */
function unresolvedRequirements(stderr: string): string[] {
  const found = new Set<string>();
  for (const m of stderr.matchAll(/No matching distribution found for (\S+)/g)) found.add(m[1]);
  for (const m of stderr.matchAll(/Could not find a version that satisfies the requirement (\S+)/g)) found.add(m[1]);
  return [...found];
}

function stripMachine(tag: string): string {
  return tag.replace(/_(aarch64|x86_64)$/, '');
}

function measure(dir: string): { sizeBytes: number; fileCount: number } {
  let sizeBytes = 0;
  let fileCount = 0;
  for (const dirent of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, dirent.name);
    if (dirent.isDirectory()) {
      const sub = measure(full);
      sizeBytes += sub.sizeBytes;
      fileCount += sub.fileCount;
    } else {
      sizeBytes += fs.lstatSync(full).size;
      fileCount++;
    }
  }
  return { sizeBytes, fileCount };
}
