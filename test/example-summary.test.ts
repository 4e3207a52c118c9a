/**
 * The summary `npx projen example` ends with: where cdk.out is, every asset named by what it is, and the
 * next command.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { BACKEND, FIXTURES } from './util';
import { summarize } from '../example/summary';
import { SpaWithLambdaApi } from '../src';

function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The lines that list one asset each: they start with its size. */
function assetLines(summary: string): string[] {
  return summary.split('\n').filter((l) => /^\s+\d+\.\d\d MiB/.test(l));
}

describe('example summary', () => {
  let summary: string;
  let outdir: string;
  beforeAll(() => {
    outdir = tmpDir('example-summary-');
    // bundling skipped: the API bundle is then the project folder, staged as it is; path metadata on, as `cdk synth` sets it
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true } });
    const stack = new Stack(app, 'Example', { env: { account: '111111111111', region: 'us-east-1' } });
    new SpaWithLambdaApi(stack, 'App', {
      site: { source: path.join(FIXTURES, 'vite-build') },
      api: { source: BACKEND },
    });
    app.synth();
    summary = summarize(outdir, { tasks: [] });
  });

  test('says where the cloud assembly is and what to run next', () => {
    expect(summary).toContain(`Synthesized into ${path.resolve(outdir)}`);
    expect(summary).toContain('Stack Example: ');
    expect(summary).toContain('    cd example && npx cdk deploy\n');
    expect(summary).not.toContain('example:dev');
  });

  test('names every asset by what it is', () => {
    const lines = assetLines(summary);
    const names = lines.join('\n');
    expect(names).toContain('the SPA site (the built folder, assets/index-5K79yzeN.css, assets/index-DESi9q8R.js, favicon.svg, … (2 more)), uploaded in 5 passes:');
    expect(names).toContain('the API bundle: the FastAPI project');
    expect(names).toContain('the origin-verification layer');
    expect(names).toContain('the release-cleanup function');
    expect(names).toContain('aws-cdk-lib\'s upload handler');
    expect(names).toContain('aws-cdk-lib\'s AWS CLI layer');
    expect(names).toContain('aws-cdk-lib\'s custom-resource provider');
    // no generic names, no construct paths as names
    expect(names).not.toMatch(/group of files|\/Code$|Lambda function |Lambda layer /m);
    expect(summary).toContain(`Assets: ${lines.length}, `);
  });

  test('details each pass of the site upload by its construct ID, cache rule and filters', () => {
    const passes = summary.split('\n').filter((l) => /^\s+- /.test(l)).map((l) => l.trim());
    expect(passes).toEqual([
      '- HashedAssets: hashed files (other types), cached for a year (immutable): no file of this build',
      '- HashedAssetsJavaScript: hashed JavaScript, cached for a year (immutable), include assets/index-DESi9q8R.js, exclude *',
      '- HashedAssetsCss: hashed CSS, cached for a year (immutable), include assets/index-5K79yzeN.css, exclude *',
      '- Files: unhashed files, no-cache, exclude favicon.svg assets/*',
      '- FilesSvg: unhashed SVG, no-cache, include favicon.svg, exclude *',
    ]);
  });

  test('without path metadata (a plain App), a pass is named by its logical ID', () => {
    const plain = tmpDir('example-summary-plain-');
    const app = new App({ outdir: plain, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Example', { env: { account: '111111111111', region: 'us-east-1' } });
    new SpaWithLambdaApi(stack, 'App', { site: { source: path.join(FIXTURES, 'vite-build') }, api: { source: BACKEND } });
    app.synth();
    const passes = summarize(plain, { tasks: [] }).split('\n').filter((l) => /^\s+- /.test(l));
    expect(passes).toHaveLength(5);
    for (const pass of passes) {
      expect(pass).toMatch(/^\s+- AppSite\w+: (un)?hashed /);
    }
  });

  test('lists no empty asset', () => {
    expect(assetLines(summary).join('\n')).not.toMatch(/ 0 files /);
  });

  test('in streaming mode (as the example app runs) every asset is named too, and the adapter layer is no asset', () => {
    const streamingOut = tmpDir('example-summary-streaming-');
    const app = new App({ outdir: streamingOut, context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true } });
    const stack = new Stack(app, 'Example', { env: { account: '111111111111', region: 'us-east-1' } });
    new SpaWithLambdaApi(stack, 'App', { site: { source: path.join(FIXTURES, 'vite-build') }, api: { source: BACKEND, streaming: true } });
    app.synth();
    const names = assetLines(summarize(streamingOut, { tasks: [] })).join('\n');
    expect(names).toContain('the API bundle: the FastAPI project');
    expect(names).toContain('the origin-verification layer');
    expect(names).not.toMatch(/group of files|\/Code$|Lambda function |Lambda layer |LwaLayer/m);
    expect(assetLines(summarize(streamingOut, { tasks: [] }))).toHaveLength(assetLines(summary).length);
  });

  test('names the local preview when the project has it', () => {
    expect(summarize(outdir, { tasks: ['example:dev'] })).toContain('npx projen example:dev');
  });
});

describe('example summary of one site asset uploaded in several passes', () => {
  test('names the site once, with each pass and its filters', () => {
    // the shape of a site that is one asset, filtered by BucketDeployment include/exclude
    const outdir = tmpDir('example-summary-passes-');
    const hash = 'a'.repeat(64);
    fs.mkdirSync(path.join(outdir, `asset.${hash}`, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(outdir, `asset.${hash}`, 'index.html'), '<!doctype html>');
    fs.writeFileSync(path.join(outdir, `asset.${hash}`, 'assets', 'index-1.js'), '');
    const deployment = (name: string, filter: object, cacheControl: string) => ({
      Type: 'Custom::CDKBucketDeployment',
      Metadata: { 'aws:cdk:path': `S/App/SiteDeployment/${name}/CustomResource-512MiB/Default` },
      Properties: { SourceObjectKeys: [`${hash}.zip`], SystemMetadata: { 'cache-control': cacheControl }, ...filter },
    });
    fs.writeFileSync(path.join(outdir, 'S.template.json'), JSON.stringify({
      Resources: {
        Hashed: deployment('HashedAssets', { Exclude: ['*'], Include: ['assets/*'] }, 'public, max-age=31536000, immutable'),
        Files: deployment('Files', { Exclude: ['assets/*'] }, 'no-cache'),
      },
    }));
    fs.writeFileSync(path.join(outdir, 'S.assets.json'), JSON.stringify({
      files: { [hash]: { source: { path: `asset.${hash}`, packaging: 'zip' } } },
    }));
    fs.writeFileSync(path.join(outdir, 'manifest.json'), JSON.stringify({
      artifacts: { S: { type: 'aws:cloudformation:stack', properties: { templateFile: 'S.template.json' } } },
    }));

    const summary = summarize(outdir, { tasks: [] });

    expect(assetLines(summary)).toHaveLength(1);
    expect(summary).toContain('the SPA site (the built folder, assets/index-1.js, index.html), uploaded in 2 passes:');
    expect(summary).toContain('- HashedAssets: hashed files (other types), cached for a year (immutable), include assets/*, exclude *');
    expect(summary).toContain('- Files: unhashed files, no-cache, exclude assets/*');
  });
});
