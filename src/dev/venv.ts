import { ChildProcess, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DevError } from './process';
import { choosePreviewPython } from './python-choice';
import { DependencySource, findDependencySource } from '../bundling/inputs';
import { findOnPath, installerEnv, redact, resolveRequirements } from '../bundling/installers';
import { resolveTarget } from '../bundling/target';

/** What the host virtualenv is built from. */
export interface VenvOptions {
  /** The API project folder (the construct's `api.source`). */
  readonly apiSource: string;
  /** The Lambda runtime name, for example `python3.14` (only compared with the host's Python). */
  readonly runtime: string;
  /** Where virtualenvs are kept: `<cacheDir>/venv-<key>`. */
  readonly cacheDir: string;
  /** The host interpreter to build the virtualenv with. */
  readonly python?: string;
  readonly log: (line: string) => void;
}

/**
 * Builds (once per change of the dependency file) a virtualenv with the API's dependencies, from the same file the
 * Lambda bundle is built from: `requirements.txt`, `uv.lock` (exported with uv), `poetry.lock` (exported with
 * poetry) or `pyproject.toml`. uv creates and fills it when it is on PATH (or `CDK_SPA_UV`), otherwise
 * `python -m venv` and pip. Returns the virtualenv's interpreter.
 */
export async function ensureVenv(options: VenvOptions): Promise<string> {
  const source = dependencySource(options.apiSource);
  const host = choosePreviewPython(options.runtime, source.pythonRequirements, options.python);
  const uv = process.env.CDK_SPA_UV || findOnPath('uv');
  const key = crypto.createHash('sha256')
    .update(JSON.stringify([fs.readFileSync(source.file, 'utf8'), source.hashParts, host.python, host.version, uv ? 'uv' : 'pip', source.kind]))
    .digest('hex').substring(0, 16);
  const venv = path.join(options.cacheDir, `venv-${key}`);
  const venvPython = path.join(venv, 'bin', 'python');
  if (isOwnVenv(venv)) return venvPython;

  const lambdaVersion = /^python(\d+\.\d+)$/.exec(options.runtime)?.[1];
  if (lambdaVersion && lambdaVersion !== host.version) {
    const why = host.how === '--python' || host.how === 'CDK_SPA_PYTHON' ? `given with ${host.how}`
      : `${host.how}: no Python ${lambdaVersion} was found${source.pythonRequirements.length > 0 ? ', and it is the nearest version that satisfies requires-python' : ''}`;
    options.log(`note: the function runs ${options.runtime} in Lambda; locally the API runs on Python ${host.version} (${why}). `
      + `Install Python ${lambdaVersion} (\`uv python install ${lambdaVersion}\`) or pass --python to use another interpreter.`);
  }
  const file = path.relative(process.cwd(), source.file) || source.file;
  options.log(`building the API's virtualenv from ${file} with ${uv ? 'uv' : 'pip'} into ${path.relative(process.cwd(), venv) || venv} (once per change of ${path.basename(source.file)})`);
  fs.mkdirSync(options.cacheDir, { recursive: true });
  const building = inProgress(fs.mkdtempSync(path.join(options.cacheDir, 'building-')));
  try {
    const work = inProgress(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-spa-dev-')));
    try {
      // the interpreter that installs: markers are evaluated for it
      const target = resolveTarget(new lambda.Runtime(`python${host.version}`, lambda.RuntimeFamily.PYTHON), lambda.Architecture.ARM_64);
      const requirements = wrap(() => resolveRequirements(source, {
        entry: options.apiSource, dependencyFile: source.file, target, site: building, work, extraArgs: [], python: host.python, uv,
      }, !uv));
      if (uv) {
        await run(uv, ['venv', '--quiet', '--python', host.python, building], options.log);
        if (requirements) {
          const noIndex = /^(1|true|yes|on)$/i.test(process.env.PIP_NO_INDEX ?? '') ? ['--no-index'] : [];
          await run(uv, ['pip', 'install', '--quiet', '--python', path.join(building, 'bin', 'python'), '-r', requirements, ...noIndex], options.log);
        }
      } else {
        await run(host.python, ['-m', 'venv', building], options.log);
        if (requirements) {
          await run(path.join(building, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements], options.log);
        }
      }
    } finally {
      done(work);
    }
    fs.writeFileSync(path.join(building, VENV_MARKER), `${JSON.stringify({ createdBy: 'cdk-spa-with-lambda-api dev', dependencyFile: source.file })}\n`);
    try {
      fs.renameSync(building, venv);
    } catch (e) {
      // another dev server built the same virtualenv first: use that one
      if (!isOwnVenv(venv)) throw e;
    }
    // older virtualenvs of this project in this cache (other dependency versions): only the ones a dev server made,
    // by their marker, so a --cache-dir pointed at a folder with other virtualenvs (`.`, $HOME) deletes nothing of
    // theirs, and only those of the same dependency file, so a dev server of another project sharing the cache keeps its own
    for (const entry of fs.readdirSync(options.cacheDir)) {
      const full = path.join(options.cacheDir, entry);
      if (entry.startsWith('venv-') && entry !== path.basename(venv) && venvDependencyFile(full) === source.file) {
        fs.rmSync(full, { recursive: true, force: true });
      }
    }
  } finally {
    done(building);
  }
  return venvPython;
}

/** Installers running for a build. */
const installers = new Set<ChildProcess>();
/** Folders of a build in progress, removed when the build ends, however it ends (also on exit by a signal). */
const building = new Set<string>();
let exitHookInstalled = false;

function inProgress(dir: string): string {
  building.add(dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // stop() in cli.ts calls process.exit() on Ctrl-C, which runs no finally block; 'exit' handlers still run
    process.on('exit', () => {
      installers.forEach((child) => child.kill('SIGKILL')); // it would write on into the folder
      building.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    });
  }
  return dir;
}

function done(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  building.delete(dir);
}

/**
 * The file that marks a virtualenv as made (completely) by the dev server: written last, before the folder gets its
 * final name. Only folders with it are reused or deleted.
 */
export const VENV_MARKER = '.cdk-spa-dev-venv';

/** The dependency file a virtualenv of the dev server was built from (its marker says), or undefined for any other folder. */
function venvDependencyFile(dir: string): string | undefined {
  if (!isOwnVenv(dir)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, VENV_MARKER), 'utf8')).dependencyFile;
  } catch {
    return undefined;
  }
}

function isOwnVenv(dir: string): boolean {
  try {
    return fs.lstatSync(dir).isDirectory() && fs.lstatSync(path.join(dir, VENV_MARKER)).isFile();
  } catch {
    return false;
  }
}

function dependencySource(apiSource: string): DependencySource {
  return wrap(() => findDependencySource(apiSource));
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DevError) throw e;
    throw new DevError((e as Error).message.replace(/^Python bundling: /, 'The API\'s dependencies: '));
  }
}

function run(command: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: installerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    installers.add(child);
    child.once('exit', () => installers.delete(child));
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', (e) => reject(new DevError(`Could not run ${command}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const tail = redact(output.trim().split('\n').slice(-20).join('\n'));
      log(tail);
      reject(new DevError(`Building the API's virtualenv failed: '${command} ${args.join(' ')}' exited with code ${code}. `
        + 'Its last lines are above. Check the dependency file and your index configuration (PIP_INDEX_URL / UV_INDEX_URL, network).'));
    });
  });
}
