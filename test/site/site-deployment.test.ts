/**
 * The upload of the SPA (src/private/site-deployment.ts): file classes, Cache-Control and Content-Type, upload
 * order, invalidation, the release cleanup custom resource, and the `site` props. The cleanup's code itself is
 * executed in test/site/site-release-cleanup.test.ts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, IConstruct } from 'constructs';
import { loadSpaRoutingHandler } from '../routing/spa-routing-function';
import { minimalProps, newStack, synthApp } from '../util';
import { SpaRouting, SpaWithLambdaApi, SpaWithLambdaApiProps } from '../../src';
import { fnmatchToRegExp } from '../../src/private/fnmatch';

const VITE_BUILD = path.join(__dirname, '..', 'fixtures', 'vite-build');
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The BucketDeployments of the site by construct ID, with their CloudFormation resource and staged files. */
function deployments(app: SpaWithLambdaApi, template: Template) {
  const siteDeployment = app.node.findChild('SiteDeployment');
  const stack = Stack.of(app);
  const assemblyDir = (stack.node.root as App).synth().directory;
  const out: Record<string, { logicalId: string; resource: any; files: string[]; construct: IConstruct }> = {};
  for (const child of siteDeployment.node.children) {
    if (!(child instanceof s3deploy.BucketDeployment)) {
      continue;
    }
    const cfn = child.node.findAll().find((c): c is CfnResource =>
      CfnResource.isCfnResource(c) && c.cfnResourceType === 'Custom::CDKBucketDeployment')!;
    const logicalId = stack.resolve(cfn.logicalId);
    const resource = template.toJSON().Resources[logicalId];
    const key: string = resource.Properties.SourceObjectKeys[0];
    const files = listFiles(path.join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`));
    out[child.node.id] = { logicalId, resource, files, construct: child };
  }
  return out;
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(dir, rel) : [rel];
  }).sort();
}

/** A site folder with the given files (content: the file name). */
function siteDir(files: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-site-test-'));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), f);
  }
  return dir;
}

function synthSite(siteProps: Partial<SpaWithLambdaApiProps['site']> & { source?: string }) {
  const result = synthApp(minimalProps({ site: { ...siteProps } as SpaWithLambdaApiProps['site'] }));
  return { ...result, deployments: deployments(result.app, result.template) };
}

describe('file classes of a real Vite build', () => {
  const { deployments: d } = synthSite({ source: VITE_BUILD });

  test('each group is its own asset with exactly its files; HashedAssets and Files always exist', () => {
    expect(Object.fromEntries(Object.entries(d).map(([id, x]) => [id, x.files]))).toEqual({
      HashedAssets: [],
      HashedAssetsJavaScript: ['assets/index-DESi9q8R.js'],
      HashedAssetsCss: ['assets/index-5K79yzeN.css'],
      Files: ['index.html', 'robots.txt'],
      FilesSvg: ['favicon.svg'],
    });
  });

  test('hashed files: immutable for a year, explicit type for .js and .css, never pruned, never invalidated', () => {
    expect(d.HashedAssetsJavaScript.resource.Properties.SystemMetadata).toEqual({ 'cache-control': IMMUTABLE, 'content-type': 'text/javascript; charset=utf-8' });
    expect(d.HashedAssetsCss.resource.Properties.SystemMetadata).toEqual({ 'cache-control': IMMUTABLE, 'content-type': 'text/css; charset=utf-8' });
    expect(d.HashedAssets.resource.Properties.SystemMetadata).toEqual({ 'cache-control': IMMUTABLE });
    for (const id of ['HashedAssets', 'HashedAssetsJavaScript', 'HashedAssetsCss']) {
      expect(d[id].resource.Properties).toMatchObject({ Prune: false });
      expect(d[id].resource.Properties.DistributionPaths).toBeUndefined();
      expect(d[id].resource.Properties.DistributionId).toBeUndefined();
    }
  });

  test('unhashed files: no-cache, never pruned (the cleanup deletes), each group invalidating its own paths', () => {
    expect(d.Files.resource.Properties).toMatchObject({
      Prune: false,
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionPaths: ['/', '/index.html', '/robots.txt'],
      WaitForDistributionInvalidation: true,
    });
    expect(d.Files.resource.Properties.SystemMetadata['content-type']).toBeUndefined(); // text/html, text/plain: guessed right
    expect(d.FilesSvg.resource.Properties).toMatchObject({
      Prune: false,
      SystemMetadata: { 'cache-control': 'no-cache', 'content-type': 'image/svg+xml' },
      DistributionPaths: ['/favicon.svg'],
      WaitForDistributionInvalidation: false,
    });
    for (const x of [d.Files, d.FilesSvg]) {
      expect(x.resource.Properties.DistributionId).toEqual({ Ref: expect.stringMatching(/^AppDistribution/) });
    }
  });

  test('path mode needs no include/exclude filters: each zip holds only its group', () => {
    for (const x of Object.values(d)) {
      expect(x.resource.Properties.Include).toBeUndefined();
      expect(x.resource.Properties.Exclude).toBeUndefined();
    }
  });

  test('no deployment ever invalidates "/*"', () => {
    for (const x of Object.values(d)) {
      for (const p of x.resource.Properties.DistributionPaths ?? []) {
        expect(p).not.toContain('*');
      }
    }
  });
});

describe('content types', () => {
  const files = [
    'assets/app-a1b2.js', 'assets/worker-c3d4.mjs', 'assets/app-a1b2.js.map', 'assets/style-e5f6.css', 'assets/logo-0a0b.svg',
    'assets/lib-1c1d.wasm', 'assets/photo-2e2f.png', 'assets/font-3a3b.woff2', 'assets/UPPER-4c4d.JS',
    'index.html', 'manifest.webmanifest', 'sw.js', 'sw.js.map', 'favicon.svg', 'robots.txt', 'about/index.html', 'site.webmanifest.json',
  ];
  const { deployments: d } = synthSite({ source: siteDir(files) });
  const typeOf = (id: string) => d[id].resource.Properties.SystemMetadata['content-type'];

  test('.js .mjs .css .svg .wasm .webmanifest .map get an explicit Content-Type, in both classes', () => {
    expect(Object.fromEntries(Object.entries(d).map(([id, x]) => [id, { files: x.files, type: typeOf(id) }]))).toEqual({
      HashedAssets: { files: ['assets/font-3a3b.woff2', 'assets/photo-2e2f.png'], type: undefined },
      HashedAssetsJavaScript: { files: ['assets/UPPER-4c4d.JS', 'assets/app-a1b2.js', 'assets/worker-c3d4.mjs'], type: 'text/javascript; charset=utf-8' },
      HashedAssetsCss: { files: ['assets/style-e5f6.css'], type: 'text/css; charset=utf-8' },
      HashedAssetsSvg: { files: ['assets/logo-0a0b.svg'], type: 'image/svg+xml' },
      HashedAssetsWasm: { files: ['assets/lib-1c1d.wasm'], type: 'application/wasm' },
      HashedAssetsSourceMap: { files: ['assets/app-a1b2.js.map'], type: 'application/json' },
      Files: { files: ['about/index.html', 'index.html', 'robots.txt', 'site.webmanifest.json'], type: undefined },
      FilesJavaScript: { files: ['sw.js'], type: 'text/javascript; charset=utf-8' },
      FilesSvg: { files: ['favicon.svg'], type: 'image/svg+xml' },
      FilesWebManifest: { files: ['manifest.webmanifest'], type: 'application/manifest+json' },
      FilesSourceMap: { files: ['sw.js.map'], type: 'application/json' },
    });
  });

  test('hashed groups are immutable, unhashed ones no-cache, whatever their type', () => {
    for (const [id, x] of Object.entries(d)) {
      expect(x.resource.Properties.SystemMetadata['cache-control']).toBe(id.startsWith('HashedAssets') ? IMMUTABLE : 'no-cache');
    }
  });

  test('the invalidation paths are exactly the unhashed files (and "/"), spread over their groups', () => {
    const paths = Object.values(d).flatMap((x) => x.resource.Properties.DistributionPaths ?? []).sort();
    expect(paths).toEqual(['/', '/about/index.html', '/favicon.svg', '/index.html', '/manifest.webmanifest', '/robots.txt',
      '/site.webmanifest.json', '/sw.js', '/sw.js.map']);
  });
});

describe('upload order', () => {
  const { deployments: d, template } = synthSite({ source: siteDir(['index.html', 'sw.js', 'favicon.svg', 'assets/a-1.js', 'assets/b-2.png']) });
  const hashed = Object.keys(d).filter((id) => id.startsWith('HashedAssets'));
  const unhashed = Object.keys(d).filter((id) => id.startsWith('Files'));

  test('every unhashed group waits for every hashed group, and Files (index.html) for every other group', () => {
    expect(hashed.sort()).toEqual(['HashedAssets', 'HashedAssetsJavaScript']);
    expect(unhashed.sort()).toEqual(['Files', 'FilesJavaScript', 'FilesSvg']);
    for (const u of unhashed) {
      for (const h of hashed) {
        expect(u === h ? [] : d[u].construct.node.dependencies).toContain(d[h].construct);
        expect(d[u].resource.DependsOn).toContain(d[h].logicalId);
      }
    }
    for (const u of ['FilesJavaScript', 'FilesSvg']) {
      expect(d.Files.construct.node.dependencies).toContain(d[u].construct);
      expect(d.Files.resource.DependsOn).toContain(d[u].logicalId);
    }
  });

  test('hashed groups depend on nothing of the site, so they upload first', () => {
    for (const h of hashed) {
      expect(d[h].construct.node.dependencies).toEqual([]);
      expect(d[h].resource.DependsOn ?? []).toEqual([]);
    }
  });

  test('the release cleanup runs after every upload', () => {
    const [cleanupId, cleanup] = Object.entries(template.findResources('Custom::SpaReleaseCleanup'))[0];
    expect(cleanupId).toMatch(/^AppSiteDeploymentReleaseCleanup/);
    for (const x of Object.values(d)) {
      expect(cleanup.DependsOn).toContain(x.logicalId);
    }
  });
});

describe('invalidation only when something changed', () => {
  test('the same build synthesizes the same deployment properties, so CloudFormation does not run (or invalidate) again', () => {
    const a = synthSite({ source: VITE_BUILD }).deployments;
    const b = synthSite({ source: VITE_BUILD }).deployments;
    for (const id of Object.keys(a)) {
      expect(b[id].resource.Properties).toEqual(a[id].resource.Properties);
    }
  });

  test('a changed favicon re-runs (and invalidates) only its own group', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-site-test-'));
    fs.cpSync(VITE_BUILD, dir, { recursive: true });
    const before = synthSite({ source: dir }).deployments;
    fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    const after = synthSite({ source: dir }).deployments;
    const changed = Object.keys(before)
      .filter((id) => JSON.stringify(before[id].resource.Properties) !== JSON.stringify(after[id].resource.Properties));
    expect(changed).toEqual(['FilesSvg']);
    expect(after.FilesSvg.resource.Properties.DistributionPaths).toEqual(['/favicon.svg']);
  });

  test('errorResponses mode caches no error response (ErrorCachingMinTTL 0) and still never invalidates "/*"', () => {
    const { template, deployments: d } = synthSite({ source: VITE_BUILD, routing: SpaRouting.errorResponses() });
    const config = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    expect(config.CustomErrorResponses.map((r: any) => r.ErrorCachingMinTTL)).toEqual([0, 0]);
    expect(Object.values(d).flatMap((x) => x.resource.Properties.DistributionPaths ?? [])).not.toContain('/*');
  });
});

describe('release cleanup', () => {
  const { template, deployments: d, app } = synthSite({ source: VITE_BUILD });
  const [cleanupId, cleanup] = Object.entries(template.findResources('Custom::SpaReleaseCleanup'))[0];

  test('receives the bucket, the manifest prefix, keepReleases 2 and every uploaded zip with its hashed globs', () => {
    expect(cleanup.Properties).toMatchObject({
      BucketName: { Ref: 'AppSiteBucketE79A373E' },
      ManifestPrefix: '.releases/',
      KeepReleases: 2,
    });
    const byKey = Object.fromEntries(cleanup.Properties.Sources.map((s: any) => [s.ObjectKey, s.HashedGlobs]));
    for (const [id, x] of Object.entries(d)) {
      expect(byKey[x.resource.Properties.SourceObjectKeys[0]]).toEqual(id.startsWith('HashedAssets') ? ['*'] : []);
    }
    expect(cleanup.Properties.Sources).toHaveLength(Object.keys(d).length);
    // the properties are zip keys, not file lists: their size does not grow with the site
    expect(JSON.stringify(cleanup.Properties).length).toBeLessThan(2000);
    expect(app.siteDeployed).toBe(app.node.findChild('SiteDeployment').node.findChild('ReleaseCleanup'));
    expect(cleanupId).toMatch(/^AppSiteDeploymentReleaseCleanup[0-9A-F]{8}$/);
  });

  test('the upload handler logs into a log group with the construct\'s retention', () => {
    const handlers = template.findResources('AWS::Lambda::Function', {
      Properties: { Handler: 'index.handler', Layers: Match.anyValue() },
    });
    expect(Object.keys(handlers)).toHaveLength(1);
    const handler: any = Object.values(handlers)[0];
    expect(handler.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: 'AppSiteDeploymentUploadLogs33550762' } });
    expect(template.toJSON().Resources.AppSiteDeploymentUploadLogs33550762.Properties.RetentionInDays).toBe(90);
  });

  test('keepReleases passes through', () => {
    const t = synthSite({ source: VITE_BUILD, keepReleases: 5 }).template;
    t.hasResourceProperties('Custom::SpaReleaseCleanup', { KeepReleases: 5 });
  });

  test('runs a Python 3.14 ARM64 function whose code is the handler file only', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.on_event', Runtime: 'python3.14', Architectures: ['arm64'], Timeout: 300,
    });
    const fn = app.node.findChild('SiteDeployment').node.findChild('ReleaseCleanupFunction');
    const asset = (fn.node.findChild('Code') as Construct).node.findChild('Stage') as any;
    expect(listFiles(asset.absoluteStagedPath)).toEqual(['index.py']);
  });

  test('has least privilege: list the site bucket, read and write manifests, delete objects, read only its zips', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^AppSiteDeploymentReleaseCleanupLoggingServiceRole') }] },
    });
    const statements: any[] = Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    // no AWS managed policy: the role writes only to its own log group, through its inline policy
    const role = Object.values(template.findResources('AWS::IAM::Role')).find((r: any) =>
      JSON.stringify(r.Properties.Description ?? '').includes('ReleaseCleanupLogging')) as any;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toEqual([{
      PolicyName: 'Logs',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': ['AppSiteDeploymentReleaseCleanupLoggingLogGroup2CCA7103', 'Arn'] },
        }],
      },
    }]);
    const bucketArn = { 'Fn::GetAtt': ['AppSiteBucketE79A373E', 'Arn'] };
    const zipReads = statements.filter((s) => s.Action === 's3:GetObject');
    expect(zipReads.map((s) => JSON.stringify(s.Resource).match(/\/([0-9a-f]{64}\.zip)/)![1]).sort())
      .toEqual(cleanup.Properties.Sources.map((s: any) => s.ObjectKey).sort());
    expect(statements.filter((s) => s.Action !== 's3:GetObject')).toEqual([
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: bucketArn },
      { Action: ['s3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: { 'Fn::Join': ['', [bucketArn, '/.releases/*']] } },
      { Action: 's3:DeleteObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [bucketArn, '/*']] } },
    ]);
  });

  test('CloudFront may not read the manifests, and the SPA routing passes /.releases/... to S3 unchanged', () => {
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy', {
      Properties: { Bucket: { Ref: 'AppSiteBucketE79A373E' } },
    }))[0] as any;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual({
      Sid: 'DenyCloudFrontReleaseManifests',
      Effect: 'Deny',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['AppSiteBucketE79A373E', 'Arn'] }, '/.releases/*']] },
    });
    // so a request for a manifest reaches S3, where the deny above answers 403
    const handler = loadSpaRoutingHandler();
    const uri = '/.releases/88583c77720e201dd18bb246046349ef0c86df3a4181c9a0bfde3fa3d09d9f9e.json';
    expect(handler({ request: { uri, headers: { accept: { value: 'text/html' } } } }).uri).toBe(uri);
  });
});

describe('prebuilt source (site.sourceAsset)', () => {
  const globs = ['assets/*', 'static/*'];
  const stack = newStack();
  const bucket = s3.Bucket.fromBucketName(stack, 'Builds', 'my-builds');
  const app = new SpaWithLambdaApi(stack, 'App', minimalProps({
    site: { sourceAsset: s3deploy.Source.bucket(bucket, 'site-1234.zip'), hashedAssetGlobs: globs },
  }));
  const template = Template.fromStack(stack);
  const all = template.findResources('Custom::CDKBucketDeployment');
  const [hashedId, hashed] = Object.entries(all).find(([id]) => id.startsWith('AppSiteDeploymentHashedAssets'))!;
  const [, files] = Object.entries(all).find(([id]) => id.startsWith('AppSiteDeploymentFiles'))!;

  test('two deployments filter the one zip with the globs', () => {
    expect(Object.keys(all)).toHaveLength(2);
    expect(hashed.Properties).toMatchObject({
      SourceObjectKeys: ['site-1234.zip'],
      Exclude: ['*'],
      Include: globs,
      Prune: false,
      SystemMetadata: { 'cache-control': IMMUTABLE },
    });
    expect(files.Properties).toMatchObject({
      SourceObjectKeys: ['site-1234.zip'],
      Exclude: [...globs, '.releases/*'],
      Prune: false,
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionPaths: ['/', '/index.html'],
    });
    expect(files.Properties.Include).toBeUndefined();
    expect(files.DependsOn).toContain(hashedId);
    expect(app.hashedAssetsDeployment.node.id).toBe('HashedAssets');
    expect(app.filesDeployment.node.id).toBe('Files');
  });

  test('the cleanup lists the same zip and classifies it with the same globs', () => {
    template.hasResourceProperties('Custom::SpaReleaseCleanup', {
      Sources: [{ BucketName: 'my-builds', ObjectKey: 'site-1234.zip', HashedGlobs: globs }],
    });
  });
});

describe('grantInvalidate', () => {
  test('grants cloudfront:CreateInvalidation on this distribution only', () => {
    const stack = newStack();
    const app = new SpaWithLambdaApi(stack, 'App', minimalProps());
    const role = new iam.Role(stack, 'CiRole', { assumedBy: new iam.AccountRootPrincipal() });
    const grant = app.grantInvalidate(role);
    expect(grant.success).toBe(true);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^CiRole') }],
      PolicyDocument: {
        Statement: [{
          Action: 'cloudfront:CreateInvalidation',
          Effect: 'Allow',
          Resource: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: 'AppDistribution3FB407A1' }]],
          },
        }],
      },
    });
  });
});

describe('construct IDs are API', () => {
  test('SiteDeployment/HashedAssets, SiteDeployment/Files and SiteDeployment/ReleaseCleanup keep their names', () => {
    const { app } = synthApp();
    const siteDeployment = app.node.findChild('SiteDeployment');
    expect(app.hashedAssetsDeployment).toBe(siteDeployment.node.findChild('HashedAssets'));
    expect(app.filesDeployment).toBe(siteDeployment.node.findChild('Files'));
    expect(siteDeployment.node.tryFindChild('ReleaseCleanup')).toBeDefined();
  });
});

/** Python's answers (`fnmatch.fnmatchcase`, which `aws s3 sync` filters use on Linux): [pattern][path]. */
function pythonFnmatch(patterns: string[], paths: string[]): boolean[][] {
  const script = 'import fnmatch, json, sys\nd = json.load(sys.stdin)\n'
    + 'print(json.dumps([[fnmatch.fnmatchcase(p, g) for p in d["paths"]] for g in d["patterns"]]))';
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify({ patterns, paths }), maxBuffer: 64 * 1024 * 1024 }).toString());
}

describe('fnmatch matches what aws s3 sync (Python fnmatch) selects', () => {
  const patterns = [...SpaWithLambdaApi.DEFAULT_HASHED_ASSET_GLOBS, 'a?c', '[!a]*', '[]]x', 'x[', '*.[jJ][sS]', 'static/[0-9]*'];
  const paths = ['assets/index-DESi9q8R.js', 'assets/nested/deep.css', 'index.html', 'main.3f2a9c1b.js', 'main.3f2a9c1b.chunk.css',
    'main-ABCD1234.js', 'main-abcd1234.js', 'polyfills-Z9Y8X7W6.css', 'static/js/main.8e2f.js', 'abc', 'a/c', ']x', 'x[', 'b.JS', 'static/7.txt',
    'assetsx/y', 'robots.txt'];

  test('for every default glob and edge case', () => {
    const python = pythonFnmatch(patterns, paths);
    const ours = patterns.map((g) => paths.map((p) => fnmatchToRegExp(g).test(p)));
    expect(ours).toEqual(python);
  });

  test('for 3000 random patterns over the characters that matter (sets, ranges, negation, escapes)', () => {
    let seed = 7;
    const random = (k: number) => {
      seed = (seed * 48271) % 2147483647;
      return seed % k;
    };
    // pattern tokens biased towards sets (the previous implementation failed 136 of these checks); paths of plain characters
    const tokens = ['a', 'b', 'z', '-', '!', '^', '[', ']', '*', '?', '\\', '/', '.', '&', '[!', '[]', '[^', 'a-z', 'z-a', '[a-'];
    const chars = ['a', 'b', 'z', '-', '!', '^', '[', ']', '\\', '/', '.'];
    const word = (alphabet: string[], max: number) => Array.from({ length: 1 + random(max) }, () => alphabet[random(alphabet.length)]).join('');
    const randomPatterns = Array.from({ length: 3000 }, () => word(tokens, 6));
    const randomPaths = Array.from({ length: 40 }, () => word(chars, 4));
    const python = pythonFnmatch(randomPatterns, randomPaths);
    const mismatches = randomPatterns.flatMap((g, i) => randomPaths.filter((p, j) => fnmatchToRegExp(g).test(p) !== python[i][j]).map((p) => [g, p]));
    expect(mismatches).toEqual([]);
    expect(python.flat().filter(Boolean).length).toBeGreaterThan(500); // the sample exercises matches, not only misses
  });
});

describe('site props', () => {
  function expectError(siteProps: SpaWithLambdaApiProps['site'], message: string): void {
    expect(() => new SpaWithLambdaApi(newStack(), 'App', minimalProps({ site: siteProps }))).toThrow(
      new Error(`Invalid props for SpaWithLambdaApi 'App':\n- ${message}`),
    );
  }
  const zip = s3deploy.Source.bucket(s3.Bucket.fromBucketName(newStack(), 'Builds', 'my-builds'), 'site.zip');

  test('fails when neither site.source nor site.sourceAsset is set', () => {
    expectError({}, 'site has neither source nor sourceAsset. Set source to the built SPA folder (for example "frontend/dist"), '
      + 'or sourceAsset to a prebuilt s3deploy.ISource.');
  });

  test('fails when both site.source and site.sourceAsset are set', () => {
    expectError({ source: VITE_BUILD, sourceAsset: zip, hashedAssetGlobs: ['assets/*'] },
      `site.source is ${JSON.stringify(VITE_BUILD)} and site.sourceAsset is set too, but the site can only come from one of them. `
      + 'Keep source for a built folder, or sourceAsset for a prebuilt source.');
  });

  test('fails when site.sourceAsset comes without site.hashedAssetGlobs', () => {
    expectError({ sourceAsset: zip }, 'site.sourceAsset is set, but site.hashedAssetGlobs is not. A prebuilt source cannot be listed at synth time, '
      + 'so the construct cannot tell its content-hashed files from index.html. Set hashedAssetGlobs to the globs of your build, '
      + 'for example SpaWithLambdaApi.DEFAULT_HASHED_ASSET_GLOBS, or ["assets/*"] for Vite.');
  });

  test('fails when site.hashedAssetGlobs matches index.html', () => {
    expectError({ source: VITE_BUILD, hashedAssetGlobs: ['assets/*', '*.html'] },
      'site.hashedAssetGlobs is ["assets/*","*.html"], but "index.html" matches it, so index.html would be cached for a year '
      + 'and deploys would never reach returning visitors. Use globs that match only content-hashed files, for example ["assets/*"].');
  });

  test.each([1, 0, 2.5, -3])('fails when site.keepReleases is %p', (keepReleases) => {
    expectError({ source: VITE_BUILD, keepReleases },
      `site.keepReleases is ${keepReleases}, but it must be a whole number of at least 2: `
      + 'browser tabs opened before a deploy still load the previous release\'s files. Use 2 (the default) or more.');
  });

  test('fails when site.source contains the reserved .releases/ prefix', () => {
    const dir = siteDir(['index.html', '.releases/x.json']);
    expectError({ source: dir }, `site.source is ${JSON.stringify(dir)}, but it contains ".releases/x.json", and the key prefix ".releases/" `
      + 'is reserved for the release manifests in the site bucket. Rename or remove that folder in your build output.');
  });

  test('accepts keepReleases 3 and a prebuilt source with globs', () => {
    expect(() => new SpaWithLambdaApi(newStack(), 'App', minimalProps({ site: { source: VITE_BUILD, keepReleases: 3 } }))).not.toThrow();
    expect(() => new SpaWithLambdaApi(newStack(), 'App', minimalProps({ site: { sourceAsset: zip, hashedAssetGlobs: ['assets/*'] } }))).not.toThrow();
  });
});
