/**
 * Benchmark of the site upload's synth time against one plain BucketDeployment of the same folder, side by side in
 * one run (issue 13, item 8):
 *
 *   npx projen bench:site-synth [--runs 9] [--files 3000] [--mb 59]
 *
 * A generated site of `--files` files and about `--mb` MB, shaped like a Vite build of a large app: hashed chunks,
 * stylesheets and images in `assets/`, files copied verbatim from `public/` (images in `assets/images/`, fonts,
 * icons), index.html and a few unhashed files at the root. Each run synthesizes, in a fresh process-local App with a
 * fresh cloud assembly folder (so no asset is reused from a previous run), a stack with a bucket and a distribution
 * plus either
 *
 * - baseline: one `BucketDeployment` of the folder (`Source.asset`), the smallest correct upload; or
 * - site: the library's `SiteDeployment` (one asset, its upload plan, the deploy function and its custom resource).
 *
 * The two alternate within each run (the order flips every run), so machine load hits both alike. Prints the
 * median of each, the median of the per-run ratios and their range, and writes bench-out/bench-site.md.
 * Also counts the entries the site synth leaves in os.tmpdir() (must be 0).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { generateSite } from './bench-site-generator';
import { arg, median } from './bench-util';
import { listFiles } from '../src/private/files';
import { hasContentHash } from '../src/site/hashed-names';
import { SiteDeployment } from '../src/site/site-deployment';

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'bench-out');

function stackWithBucketAndDistribution(outdir: string) {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Bench');
  const bucket = new s3.Bucket(stack, 'Site');
  const distribution = new cloudfront.Distribution(stack, 'Cdn', {
    defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(bucket) },
  });
  return { app, stack, bucket, distribution };
}

interface Timing {
  /** Wall-clock seconds. */
  readonly wall: number;
  /** CPU seconds of this process (user + system): far less sensitive than wall time to other processes on a shared machine. */
  readonly cpu: number;
}

function timed(fn: () => void): Timing {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  fn();
  const used = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: (used.user + used.system) / 1e6 };
}

function synthBaseline(site: string, outdir: string): Timing {
  return timed(() => synthBaselineOnce(site, outdir));
}

function synthSite(site: string, outdir: string): Timing {
  return timed(() => synthSiteOnce(site, outdir));
}

function synthBaselineOnce(site: string, outdir: string): void {
  const { app, stack, bucket, distribution } = stackWithBucketAndDistribution(outdir);
  new s3deploy.BucketDeployment(stack, 'Upload', {
    destinationBucket: bucket, sources: [s3deploy.Source.asset(site)], distribution, distributionPaths: ['/index.html'],
  });
  app.synth();
}

function synthSiteOnce(site: string, outdir: string): void {
  const { app, stack, bucket, distribution } = stackWithBucketAndDistribution(outdir);
  new SiteDeployment(stack, 'SiteDeployment', {
    bucket, distribution, source: site, logRetention: logs.RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY,
  });
  app.synth();
}

function main(): void {
  const runs = arg('runs', 9);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-site-'));
  // the synths' temp folder: a fresh one, so what they leave behind is counted without other processes' files
  const tmp = path.join(work, 'tmp');
  fs.mkdirSync(tmp);
  process.env.TMPDIR = tmp;
  try {
    const site = path.join(work, 'site');
    const generated = generateSite(site, arg('files', 3000), arg('mb', 59));
    const hashedShare = listFiles(site).filter(hasContentHash).length;
    process.stderr.write(`generated ${generated.files} files, ${hashedShare} with a content hash in their name\n`);
    // warm-up of both (module loading, the aws-cdk-lib handler assets' first read)
    synthBaseline(site, path.join(work, 'warm-a'));
    synthSite(site, path.join(work, 'warm-b'));
    const baseline: Timing[] = [];
    const ours: Timing[] = [];
    let leftovers = 0;
    for (let r = 0; r < runs; r++) {
      const order = r % 2 === 0 ? ['baseline', 'site'] : ['site', 'baseline'];
      const t: Record<string, Timing> = {};
      for (const which of order) {
        const outdir = path.join(work, `out-${which}-${r}`);
        t[which] = which === 'baseline' ? synthBaseline(site, outdir) : synthSite(site, outdir);
        fs.rmSync(outdir, { recursive: true, force: true });
      }
      leftovers = fs.readdirSync(tmp).length;
      baseline.push(t.baseline);
      ours.push(t.site);
      process.stderr.write(`run ${r + 1}/${runs}: wall baseline ${t.baseline.wall.toFixed(2)} s, site ${t.site.wall.toFixed(2)} s; `
        + `CPU baseline ${t.baseline.cpu.toFixed(2)} s, site ${t.site.cpu.toFixed(2)} s\n`);
    }
    const row = (label: string, key: keyof Timing) => {
      const b = baseline.map((x) => x[key]);
      const o = ours.map((x) => x[key]);
      const ratios = o.map((x, i) => x / b[i]);
      return `| ${label} | ${median(b).toFixed(2)} s (${Math.min(...b).toFixed(2)}–${Math.max(...b).toFixed(2)}) `
        + `| ${median(o).toFixed(2)} s (${Math.min(...o).toFixed(2)}–${Math.max(...o).toFixed(2)}) `
        + `| **${median(ratios).toFixed(2)}×** (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×) |`;
    };
    const table = [
      `Synth of a generated site: ${generated.files} files, ${(generated.bytes / 1024 / 1024).toFixed(1)} MB (${runs} paired runs, `
        + `Node ${process.version}, ${os.cpus().length} CPUs shared)`,
      '',
      '| synth time, median (range) | one plain BucketDeployment (baseline) | SiteDeployment (one asset, upload plan, deploy function) | ratio per run, median (range) |',
      '|---|---|---|---|',
      row('CPU time of the synth (user + system)', 'cpu'),
      row('wall-clock time', 'wall'),
      '',
      `Entries left in the temp folder (TMPDIR) by all ${2 * runs + 2} synths: ${leftovers}`,
    ].join('\n');
    process.stdout.write(table + '\n');
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(path.join(OUT, 'bench-site-synth.md'), table + '\n');
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
