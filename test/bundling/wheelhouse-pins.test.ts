/**
 * The bundling tests install offline from the test wheelhouse (`npx projen test:wheelhouse`), whose lists are
 * generated with hashes by `npx projen pins`. A fixture that pins a version the lists do not hold passes on a machine
 * whose wheelhouse kept an older download and fails on a fresh clone: this test catches it on every machine, before
 * any install, and names the package and both versions.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// smol-toml's type declarations are ESM-only (see src/bundling/inputs.ts): required as CommonJS
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse }: { parse(text: string): unknown } = require('smol-toml');

const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures');
const WHEELHOUSE_DIR = path.join(FIXTURES, 'python-wheelhouse');
const LISTS = ['wheels-aarch64.txt', 'wheels-host.txt', 'sdists.txt'];

/** PEP 503 normalized name. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** `name==version` of a requirement line (extras, markers and hashes dropped), or undefined when it is not pinned. */
function exactPin(requirement: string): { name: string; version: string } | undefined {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==\s*([^\s;,\\]+)/.exec(requirement);
  return match ? { name: normalize(match[1]), version: match[2] } : undefined;
}

/** Every version each list pins, by package. */
export function wheelhouseVersions(dir: string = WHEELHOUSE_DIR): Map<string, Set<string>> {
  const versions = new Map<string, Set<string>>();
  for (const list of LISTS) {
    for (const line of fs.readFileSync(path.join(dir, list), 'utf8').split('\n')) {
      const pin = exactPin(line);
      if (pin) {
        versions.set(pin.name, (versions.get(pin.name) ?? new Set()).add(pin.version));
      }
    }
  }
  return versions;
}

interface FixturePin { readonly file: string; readonly name: string; readonly version: string }

/** The exact pins of one fixture project: requirements.txt, pyproject.toml, uv.lock (registry packages), poetry.lock (main group). */
function fixturePins(project: string): FixturePin[] {
  const pins: FixturePin[] = [];
  const add = (file: string, name: string, version: string) => pins.push({ file: path.relative(ROOT, file), name: normalize(name), version });
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)]);
  for (const file of walk(project)) {
    const base = path.basename(file);
    if (base === 'requirements.txt') {
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        const pin = exactPin(line);
        if (pin) add(file, pin.name, pin.version);
      }
    } else if (base === 'pyproject.toml') {
      const toml = parse(fs.readFileSync(file, 'utf8')) as { project?: { dependencies?: string[] } };
      for (const dependency of toml.project?.dependencies ?? []) {
        const pin = exactPin(dependency);
        if (pin) add(file, pin.name, pin.version);
      }
    } else if (base === 'uv.lock' || base === 'poetry.lock') {
      const toml = parse(fs.readFileSync(file, 'utf8')) as { package?: Array<{ name: string; version: string; source?: { registry?: string }; groups?: string[] }> };
      for (const pkg of toml.package ?? []) {
        const installed = base === 'uv.lock' ? pkg.source?.registry !== undefined : (pkg.groups ?? ['main']).includes('main');
        if (installed) add(file, pkg.name, pkg.version);
      }
    }
  }
  return pins;
}

/** One line per fixture pin that the wheelhouse lists do not hold, naming the package and both versions. */
export function missingFromWheelhouse(projects: string[], versions: Map<string, Set<string>>): string[] {
  const problems: string[] = [];
  for (const project of projects) {
    for (const pin of fixturePins(project)) {
      const held = versions.get(pin.name);
      if (held?.has(pin.version)) continue;
      const has = held ? `holds ${[...held].map((v) => `${pin.name}==${v}`).join(', ')}` : `holds no ${pin.name} at all`;
      problems.push(`${pin.file} pins ${pin.name}==${pin.version}, but the test wheelhouse (test/fixtures/python-wheelhouse/*.txt) ${has}. `
        + `Pin the fixture to a version the wheelhouse holds, or add ${pin.name}==${pin.version} to the wheelhouse's .in file and run \`npx projen pins\`.`);
    }
  }
  return problems;
}

const FIXTURE_PROJECTS = fs.readdirSync(FIXTURES)
  .filter((name) => name.startsWith('python-') && name !== 'python-wheelhouse')
  .map((name) => path.join(FIXTURES, name));

describe('the test wheelhouse', () => {
  test('holds every version a fixture pins', () => {
    expect(FIXTURE_PROJECTS.length).toBeGreaterThan(5);
    expect(missingFromWheelhouse(FIXTURE_PROJECTS, wheelhouseVersions())).toEqual([]);
  });

  test('fails when a fixture pins a version the wheelhouse lacks, naming the package and both versions', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pins-'));
    try {
      fs.writeFileSync(path.join(dir, 'requirements.txt'), 'six==1.17.0\nidna==3.20 \\\n    --hash=sha256:00\n');
      const versions = new Map([['six', new Set(['1.17.0'])], ['idna', new Set(['3.21'])]]);
      const problems = missingFromWheelhouse([dir], versions);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('pins idna==3.20, but the test wheelhouse (test/fixtures/python-wheelhouse/*.txt) holds idna==3.21.');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each(LISTS)('%s pins every package with == and its hashes, generated from its .in file', (list) => {
    const text = fs.readFileSync(path.join(WHEELHOUSE_DIR, list), 'utf8');
    expect(text).toContain('npx projen pins');
    expect(fs.existsSync(path.join(WHEELHOUSE_DIR, list.replace(/\.txt$/, '.in')))).toBe(true);
    const requirements = text.replace(/\\\n/g, ' ').split('\n').filter((line) => /^[A-Za-z0-9]/.test(line));
    expect(requirements.length).toBeGreaterThan(0);
    for (const requirement of requirements) {
      expect(requirement).toMatch(/^[A-Za-z0-9._-]+==\S+.*--hash=sha256:[0-9a-f]{64}/);
    }
  });

  test.each([
    'requirements-dev.txt', 'example/backend/requirements.txt', 'example/backend/requirements-dev.txt', 'test/python-consumer/requirements.txt',
  ])('%s pins every package with == and its hashes', (file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const requirements = text.replace(/\\\n/g, ' ').split('\n').filter((line) => /^[A-Za-z0-9]/.test(line));
    expect(requirements.length).toBeGreaterThan(2);
    for (const requirement of requirements) {
      expect(requirement).toMatch(/^[A-Za-z0-9._-]+==\S+.*--hash=sha256:[0-9a-f]{64}/);
    }
  });
});
