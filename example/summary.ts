/**
 * Prints a short summary of a synthesized cloud assembly: each stack, its resources by type, and the
 * size of each asset (unzipped, as staged in cdk.out).
 *
 *   npx ts-node example/summary.ts example/cdk.out
 */
import * as fs from 'fs';
import * as path from 'path';

interface Manifest {
  readonly artifacts?: { [id: string]: { readonly type: string; readonly properties?: { readonly templateFile?: string } } };
}
interface Template {
  readonly Resources?: { [id: string]: { readonly Type: string; readonly Metadata?: { [key: string]: string } } };
}

function dirSize(p: string): { bytes: number; files: number } {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) {
    return { bytes: stat.size, files: 1 };
  }
  let bytes = 0;
  let files = 0;
  for (const entry of fs.readdirSync(p)) {
    const s = dirSize(path.join(p, entry));
    bytes += s.bytes;
    files += s.files;
  }
  return { bytes, files };
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

export function summarize(outdir: string): string {
  const manifest: Manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  const lines: string[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) {
      continue;
    }
    const template: Template = JSON.parse(fs.readFileSync(path.join(outdir, artifact.properties.templateFile), 'utf8'));
    const byType = new Map<string, number>();
    for (const r of Object.values(template.Resources ?? {})) {
      byType.set(r.Type, (byType.get(r.Type) ?? 0) + 1);
    }
    const total = [...byType.values()].reduce((a, b) => a + b, 0);
    lines.push(`Stack ${id}: ${total} resources (${artifact.properties.templateFile})`);
    for (const [type, count] of [...byType.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
      lines.push(`  ${String(count).padStart(3)}  ${type}`);
    }
  }
  // which construct uses each asset: functions and layers name it in their metadata; the rest are site uploads
  const usedBy = new Map<string, string>();
  for (const [, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) {
      continue;
    }
    const template: Template = JSON.parse(fs.readFileSync(path.join(outdir, artifact.properties.templateFile), 'utf8'));
    for (const r of Object.values(template.Resources ?? {})) {
      const assetPath = r.Metadata?.['aws:asset:path'];
      const cdkPath = r.Metadata?.['aws:cdk:path'];
      if (assetPath && cdkPath && !usedBy.has(assetPath)) {
        usedBy.set(assetPath, `${r.Type.replace('AWS::Lambda::', '')} ${cdkPath.split('/').slice(1, -1).join('/')}`);
      }
    }
  }
  // only the assets this assembly references (cdk.out may hold older ones from earlier synths)
  const referenced = new Set<string>();
  for (const file of fs.readdirSync(outdir).filter((f) => f.endsWith('.assets.json'))) {
    const assetManifest: { files?: { [id: string]: { source: { path?: string } } } } = JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8'));
    for (const asset of Object.values(assetManifest.files ?? {})) {
      if (asset.source.path?.startsWith('asset.')) {
        referenced.add(asset.source.path);
      }
    }
  }
  const assets = [...referenced].sort();
  lines.push(`Assets: ${assets.length}`);
  for (const a of assets) {
    const s = dirSize(path.join(outdir, a));
    const hint = usedBy.get(a)
      ?? (fs.existsSync(path.join(outdir, a, 'index.html')) ? 'site upload (index.html and other unhashed files)' : 'site upload (a group of files)');
    lines.push(`  ${a.slice(0, 20)}…  ${mb(s.bytes).padStart(10)}  ${String(s.files).padStart(5)} files  ${hint}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  console.log(summarize(process.argv[2] ?? path.join(__dirname, 'cdk.out')));
}
