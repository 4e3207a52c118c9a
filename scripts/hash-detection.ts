/**
 * Hash detection on real builds: runs the detector (src/site/hashed-names.ts) over the file list of every real build
 * in test/fixtures/real-builds and counts, against each build tool's documented naming (naming.json there), the
 * hashed files it misses (served no-cache: one revalidation) and the unhashed files it takes as hashed (served
 * immutable for a year: stale; must be 0). Prints a Markdown table.
 *
 * Run: npx ts-node --project tsconfig.dev.json scripts/hash-detection.ts
 * The builds are remade with scripts/make-real-builds.sh (network to the npm registry, ~10 minutes).
 */
import * as fs from 'fs';
import * as path from 'path';
import { hasContentHash } from '../src/site/hashed-names';

export const REAL_BUILDS_DIR = path.join(__dirname, '..', 'test', 'fixtures', 'real-builds');

/** One build's counts. */
export interface BuildDetection {
  readonly name: string;
  readonly tool: string;
  readonly files: number;
  readonly hashed: number;
  readonly missed: string[];
  readonly falsePositives: string[];
}

/** The file list of a real build (header comments left out). */
export function readFileList(name: string): string[] {
  return fs.readFileSync(path.join(REAL_BUILDS_DIR, `${name}.txt`), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

/** The names of the real builds, in the order of naming.json. */
export function realBuildNames(): string[] {
  return Object.keys(naming()).filter((k) => !k.startsWith('$'));
}

function naming(): Record<string, { tool: string; hashed: string[] }> {
  return JSON.parse(fs.readFileSync(path.join(REAL_BUILDS_DIR, 'naming.json'), 'utf8'));
}

/** Runs the detector over one build's file list against the tool's naming. */
export function detect(name: string, isHashed: (file: string) => boolean = hasContentHash): BuildDetection {
  const spec = naming()[name];
  const patterns = spec.hashed.map((p) => new RegExp(p));
  const files = readFileList(name);
  const expected = (f: string) => patterns.some((p) => p.test(f));
  return {
    name,
    tool: spec.tool,
    files: files.length,
    hashed: files.filter(expected).length,
    missed: files.filter((f) => expected(f) && !isHashed(f)),
    falsePositives: files.filter((f) => !expected(f) && isHashed(f)),
  };
}

/** The Markdown table of every build. */
export function detectionTable(): string {
  const rows = realBuildNames().map((n) => detect(n));
  const lines = [
    '| build | files | hashed (by the tool\'s naming) | hashed files missed | unhashed files taken as hashed |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${r.files} | ${r.hashed} | ${r.missed.length}${r.missed.length ? ` (${r.missed.map((m) => `\`${m}\``).join(', ')})` : ''} | ${r.falsePositives.length} |`),
  ];
  const total = (f: (r: BuildDetection) => number) => rows.reduce((s, r) => s + f(r), 0);
  lines.push(`| **all** | ${total((r) => r.files)} | ${total((r) => r.hashed)} | ${total((r) => r.missed.length)} | ${total((r) => r.falsePositives.length)} |`);
  return lines.join('\n');
}

if (require.main === module) {
  console.log(detectionTable());
}
