/**
 * The upload of the SPA (src/site/site-deployment.ts): the one custom resource that deploys a release, the upload plan
 * it receives (which file gets which Cache-Control and Content-Type, evaluated by the handler's own Python code), its
 * permissions, and the `site` props. The handler itself runs against a local S3 in test/site/test_site_deploy.py.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { SpaWithLambdaApi, SpaWithLambdaApiProps } from '../../src';
import { listFiles } from '../../src/private/files';
import { fnmatchToRegExp } from '../../src/private/fnmatch';
import { loadSpaRoutingHandler } from '../routing/spa-routing-function';
import { minimalProps, newStack, synthApp, testTempDir } from '../util';

const VITE_BUILD = path.join(__dirname, '..', 'fixtures', 'vite-build');
const IMMUTABLE = 'public, max-age=31536000, immutable';
const RUNTIME = path.join(__dirname, '..', '..', 'src', 'site', 'runtime', 'site-deploy');

interface FileOutcome { hashed: boolean; cacheControl: string; contentType: string; phase: number }

/** What the deploy handler (its own `plan_file`, Python) does with each file under the template's `Plan`. */
function handlerPlan(plan: unknown, files: string[]): Record<string, FileOutcome> {
  const script = [
    'import json, sys',
    'sys.dont_write_bytecode = True',
    `sys.path.insert(0, ${JSON.stringify(RUNTIME)})`,
    'import index',
    'd = json.load(sys.stdin)',
    'out = {}',
    'for f in d["files"]:',
    '    p = index.plan_file(f, d["plan"])',
    '    out[f] = {"hashed": p.hashed, "cacheControl": p.cache_control, "contentType": p.content_type, "phase": p.phase}',
    'print(json.dumps(out))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify({ plan, files }) }).toString());
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
  const [logicalId, resource] = Object.entries(result.template.findResources('Custom::SpaSiteDeployment'))[0] as [string, any];
  return { ...result, logicalId, resource, props: resource.Properties };
}

/** Which files the handler serves immutable, and which no-cache. */
function classes(props: any, files: string[]) {
  const outcome = handlerPlan(props.Plan, files);
  return {
    hashed: files.filter((f) => outcome[f].hashed),
    unhashed: files.filter((f) => !outcome[f].hashed),
  };
}

describe('one custom resource deploys a release', () => {
  const { template, app, props, logicalId, resource } = synthSite({ source: VITE_BUILD });

  test('no BucketDeployment, no AWS CLI layer, no provider framework: one Custom::SpaSiteDeployment on the library\'s function', () => {
    expect(template.findResources('Custom::CDKBucketDeployment')).toEqual({});
    // the only layer is the API's origin verification: no AWS CLI layer
    expect(Object.keys(template.findResources('AWS::Lambda::LayerVersion'))).toEqual([expect.stringMatching(/^AppApiFunctionOriginVerifyLayer/)]);
    expect(Object.keys(template.findResources('Custom::SpaSiteDeployment'))).toEqual([logicalId]);
    expect(logicalId).toMatch(/^AppSiteDeploymentRelease[0-9A-F]{8}$/);
    expect(props.ServiceToken).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AppSiteDeploymentDeployFunction/), 'Arn'] });
    expect(app.siteDeployed).toBe(app.siteRelease);
    expect(app.siteRelease.node.path).toBe('TestStack/App/SiteDeployment/Release');
    expect(resource.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^AppSiteDeploymentReleaseCleanupLoggingServiceRole/)]));
  });

  test('receives the bucket, the distribution, the one site zip, the plan, the manifest prefix and keepReleases 2', () => {
    expect(props).toMatchObject({
      BucketName: { Ref: 'AppSiteBucketE79A373E' },
      DistributionId: { Ref: 'AppDistribution3FB407A1' },
      Source: { BucketName: expect.anything(), ObjectKey: expect.stringMatching(/^[0-9a-f]{64}\.zip$/) },
      ManifestPrefix: '.releases/',
      KeepReleases: 2,
      OutOfBandGraceSeconds: 86400,
      Concurrency: 16,
    });
    expect(props.Plan).toEqual({
      HashedCacheControl: IMMUTABLE,
      UnhashedCacheControl: 'no-cache',
      Hashed: { Exclude: ['*'], Include: ['assets/*'] },
      ContentTypes: {
        css: 'text/css; charset=utf-8',
        html: 'text/html; charset=utf-8',
        js: 'text/javascript; charset=utf-8',
        svg: 'image/svg+xml',
        txt: 'text/plain; charset=utf-8',
      },
      DefaultContentType: 'application/octet-stream',
    });
  });

  test('each file of a real Vite build: Cache-Control, Content-Type and phase (hashed, other, HTML, index.html)', () => {
    expect(handlerPlan(props.Plan, listFiles(VITE_BUILD))).toEqual({
      'assets/index-5K79yzeN.css': { hashed: true, cacheControl: IMMUTABLE, contentType: 'text/css; charset=utf-8', phase: 0 },
      'assets/index-DESi9q8R.js': { hashed: true, cacheControl: IMMUTABLE, contentType: 'text/javascript; charset=utf-8', phase: 0 },
      'favicon.svg': { hashed: false, cacheControl: 'no-cache', contentType: 'image/svg+xml', phase: 1 },
      'index.html': { hashed: false, cacheControl: 'no-cache', contentType: 'text/html; charset=utf-8', phase: 3 },
      'robots.txt': { hashed: false, cacheControl: 'no-cache', contentType: 'text/plain; charset=utf-8', phase: 1 },
    });
  });

  test('keepReleases passes through', () => {
    expect(synthSite({ source: VITE_BUILD, keepReleases: 5 }).props.KeepReleases).toBe(5);
  });

  test('runs a Python 3.14 ARM64 function whose code is the handler and its release logic only', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler', Runtime: 'python3.14', Architectures: ['arm64'], Timeout: 900, MemorySize: 1024,
    });
    const fn = app.node.findChild('SiteDeployment').node.findChild('DeployFunction');
    const asset = (fn.node.findChild('Code') as Construct).node.findChild('Stage') as any;
    expect(listFiles(asset.absoluteStagedPath)).toEqual(['index.py', 'releases.py']);
  });

  test('has least privilege: read its one zip, list the bucket, write and delete objects, read manifests, invalidate', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^AppSiteDeploymentReleaseCleanupLoggingServiceRole') }] },
    });
    const statements: any[] = Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const role = Object.values(template.findResources('AWS::IAM::Role')).find((r: any) =>
      JSON.stringify(r.Properties.Description ?? '').includes('ReleaseCleanupLogging')) as any;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const bucketArn = { 'Fn::GetAtt': ['AppSiteBucketE79A373E', 'Arn'] };
    expect(JSON.stringify(statements[0].Resource)).toContain(`/${props.Source.ObjectKey}`);
    expect(statements.slice(1)).toEqual([
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: bucketArn },
      { Action: ['s3:PutObject', 's3:DeleteObject'], Effect: 'Allow', Resource: { 'Fn::Join': ['', [bucketArn, '/*']] } },
      { Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [bucketArn, '/.releases/*']] } },
      {
        Action: 'cloudfront:CreateInvalidation',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: 'AppDistribution3FB407A1' }]] },
      },
    ]);
    expect(statements[0]).toMatchObject({ Action: 's3:GetObject', Effect: 'Allow' });
    expect(statements).toHaveLength(5);
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
    const handler = loadSpaRoutingHandler();
    const uri = '/.releases/88583c77720e201dd18bb246046349ef0c86df3a4181c9a0bfde3fa3d09d9f9e.json';
    expect(handler({ request: { uri, headers: { accept: { value: 'text/html' } } } }).uri).toBe(uri);
  });

  test('the same build synthesizes the same properties, so CloudFormation does not run the deploy again', () => {
    expect(synthSite({ source: VITE_BUILD }).props).toEqual(props);
  });

  test('a changed favicon changes only the zip\'s key: the plan stays the same', () => {
    const dir = testTempDir('spa-favicon-');
    fs.cpSync(VITE_BUILD, dir, { recursive: true });
    fs.appendFileSync(path.join(dir, 'favicon.svg'), '<!-- new -->');
    const changed = synthSite({ source: dir }).props;
    expect(changed.Source.ObjectKey).not.toBe(props.Source.ObjectKey);
    expect(changed.Plan).toEqual(props.Plan);
  });
});

describe('content types', () => {
  const files = [
    'assets/app-BdQq_4o_.js', 'assets/worker-Cx9k2LmP.mjs', 'assets/app-BdQq_4o_.js.map', 'assets/style-DiwrgTda.css', 'assets/logo-B7fa0Q-2.svg',
    'assets/lib-0aZ3kQ9w.wasm', 'assets/photo-Q2w9_xYz.png', 'assets/font-Mk3nP0qR.woff2', 'assets/UPPER-X63YXSG6.JS',
    'index.html', 'manifest.webmanifest', 'sw.js', 'sw.js.map', 'favicon.svg', 'robots.txt', 'about/index.html', 'site.webmanifest.json', 'LICENSE',
  ];
  const { props, annotations } = (() => {
    const r = synthSite({ source: siteDir(files) });
    return { props: r.props, annotations: r.stack.node.findChild('App').node.findChild('SiteDeployment').node.metadata };
  })();
  const outcome = handlerPlan(props.Plan, files);

  test('every extension of the build has its type; an unknown one is application/octet-stream with a warning', () => {
    expect(Object.fromEntries(files.map((f) => [f, outcome[f].contentType]))).toEqual({
      'assets/app-BdQq_4o_.js': 'text/javascript; charset=utf-8',
      'assets/worker-Cx9k2LmP.mjs': 'text/javascript; charset=utf-8',
      'assets/app-BdQq_4o_.js.map': 'application/json',
      'assets/style-DiwrgTda.css': 'text/css; charset=utf-8',
      'assets/logo-B7fa0Q-2.svg': 'image/svg+xml',
      'assets/lib-0aZ3kQ9w.wasm': 'application/wasm',
      'assets/photo-Q2w9_xYz.png': 'image/png',
      'assets/font-Mk3nP0qR.woff2': 'font/woff2',
      'assets/UPPER-X63YXSG6.JS': 'text/javascript; charset=utf-8',
      'index.html': 'text/html; charset=utf-8',
      'manifest.webmanifest': 'application/manifest+json',
      'sw.js': 'text/javascript; charset=utf-8',
      'sw.js.map': 'application/json',
      'favicon.svg': 'image/svg+xml',
      'robots.txt': 'text/plain; charset=utf-8',
      'about/index.html': 'text/html; charset=utf-8',
      'site.webmanifest.json': 'application/json',
      'LICENSE': 'application/octet-stream',
    });
    expect(JSON.stringify(annotations)).toContain('cdk-spa-with-lambda-api:siteUnknownContentType');
    expect(JSON.stringify(annotations)).toContain('(none)');
  });

  test('hashed files are immutable and unhashed ones no-cache, whatever their type; HTML goes last, index.html alone', () => {
    for (const f of files) {
      expect(outcome[f].cacheControl).toBe(outcome[f].hashed ? IMMUTABLE : 'no-cache');
    }
    expect(outcome['index.html'].phase).toBe(3);
    expect(outcome['about/index.html'].phase).toBe(2);
    expect(files.filter((f) => outcome[f].phase === 0)).toEqual(files.filter((f) => outcome[f].hashed));
  });
});

describe('prebuilt source (site.sourceAsset)', () => {
  const globs = ['assets/*', 'static/*'];
  const stack = newStack();
  const bucket = s3.Bucket.fromBucketName(stack, 'Builds', 'my-builds');
  new SpaWithLambdaApi(stack, 'App', minimalProps({
    site: { sourceAsset: s3deploy.Source.bucket(bucket, 'site-1234.zip'), hashedAssetGlobs: globs },
  }));
  const template = Template.fromStack(stack);
  const props = (Object.values(template.findResources('Custom::SpaSiteDeployment'))[0] as any).Properties;

  test('the one zip, classified with the globs, every known type in the plan', () => {
    expect(props.Source).toEqual({ BucketName: 'my-builds', ObjectKey: 'site-1234.zip' });
    expect(props.Plan.Hashed).toEqual({ Exclude: ['*'], Include: globs });
    expect(props.Plan.ContentTypes).toMatchObject({ js: 'text/javascript; charset=utf-8', wasm: 'application/wasm', html: 'text/html; charset=utf-8' });
  });

  test('the function reads that zip only, not the rest of the source bucket', () => {
    const reads = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => JSON.stringify(s.Resource).includes('my-builds'));
    expect(reads).toEqual([{
      Action: 's3:GetObject',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-builds/site-1234.zip']] },
    }]);
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
  test('SiteDeployment/Release and SiteDeployment/DeployFunction', () => {
    const { app } = synthApp();
    const siteDeployment = app.node.findChild('SiteDeployment');
    expect(app.siteRelease).toBe(siteDeployment.node.findChild('Release'));
    expect(app.siteDeployFunction).toBe(siteDeployment.node.findChild('DeployFunction'));
    expect(siteDeployment.node.tryFindChild('HashedAssets')).toBeUndefined();
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

  test('fails when site.source has symbolic links that point outside it', () => {
    const outside = siteDir(['secret.env']);
    const dir = siteDir(['index.html', 'assets/app-BdQq_4o_.js']);
    fs.symlinkSync(path.join(outside, 'secret.env'), path.join(dir, 'assets', 'config.env'));
    fs.symlinkSync(outside, path.join(dir, 'shared'));
    fs.symlinkSync('../..', path.join(dir, 'assets', 'up'));
    expectError({ source: dir }, `site.source is ${JSON.stringify(dir)}, but it has symbolic links that point outside it (or to nothing): `
      + `assets/config.env -> ${path.join(outside, 'secret.env')}, assets/up -> ../.., shared -> ${outside}. `
      + 'The site is uploaded with links followed, so files outside the build would be published. '
      + 'Replace those links with copies of the files, or remove them from the build output.');
  });

  test('fails when a link inside site.source is named .releases (the manifests\' prefix, as the upload would follow it)', () => {
    const dir = siteDir(['index.html', 'data/x.json']);
    fs.symlinkSync('data', path.join(dir, '.releases'));
    expectError({ source: dir }, `site.source is ${JSON.stringify(dir)}, but it contains ".releases/x.json", and the key prefix ".releases/" `
      + 'is reserved for the release manifests in the site bucket. Rename or remove that folder in your build output.');
  });

  test('a link to a file inside site.source is followed: its target is uploaded under the link\'s name', () => {
    const dir = siteDir(['index.html', 'assets/logo.svg']);
    fs.symlinkSync('assets/logo.svg', path.join(dir, 'favicon.svg'));
    const { app } = synthSite({ source: dir });
    const asset = (app.node.findChild('SiteDeployment').node.findChild('Source') as Construct).node.findChild('Stage') as any;
    expect(listFiles(asset.absoluteStagedPath)).toEqual(['assets/logo.svg', 'favicon.svg', 'index.html']);
    expect(fs.lstatSync(path.join(asset.absoluteStagedPath, 'favicon.svg')).isSymbolicLink()).toBe(false);
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
  const { props: d } = synthSite({ source: dist });

  test('Vite\'s public/assets/images/logo.svg is no-cache (its name never changes); its hashed chunks are immutable', () => {
    const js = built.filter((f) => /^assets\/index-[A-Za-z0-9_-]{8}\.js$/.test(f));
    const css = built.filter((f) => /^assets\/index-[A-Za-z0-9_-]{8}\.css$/.test(f));
    const photo = built.filter((f) => /^assets\/photo-[A-Za-z0-9_-]{8}\.svg$/.test(f));
    expect([js.length, css.length, photo.length]).toEqual([1, 1, 1]);
    expect(built).toContain('assets/images/logo.svg');
    expect(classes(d, built)).toEqual({
      hashed: [...css, ...js, ...photo].sort(),
      unhashed: ['assets/images/logo.svg', 'favicon.svg', 'index.html', 'robots.txt'],
    });
  });

  test('webpack [name].[contenthash].js and Create React App names are immutable, their copied files are not', () => {
    const files = ['index.html', 'main.3f2a9c1b5d6e7f801234.js', 'vendors.0a1b2c3d4e5f60718293.js', 'main.3f2a9c1b5d6e7f801234.js.map',
      'static/js/787.3f2a9c1b.chunk.js', 'static/css/main.0a1b2c3d.css', 'static/media/logo.6ce24c58023cc2f8fd88fe9d219db6c6.png',
      'static/config.json', 'logo192.png', 'manifest.json'];
    const dir = siteDir(files);
    const { props: w } = synthSite({ source: dir });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(classes(w, files.sort())).toEqual({
      hashed: ['main.3f2a9c1b5d6e7f801234.js', 'main.3f2a9c1b5d6e7f801234.js.map', 'static/css/main.0a1b2c3d.css',
        'static/js/787.3f2a9c1b.chunk.js', 'static/media/logo.6ce24c58023cc2f8fd88fe9d219db6c6.png', 'vendors.0a1b2c3d4e5f60718293.js'],
      unhashed: ['index.html', 'logo192.png', 'manifest.json', 'static/config.json'],
    });
  });

  test('hashedAssetGlobs replaces the detection: with ["assets/*"] the copied logo is immutable again, as the user asked', () => {
    const { props: g } = synthSite({ source: dist, hashedAssetGlobs: ['assets/*'] });
    expect(classes(g, built).hashed).toEqual(expect.arrayContaining(['assets/images/logo.svg']));
    expect(classes(g, built).unhashed).toEqual(['favicon.svg', 'index.html', 'robots.txt']);
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
