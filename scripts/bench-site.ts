/**
 * Benchmark of a site deploy (issue 22, item 5), against moto's S3 and CloudFront server started here on 127.0.0.1:
 *
 *   npx projen bench:site [--runs 3] [--files 3000] [--mb 59]
 *
 * Generates the site (scripts/bench-site-generator.ts: `--files` files, about `--mb` MB, shaped like a large Vite
 * build), synthesizes the library's SiteDeployment for it to get the custom resource's properties (its upload plan),
 * then runs scripts/bench-site-deploy.py, which deploys the zipped site into an empty bucket both ways, alternating:
 * the passes of the BucketDeployment design (simulated, see that script) and the library's one-pass handler. Prints
 * the median wall times, the median of the per-run ratios and the request counts, and the count table (custom
 * resources, AWS CLI layers, sequential steps, invalidations) for the example app and for the generated site.
 * Writes bench-out/bench-site.md.
 *
 * The "before" column of the count table: `npx ts-node --project tsconfig.dev.json scripts/bench-site.ts --counts-only
 * --src <folder>` with <folder> the `src` of an earlier version (docs/measurements.md says which).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { generateSite } from './bench-site-generator';
import { median } from './bench-util';

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'bench-out');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** What a deploy of the site runs, read from a synthesized template. */
interface Counts {
  customResources: number;
  cliLayers: number;
  sequentialSteps: number;
  invalidations: number;
}

const DEPLOY_TYPES = ['Custom::CDKBucketDeployment', 'Custom::SpaReleaseCleanup', 'Custom::SpaSiteDeployment'];

function counts(template: any): Counts {
  const resources: Record<string, any> = template.Resources;
  const deploy = Object.entries(resources).filter(([, r]) => DEPLOY_TYPES.includes(r.Type));
  const ids = new Set(deploy.map(([id]) => id));
  const depth = new Map<string, number>();
  const stepOf = (id: string): number => {
    if (!depth.has(id)) {
      const deps: string[] = [resources[id].DependsOn ?? []].flat().filter((d: string) => ids.has(d));
      depth.set(id, 1 + Math.max(0, ...deps.map(stepOf)));
    }
    return depth.get(id)!;
  };
  return {
    customResources: deploy.length,
    cliLayers: Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::LayerVersion'
      && (r.Properties.Description === '/opt/awscli/aws' || /AwsCliLayer/.test(String(r.Metadata?.['aws:cdk:path'] ?? '')))).length,
    sequentialSteps: Math.max(0, ...deploy.map(([id]) => stepOf(id))),
    invalidations: deploy.filter(([, r]) => r.Properties.DistributionPaths !== undefined || r.Type === 'Custom::SpaSiteDeployment').length,
  };
}

/** The example app's facade and one with the generated site, synthesized with the library at `src` (bundling skipped). */
function synthCounts(src: string, site: string, next?: string): { example: Counts; large: Counts; props: any; nextProps?: any } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require(path.resolve(src));
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-site-synth-'));
  try {
    const app = new App({ outdir, analyticsReporting: false, context: { 'aws:cdk:bundling-stacks': [] } });
    const env = { account: '111111111111', region: 'us-east-1' };
    const api = { source: path.join(ROOT, 'example', 'backend') };
    new lib.SpaWithLambdaApi(new Stack(app, 'Example', { env }), 'App', { site: { source: path.join(ROOT, 'example', 'frontend', 'dist') }, api });
    new lib.SpaWithLambdaApi(new Stack(app, 'Large', { env }), 'App', { site: { source: site }, api });
    if (next) {
      new lib.SpaWithLambdaApi(new Stack(app, 'Next', { env }), 'App', { site: { source: next }, api });
    }
    const assembly = app.synth();
    const release = (name: string) => Object.values(assembly.getStackByName(name).template.Resources as Record<string, any>)
      .find((r) => r.Type === 'Custom::SpaSiteDeployment')?.Properties;
    return {
      example: counts(assembly.getStackByName('Example').template),
      large: counts(assembly.getStackByName('Large').template),
      props: release('Large'),
      nextProps: next ? release('Next') : undefined,
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`moto did not listen on 127.0.0.1:${port}`);
}

function table(rows: Array<[string, Counts]>): string[] {
  return [
    '| deploy of | custom resources | AWS CLI LayerVersions | sequential steps | CloudFront invalidations |',
    '|---|---|---|---|---|',
    ...rows.map(([label, c]) => `| ${label} | ${c.customResources} | ${c.cliLayers} | ${c.sequentialSteps} | ${c.invalidations} |`),
  ];
}

/** The next release of the site: a tenth of its hashed files changed (new content, new name), index.html too. */
function nextRelease(site: string, dir: string): number {
  fs.cpSync(site, dir, { recursive: true });
  const hashed = fs.readdirSync(path.join(dir, 'assets')).filter((f) => /-[A-Za-z0-9_-]{8}\.\w+$/.test(f)).sort();
  const changed = hashed.filter((_, i) => i % 10 === 0);
  for (const f of changed) {
    const from = path.join(dir, 'assets', f);
    const content = fs.readFileSync(from);
    content[0] = 255 - content[0];
    fs.rmSync(from);
    fs.writeFileSync(path.join(dir, 'assets', f.replace(/-([A-Za-z0-9_-]{8})\./, (_m, h: string) => `-${h.slice(0, 7)}Z.`)), content);
  }
  fs.appendFileSync(path.join(dir, 'index.html'), '<!-- next release -->');
  return changed.length;
}

function zipFolder(site: string, zip: string): void {
  // zipped as the CDK publishes a folder asset: deflated, files in sorted order
  execFileSync('python3', ['-c', [
    'import sys, zipfile, pathlib',
    'root = pathlib.Path(sys.argv[1])',
    'with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:',
    '    [z.write(p, p.relative_to(root).as_posix()) for p in sorted(root.rglob("*")) if p.is_file()]',
  ].join('\n'), site, zip]);
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-site-'));
  let moto: ChildProcess | undefined;
  try {
    const site = path.join(work, 'site');
    const generated = generateSite(site, Number(arg('files', '3000')), Number(arg('mb', '59')));
    const src = arg('src', path.join(ROOT, 'src'));
    const next = path.join(work, 'next');
    const changedFiles = nextRelease(site, next);
    const synth = synthCounts(src, site, process.argv.includes('--counts-only') ? undefined : next);
    if (process.argv.includes('--counts-only')) {
      process.stdout.write(table([['the example', synth.example], [`a site of ${generated.files} files`, synth.large]]).join('\n') + '\n');
      return;
    }
    const propsFile = path.join(work, 'props.json');
    fs.writeFileSync(propsFile, JSON.stringify(synth.props));
    const nextPropsFile = path.join(work, 'props-next.json');
    fs.writeFileSync(nextPropsFile, JSON.stringify(synth.nextProps));
    const zip = path.join(work, 'site.zip');
    const nextZip = path.join(work, 'next.zip');
    zipFolder(site, zip);
    zipFolder(next, nextZip);

    const port = await freePort();
    fs.mkdirSync(OUT, { recursive: true });
    // moto's own log (its request lines and any server error), for when a run fails
    const motoLog = fs.openSync(path.join(OUT, 'bench-site-moto.log'), 'w');
    moto = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', motoLog, motoLog] });
    await waitForPort(port);
    const runs = arg('runs', '3');
    const scenario = (extra: string[]) => JSON.parse(execFileSync('python3', [path.join(__dirname, 'bench-site-deploy.py'),
      '--endpoint', `http://127.0.0.1:${port}`, '--zip', zip, '--props', propsFile, '--runs', runs, ...extra],
    { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 }).toString());
    const first = scenario([]);
    const again = scenario(['--zip2', nextZip, '--props2', nextPropsFile]);
    const range = (xs: number[], d = 2) => `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}`;
    const row = (label: string, result: any) => {
      const passes: number[] = result.times.passes;
      const onePass: number[] = result.times['one pass'];
      const ratios = onePass.map((t, i) => t / passes[i]);
      return `| ${label} | ${median(passes).toFixed(2)} s (${range(passes)}) | ${median(onePass).toFixed(2)} s (${range(onePass)}) `
        + `| **${median(ratios).toFixed(2)}×** (${range(ratios)}×) |`;
    };
    const motoVersion = execFileSync('python3', ['-c', 'import moto; print(moto.__version__)']).toString().trim();
    const lines = [
      `Simulated deploys of a generated site: ${generated.files} files, ${(generated.bytes / 1024 / 1024).toFixed(1)} MB, `
        + `against moto ${motoVersion} on 127.0.0.1 (${first.times.passes.length} paired runs each, ${os.cpus().length} CPUs shared, `
        + `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the end)`,
      '',
      '| wall time of the deploy (upload, cleanup, invalidation), median (range) | BucketDeployment passes (simulated) | one pass (the handler) | ratio per run, median (range) |',
      '|---|---|---|---|',
      row('first deploy, into an empty bucket', first),
      row(`next deploy: ${changedFiles} hashed files and index.html changed`, again),
      '',
      `Requests of the last first deploy: passes ${JSON.stringify(first.counts.passes)}; one pass ${JSON.stringify(first.counts['one pass'])}`,
      `Requests of the last next deploy: passes ${JSON.stringify(again.counts.passes)}; one pass ${JSON.stringify(again.counts['one pass'])}`,
      '',
      ...table([['the example', synth.example], [`a site of ${generated.files} files`, synth.large]]),
    ].join('\n');
    process.stdout.write(lines + '\n');
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(path.join(OUT, 'bench-site.md'), lines + '\n');
  } finally {
    if (moto?.pid) {
      process.kill(moto.pid);
    }
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
