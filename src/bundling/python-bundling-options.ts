/**
 * The tool that installs a Python function's dependencies into its bundle.
 */
export enum PythonInstaller {
  /**
   * uv: the one found (the `CDK_SPA_UV` environment variable, or `uv` on PATH), or else uv 0.13.9, installed once
   * into the bundle cache with pip (hash-checked). pip (24.2 or later) only when uv cannot be installed.
   */
  AUTO = 'auto',

  /**
   * pip 24.2 or later, run by the Python interpreter (`python3`, or the `python` option, or `CDK_SPA_PYTHON`).
   *
   * It installs manylinux wheels for the function's runtime and architecture with
   * `--platform ... --python-version ... --only-binary=:all:`.
   */
  PIP = 'pip',

  /**
   * uv (`uv pip install --python-platform <arch>-manylinux_2_<glibc> --python-version X.Y --target ...`).
   *
   * Fails when uv is not found and cannot be installed into the bundle cache.
   */
  UV = 'uv',

  /**
   * Docker, with the AWS SAM build image of the runtime (`public.ecr.aws/sam/build-python3.X`),
   * for the function's architecture (`--platform linux/arm64` for ARM64).
   *
   * Only for dependencies that must be compiled for Lambda and publish no wheel. Needs Docker
   * (and QEMU/binfmt to build ARM64 on an x86_64 machine).
   */
  DOCKER = 'docker',
}

/**
 * How a Python Lambda function is bundled.
 *
 * By default the project is bundled on the machine that runs `cdk synth`, without Docker: its
 * dependencies (from `requirements.txt`, `uv.lock`, `poetry.lock` or `pyproject.toml`) are installed as
 * wheels built for the function's runtime and architecture, trimmed, precompiled when possible, and
 * cached by asset hash.
 */
export interface PythonBundlingOptions {
  /**
   * The tool that installs the dependencies.
   *
   * @default PythonInstaller.AUTO - uv (found, or installed into the bundle cache), otherwise pip 24.2 or later
   */
  readonly installer?: PythonInstaller;

  /**
   * Extra patterns of project files to leave out of the bundle, in `.gitignore` syntax.
   *
   * They add to the defaults (`tests/`, `__pycache__/`, `*.pyc`, `.venv/`, `.env`, `.env.*`, `node_modules/`,
   * `.git/`, `.mypy_cache/`, `.pytest_cache/`, `Dockerfile*`, `.dockerignore`, ...), to what the project's `.gitignore`
   * ignores (see `respectGitignore`) and to the patterns in the project's `.lambdaignore` file.
   * A pattern starting with `!` brings back a file that an earlier pattern left out.
   *
   * @default - only the defaults and `.lambdaignore`
   */
  readonly exclude?: string[];

  /**
   * Leave out of the bundle the files that the project's `.gitignore` files ignore.
   *
   * The `.gitignore` of the project folder and its subfolders count, and, inside a git repository, those of the
   * folders between the repository root and the project, with git's rules (a deeper file wins, `!` brings a file
   * back). Local clutter (`.env.local`, `*.log`, build output, a folder a local run left behind) then never ships.
   * A pattern of `exclude` starting with `!` brings back a file that `.gitignore` ignores.
   *
   * @default true
   */
  readonly respectGitignore?: boolean;

  /**
   * Precompile the bundle's Python files to bytecode (`compileall`, unchecked-hash `.pyc` files).
   *
   * Lambda's `/var/task` is read-only, so without them Python compiles every imported module again at
   * each cold start. Compiling needs an interpreter of exactly the runtime's Python version on the
   * machine that bundles: the `python` option / `CDK_SPA_PYTHON`, `python3.X` on PATH, or, when uv is found,
   * a Python that `uv python find` finds (uv-managed ones included) or `uv python install` installs (see
   * `downloadPython`). Without one it is skipped with an info message.
   *
   * @default true
   */
  readonly precompile?: boolean;

  /**
   * Let uv download a CPython of the runtime's version (`uv python install 3.X`, a standalone build kept in uv's
   * data folder) when no interpreter of that version is on the machine, to precompile the bundle with.
   *
   * Only used when uv is at hand (yours, or the one the bundler installed) and `precompile` is true. Set it to false
   * on offline machines or where nothing may be downloaded; uv's own `UV_OFFLINE` and `UV_PYTHON_DOWNLOADS=never` are
   * honoured too. A failed download skips precompilation with the info message (which says what failed), it never
   * fails synth, and it is not tried again on this machine for 24 hours.
   *
   * @default true
   */
  readonly downloadPython?: boolean;

  /**
   * Leave out of the installed packages the files that only build native extensions: C and C++ sources
   * (`*.c`, `*.cpp`, ...), Cython sources and declarations (`*.pyx`, `*.pxd`, `*.pxi`), headers inside a
   * package's `include/` folder, and `share/man`.
   *
   * Importing a package never reads them (they matter only when compiling against it); on real projects they are
   * several percent of the bundle (psycopg-binary alone ships 6.4 MiB of `.c`). The size report counts them in
   * "trimmed". `.py`, `.so` and data files are never removed, nor headers outside an `include/` folder.
   *
   * @default true
   */
  readonly trimBuildSources?: boolean;

  /**
   * Bundle in Docker (see `PythonInstaller.DOCKER`) when a dependency has no wheel for the function's
   * platform and needs compiling.
   *
   * @default false - such a dependency fails synth with a message that names it
   */
  readonly dockerFallback?: boolean;

  /**
   * Extra arguments for the install command (`pip install` or `uv pip install`).
   *
   * For example `['--extra-index-url', 'https://pypi.example.com/simple']`. They are part of the asset
   * hash, so do not put credentials here: use `PIP_INDEX_URL` / `UV_INDEX_URL` (or your pip/uv
   * configuration), which are never hashed.
   *
   * @default - none
   */
  readonly extraInstallArgs?: string[];

  /**
   * The Python interpreter that runs pip and precompiles the bundle.
   *
   * @default - the `CDK_SPA_PYTHON` environment variable, or `python3`
   */
  readonly python?: string;

  /**
   * Reuse bundles across synths from a cache keyed by the asset hash.
   *
   * The cache lives in `$CDK_SPA_BUNDLE_CACHE`, or `$XDG_CACHE_HOME/cdk-spa-with-lambda-api/bundles`,
   * or `~/.cache/cdk-spa-with-lambda-api/bundles`. An unchanged project is then not reinstalled, even
   * when synthesizing into a new `cdk.out`.
   *
   * @default true
   */
  readonly cache?: boolean;
}
