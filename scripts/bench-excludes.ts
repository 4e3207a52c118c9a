/**
 * Synth-time cost of honouring the project's .gitignore files in the Python bundle (issue 24 item 7), measured side by
 * side in one run:
 *
 *   npx projen bench:excludes [--runs 15]
 *
 * The figure is the time to compute the function's asset hash (what every synth does, bundled or not: the exclude
 * list, then CDK's fingerprint of the folder), with `respectGitignore` on (the default) against off, for:
 * 1. the example backend (`example/backend`, inside this repository: the root and example/ .gitignore files apply);
 * 2. a made-up project with clutter a .gitignore lists: a 2,000-file `.venv/`, 500 log files and a `local_assets/`
 *    folder of 500 files, next to 50 modules.
 * Each figure is the median of the runs, in a warm process (the first run of each is discarded).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { arg, median } from './bench-util';
import { pythonBundledCode } from '../src/bundling/python-bundling';

const ROOT = path.join(__dirname, '..');

function hashMillis(entry: string, respectGitignore: boolean): number {
  const started = process.hrtime.bigint();
  pythonBundledCode({ entry, runtime: lambda.Runtime.PYTHON_3_14, architecture: lambda.Architecture.ARM_64, respectGitignore });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function clutteredProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-excludes-'));
  fs.mkdirSync(path.join(dir, '.git'));
  const write = (rel: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  };
  write('.gitignore', '.venv/\n*.log\nlocal_assets/\n');
  write('requirements.txt', '');
  for (let i = 0; i < 50; i++) write(`app/module_${i}.py`, `VALUE = ${i}\n`.repeat(50));
  for (let i = 0; i < 2000; i++) write(`.venv/lib/python3.14/site-packages/pkg_${i % 40}/m_${i}.py`, 'x = 1\n'.repeat(100));
  for (let i = 0; i < 500; i++) write(`logs/run-${i}.log`, 'line\n'.repeat(200));
  for (let i = 0; i < 500; i++) write(`local_assets/thumb-${i}.bin`, 'b'.repeat(4096));
  return dir;
}

const runs = arg('runs', 15);
const cluttered = clutteredProject();
const rows: string[] = [];
for (const [label, entry] of [['example backend', path.join(ROOT, 'example', 'backend')], ['made-up project with clutter (.gitignore)', cluttered]] as const) {
  const on: number[] = [];
  const off: number[] = [];
  hashMillis(entry, true);
  hashMillis(entry, false);
  for (let i = 0; i < runs; i++) {
    on.push(hashMillis(entry, true));
    off.push(hashMillis(entry, false));
  }
  const a = median(on);
  const b = median(off);
  rows.push(`| asset hash of the ${label}, median of ${runs} | ${a.toFixed(1)} ms | ${b.toFixed(1)} ms (respectGitignore: false) | ${(a / b).toFixed(2)}× |`);
}
fs.rmSync(cluttered, { recursive: true, force: true });
console.log(['| figure | respectGitignore (default) | baseline | ratio |', '|---|---|---|---|', ...rows].join('\n'));
