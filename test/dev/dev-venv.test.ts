/**
 * The dev server's virtualenvs, built for real by `ensureVenv` (a project without dependencies, so a build is a
 * `venv` of a few seconds): what it reuses and deletes in its cache folder.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureVenv, VENV_MARKER } from '../../src/dev/venv';

const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmp.push(dir);
  return dir;
}

/** An API folder whose requirements.txt holds only `comment` (no dependency to install). */
function apiWith(comment: string): string {
  const api = tmpDir('dev-venv-api-');
  fs.writeFileSync(path.join(api, 'requirements.txt'), `# ${comment}\n`);
  return api;
}

describe('--cache-dir: only what the dev server made is deleted', () => {
  test('a foreign venv-x/keep.txt survives a rebuild; the dev server\'s own older virtualenv does not', async () => {
    const cacheDir = tmpDir('dev-venv-cache-');
    fs.mkdirSync(path.join(cacheDir, 'venv-x'));
    fs.writeFileSync(path.join(cacheDir, 'venv-x', 'keep.txt'), 'not the dev server\'s');
    fs.mkdirSync(path.join(cacheDir, 'venv-0123456789abcdef', 'bin'), { recursive: true }); // looks like one, has no marker
    fs.writeFileSync(path.join(cacheDir, 'venv-0123456789abcdef', '.complete'), 'x');
    const lines: string[] = [];
    const options = { runtime: 'python3.11', cacheDir, python: 'python3', log: (l: string) => lines.push(l) };

    const first = await ensureVenv({ ...options, apiSource: apiWith('first') });
    const firstVenv = path.dirname(path.dirname(first));
    expect(fs.existsSync(path.join(firstVenv, VENV_MARKER))).toBe(true);
    expect(await ensureVenv({ ...options, apiSource: apiWith('first') })).toBe(first); // the same dependency file: reused

    const second = await ensureVenv({ ...options, apiSource: apiWith('second') });
    expect(second).not.toBe(first);
    expect(fs.existsSync(second)).toBe(true);
    expect(fs.existsSync(firstVenv)).toBe(false); // the dev server's own, for another dependency file
    expect(fs.readFileSync(path.join(cacheDir, 'venv-x', 'keep.txt'), 'utf8')).toBe('not the dev server\'s');
    expect(fs.existsSync(path.join(cacheDir, 'venv-0123456789abcdef', '.complete'))).toBe(true);
    expect(fs.readdirSync(cacheDir).sort()).toEqual(['venv-0123456789abcdef', path.basename(path.dirname(path.dirname(second))), 'venv-x'].sort());
  }, 120_000);
});
