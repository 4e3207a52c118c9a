/**
 * The dev server's virtualenvs, built for real by `ensureVenv` (a project without dependencies, so a build is a
 * `venv` of a few seconds): what it reuses and deletes in its cache folder.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ensureVenv, VENV_MARKER } from '../../src/dev/venv';
import { testTempDir } from '../util';


/** An API folder whose requirements.txt holds only `comment` (no dependency to install). */
function apiWith(comment: string): string {
  const api = testTempDir('dev-venv-api-');
  fs.writeFileSync(path.join(api, 'requirements.txt'), `# ${comment}\n`);
  return api;
}

describe('--cache-dir: only what the dev server made is deleted', () => {
  test('a foreign venv-x/keep.txt survives a rebuild; the dev server\'s own older virtualenv does not', async () => {
    const cacheDir = testTempDir('dev-venv-cache-');
    fs.mkdirSync(path.join(cacheDir, 'venv-x'));
    fs.writeFileSync(path.join(cacheDir, 'venv-x', 'keep.txt'), 'not the dev server\'s');
    fs.mkdirSync(path.join(cacheDir, 'venv-0123456789abcdef', 'bin'), { recursive: true }); // looks like one, has no marker
    fs.writeFileSync(path.join(cacheDir, 'venv-0123456789abcdef', '.complete'), 'x');
    const lines: string[] = [];
    const options = { runtime: 'python3.11', cacheDir, python: 'python3', log: (l: string) => lines.push(l) };

    const api = apiWith('first');
    const first = await ensureVenv({ ...options, apiSource: api });
    const firstVenv = path.dirname(path.dirname(first));
    expect(fs.existsSync(path.join(firstVenv, VENV_MARKER))).toBe(true);
    expect(await ensureVenv({ ...options, apiSource: api })).toBe(first); // the same dependencies: reused
    // another project sharing the cache folder (a second dev server may be using it right now)
    const other = path.dirname(path.dirname(await ensureVenv({ ...options, apiSource: apiWith('another project') })));

    fs.writeFileSync(path.join(api, 'requirements.txt'), '# second\n'); // the project's dependencies change
    const second = await ensureVenv({ ...options, apiSource: api });
    expect(second).not.toBe(first);
    expect(fs.existsSync(second)).toBe(true);
    expect(fs.existsSync(firstVenv)).toBe(false); // the dev server's own, for an older version of the same dependency file
    expect(fs.existsSync(path.join(other, VENV_MARKER))).toBe(true); // another project's is kept
    expect(fs.readFileSync(path.join(cacheDir, 'venv-x', 'keep.txt'), 'utf8')).toBe('not the dev server\'s');
    expect(fs.existsSync(path.join(cacheDir, 'venv-0123456789abcdef', '.complete'))).toBe(true);
    expect(fs.readdirSync(cacheDir).sort())
      .toEqual(['venv-0123456789abcdef', path.basename(path.dirname(path.dirname(second))), path.basename(other), 'venv-x'].sort());
  }, 120_000);
});
