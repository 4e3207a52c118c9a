/**
 * The exclude/include filters that pick one upload group out of the site's single zip (src/site/upload-filters.ts),
 * checked against Python's fnmatch evaluated in the AWS CLI's order (what `aws s3 sync` in BucketDeployment's
 * handler runs), not against the TypeScript port that built them.
 */
import { execFileSync } from 'child_process';
import { escapeGlob, filtersSelecting, SyncFilters } from '../../src/site/upload-filters';

/** For each case: the paths `aws s3 sync --exclude e... --include i...` syncs (last matching filter wins). */
function pythonSyncs(cases: Array<{ paths: string[]; filters: SyncFilters }>): string[][] {
  const script = [
    'import fnmatch, json, sys',
    'out = []',
    'for c in json.load(sys.stdin):',
    '    fs = [("x", g) for g in c["filters"]["exclude"]] + [("i", g) for g in c["filters"]["include"]]',
    '    def synced(p):',
    '        keep = True',
    '        for kind, g in fs:',
    '            if fnmatch.fnmatchcase(p, g):',
    '                keep = kind == "i"',
    '        return keep',
    '    out.append([p for p in c["paths"] if synced(p)])',
    'print(json.dumps(out))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(cases), maxBuffer: 256 * 1024 * 1024 }).toString());
}

/** A deterministic pseudo-random generator (tests must be reproducible). */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe('filtersSelecting', () => {
  test('names with fnmatch characters ([, ], *, ?, !, spaces) are matched literally', () => {
    const files = ['a[1].js', 'a1.js', 'b*.css', 'bX.css', 'c?.txt', 'cc.txt', 'd [!x].png', 'dy.png', 'index.html'];
    const cases = files.map((f) => ({ paths: files, filters: filtersSelecting(files, new Set([f])) }));
    expect(pythonSyncs(cases)).toEqual(files.map((f) => [f]));
    expect(escapeGlob('a[1]*?.js')).toBe('a[[]1][*][?].js');
  });

  test('for 300 random sites and selections, aws s3 sync selects exactly the chosen files', () => {
    const random = rng(42);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
    const cases: Array<{ paths: string[]; filters: SyncFilters; expected: string[] }> = [];
    for (let i = 0; i < 300; i++) {
      const files = new Set<string>();
      const count = 1 + Math.floor(random() * 60);
      while (files.size < count) {
        const depth = Math.floor(random() * 4);
        const dirs = Array.from({ length: depth }, () => pick(['assets', 'img', 'a', 'a.b', 'x[1]', 'sub dir', 'static']));
        files.add([...dirs, `${pick(['index', 'logo', 'main', 'f', 'a*b', 'q?'])}${Math.floor(random() * 5)}.${pick(['js', 'css', 'svg', 'map', 'JS', 'png'])}`].join('/'));
      }
      const all = [...files].sort();
      const share = random();
      const chosen = all.filter(() => random() < share);
      cases.push({ paths: all, filters: filtersSelecting(all, new Set(chosen)), expected: chosen });
    }
    const python = pythonSyncs(cases);
    cases.forEach((c, i) => expect({ filters: c.filters, synced: python[i] }).toEqual({ filters: c.filters, synced: c.expected }));
  });

  test('a 3,000-file site: a folder is one glob, so the filters stay short', () => {
    const hashed = Array.from({ length: 2900 }, (_, i) => `assets/chunk${i}-BdQq_4o${i % 10}.js`);
    const copied = Array.from({ length: 99 }, (_, i) => `images/photo${i}.jpg`);
    const all = [...hashed, ...copied, 'index.html'].sort();
    expect(filtersSelecting(all, new Set(hashed))).toEqual({ exclude: ['*'], include: ['*.js'] }); // the only .js files
    expect(filtersSelecting(all, new Set([...copied, 'index.html']))).toEqual({ exclude: ['*.js'], include: [] });
    expect(filtersSelecting(all, new Set(all))).toEqual({ exclude: [], include: [] });
    expect(filtersSelecting(all, new Set())).toEqual({ exclude: ['*'], include: [] });
  });
});
