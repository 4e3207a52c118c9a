/**
 * Compiles the Go module jsii-pacmak generated (`jsii-pacmak --target go --code-only`), as `jsii-pacmak`'s own
 * Go build does (`go mod tidy` + `go build ./...`), in a scratch copy so the published files stay untouched.
 *
 *   ts-node scripts/go-build-check.ts dist/go/cdkspawithlambdaapi
 *
 * First with the exact versions of the generated go.mod. Only when the Go module proxy refuses one of them
 * ("This module version is not available", as the proxy this project is developed behind does for
 * aws-cdk-go v2.245.0) does it retry with the lowest newer version the proxy serves (an indirect requirement
 * with no newer version is dropped and re-resolved by `go mod tidy`), and it prints every substitution. The
 * published go.mod always keeps the versions jsii-pacmak wrote.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface GoResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

interface GoModRequire {
  readonly Path: string;
  readonly Version: string;
  readonly Indirect?: boolean;
}

/** Module version refused or unknown to the proxy (as opposed to a compile or network error). */
const UNAVAILABLE = /not available|403 Forbidden|404 Not Found|unknown revision|invalid version/;

function go(args: string[], cwd: string): GoResult {
  const started = Date.now();
  const result = spawnSync('go', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    throw new Error(`go-build-check: could not run 'go' (${result.error.message}). Install Go 1.25 or newer.`);
  }
  console.log(`go ${args.join(' ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr };
}

function mustGo(args: string[], cwd: string): string {
  const result = go(args, cwd);
  if (!result.ok) {
    throw new Error(`go-build-check: 'go ${args.join(' ')}' failed in ${cwd}:\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

/** Compares Go module versions `vMAJOR.MINOR.PATCH` (pre-releases sort before their release). */
function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.replace(/^v/, '').split('-', 2);
    return { nums: core.split('.').map(Number), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return d;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/** The proxy's answer to a failed `go mod download -json`, on one line. */
function downloadError(result: GoResult): string {
  let message = result.stderr;
  try {
    message = (JSON.parse(result.stdout) as { Error?: string }).Error ?? message;
  } catch {
    // not JSON: keep stderr
  }
  return message.replace(/\s+/g, ' ').trim();
}

/**
 * Replaces the requirements the proxy refuses; returns what was changed, for the log. Queries run in `outside`,
 * an empty folder: inside the module, Go would first load the very versions it cannot download.
 */
function substituteUnavailable(work: string, outside: string): string[] {
  const goMod = JSON.parse(mustGo(['mod', 'edit', '-json'], work)) as { Require?: GoModRequire[] };
  const changes: string[] = [];
  for (const req of goMod.Require ?? []) {
    const wanted = `${req.Path}@${req.Version}`;
    const download = go(['mod', 'download', '-json', wanted], outside);
    if (download.ok) continue;
    const reason = downloadError(download);
    if (!UNAVAILABLE.test(reason)) {
      throw new Error(`go-build-check: downloading ${wanted} failed: ${reason}`);
    }
    const listed = go(['list', '-m', '-versions', req.Path], outside);
    const newer = listed.ok
      ? listed.stdout.trim().split(/\s+/).slice(1).filter((v) => compareVersions(v, req.Version) > 0).sort(compareVersions)
      : [];
    const substitute = newer.find((v) => go(['mod', 'download', '-json', `${req.Path}@${v}`], outside).ok);
    if (substitute) {
      mustGo(['mod', 'edit', `-replace=${wanted}=${req.Path}@${substitute}`], work);
      changes.push(`${wanted} => ${substitute} (${reason})`);
    } else if (req.Indirect) {
      mustGo(['mod', 'edit', `-droprequire=${req.Path}`], work);
      changes.push(`${wanted} dropped, re-resolved by go mod tidy (${reason})`);
    } else {
      throw new Error(`go-build-check: the Go module proxy does not serve ${wanted} (${reason}) nor a newer version of it.`);
    }
  }
  return changes;
}

function main(): void {
  const moduleDir = path.resolve(process.argv[2] ?? path.join('dist', 'go', 'cdkspawithlambdaapi'));
  if (!fs.existsSync(path.join(moduleDir, 'go.mod'))) {
    throw new Error(`go-build-check: ${moduleDir}/go.mod not found. Generate the module first: jsii-pacmak --target go --code-only`);
  }
  const started = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'go-build-check-'));
  try {
    fs.cpSync(moduleDir, work, { recursive: true });
    const tidy = go(['mod', 'tidy'], work);
    if (!tidy.ok) {
      if (!UNAVAILABLE.test(tidy.stderr)) {
        throw new Error(`go-build-check: 'go mod tidy' failed:\n${tidy.stderr}`);
      }
      const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'go-build-check-queries-'));
      const changes = substituteUnavailable(work, outside);
      fs.rmSync(outside, { recursive: true, force: true });
      console.warn([
        'go-build-check: the Go module proxy does not serve every version the generated go.mod requires; compiling with:',
        ...changes.map((c) => `  ${c}`),
        `  (the published ${path.relative(process.cwd(), moduleDir)}/go.mod is unchanged)`,
      ].join('\n'));
      mustGo(['mod', 'tidy'], work);
    }
    mustGo(['build', './...'], work);
    const versions = mustGo(['list', '-m', '-f', '{{.Path}} {{.Version}}{{with .Replace}} => {{.Version}}{{end}}', 'all'], work)
      .split('\n').filter((line) => /aws-cdk-go|constructs-go|jsii-runtime-go/.test(line));
    console.log(`go-build-check: ${path.basename(moduleDir)} compiles against\n  ${versions.join('\n  ')}\n`
      + `(${((Date.now() - started) / 1000).toFixed(0)} s)`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
