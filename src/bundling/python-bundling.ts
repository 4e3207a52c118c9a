import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { bundleCacheDir, copyTree, readCached, writeCached } from './cache';
import { dockerBundlingOptions, writeDockerInputs } from './docker';
import { gitignoreExcludes } from './gitignore';
import { DEFAULT_PYTHON_EXCLUDES, DependencyKind, DependencySource, findDependencySource, readLambdaIgnore } from './inputs';
import {
  InstallRequest, InstallResult, installWithPip, installWithUv, NeedsCompilingError, resolveRequirements,
} from './installers';
import {
  findExactPython, findUvPython, largestPackages, measureBundle, megabytes, missingModules, precompile, PYTHON_DOWNLOAD_RETRY_HOURS,
  recentPythonDownloadFailure, RequiredModule, trimInstalled, validateInstalled,
} from './postprocess';
import { checkRuntimeAgainstRequiresPython } from './project-checks';
import { PythonBundlingOptions, PythonInstaller } from './python-bundling-options';
import { PythonTarget, resolveTarget } from './target';
import { availableUv, BOOTSTRAP_UV_VERSION, checkPipVersion, findOrBootstrapUv } from './uv-bootstrap';

export { DEFAULT_PYTHON_EXCLUDES } from './inputs';
export { bundleCacheDir } from './cache';

/**
 * Docker-free bundling of a Python Lambda project.
 *
 * The project's dependencies (requirements.txt, uv.lock, poetry.lock or pyproject.toml) are installed
 * with uv or pip as wheels built for the Lambda platform (Amazon Linux, glibc, arm64 or x86_64), trimmed,
 * precompiled when an interpreter of the runtime's version is at hand, and cached by asset hash; the
 * project folder (minus excludes) is copied next to them.
 */
export interface PythonBundlingProps extends PythonBundlingOptions {
  /** Absolute path of the project folder (holds the dependency list and the handler module). */
  readonly entry: string;
  /** A Python runtime, e.g. `lambda.Runtime.PYTHON_3_14`. */
  readonly runtime: lambda.Runtime;
  /** `ARM_64` or `X86_64`. */
  readonly architecture: lambda.Architecture;
  /** The construct that gets the size report and other annotations. @default - no annotations */
  readonly scope?: Construct;
  /** The unzipped size limit, in bytes. @default 262144000 (Lambda's 250 MiB) */
  readonly sizeLimitBytes?: number;
  /**
   * Top-level modules the bundle must contain (streaming mode: uvicorn), checked after every local bundling, cache
   * hits included; not part of the asset hash. @default - none
   */
  readonly requiredModules?: RequiredModule[];
}

/** What the most recent local bundling did (diagnostics, tests and the benchmark). */
export interface PythonBundleReport {
  /** Directory the bundle was written to (CDK renames it to the final asset folder afterwards). */
  readonly outputDir: string;
  /** The asset hash (also the bundle cache key). */
  readonly assetHash: string;
  /** Where the dependencies were listed. */
  readonly dependencies: DependencyKind;
  /** The tool that installed them; `none` when there was nothing to install, `docker` when CDK runs Docker next. */
  readonly installer: 'pip' | 'uv' | 'docker' | 'none';
  /** The installer's arguments (after `python -m pip` or `uv`), when it ran. */
  readonly installArgs?: string[];
  /** Wall-clock time of the install, in milliseconds (0 when skipped or cached). */
  readonly installMillis: number;
  /** Requirements built into pure-Python wheels on this machine. */
  readonly builtLocally: string[];
  /** True when the bundle came from the bundle cache (nothing was installed). */
  readonly cacheHit: boolean;
  /** The interpreter that precompiled the bundle, if any. */
  readonly precompiledWith?: string;
  /** Bytes removed from the installed packages by trimming. */
  readonly trimmedBytes: number;
  /** Of `trimmedBytes`, the build sources (C/C++/Cython sources, package headers, man pages). */
  readonly trimmedSourceBytes?: number;
  /** Unzipped size of the bundle, in bytes. */
  readonly unzippedBytes: number;
  /** Size of the bundle as a zip file, in bytes. */
  readonly zippedBytes: number;
  /** Number of files in the bundle. */
  readonly fileCount: number;
  /** Wall-clock time of the whole bundling, in milliseconds. */
  readonly totalMillis: number;
}

let lastReport: PythonBundleReport | undefined;

/** Returns the report of the most recent local bundling in this process. */
export function lastPythonBundleReport(): PythonBundleReport | undefined {
  return lastReport;
}

/** The pip platform tags used for a runtime/architecture (exported for tests). */
export function pipPlatformTags(runtime: lambda.Runtime, architecture: lambda.Architecture): string[] {
  return resolveTarget(runtime, architecture).platformTags;
}

/** Bump whenever the same inputs would bundle differently (installer flags, trimming, platform tags...). */
const BUNDLER_VERSION = 'python-bundler/4';
/** Lambda's limit for the unzipped deployment package (function code and layers), in bytes. */
const LAMBDA_UNZIPPED_LIMIT = 262_144_000;

/** Lambda code for the project, bundled locally (no Docker by default), with a deterministic input-based asset hash. */
export function pythonBundledCode(props: PythonBundlingProps): lambda.AssetCode {
  const target = resolveTarget(props.runtime, props.architecture);
  if (!fs.existsSync(props.entry) || !fs.statSync(props.entry).isDirectory()) {
    throw new Error(`Python bundling: the project folder '${props.entry}' (entry) does not exist or is not a directory.`);
  }
  const entry = path.resolve(props.entry);
  const source = findDependencySource(entry);
  // before anything is installed: a runtime no release of which the project accepts fails here, with both named
  checkRuntimeAgainstRequiresPython(props.runtime, source.pythonRequirements);
  const exclude = [
    ...(props.respectGitignore ?? true ? gitignoreExcludes(entry) : []),
    ...DEFAULT_PYTHON_EXCLUDES, ...readLambdaIgnore(entry), ...(props.exclude ?? []),
  ];
  const installer = props.installer ?? PythonInstaller.AUTO;
  const precompileWanted = props.precompile ?? true;
  const trimBuildSources = props.trimBuildSources ?? true;
  const downloadPython = props.downloadPython ?? true;
  const extraArgs = props.extraInstallArgs ?? [];

  // Hash what decides the bundle, never the installer's output: the source after excludes, the dependency
  // list (in the folder, or a workspace lock above it), local path dependencies, the target and the options
  // that change the result. Machine-specific things (paths of tools, index URLs and credentials) stay out,
  // so the hash is the same on every machine, and CDK skips bundling for stacks it does not bundle.
  const assetHash = cdk.FileSystem.fingerprint(entry, {
    exclude,
    ignoreMode: cdk.IgnoreMode.GIT,
    extraHash: JSON.stringify({
      bundler: BUNDLER_VERSION,
      runtime: props.runtime.name,
      architecture: props.architecture.name,
      platforms: target.platformTags,
      installer,
      precompile: precompileWanted,
      trimBuildSources,
      extraArgs,
      dependencies: source.kind,
      inputs: source.hashParts,
    }),
  });

  const settings: BundlerSettings = {
    entry,
    target,
    source,
    exclude,
    installer,
    precompile: precompileWanted,
    trimBuildSources,
    downloadPython,
    extraArgs,
    assetHash,
    python: props.python ?? process.env.CDK_SPA_PYTHON ?? 'python3',
    explicitPython: props.python ?? process.env.CDK_SPA_PYTHON,
    dockerFallback: props.dockerFallback ?? false,
    cache: props.cache ?? true,
    sizeLimitBytes: props.sizeLimitBytes ?? LAMBDA_UNZIPPED_LIMIT,
    requiredModules: props.requiredModules ?? [],
  };
  return lambda.Code.fromAsset(entry, {
    assetHashType: cdk.AssetHashType.CUSTOM,
    assetHash,
    bundling: dockerBundlingOptions(settings, new LocalPythonBundler(settings, props.scope)),
  });
}

/** Everything the bundler needs, resolved at construction time. */
interface BundlerSettings {
  readonly entry: string;
  readonly target: PythonTarget;
  readonly source: DependencySource;
  readonly exclude: string[];
  readonly installer: PythonInstaller;
  readonly precompile: boolean;
  readonly trimBuildSources: boolean;
  readonly downloadPython: boolean;
  readonly extraArgs: string[];
  readonly assetHash: string;
  readonly python: string;
  readonly explicitPython?: string;
  readonly dockerFallback: boolean;
  readonly cache: boolean;
  readonly sizeLimitBytes: number;
  readonly requiredModules: RequiredModule[];
}

/** What is kept next to a cached bundle, to report on a cache hit. */
type CacheManifest = Pick<PythonBundleReport, 'installer' | 'installArgs' | 'installMillis' | 'builtLocally' | 'precompiledWith'
| 'trimmedBytes' | 'trimmedSourceBytes' | 'unzippedBytes' | 'zippedBytes' | 'fileCount'>;

class LocalPythonBundler implements cdk.ILocalBundling {
  /** Adds an annotation to the scope. A function, not the scope: CDK walks the bundling options to key its asset cache. */
  private readonly annotate: (level: 'info' | 'warning', id: string, message: string) => void;

  constructor(private readonly s: BundlerSettings, scope?: Construct) {
    this.annotate = (level, id, message) => {
      if (!scope) return;
      if (level === 'info') cdk.Annotations.of(scope).addInfoV2(`cdk-spa-with-lambda-api:${id}`, message);
      else cdk.Annotations.of(scope).addWarningV2(`cdk-spa-with-lambda-api:${id}`, message);
    };
  }

  public tryBundle(outputDir: string): boolean {
    const started = Date.now();
    const s = this.s;
    if (s.installer === PythonInstaller.DOCKER) {
      this.prepareForDocker(outputDir);
      return false;
    }

    const cacheRoot = s.cache ? bundleCacheDir() : undefined;
    if (cacheRoot) {
      const hit = readCached<CacheManifest>(cacheRoot, s.assetHash);
      if (hit) {
        copyTree(hit.dir, outputDir);
        // The same messages as when the bundle was made: synths stay identical whether or not the cache had it.
        if (s.precompile && !hit.manifest.precompiledWith) this.precompileSkipped();
        this.finish({ ...hit.manifest, outputDir, cacheHit: true, installMillis: 0, totalMillis: Date.now() - started });
        return true;
      }
    }

    const workRoot = cacheRoot ?? os.tmpdir();
    fs.mkdirSync(workRoot, { recursive: true });
    const work = fs.mkdtempSync(path.join(workRoot, `.tmp-${s.assetHash.slice(0, 12)}-`));
    try {
      const site = path.join(work, 'site');
      const bundle = path.join(work, 'bundle');
      const scratch = path.join(work, 'scratch');
      [site, bundle, scratch].forEach((d) => fs.mkdirSync(d));

      let install: InstallResult | undefined;
      const installStarted = Date.now();
      try {
        install = this.install(site, scratch);
        if (install) validateInstalled(site, s.target);
      } catch (e) {
        if (e instanceof NeedsCompilingError && s.dockerFallback) {
          this.warn('bundling-docker-fallback', `${e.message.split('\n')[0]} Bundling in Docker instead (dockerFallback is true).`);
          this.prepareForDocker(outputDir);
          return false;
        }
        throw e;
      }
      const installMillis = install ? Date.now() - installStarted : 0;
      const trimmed = trimInstalled(site, { buildSources: s.trimBuildSources });

      // The project's files first; an installed package with the same top-level name does not replace them.
      cdk.FileSystem.copyDirectory(s.entry, bundle, { exclude: s.exclude, ignoreMode: cdk.IgnoreMode.GIT });
      // The asset hash sees files, not folders: an empty folder (one a local run created) would ship unseen.
      removeEmptyFolders(bundle);
      const clashes: string[] = [];
      for (const name of fs.readdirSync(site)) {
        if (fs.existsSync(path.join(bundle, name))) clashes.push(name);
        else fs.renameSync(path.join(site, name), path.join(bundle, name));
      }
      if (clashes.length > 0) {
        this.warn('bundling-name-clash', `The project folder has ${clashes.map((c) => `'${c}'`).join(', ')}, which an installed dependency `
          + 'also has at the top level of the bundle. The project\'s files are kept and the dependency\'s are left out, so imports of that '
          + 'dependency will load your files. Rename your module or folder.');
      }

      const precompiledWith = this.precompile(bundle);
      const size = measureBundle(bundle, true);
      if (size.unzippedBytes > s.sizeLimitBytes) {
        const largest = largestPackages(bundle, 5).map((p) => `${p.name} (${megabytes(p.bytes)})`).join(', ');
        throw new Error(`Python bundling: the bundle of ${s.entry} is ${megabytes(size.unzippedBytes)} unzipped, above Lambda's limit of `
          + `${megabytes(s.sizeLimitBytes)} for a function's code and layers. The five largest packages: ${largest}. `
          + 'Remove dependencies you do not need, move large ones (ML libraries, data) to a container image function or EFS, '
          + 'or leave project files out with `bundling.exclude` or a .lambdaignore file.');
      }
      const manifest: CacheManifest = {
        installer: install?.installer ?? 'none',
        installArgs: install?.args,
        installMillis,
        builtLocally: install?.builtLocally ?? [],
        precompiledWith,
        trimmedBytes: trimmed.bytes,
        trimmedSourceBytes: trimmed.sourceBytes,
        unzippedBytes: size.unzippedBytes,
        zippedBytes: size.zippedBytes,
        fileCount: size.fileCount,
      };
      let bundleDir = bundle;
      if (cacheRoot) {
        bundleDir = writeCached(cacheRoot, s.assetHash, bundle, manifest);
      }
      copyTree(bundleDir, outputDir);
      this.finish({ ...manifest, outputDir, cacheHit: false, totalMillis: Date.now() - started });
      return true;
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }

  /** Keeps the asset hash (CDK hashes the bundling options) free of machine-specific paths. */
  public toJSON(): Record<string, string> {
    return { bundler: BUNDLER_VERSION };
  }

  /**
   * Installs the dependencies into `site`, or returns undefined when there is nothing to install. uv is the installer
   * (the user's, or the exact release the bundler installs into its cache); pip only when asked for, or as the last
   * resort when uv cannot be installed (offline without it), and then only pip 24.2 or later.
   */
  private install(site: string, scratch: string): InstallResult | undefined {
    const s = this.s;
    if (!s.source.hasDependencies) return undefined;
    let uv: string | undefined;
    let uvProblem: string | undefined;
    if (s.installer !== PythonInstaller.PIP || s.source.kind === DependencyKind.UV_LOCK) {
      const lookup = findOrBootstrapUv(s.python);
      uv = lookup.uv;
      uvProblem = lookup.error;
    }
    if (s.installer === PythonInstaller.UV && !uv) {
      throw new Error('Python bundling: installer is PythonInstaller.UV, but uv was not found (neither the CDK_SPA_UV environment variable '
        + `nor \`uv\` on PATH), and installing uv ${BOOTSTRAP_UV_VERSION} into the bundle cache failed: ${uvProblem}. Install uv (https://docs.astral.sh/uv/), `
        + 'set CDK_SPA_UV to its path, or check your index configuration (PIP_INDEX_URL) and network.');
    }
    const useUv = s.installer !== PythonInstaller.PIP && uv !== undefined;
    const request: InstallRequest = {
      entry: s.entry,
      dependencyFile: s.source.file,
      target: s.target,
      site,
      work: scratch,
      extraArgs: s.extraArgs,
      python: s.python,
      uv,
      uvProblem,
    };
    const requirements = resolveRequirements(s.source, request, !useUv);
    if (!requirements) return undefined;
    if (!useUv) {
      checkPipVersion(s.python, uvProblem);
      if (uvProblem) {
        this.warn('bundling-uv-unavailable', `uv was not found and could not be installed (${uvProblem}); the dependencies are installed `
          + 'with pip instead, the last resort. Install uv (https://docs.astral.sh/uv/) or set CDK_SPA_UV for the installer the bundler is tested with.');
      }
    }
    return useUv ? installWithUv(requirements, request) : installWithPip(requirements, request);
  }

  /** Precompiles the bundle when an interpreter of the runtime's exact version is found; returns it. */
  private precompile(bundle: string): string | undefined {
    const s = this.s;
    if (!s.precompile) return undefined;
    const python = findExactPython(s.target, this.precompileCandidates()) ?? findUvPython(s.target, s.downloadPython);
    if (!python) {
      this.precompileSkipped();
      return undefined;
    }
    const result = precompile(python, bundle);
    if (!result.ok) {
      this.warn('bundling-precompile-failed', `Some files of the bundle did not compile with ${python} (they may not be valid Python ${s.target.version}); `
        + `they are shipped without bytecode:\n${result.output.split('\n').slice(-10).join('\n')}`);
    }
    return python;
  }

  private precompileCandidates(): string[] {
    const s = this.s;
    return [s.explicitPython, `python${s.target.version}`, 'python3'].filter((c): c is string => !!c);
  }

  private precompileSkipped(): void {
    const v = this.s.target.version;
    // what failed, when a uv download of this version failed lately on this machine (remembered, not retried on every synth)
    const failure = this.s.downloadPython ? recentPythonDownloadFailure(v) : undefined;
    const download = failure
      ? `; \`${failure.command}\` failed on this machine (${failure.error}), and is not tried again for ${PYTHON_DOWNLOAD_RETRY_HOURS} hours `
        + `(delete .python-download-failed-${v}.json in the bundle cache to retry at the next synth)`
      : '';
    this.info('bundling-precompile-skipped', `Bytecode precompilation skipped: no CPython ${v} interpreter found `
      + `(looked for the python option or CDK_SPA_PYTHON, python${v} and python3 on PATH, and with uv for a uv-managed Python ${v}, `
      + `installed unless bundling.downloadPython is false)${download}. Without it, Lambda compiles every imported module at each cold start. To precompile, install `
      + `Python ${v} so that python${v} is on PATH (or set CDK_SPA_PYTHON to it), ${failure ? `run \`uv python install ${v}\` once online` : `install uv (\`uv python install ${v}\`)`}, `
      + 'or set bundling.precompile to false to silence this.');
  }

  /** Leaves the project and its resolved requirements in `outputDir` for the Docker command. */
  private prepareForDocker(outputDir: string): void {
    const s = this.s;
    for (const name of fs.readdirSync(outputDir)) fs.rmSync(path.join(outputDir, name), { recursive: true, force: true });
    cdk.FileSystem.copyDirectory(s.entry, outputDir, { exclude: s.exclude, ignoreMode: cdk.IgnoreMode.GIT });
    writeDockerInputs(outputDir, s.source, {
      entry: s.entry,
      dependencyFile: s.source.file,
      target: s.target,
      extraArgs: s.extraArgs,
      python: s.python,
      uv: availableUv(),
    });
    lastReport = {
      outputDir,
      assetHash: s.assetHash,
      dependencies: s.source.kind,
      installer: 'docker',
      installMillis: 0,
      builtLocally: [],
      cacheHit: false,
      trimmedBytes: 0,
      unzippedBytes: 0,
      zippedBytes: 0,
      fileCount: 0,
      totalMillis: 0,
    };
  }

  /**
   * Records the report, and adds it as an info message. The message depends only on the bundle (not on
   * timings, paths or whether the bundle came from the cache), so synths of an unchanged project, and their
   * integ snapshots, stay identical.
   */
  private finish(report: Omit<PythonBundleReport, 'assetHash' | 'dependencies'>): void {
    const s = this.s;
    const missing = missingModules(report.outputDir, s.requiredModules);
    if (missing.length > 0) {
      throw new Error(missing.map((m) => `Python bundling: the bundle of ${s.entry} has no \`${m.name}\` module, but ${m.reason}. `
        + `Add ${m.name} to the project's dependencies (requirements.txt, or pyproject.toml and its lock), pinned, and synth again.`).join('\n'));
    }
    lastReport = { ...report, assetHash: s.assetHash, dependencies: s.source.kind };
    this.info('bundling-report', `Python bundle for ${s.target.runtimeName} ${s.target.machine}: ${megabytes(report.unzippedBytes)} unzipped, `
      + `${megabytes(report.zippedBytes)} zipped, ${report.fileCount} files; dependencies from ${s.source.kind}; `
      + `trimmed ${megabytes(report.trimmedBytes)}${report.trimmedSourceBytes ? ` (build sources ${megabytes(report.trimmedSourceBytes)})` : ''}; ${report.precompiledWith ? `precompiled for Python ${s.target.version}` : 'not precompiled'}.`);
  }

  private info(id: string, message: string): void {
    this.annotate('info', id, message);
  }

  private warn(id: string, message: string): void {
    this.annotate('warning', id, message);
  }
}

/** Removes the empty folders under `dir` (deepest first), not `dir` itself. */
function removeEmptyFolders(dir: string): void {
  for (const dirent of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!dirent.isDirectory()) continue;
    const full = path.join(dir, dirent.name);
    removeEmptyFolders(full);
    if (fs.readdirSync(full).length === 0) fs.rmdirSync(full);
  }
}
