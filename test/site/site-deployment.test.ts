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
import { SpaRouting, SpaWithLambdaApi, SpaWithLambdaApiProps } from '../../src';
import { listFiles } from '../../src/private/files';
import { fnmatchToRegExp } from '../../src/private/fnmatch';
import { loadSpaRoutingHandler } from '../routing/spa-routing-function';
import { minimalProps, newStack, synthApp, testTempDir } from '../util';

const VITE_BUILD = path.join(__dirname, '..', 'fixtures', 'vite-build');
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The BucketDeployments of the site by construct ID, with their CloudFormation resource and the files they upload:
 * the files of their zip (as staged in the cloud assembly) that `aws s3 sync` selects with their filters,
 * evaluated by Python's fnmatch in the AWS CLI's order (every --exclude, then every --include; the last match wins).
 */
function deployments(app: SpaWithLambdaApi, template: Template) {
  const siteDeployment = app.node.findChild('SiteDeployment');
  const stack = Stack.of(app);
  const assemblyDir = (stack.node.root as App).synth().directory;
  const found: Array<{ id: string; logicalId: string; resource: any; construct: IConstruct; zipFiles: string[] }> = [];
  for (const child of siteDeployment.node.children) {
    if (!(child instanceof s3deploy.BucketDeployment)) {
      continue;
    }
    const cfn = child.node.findAll().find((c): c is CfnResource =>
      CfnResource.isCfnResource(c) && c.cfnResourceType === 'Custom::CDKBucketDeployment')!;
    const logicalId = stack.resolve(cfn.logicalId);
    const resource = template.toJSON().Resources[logicalId];
    const key: string = resource.Properties.SourceObjectKeys[0];
    const zipFiles = listFiles(path.join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`));
    found.push({ id: child.node.id, logicalId, resource, construct: child, zipFiles });
  }
  const selected = awsSyncSelects(found.map((x) => ({
    paths: x.zipFiles, exclude: x.resource.Properties.Exclude ?? [], include: x.resource.Properties.Include ?? [],
  })));
  const out: Record<string, { logicalId: string; resource: any; files: string[]; construct: IConstruct }> = {};
  found.forEach((x, i) => {
    out[x.id] = { logicalId: x.logicalId, resource: x.resource, files: selected[i], construct: x.construct };
  });
  return out;
}

/** For each (paths, exclude, include): the paths `aws s3 sync --exclude e... --include i...` syncs (Python's fnmatch). */
function awsSyncSelects(cases: Array<{ paths: string[]; exclude: string[]; include: string[] }>): string[][] {
  const script = [
    'import fnmatch, json, sys',
    'out = []',
    'for c in json.load(sys.stdin):',
    '    filters = [("exclude", g) for g in c["exclude"]] + [("include", g) for g in c["include"]]',
    '    def synced(p):',
    '        keep = True',
    '        for kind, g in filters:',
    '            if fnmatch.fnmatchcase(p, g):',
    '                keep = kind == "include"',
    '        return keep',
    '    out.append([p for p in c["paths"] if synced(p)])',
    'print(json.dumps(out))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(cases), maxBuffer: 64 * 1024 * 1024 }).toString());
}

/** A site folder with the given files (content: the file name). */
function siteDir(files: string[]): string {
  const dir = testTempDir('spa-site-test-');
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

  test('one asset for the site; each deployment selects exactly its group; HashedAssets and Files always exist', () => {
    expect(new Set(Object.values(d).map((x) => JSON.stringify(x.resource.Properties.SourceObjectKeys))).size).toBe(1);
    expect(Object.values(d)[0].resource.Properties.SourceObjectKeys).toHaveLength(1);
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

  test('the filters are short: a folder or an extension is one glob, other files are named', () => {
    const filters = Object.fromEntries(Object.entries(d).map(([id, x]) => [id, [x.resource.Properties.Exclude, x.resource.Properties.Include]]));
    expect(filters).toEqual({
      HashedAssets: [['*'], undefined],
      HashedAssetsJavaScript: [['*'], ['assets/index-DESi9q8R.js']],
      HashedAssetsCss: [['*'], ['assets/index-5K79yzeN.css']],
      Files: [['favicon.svg', 'assets/*'], undefined],
      FilesSvg: [['*'], ['favicon.svg']],
    });
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
    'assets/app-BdQq_4o_.js', 'assets/worker-Cx9k2LmP.mjs', 'assets/app-BdQq_4o_.js.map', 'assets/style-DiwrgTda.css', 'assets/logo-B7fa0Q-2.svg',
    'assets/lib-0aZ3kQ9w.wasm', 'assets/photo-Q2w9_xYz.png', 'assets/font-Mk3nP0qR.woff2', 'assets/UPPER-X63YXSG6.JS',
    'index.html', 'manifest.webmanifest', 'sw.js', 'sw.js.map', 'favicon.svg', 'robots.txt', 'about/index.html', 'site.webmanifest.json',
  ];
  const { deployments: d } = synthSite({ source: siteDir(files) });
  const typeOf = (id: string) => d[id].resource.Properties.SystemMetadata['content-type'];

  test('.js .mjs .css .svg .wasm .webmanifest .map get an explicit Content-Type, in both classes', () => {
    expect(Object.fromEntries(Object.entries(d).map(([id, x]) => [id, { files: x.files, type: typeOf(id) }]))).toEqual({
      HashedAssets: { files: ['assets/font-Mk3nP0qR.woff2', 'assets/photo-Q2w9_xYz.png'], type: undefined },
      HashedAssetsJavaScript: { files: ['assets/UPPER-X63YXSG6.JS', 'assets/app-BdQq_4o_.js', 'assets/worker-Cx9k2LmP.mjs'], type: 'text/javascript; charset=utf-8' },
      HashedAssetsCss: { files: ['assets/style-DiwrgTda.css'], type: 'text/css; charset=utf-8' },
      HashedAssetsSvg: { files: ['assets/logo-B7fa0Q-2.svg'], type: 'image/svg+xml' },
      HashedAssetsWasm: { files: ['assets/lib-0aZ3kQ9w.wasm'], type: 'application/wasm' },
      HashedAssetsSourceMap: { files: ['assets/app-BdQq_4o_.js.map'], type: 'application/json' },
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
  const { deployments: d, template } = synthSite({ source: siteDir(['index.html', 'sw.js', 'favicon.svg', 'assets/a-BdQq_4o_.js', 'assets/b-Cx9k2LmP.png']) });
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

  test('a changed favicon changes only the site asset\'s key: filters, metadata and invalidation paths stay the same', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-site-test-'));
    fs.cpSync(VITE_BUILD, dir, { recursive: true });
    const before = synthSite({ source: dir }).deployments;
    fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    const after = synthSite({ source: dir }).deployments;
    fs.rmSync(dir, { recursive: true, force: true });
    for (const id of Object.keys(before)) {
      const { SourceObjectKeys: keyBefore, ...restBefore } = before[id].resource.Properties;
      const { SourceObjectKeys: keyAfter, ...restAfter } = after[id].resource.Properties;
      expect(keyAfter).not.toEqual(keyBefore); // one asset: every deployment re-runs ...
      expect(restAfter).toEqual(restBefore); // ... but only the unhashed files are invalidated, as before
    }
    expect(after.FilesSvg.resource.Properties.DistributionPaths).toEqual(['/favicon.svg']);
    expect(after.Files.resource.Properties.DistributionPaths).toEqual(['/', '/index.html', '/robots.txt']);
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

  test('receives the bucket, the manifest prefix, keepReleases 2 and the site zip with its hashed filters', () => {
    expect(cleanup.Properties).toMatchObject({
      BucketName: { Ref: 'AppSiteBucketE79A373E' },
      ManifestPrefix: '.releases/',
      KeepReleases: 2,
    });
    // one source, the site asset, with the filters of the hashed class
    const keys = new Set(Object.values(d).map((x) => x.resource.Properties.SourceObjectKeys[0]));
    expect(cleanup.Properties.Sources).toEqual([{
      BucketName: expect.anything(),
      ObjectKey: [...keys][0],
      HashedGlobs: ['assets/*'],
      HashedExclude: ['*'],
    }]);
    expect(keys.size).toBe(1);
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

describe('hashed or not by the file NAME, in any folder', () => {
  /** A real Vite project: a hashed entry chunk, a hashed stylesheet and image, and files copied verbatim from public/. */
  function viteBuild(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-vite-project-'));
    const write = (rel: string, content: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), content);
    };
    const svg = (label: string, pad = 0) => `<svg xmlns="http://www.w3.org/2000/svg"><title>${label}</title><!--${'x'.repeat(pad)}--></svg>\n`;
    write('index.html', '<!doctype html><html><head><link rel="icon" href="/favicon.svg"></head>'
      + '<body><img src="/assets/images/logo.svg"><script type="module" src="/src/main.js"></script></body></html>\n');
    write('src/main.js', "import './style.css';\nimport photo from './photo.svg';\ndocument.body.append(Object.assign(document.createElement('img'), { src: photo }));\n");
    write('src/style.css', 'body { margin: 0; }\n');
    write('src/photo.svg', svg('photo', 5000)); // above assetsInlineLimit (4 KiB): emitted as a hashed file
    write('public/assets/images/logo.svg', svg('logo'));
    write('public/favicon.svg', svg('favicon'));
    write('public/robots.txt', 'User-agent: *\n');
    execFileSync(path.join(__dirname, '..', '..', 'node_modules', '.bin', 'vite'),
      ['build', root, '--outDir', path.join(root, 'dist'), '--logLevel', 'error'], { cwd: root, stdio: 'pipe' });
    return root;
  }

  const project = viteBuild();
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));
  const dist = path.join(project, 'dist');
  const built = listFiles(dist);
  const { deployments: d } = synthSite({ source: dist });
  const classes = (x: typeof d) => Object.fromEntries(Object.entries(x).map(([id, g]) => [id, g.files]));

  test('Vite\'s public/assets/images/logo.svg is no-cache (its name never changes); its hashed chunks are immutable', () => {
    const js = built.filter((f) => /^assets\/index-[A-Za-z0-9_-]{8}\.js$/.test(f));
    const css = built.filter((f) => /^assets\/index-[A-Za-z0-9_-]{8}\.css$/.test(f));
    const photo = built.filter((f) => /^assets\/photo-[A-Za-z0-9_-]{8}\.svg$/.test(f));
    expect([js.length, css.length, photo.length]).toEqual([1, 1, 1]);
    expect(built).toContain('assets/images/logo.svg');
    expect(classes(d)).toEqual({
      HashedAssets: [],
      HashedAssetsJavaScript: js,
      HashedAssetsCss: css,
      HashedAssetsSvg: photo,
      Files: ['index.html', 'robots.txt'],
      FilesSvg: ['assets/images/logo.svg', 'favicon.svg'],
    });
    expect(d.FilesSvg.resource.Properties.SystemMetadata['cache-control']).toBe('no-cache');
    expect(d.FilesSvg.resource.Properties.DistributionPaths).toEqual(['/assets/images/logo.svg', '/favicon.svg']);
    expect(d.HashedAssetsSvg.resource.Properties.SystemMetadata['cache-control']).toBe(IMMUTABLE);
  });

  test('webpack [name].[contenthash].js and Create React App names are immutable, their copied files are not', () => {
    const files = ['index.html', 'main.3f2a9c1b5d6e7f801234.js', 'vendors.0a1b2c3d4e5f60718293.js', 'main.3f2a9c1b5d6e7f801234.js.map',
      'static/js/787.3f2a9c1b.chunk.js', 'static/css/main.0a1b2c3d.css', 'static/media/logo.6ce24c58023cc2f8fd88fe9d219db6c6.png',
      'static/config.json', 'logo192.png', 'manifest.json'];
    const dir = siteDir(files);
    const { deployments: w } = synthSite({ source: dir });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(classes(w)).toEqual({
      HashedAssets: ['static/media/logo.6ce24c58023cc2f8fd88fe9d219db6c6.png'],
      HashedAssetsJavaScript: ['main.3f2a9c1b5d6e7f801234.js', 'static/js/787.3f2a9c1b.chunk.js', 'vendors.0a1b2c3d4e5f60718293.js'],
      HashedAssetsCss: ['static/css/main.0a1b2c3d.css'],
      HashedAssetsSourceMap: ['main.3f2a9c1b5d6e7f801234.js.map'],
      Files: ['index.html', 'logo192.png', 'manifest.json', 'static/config.json'],
    });
  });

  test('hashedAssetGlobs replaces the detection: with ["assets/*"] the copied logo is immutable again, as the user asked', () => {
    const { deployments: g } = synthSite({ source: dist, hashedAssetGlobs: ['assets/*'] });
    expect(g.HashedAssetsSvg.files).toEqual(expect.arrayContaining(['assets/images/logo.svg']));
    expect(g.FilesSvg.files).toEqual(['favicon.svg']);
  });
});

describe('no temporary copies', () => {
  test('a synth of a site leaves nothing in the temp folder (TMPDIR of a child process)', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-tmpdir-'));
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-outdir-'));
    const script = `
      const { App, Stack } = require('aws-cdk-lib');
      const { SpaWithLambdaApi } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src'))});
      const app = new App({ outdir: ${JSON.stringify(outdir)}, context: { 'aws:cdk:bundling-stacks': [] } });
      new SpaWithLambdaApi(new Stack(app, 'S'), 'App', { site: { source: ${JSON.stringify(VITE_BUILD)} }, api: { source: ${JSON.stringify(path.join(__dirname, '..', 'fixtures', 'python-app'))} } });
      app.synth();
    `;
    execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
      // DISABLE_V8_COMPILE_CACHE: typescript's (ts-node's) compile cache would write v8-compile-cache-<uid> there
      env: { ...process.env, TMPDIR: tmp, DISABLE_V8_COMPILE_CACHE: '1', TS_NODE_PROJECT: path.join(__dirname, '..', '..', 'tsconfig.dev.json') },
    });
    const leftovers = fs.readdirSync(tmp);
    const siteAssets = fs.readdirSync(outdir).filter((a) => a.startsWith('asset.'))
      .filter((a) => fs.existsSync(path.join(outdir, a, 'index.html'))).map((a) => listFiles(path.join(outdir, a)));
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(outdir, { recursive: true, force: true });
    expect(leftovers).toEqual([]);
    // the site is one asset holding the whole build
    expect(siteAssets).toEqual([listFiles(VITE_BUILD)]);
  });
});
