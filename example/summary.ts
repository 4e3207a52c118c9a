/**
 * Prints a short summary of a synthesized cloud assembly: where it is, each stack and its resources by
 * type, every asset named by what it is (with its size as staged in cdk.out), and the next command.
 *
 *   npx ts-node example/summary.ts example/cdk.out
 */
import * as fs from 'fs';
import * as path from 'path';

interface Manifest {
  readonly artifacts?: { [id: string]: { readonly type: string; readonly properties?: { readonly templateFile?: string } } };
}
interface Resource {
  readonly Type: string;
  readonly Metadata?: { [key: string]: unknown };
  readonly Properties?: { [key: string]: unknown };
}
interface Template {
  readonly Resources?: { [id: string]: Resource };
}
interface AssetManifest {
  readonly files?: { [id: string]: { readonly displayName?: string; readonly source: { readonly path?: string; readonly packaging?: string } } };
}

/** One thing in the template that uses an asset. */
interface Use {
  /** the construct path without the stack name and the trailing `Resource`/`Default` */
  readonly path: string;
  /** the resource's logical ID, the name when the template has no path metadata */
  readonly logicalId: string;
  readonly resource: Resource;
}

function filesIn(p: string): { bytes: number; files: string[] } {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) {
    return { bytes: stat.size, files: [path.basename(p)] };
  }
  let bytes = 0;
  const files: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) {
        walk(path.join(dir, entry.name), `${prefix}${entry.name}/`);
      } else {
        bytes += fs.statSync(path.join(dir, entry.name)).size;
        files.push(`${prefix}${entry.name}`);
      }
    }
  };
  walk(p, '');
  return { bytes, files };
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

function stacks(outdir: string, manifest: Manifest): Array<{ id: string; templateFile: string; template: Template }> {
  return Object.entries(manifest.artifacts ?? {})
    .filter(([, a]) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile)
    .map(([id, a]) => ({
      id,
      templateFile: a.properties!.templateFile!,
      template: JSON.parse(fs.readFileSync(path.join(outdir, a.properties!.templateFile!), 'utf8')) as Template,
    }));
}

function constructPath(r: Resource): string {
  const p = String(r.Metadata?.['aws:cdk:path'] ?? '');
  return p.split('/').slice(1).filter((s) => s !== 'Resource' && s !== 'Default').join('/');
}

/** The resources that use each asset, by asset id (the hash in the S3 key the template points to). */
function usesByAsset(templates: Template[]): Map<string, Use[]> {
  const uses = new Map<string, Use[]>();
  const add = (key: unknown, use: Use) => {
    if (typeof key === 'string') {
      const id = key.replace(/\.zip$/, '');
      uses.set(id, [...(uses.get(id) ?? []), use]);
    }
  };
  for (const template of templates) {
    for (const [logicalId, r] of Object.entries(template.Resources ?? {})) {
      const props = r.Properties ?? {};
      if (r.Type === 'AWS::Lambda::Function') {
        add((props.Code as { S3Key?: unknown } | undefined)?.S3Key, { path: constructPath(r), logicalId, resource: r });
      } else if (r.Type === 'AWS::Lambda::LayerVersion') {
        add((props.Content as { S3Key?: unknown } | undefined)?.S3Key, { path: constructPath(r), logicalId, resource: r });
      } else if (r.Type === 'Custom::CDKBucketDeployment') {
        const deployment = constructPath(r).replace(/\/CustomResource[^/]*$/, '');
        for (const key of (props.SourceObjectKeys as unknown[] | undefined) ?? []) {
          add(key, { path: deployment, logicalId, resource: r });
        }
      }
    }
  }
  return uses;
}

function list(files: string[], max = 3): string {
  return files.length <= max ? files.join(', ') : `${files.slice(0, max).join(', ')}, … (${files.length - max} more)`;
}

const CONTENT_TYPES: { [prefix: string]: string } = {
  'text/javascript': 'JavaScript',
  'text/css': 'CSS',
  'image/svg+xml': 'SVG',
  'application/wasm': 'WebAssembly',
  'application/manifest+json': 'web manifests',
  'application/json': 'source maps',
};

/** What one BucketDeployment uploads, from its cache rule, content type and filters. */
function describeUpload(r: Resource): string {
  const meta = (r.Properties?.SystemMetadata ?? {}) as { [key: string]: string };
  const cacheControl = meta['cache-control'] ?? '';
  const hashed = cacheControl.includes('immutable');
  const contentType = meta['content-type'];
  const type = contentType
    ? CONTENT_TYPES[contentType.split(';')[0].trim()] ?? contentType
    : (hashed ? 'files (other types)' : 'files');
  const parts = [`${hashed ? 'hashed' : 'unhashed'} ${type}, ${hashed ? 'cached for a year (immutable)' : cacheControl || 'no Cache-Control'}`];
  const include = r.Properties?.Include as string[] | undefined;
  const exclude = r.Properties?.Exclude as string[] | undefined;
  if (!include?.length && exclude?.includes('*')) {
    // a pass the construct always creates (a public property), which this build has no file for
    return `${parts[0]}: no file of this build`;
  }
  if (include?.length) {
    parts.push(`include ${include.join(' ')}`);
  }
  if (exclude?.length) {
    parts.push(`exclude ${exclude.join(' ')}`);
  }
  return parts.join(', ');
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** What an asset is, from the resources that use it: a name, a sort rank, and lines that detail it. */
interface Description {
  readonly rank: number;
  readonly name: string;
  readonly details?: string[];
}

function describe(uses: Use[], displayName: string | undefined, files: string[]): Description {
  const uploads = uses.filter((u) => u.resource.Type === 'Custom::CDKBucketDeployment');
  if (uploads.length === 1) {
    return { rank: 0, name: `the SPA site: ${describeUpload(uploads[0].resource)}: ${list(files)}` };
  }
  if (uploads.length > 1) {
    return {
      rank: 0,
      name: `the SPA site (the built folder, ${list(files)}), uploaded in ${uploads.length} passes:`,
      details: uploads.map((u) => `${u.path.split('/').pop() || u.logicalId}: ${describeUpload(u.resource)}`),
    };
  }
  const use = uses[0];
  if (!use) {
    return { rank: 9, name: displayName ?? 'an asset no resource of this assembly uses' };
  }
  const description = String(use.resource.Properties?.Description ?? '');
  // the construct path (path metadata), or else the asset's display name, which names the same construct
  const where = use.path || (displayName ?? '').replace(/\/Code$/, '');
  if (use.resource.Type === 'AWS::Lambda::Function') {
    const runtime = String(use.resource.Properties?.Runtime ?? '');
    const arch = ((use.resource.Properties?.Architectures as string[] | undefined) ?? ['x86_64']).join(', ');
    if (/fastapi/i.test(description)) {
      return { rank: 1, name: `the API bundle: the FastAPI project (example/backend) and its dependencies, for ${runtime} ${arch}` };
    }
    if (/framework-onEvent/.test(where)) {
      return { rank: 5, name: 'aws-cdk-lib\'s custom-resource provider that calls the release-cleanup function' };
    }
    if (/release/i.test(where)) {
      return { rank: 3, name: `the release-cleanup function (${runtime}): ${lowerFirst(description)}` };
    }
    if (where.startsWith('Custom::CDKBucketDeployment')) {
      return { rank: 4, name: `aws-cdk-lib's upload handler (${runtime}): the BucketDeployment function that copies the SPA site into the bucket` };
    }
    return { rank: 6, name: `Lambda function ${where}${description ? `: ${description}` : ''}` };
  }
  if (use.resource.Type === 'AWS::Lambda::LayerVersion') {
    if (/AwsCliLayer/.test(where) || description === '/opt/awscli/aws') {
      return { rank: 4, name: `aws-cdk-lib's AWS CLI layer for the upload handler (shared by ${uses.length} layer resource${uses.length === 1 ? '' : 's'})` };
    }
    if (/origin/i.test(where)) {
      return { rank: 2, name: 'the origin-verification layer: the check that refuses API requests that did not come through CloudFront' };
    }
    return { rank: 6, name: `Lambda layer ${where}${description ? `: ${description}` : ''}` };
  }
  return { rank: 7, name: `${use.resource.Type} ${where}` };
}

export interface SummaryOptions {
  /** how to show the cloud assembly folder (default: its absolute path) */
  readonly displayDir?: string;
  /** tasks the next steps may name when they exist (default: read from .projen/tasks.json) */
  readonly tasks?: string[];
}

export function summarize(outdir: string, options: SummaryOptions = {}): string {
  const manifest: Manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  const all = stacks(outdir, manifest);
  const lines: string[] = [`Synthesized into ${options.displayDir ?? path.resolve(outdir)}`, ''];
  for (const { id, templateFile, template } of all) {
    const byType = new Map<string, number>();
    for (const r of Object.values(template.Resources ?? {})) {
      byType.set(r.Type, (byType.get(r.Type) ?? 0) + 1);
    }
    const total = [...byType.values()].reduce((a, b) => a + b, 0);
    lines.push(`Stack ${id}: ${total} resources (template: ${templateFile})`);
    for (const [type, count] of [...byType.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
      lines.push(`  ${String(count).padStart(3)}  ${type}`);
    }
  }

  // only the assets this assembly references (cdk.out may hold older ones from earlier synths), without templates
  const assets: Array<{ id: string; dir: string; displayName?: string; packaging?: string }> = [];
  for (const file of fs.readdirSync(outdir).filter((f) => f.endsWith('.assets.json')).sort()) {
    const assetManifest: AssetManifest = JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8'));
    for (const [id, asset] of Object.entries(assetManifest.files ?? {})) {
      const p = asset.source.path;
      if (p && !p.endsWith('.template.json') && !assets.some((a) => a.id === id)) {
        assets.push({ id, dir: path.resolve(outdir, p), displayName: asset.displayName, packaging: asset.source.packaging });
      }
    }
  }
  const uses = usesByAsset(all.map((s) => s.template));
  const rows: Array<Description & { line: string }> = [];
  const empty: string[] = [];
  for (const a of assets) {
    const { bytes, files } = filesIn(a.dir);
    const d = describe(uses.get(a.id) ?? [], a.displayName, files);
    if (files.length === 0) {
      // an upload group the construct always creates, which this build has no file for
      empty.push(d.name.replace(/: $/, ''));
      continue;
    }
    const count = a.packaging === 'file' ? 'a zip' : `${files.length} file${files.length === 1 ? '' : 's'}`;
    rows.push({ ...d, line: `  ${mb(bytes).padStart(8)}  ${count.padStart(9)}  asset.${a.id.slice(0, 8)}…  ${d.name}` });
  }
  rows.sort((x, y) => x.rank - y.rank);
  lines.push('', `Assets: ${rows.length}, uploaded by \`cdk deploy\` to the CDK bootstrap bucket (sizes as staged in cdk.out, unzipped)`);
  for (const row of rows) {
    lines.push(row.line, ...(row.details ?? []).map((d) => `${' '.repeat(40)}- ${d}`));
  }
  for (const e of empty) {
    lines.push(`  Not counted: ${e.replace(/^the SPA site: /, 'the SPA site\'s upload of ')}, which is empty: `
      + 'this build has no such file (each of its files travels in one of the uploads above).');
  }

  const tasks = options.tasks ?? projenTasks();
  lines.push(
    '',
    'Next steps',
    '  Deploy the example to the account and region of your AWS credentials (no Docker needed):',
    '    cd example && npx cdk deploy',
    '  (once per account and region before the first deploy: cd example && npx cdk bootstrap)',
    '  Then open the SiteUrl output: / and the deep link /items/42 are the SPA, /api/health is FastAPI.',
  );
  if (tasks.includes('example:dev')) {
    lines.push('  Or run the site and the API locally on one port, with the production routing: npx projen example:dev');
  }
  return lines.join('\n');
}

function projenTasks(): string[] {
  try {
    const file = path.join(__dirname, '..', '.projen', 'tasks.json');
    return Object.keys((JSON.parse(fs.readFileSync(file, 'utf8')) as { tasks?: object }).tasks ?? {});
  } catch {
    return [];
  }
}

if (require.main === module) {
  const outdir = process.argv[2] ?? path.join(__dirname, 'cdk.out');
  const relative = path.relative(process.cwd(), path.resolve(outdir));
  console.log(summarize(outdir, { displayDir: `${relative} (${path.resolve(outdir)})` }));
}
