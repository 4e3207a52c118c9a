/**
 * Executes the release-cleanup custom resource (src/site/runtime/release-cleanup/index.py, Python) against an in-memory
 * S3 (test/fixtures/site-release-cleanup/harness.py). The three-release scenario runs the whole deploy as the
 * construct synthesizes it: the upload groups' assets staged in the cloud assembly are zipped, uploaded like the
 * BucketDeployments do (extract, no prune), then the cleanup runs with the properties from the template.
 *
 * Release 1 is test/fixtures/vite-build, the committed output of a real Vite build (`vite build` of
 * example/frontend); releases 2 and 3 are copies with the chunks a code change would rename.
 */
import { execFileSync } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { OUT_OF_BAND_GRACE_PERIOD } from '../../src/site/site-deployment';
import { minimalProps, synthApp, testTempDir } from '../util';

const HARNESS = path.join(__dirname, '..', 'fixtures', 'site-release-cleanup', 'harness.py');
const VITE_BUILD = path.join(__dirname, '..', 'fixtures', 'vite-build');
const PREFIX = '.releases/';
const SITE_BUCKET = 'site-bucket';
const ASSETS_BUCKET = 'assets-bucket';

type Buckets = Record<string, Record<string, string>>;

interface HarnessRequest {
  buckets?: Buckets;
  zips?: Array<{ bucket: string; key: string; dir?: string; files?: Record<string, string> }>;
  uploads?: Array<{ bucket: string; key: string; destination: string; exclude?: string[]; include?: string[] }>;
  event?: Record<string, unknown>;
  now?: string;
  pageSize?: number;
  failDeletes?: string[];
  plan?: Record<string, unknown>;
}

interface HarnessAnswer {
  buckets: Buckets;
  result: { PhysicalResourceId: string; Data?: Record<string, string>; kept?: string[]; dropped?: string[]; delete?: string[] } | null;
  error: string | null;
  calls: Array<[string, Record<string, any>]>;
  /** The keys each upload put, in upload order. */
  uploaded: string[][];
}

function harness(request: HarnessRequest): HarnessAnswer {
  const out = execFileSync('python3', ['-B', HARNESS], {
    input: JSON.stringify(request),
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['pipe', 'pipe', 'pipe'], // the handler's log lines (warnings of the failure tests) stay out of the report
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out.toString('utf8'));
}

function keys(buckets: Buckets, bucket = SITE_BUCKET): string[] {
  return Object.keys(buckets[bucket] ?? {}).sort();
}

function text(buckets: Buckets, key: string, bucket = SITE_BUCKET): string {
  return Buffer.from(buckets[bucket][key], 'base64').toString('utf8');
}

function filesOf(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? filesOf(dir, rel) : [rel];
  }).sort();
}

/** The files `index.html` loads (`src="/x.js"`, `href="/x.css"`; not the links to SPA routes), without the leading slash. */
function referencedBy(indexHtml: string): string[] {
  return [...indexHtml.matchAll(/(?:src|href)="\/([^"]+\.[A-Za-z0-9]+)"/g)].map((m) => m[1]).sort();
}

/** A new build: copies `from`, renames the hashed files in `renames` (new content, new hash) and fixes index.html. */
function nextBuild(from: string, renames: Record<string, string>, remove: string[] = []): string {
  const dir = testTempDir('spa-release-');
  fs.cpSync(from, dir, { recursive: true });
  let html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
  for (const [oldName, newName] of Object.entries(renames)) {
    const content = fs.readFileSync(path.join(dir, oldName), 'utf8');
    fs.rmSync(path.join(dir, oldName));
    fs.writeFileSync(path.join(dir, newName), `${content}\n/* changed in ${newName} */\n`);
    html = html.split(`/${oldName}`).join(`/${newName}`);
  }
  fs.writeFileSync(path.join(dir, 'index.html'), html);
  for (const r of remove) {
    fs.rmSync(path.join(dir, r));
  }
  return dir;
}

/** Replaces the template's tokens in the cleanup's properties by the names of the fake buckets. */
function resolvedCleanupProps(props: any): any {
  return {
    ...props,
    ServiceToken: undefined,
    BucketName: SITE_BUCKET,
    Sources: props.Sources.map((s: any) => ({ ...s, BucketName: ASSETS_BUCKET })),
  };
}

/**
 * One `cdk deploy` of `siteDir`, as far as the bucket is concerned: synthesizes the construct, uploads every
 * BucketDeployment's asset in the template's dependency order, then runs the cleanup with its template properties.
 */
function deploy(buckets: Buckets, siteDir: string, now: string, first: boolean): { answer: HarnessAnswer; props: any } {
  const { stack, template } = synthApp(minimalProps({ site: { source: siteDir } }));
  const assembly = (stack.node.root as App).synth();

  const cleanups = template.findResources('Custom::SpaReleaseCleanup');
  expect(Object.keys(cleanups)).toHaveLength(1);
  const [cleanupId, cleanup] = Object.entries(cleanups)[0];
  const deployments = template.findResources('Custom::CDKBucketDeployment');
  // the cleanup runs after every upload, and lists exactly the zips they uploaded
  expect([...cleanup.DependsOn].sort()).toEqual(expect.arrayContaining(Object.keys(deployments)));
  const uploadedKeys = [...new Set(Object.values(deployments).flatMap((d: any) => d.Properties.SourceObjectKeys))].sort();
  expect(cleanup.Properties.Sources.map((s: any) => s.ObjectKey).sort()).toEqual(uploadedKeys);

  // hashed groups first (the unhashed ones depend on them); a group's zip is its staged asset folder
  const hashedFirst = Object.entries(deployments).sort(([a], [b]) => Number(b.includes('HashedAssets')) - Number(a.includes('HashedAssets')));
  const zips = uploadedKeys.map((key: string) => ({
    bucket: ASSETS_BUCKET, key, dir: path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`),
  }));
  const uploads = hashedFirst.map(([, d]: [string, any]) => ({
    bucket: ASSETS_BUCKET,
    key: d.Properties.SourceObjectKeys[0],
    destination: SITE_BUCKET,
    exclude: d.Properties.Exclude ?? [],
    include: d.Properties.Include ?? [],
  }));

  const props = resolvedCleanupProps(cleanup.Properties);
  const answer = harness({
    buckets,
    zips,
    uploads,
    now,
    event: {
      RequestType: first ? 'Create' : 'Update',
      LogicalResourceId: cleanupId,
      ResourceProperties: props,
      ...(first ? {} : { PhysicalResourceId: `site-release-cleanup:${SITE_BUCKET}` }),
    },
  });
  expect(answer.error).toBeNull();
  // the deployments' filters split the one zip: every file of the site is uploaded by exactly one deployment
  expect(answer.uploaded.flat().sort()).toEqual(filesOf(siteDir));
  return { answer, props };
}

function manifests(buckets: Buckets): string[] {
  return keys(buckets).filter((k) => k.startsWith(PREFIX));
}

function assertCurrentReleaseIntact(buckets: Buckets, siteDir: string): void {
  for (const f of filesOf(siteDir)) {
    expect(keys(buckets)).toContain(f);
    expect(text(buckets, f)).toBe(fs.readFileSync(path.join(siteDir, f), 'utf8'));
  }
  const references = referencedBy(fs.readFileSync(path.join(siteDir, 'index.html'), 'utf8'));
  expect(references.length).toBeGreaterThanOrEqual(3);
  for (const ref of references) {
    expect(keys(buckets)).toContain(ref);
  }
}

describe('three consecutive releases of a Vite build', () => {
  const release1 = VITE_BUILD;
  const release2 = nextBuild(release1, { 'assets/index-DESi9q8R.js': 'assets/index-R2b7Xk1q.js' }, ['robots.txt']);
  const release3 = nextBuild(release2, {
    'assets/index-R2b7Xk1q.js': 'assets/index-R3pQ9zLm.js',
    'assets/index-5K79yzeN.css': 'assets/index-R3cS5sZz.css',
  });
  const site: Buckets = {};
  let after1: HarnessAnswer;
  let after2: HarnessAnswer;
  let after3: HarnessAnswer;

  beforeAll(() => {
    after1 = deploy(site, release1, '2026-01-01T10:00:00.000000Z', true).answer;
    after2 = deploy(after1.buckets, release2, '2026-01-02T10:00:00.000000Z', false).answer;
    after3 = deploy(after2.buckets, release3, '2026-01-03T10:00:00.000000Z', false).answer;
  });

  test('release 1: the bucket holds the build and the release manifest, nothing is deleted', () => {
    expect(keys(after1.buckets).filter((k) => !k.startsWith(PREFIX))).toEqual(filesOf(release1));
    expect(manifests(after1.buckets)).toEqual([`${PREFIX}${after1.result!.Data!.ReleaseId}.json`]);
    expect(after1.result!.Data).toMatchObject({ Files: '5', HashedFiles: '2', Deleted: '0' });
    const manifest = JSON.parse(text(after1.buckets, manifests(after1.buckets)[0]));
    expect(manifest).toEqual({
      format: 1,
      releaseId: after1.result!.Data!.ReleaseId,
      deployedAt: '2026-01-01T10:00:00.000000Z',
      hashed: ['assets/index-5K79yzeN.css', 'assets/index-DESi9q8R.js'],
      files: filesOf(release1),
    });
    assertCurrentReleaseIntact(after1.buckets, release1);
    expect(after1.result!.PhysicalResourceId).toBe(`site-release-cleanup:${SITE_BUCKET}`);
  });

  test('the manifest is written as JSON that is never cached', () => {
    const put = after1.calls.find(([op, args]) => op === 'put_object' && args.Key.startsWith(PREFIX))!;
    expect(put[1]).toEqual({
      Bucket: SITE_BUCKET, Key: manifests(after1.buckets)[0], ContentType: 'application/json', CacheControl: 'no-store',
    });
  });

  test('after release 2, release 1\'s hashed files are still there and its removed unhashed file is gone', () => {
    expect(keys(after2.buckets)).toContain('assets/index-DESi9q8R.js'); // release 1's entry chunk, for open tabs
    expect(keys(after2.buckets)).toContain('assets/index-5K79yzeN.css');
    expect(keys(after2.buckets)).not.toContain('robots.txt'); // unhashed, not in release 2: replaced (deleted)
    assertCurrentReleaseIntact(after2.buckets, release2);
    expect(manifests(after2.buckets)).toHaveLength(2);
    expect(after2.result!.Data).toMatchObject({ Deleted: '1', Kept: `${after2.result!.Data!.ReleaseId},${after1.result!.Data!.ReleaseId}` });
  });

  test('after release 3, files only release 1 used are deleted, release 2\'s are kept', () => {
    expect(keys(after3.buckets)).not.toContain('assets/index-DESi9q8R.js'); // only release 1
    expect(keys(after3.buckets)).toContain('assets/index-R2b7Xk1q.js'); // release 2, the previous one
    expect(keys(after3.buckets)).toContain('assets/index-5K79yzeN.css'); // release 1 and 2
    expect(keys(after3.buckets)).not.toContain(`${PREFIX}${after1.result!.Data!.ReleaseId}.json`);
    expect(manifests(after3.buckets).sort()).toEqual([
      `${PREFIX}${after2.result!.Data!.ReleaseId}.json`,
      `${PREFIX}${after3.result!.Data!.ReleaseId}.json`,
    ].sort());
    expect(keys(after3.buckets).filter((k) => !k.startsWith(PREFIX))).toEqual([...new Set([
      ...filesOf(release3), 'assets/index-R2b7Xk1q.js', 'assets/index-5K79yzeN.css',
    ])].sort());
    assertCurrentReleaseIntact(after3.buckets, release3);
    expect(after3.result!.Data).toMatchObject({ Deleted: '2' }); // release 1's chunk and manifest
  });

  test('files of the current release are never deleted at any step', () => {
    for (const [answer, dir] of [[after1, release1], [after2, release2], [after3, release3]] as const) {
      const deleted = answer.calls.filter(([op]) => op === 'delete_objects').flatMap(([, args]) => args.Keys as string[]);
      for (const f of filesOf(dir)) {
        expect(deleted).not.toContain(f);
      }
    }
  });

  test('the cleanup lists the source zips from their central directory, with ranged reads only', () => {
    const reads = after3.calls.filter(([op, args]) => op === 'get_object' && args.Bucket === ASSETS_BUCKET);
    expect(reads.length).toBeGreaterThan(0);
    for (const [, args] of reads) {
      expect(args.Range).toMatch(/^bytes=\d+-\d+$/);
    }
  });
});

/** Props of the cleanup as the construct writes them, for a release made of one zip per group. */
function cleanupEvent(sources: Array<{ key: string; hashedGlobs: string[] }>, extra: Record<string, unknown> = {}, keep = 2) {
  return {
    RequestType: 'Update',
    PhysicalResourceId: `site-release-cleanup:${SITE_BUCKET}`,
    ResourceProperties: {
      BucketName: SITE_BUCKET,
      ManifestPrefix: PREFIX,
      KeepReleases: String(keep), // CloudFormation hands numbers to custom resources as strings
      OutOfBandGraceSeconds: String(OUT_OF_BAND_GRACE_PERIOD.toSeconds()),
      Sources: sources.map((s) => ({ BucketName: ASSETS_BUCKET, ObjectKey: s.key, HashedGlobs: s.hashedGlobs })),
    },
    ...extra,
  };
}

/** A release as one prebuilt zip (the `sourceAsset` case) classified by Vite's glob. */
function zipRelease(name: string, files: Record<string, string>, globs = ['assets/*']) {
  return {
    zips: [{ bucket: ASSETS_BUCKET, key: `${name}.zip`, files }],
    uploads: [{ bucket: ASSETS_BUCKET, key: `${name}.zip`, destination: SITE_BUCKET }],
    event: cleanupEvent([{ key: `${name}.zip`, hashedGlobs: globs }]),
  };
}

const R1 = { 'index.html': '<script src="/assets/a-1111.js">', 'assets/a-1111.js': 'a1', 'assets/shared-0000.js': 's' };
const R2 = { 'index.html': '<script src="/assets/a-2222.js">', 'assets/a-2222.js': 'a2', 'assets/shared-0000.js': 's' };
const R3 = { 'index.html': '<script src="/assets/a-3333.js">', 'assets/a-3333.js': 'a3', 'assets/shared-0000.js': 's' };

function deployZip(buckets: Buckets, name: string, files: Record<string, string>, now: string, more: Partial<HarnessRequest> = {}) {
  const answer = harness({ buckets, now, ...zipRelease(name, files), ...more });
  return answer;
}

describe('release cleanup handler', () => {
  test('a prebuilt source is classified with fnmatch: "*" crosses "/", and names are normalized like extraction', () => {
    const answer = harness({
      now: '2026-01-01T00:00:00.000000Z',
      ...zipRelease('r1', {
        './index.html': 'i', 'assets/a-1.js': 'a', 'assets/nested/b-2.js': 'b', 'static/c.css': 'c', 'dir/': '',
      }, ['assets/*']),
    });
    expect(answer.error).toBeNull();
    expect(answer.result!.Data).toMatchObject({ Files: '4', HashedFiles: '2' });
    const manifest = JSON.parse(text(answer.buckets, `${PREFIX}${answer.result!.Data!.ReleaseId}.json`));
    expect(manifest.hashed).toEqual(['assets/a-1.js', 'assets/nested/b-2.js']);
  });

  test('listing a large source zip reads its central directory, not the whole archive', () => {
    const noise = randomBytes(1_500_000).toString('base64'); // does not compress below 1 MB
    const answer = harness({ now: '2026-01-01T00:00:00.000000Z', ...zipRelease('big', { 'index.html': 'i', 'assets/big-1.js': noise }) });
    expect(answer.error).toBeNull();
    const zipSize = Buffer.from(answer.buckets[ASSETS_BUCKET]['big.zip'], 'base64').length;
    const read = answer.calls.filter(([op, args]) => op === 'get_object' && args.Bucket === ASSETS_BUCKET)
      .map(([, args]) => /^bytes=(\d+)-(\d+)$/.exec(args.Range)!).map((m) => Number(m[2]) - Number(m[1]) + 1);
    expect(zipSize).toBeGreaterThan(1_000_000);
    expect(read.reduce((a, b) => a + b, 0)).toBeLessThan(100_000);
    expect(answer.result!.Data).toMatchObject({ Files: '2', HashedFiles: '1' });
  });

  test('redeploying the same assets is the same release, and a rollback keeps the newer release', () => {
    let b = deployZip({}, 'r1', R1, '2026-01-01T00:00:00.000000Z').buckets;
    const r1 = deployZip(b, 'r1', R1, '2026-01-01T00:00:01.000000Z');
    expect(manifests(r1.buckets)).toHaveLength(1);
    b = deployZip(r1.buckets, 'r2', R2, '2026-01-02T00:00:00.000000Z').buckets;
    // rollback (or redeploy) of release 1: it becomes the newest, release 2 is the previous one
    const back = deployZip(b, 'r1', R1, '2026-01-03T00:00:00.000000Z');
    expect(keys(back.buckets)).toEqual(expect.arrayContaining(['assets/a-1111.js', 'assets/a-2222.js', 'assets/shared-0000.js']));
    expect(text(back.buckets, 'index.html')).toBe(R1['index.html']);
    const next = deployZip(back.buckets, 'r3', R3, '2026-01-04T00:00:00.000000Z');
    expect(keys(next.buckets)).not.toContain('assets/a-2222.js');
    expect(keys(next.buckets)).toContain('assets/a-1111.js');
  });

  test('keepReleases 3 keeps the hashed files of the two previous releases', () => {
    let b = deployZip({}, 'r1', R1, '2026-01-01T00:00:00.000000Z').buckets;
    b = deployZip(b, 'r2', R2, '2026-01-02T00:00:00.000000Z').buckets;
    const r3 = harness({ buckets: b, now: '2026-01-03T00:00:00.000000Z', ...zipRelease('r3', R3), event: cleanupEvent([{ key: 'r3.zip', hashedGlobs: ['assets/*'] }], {}, 3) });
    expect(keys(r3.buckets)).toEqual(expect.arrayContaining(['assets/a-1111.js', 'assets/a-2222.js', 'assets/a-3333.js']));
    expect(manifests(r3.buckets)).toHaveLength(3);
  });

  test('a bucket deployed before the cleanup existed: its objects are adopted as the previous release', () => {
    const legacy = { 'index.html': 'old', 'assets/old-9999.js': 'o', 'about.html': 'old page' };
    const seeded = harness({ zips: [{ bucket: 'seed', key: 'legacy.zip', files: legacy }], uploads: [{ bucket: 'seed', key: 'legacy.zip', destination: SITE_BUCKET }] });
    const first = deployZip(seeded.buckets, 'r1', R1, '2026-01-01T00:00:00.000000Z');
    expect(first.error).toBeNull();
    expect(first.result!.Data!.Deleted).toBe('0');
    expect(keys(first.buckets)).toEqual(expect.arrayContaining(['assets/old-9999.js', 'about.html']));
    expect(manifests(first.buckets).some((k) => k.startsWith(`${PREFIX}adopted-`))).toBe(true);
    const second = deployZip(first.buckets, 'r2', R2, '2026-01-02T00:00:00.000000Z');
    expect(keys(second.buckets)).not.toContain('assets/old-9999.js');
    expect(keys(second.buckets)).not.toContain('about.html');
    expect(manifests(second.buckets).some((k) => k.startsWith(`${PREFIX}adopted-`))).toBe(false);
    expect(keys(second.buckets)).toContain('assets/a-1111.js');
  });

  test('an unreadable manifest stops the sweep: nothing is deleted, the release is still recorded', () => {
    let b = deployZip({}, 'r1', R1, '2026-01-01T00:00:00.000000Z').buckets;
    b = deployZip(b, 'r2', R2, '2026-01-02T00:00:00.000000Z').buckets;
    b[SITE_BUCKET][`${PREFIX}broken.json`] = Buffer.from('{not json').toString('base64');
    const r3 = deployZip(b, 'r3', R3, '2026-01-03T00:00:00.000000Z');
    expect(r3.error).toBeNull();
    expect(r3.calls.filter(([op]) => op === 'delete_objects')).toEqual([]);
    expect(r3.result!.Data).toMatchObject({ Deleted: '0', Skipped: `unreadable manifests: ${PREFIX}broken.json` });
    expect(manifests(r3.buckets)).toContain(`${PREFIX}${r3.result!.Data!.ReleaseId}.json`);
  });

  test('objects under the manifest prefix that are not manifests are left alone', () => {
    const b = deployZip({}, 'r1', R1, '2026-01-01T00:00:00.000000Z').buckets;
    b[SITE_BUCKET][`${PREFIX}notes/readme.txt`] = Buffer.from('x').toString('base64');
    const r2 = deployZip(b, 'r2', R2, '2026-01-02T00:00:00.000000Z');
    expect(keys(r2.buckets)).toContain(`${PREFIX}notes/readme.txt`);
  });

  test('a release without files is refused instead of emptying the bucket', () => {
    const b = deployZip({}, 'r1', R1, '2026-01-01T00:00:00.000000Z').buckets;
    const empty = harness({ buckets: b, zips: [{ bucket: ASSETS_BUCKET, key: 'empty.zip', files: {} }], event: cleanupEvent([{ key: 'empty.zip', hashedGlobs: ['assets/*'] }]) });
    expect(empty.error).toBe(`ValueError: the release has no files: refusing to clean up the bucket ${SITE_BUCKET}`);
    expect(keys(empty.buckets)).toEqual(keys(b));
  });

  test('Delete leaves the bucket alone', () => {
    const b = deployZip({}, 'r1', R1, '2026-01-01T00:00:00.000000Z').buckets;
    const answer = harness({ buckets: b, event: cleanupEvent([{ key: 'r1.zip', hashedGlobs: ['assets/*'] }], { RequestType: 'Delete' }) });
    expect(answer.error).toBeNull();
    expect(answer.result).toEqual({ PhysicalResourceId: `site-release-cleanup:${SITE_BUCKET}` });
    expect(answer.calls).toEqual([]);
  });

  test('large buckets: listing is paginated, deletes go in batches of at most 1000, failed deletes are retried next time', () => {
    const stale: Record<string, string> = {};
    for (let i = 0; i < 2100; i++) {
      stale[`assets/stale-${String(i).padStart(4, '0')}.js`] = Buffer.from('x').toString('base64');
    }
    let b = deployZip({}, 'r1', R1, '2026-01-01T00:00:00.000000Z').buckets;
    b = deployZip(b, 'r2', R2, '2026-01-02T00:00:00.000000Z').buckets;
    Object.assign(b[SITE_BUCKET], stale); // objects no manifest lists (e.g. left by a failed run)
    const failing = 'assets/stale-0007.js';
    const r3 = deployZip(b, 'r3', R3, '2026-01-03T00:00:00.000000Z', { pageSize: 500, failDeletes: [failing] });
    expect(r3.error).toBeNull();
    expect(r3.calls.filter(([op]) => op === 'list_objects_v2').length).toBeGreaterThanOrEqual(5);
    const batches = r3.calls.filter(([op]) => op === 'delete_objects').map(([, args]) => args.Keys.length);
    expect(batches).toEqual([1000, 1000, 102]); // 2100 stale + release 1's chunk and manifest
    expect(r3.result!.Data).toMatchObject({ Deleted: '2101', FailedDeletes: '1' });
    expect(keys(r3.buckets)).toContain(failing);
    const r3again = deployZip(r3.buckets, 'r3', R3, '2026-01-03T00:01:00.000000Z');
    expect(keys(r3again.buckets)).not.toContain(failing);
  });
});

describe('plan_cleanup (the pure decision)', () => {
  const base = {
    prefix: PREFIX,
    keep: 2,
    current: { id: 'c', deployedAt: '2026-01-03', hashed: ['assets/c.js', 'assets/shared.js'] },
    currentFiles: ['index.html', 'assets/c.js', 'assets/shared.js'],
  };

  test('keeps the newest releases by deployedAt, drops the rest and their manifests', () => {
    const answer = harness({
      plan: {
        ...base,
        objects: ['index.html', 'assets/a.js', 'assets/b.js', 'assets/c.js', 'assets/shared.js', 'stale.html',
          `${PREFIX}a.json`, `${PREFIX}b.json`, `${PREFIX}c.json`],
        history: [
          { id: 'b', deployedAt: '2026-01-02', hashed: ['assets/b.js', 'assets/shared.js'] },
          { id: 'a', deployedAt: '2026-01-01', hashed: ['assets/a.js', 'assets/shared.js'] },
          { id: 'c', deployedAt: '2025-12-01', hashed: ['assets/c.js'] }, // the current release's older manifest
        ],
      },
    });
    expect(answer.error).toBeNull();
    expect(answer.result).toEqual({ kept: ['c', 'b'], dropped: ['a'], delete: ['.releases/a.json', 'assets/a.js', 'stale.html'], deferred: [] });
  });

  test('a file of the current release is kept even when only a dropped release listed it as hashed', () => {
    const answer = harness({
      plan: {
        ...base,
        keep: 1,
        objects: ['index.html', 'assets/c.js', 'assets/shared.js', 'assets/old.js', `${PREFIX}old.json`],
        history: [{ id: 'old', deployedAt: '2026-01-01', hashed: ['assets/old.js', 'assets/shared.js', 'index.html'] }],
      },
    });
    expect(answer.result).toEqual({ kept: ['c'], dropped: ['old'], delete: ['.releases/old.json', 'assets/old.js'], deferred: [] });
  });
});

/** Records when S3 stored an object (its LastModified), as the harness keeps it. */
function storedAt(buckets: Buckets, key: string, when: string): void {
  buckets.__stored_at__ = { ...buckets.__stored_at__, [`${SITE_BUCKET}\t${key}`]: Buffer.from(when).toString('base64') };
}

function putObject(buckets: Buckets, key: string, body: string, when: string): void {
  buckets[SITE_BUCKET][key] = Buffer.from(body).toString('base64');
  storedAt(buckets, key, when);
}

function deletedBy(answer: HarnessAnswer): string[] {
  return answer.calls.filter(([op]) => op === 'delete_objects').flatMap(([, args]) => args.Keys as string[]);
}

describe('attack: a planted release manifest', () => {
  /** A manifest as an attacker with write access to the bucket would plant it: self-consistent id, key and format. */
  function planted(hashed: string[], deployedAt: string) {
    const id = createHash('sha256').update([...hashed].sort().join('\n')).digest('hex');
    return { key: `${PREFIX}${id}.json`, body: JSON.stringify({ format: 1, releaseId: id, deployedAt, hashed }) };
  }

  test.each([
    ['deployedAt in the future, hashed: ["index.html"]', ['index.html'], '2099-01-01T00:00:00.000000Z'],
    ['a plausible deployedAt, hashed: ["index.html"]', ['index.html'], '2026-01-02T11:00:00.000000Z'],
    ['deployedAt later than S3 stored it', ['assets/zzz-9999.js'], '2026-01-02T23:00:00.000000Z'],
  ])('%s: deletes no current file and does not push out the real previous release', (_name, hashed, deployedAt) => {
    let b = deployZip({}, 'r1', R1, '2026-01-01T00:00:00.000000Z').buckets;
    const r2 = deployZip(b, 'r2', R2, '2026-01-02T00:00:00.000000Z');
    b = r2.buckets;
    const fake = planted(hashed, deployedAt);
    putObject(b, fake.key, fake.body, '2026-01-02T12:00:00.000000Z');

    const r3 = deployZip(b, 'r3', R3, '2026-01-03T00:00:00.000000Z');
    expect(r3.error).toBeNull();
    // the real previous release (r2) is the one kept next to the current one; r1 goes as usual
    expect(r3.result!.Data!.Kept).toBe(`${r3.result!.Data!.ReleaseId},${r2.result!.Data!.ReleaseId}`);
    expect(keys(r3.buckets)).toContain('assets/a-2222.js');
    expect(keys(r3.buckets)).not.toContain('assets/a-1111.js');
    // every file of the current release is there, with its content, and none was in a delete call
    for (const [file, body] of Object.entries(R3)) {
      expect(text(r3.buckets, file)).toBe(body);
      expect(deletedBy(r3)).not.toContain(file);
    }
    // the planted manifest is ignored, reported, and left in place for inspection
    expect(r3.result!.Data!.Ignored).toBe(`manifests this cleanup did not write: ${fake.key}`);
    expect(keys(r3.buckets)).toContain(fake.key);

    // and the next deploy still keeps the real previous release (r3), not the planted one
    const r4 = deployZip(r3.buckets, 'r1', R1, '2026-01-04T00:00:00.000000Z');
    expect(r4.result!.Data!.Kept).toBe(`${r4.result!.Data!.ReleaseId},${r3.result!.Data!.ReleaseId}`);
    expect(keys(r4.buckets)).toEqual(expect.arrayContaining(['assets/a-1111.js', 'assets/a-3333.js', 'index.html']));
  });

  test('without the checks the same manifest would take the previous release\'s place (the attack is real)', () => {
    const fake = planted(['index.html'], '2099-01-01T00:00:00.000000Z');
    const answer = harness({
      plan: {
        prefix: PREFIX,
        keep: 2,
        current: { id: 'r3', deployedAt: '2026-01-03T00:00:00.000000Z', hashed: ['assets/a-3333.js'] },
        currentFiles: ['index.html', 'assets/a-3333.js'],
        objects: ['index.html', 'assets/a-2222.js', 'assets/a-3333.js', `${PREFIX}r2.json`, fake.key],
        history: [
          { id: 'r2', deployedAt: '2026-01-02T00:00:00.000000Z', hashed: ['assets/a-2222.js'] },
          { id: JSON.parse(fake.body).releaseId, deployedAt: '2099-01-01T00:00:00.000000Z', hashed: ['index.html'] },
        ],
      },
    });
    expect(answer.result!.delete).toEqual(['.releases/r2.json', 'assets/a-2222.js']);
  });
});

describe('out-of-band objects: deleted only after the grace period', () => {
  const grace = OUT_OF_BAND_GRACE_PERIOD.toHours();

  test(`the grace period is ${grace} hours, and the construct passes it to the cleanup`, () => {
    expect(grace).toBe(24);
    const { template } = synthApp();
    const [cleanup] = Object.values<any>(template.findResources('Custom::SpaReleaseCleanup'));
    expect(cleanup.Properties.OutOfBandGraceSeconds).toBe(86400);
  });

  test('an object uploaded by hand survives deploys within the grace period and goes with the first deploy after it', () => {
    let b = deployZip({}, 'r1', R1, '2026-01-01T00:00:00.000000Z').buckets;
    putObject(b, 'hotfix/notice.html', '<p>maintenance</p>', '2026-01-01T12:00:00.000000Z');
    putObject(b, 'assets/by-hand-1234.js', 'x', '2026-01-01T12:00:00.000000Z');

    const r2 = deployZip(b, 'r2', R2, '2026-01-02T11:59:00.000000Z'); // 23 h 59 min after the upload
    expect(r2.error).toBeNull();
    expect(keys(r2.buckets)).toEqual(expect.arrayContaining(['hotfix/notice.html', 'assets/by-hand-1234.js']));
    expect(deletedBy(r2)).not.toContain('hotfix/notice.html');
    expect(r2.result!.Data).toMatchObject({ Deferred: '2', Deleted: '0' });

    const r3 = deployZip(r2.buckets, 'r3', R3, '2026-01-02T12:00:00.000000Z'); // 24 h after the upload
    expect(r3.error).toBeNull();
    expect(keys(r3.buckets)).not.toContain('hotfix/notice.html');
    expect(keys(r3.buckets)).not.toContain('assets/by-hand-1234.js');
    expect(r3.result!.Data!.Deferred).toBeUndefined();
  });

  test('files of releases are not out-of-band: a dropped release\'s chunk and a removed unhashed file go at once', () => {
    const withRobots = { ...R1, 'robots.txt': 'User-agent: *' };
    let b = deployZip({}, 'r1', withRobots, '2026-01-01T00:00:00.000000Z').buckets;
    const r2 = deployZip(b, 'r2', R2, '2026-01-01T00:10:00.000000Z'); // ten minutes later: everything is "young"
    expect(keys(r2.buckets)).not.toContain('robots.txt'); // r1 listed it among its files
    b = r2.buckets;
    const r3 = deployZip(b, 'r3', R3, '2026-01-01T00:20:00.000000Z');
    expect(keys(r3.buckets)).not.toContain('assets/a-1111.js'); // r1 dropped
    expect(r3.result!.Data!.Deferred).toBeUndefined();
  });
});
