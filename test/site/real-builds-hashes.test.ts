/**
 * Hash detection on the file lists of real builds made here (test/fixtures/real-builds, remade with
 * scripts/make-real-builds.sh): no unhashed file is ever taken as hashed, and the misses are exactly those counted in
 * docs/measurements.md. What is hashed comes from each build tool's naming (naming.json), not from the detector.
 */
import { detect, readFileList, realBuildNames } from '../../scripts/hash-detection';

/** The hashed files the detector misses on each build: esbuild's hash of letters only reads like a word. */
const MISSES: Record<string, string[]> = {
  'vite-react': [],
  'vite-vue': [],
  'vite-svelte': [],
  'webpack5': [],
  'esbuild': ['admin-UWMYANJB.js'],
  'angular': [],
  'sveltekit': [],
  'astro': [],
  'next-default': [],
  'next-trailing': [],
};

test('every build of the issue has a fixture', () => {
  expect(realBuildNames().sort()).toEqual(Object.keys(MISSES).sort());
});

describe.each(realBuildNames())('%s', (name) => {
  test('no unhashed file is taken as hashed (it would be served stale for a year)', () => {
    expect(detect(name).falsePositives).toEqual([]);
  });

  test('the hashed files missed are those counted in docs/measurements.md', () => {
    const result = detect(name);
    expect(result.missed).toEqual(MISSES[name]);
    expect(result.hashed).toBeGreaterThan(0);
  });

  test('the list is a real build\'s: index.html and at least one hashed script', () => {
    const files = readFileList(name);
    expect(files).toContain('index.html');
    expect(files.some((f) => f.endsWith('.js') && detect(name).missed.indexOf(f) === -1)).toBe(true);
  });
});

test('the naming is checked against the detector\'s old rules too: it would fail them (the test can fail)', () => {
  // a detector that never sees a hash misses every hashed file of every build
  for (const name of realBuildNames()) {
    const result = detect(name, () => false);
    expect(result.missed.length).toBe(result.hashed);
  }
  // one that sees a hash everywhere takes index.html for hashed
  expect(detect('vite-react', () => true).falsePositives).toContain('index.html');
});
