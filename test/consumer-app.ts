/**
 * A fresh CDK app as a user makes one: the compiled library packed with `npm pack` and installed from the tarball
 * next to the aws-cdk-lib (and tools) the test chooses. Shared by consumer.test.ts and compat.test.ts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..');
export const BIN = path.join(ROOT, 'node_modules', '.bin');

/** Runs a command and returns its stdout; throws with its output when it fails. */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * The exact version of one of this project's devDependencies (aws-cdk-lib, constructs, typescript, ...), as
 * package-lock.json resolved it: package.json holds ranges (`^10.9.2`), and a range would float with the registry.
 */
export function devDependency(name: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  if (!pkg.devDependencies[name]) {
    throw new Error(`${name} is not a devDependency of this project`);
  }
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (!version) {
    throw new Error(`${name} is not in package-lock.json: run \`npx projen\` to regenerate the lock`);
  }
  return version;
}

/** Packs the compiled library (`lib/`) into `dir` and returns the tarball's path. */
export function packLibrary(dir: string): string {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) {
    throw new Error('lib/index.js is missing: run `npx projen compile` (or `npx projen build`) before this test.');
  }
  const tarball = run('npm', ['pack', '--silent', '--pack-destination', dir], ROOT).trim().split('\n').pop()!;
  return path.join(dir, tarball);
}

/**
 * Makes `dir` a new npm project and installs the tarball and `packages` (`name@version`) into it, with a tsconfig for
 * a TypeScript app that is type-checked against the packed `.d.ts` files, as a TypeScript user's app is.
 */
export function createConsumerApp(dir: string, tarball: string, packages: string[]): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball, ...packages], dir);
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, esModuleInterop: true, skipLibCheck: true, types: ['node'] },
  }));
}

/** PATH without any folder that holds `docker`: proves that bundling never needs it. */
export function pathWithoutDocker(...prepend: string[]): string {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => !fs.existsSync(path.join(dir, 'docker')));
  return [...prepend, ...dirs].join(path.delimiter);
}
