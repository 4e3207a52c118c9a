import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { BACKEND, minimalProps, newStack, SITE, synthApp } from './util';
import { FastApiFunction, SpaApiOptions, SpaWithLambdaApi, SpaWithLambdaApiProps } from '../src';
import { ORIGIN_VERIFY_ENV, ORIGIN_VERIFY_HANDLER } from '../src/api/origin-verification-layer';

const LAYER_MODULE = path.join(__dirname, '..', 'src', 'api', 'runtime', 'origin-verify-layer', 'python', 'cdk_spa_origin_verify.py');
const WEB_ACL_ARN = 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/site-acl/a1b2c3d4-5678-90ab-cdef-111111111111';
const JWT_ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE';

function withApi(api: Partial<SpaApiOptions>, overrides: Partial<SpaWithLambdaApiProps> = {}): SpaWithLambdaApiProps {
  return minimalProps({ api: { source: BACKEND, ...api }, ...overrides });
}

function only(template: Template, type: string, props: object = {}): [string, any] {
  const found = Object.entries(template.findResources(type, props));
  expect(found).toHaveLength(1);
  return found[0];
}

function distributionConfig(template: Template): any {
  return only(template, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig;
}

function apiOrigin(template: Template): any {
  const config = distributionConfig(template);
  return config.Origins.find((o: any) => o.Id === config.CacheBehaviors[0].TargetOriginId);
}

function apiFunction(template: Template): any {
  return only(template, 'AWS::Lambda::Function', { Properties: { Description: 'FastAPI application (Mangum)' } })[1];
}

describe('origin verification', () => {
  const { template } = synthApp();
  const [secretId, secret] = only(template, 'AWS::SecretsManager::Secret');

  test('the secret is generated at deploy time: 64 letters and digits, never written in the template', () => {
    expect(secret.Properties.GenerateSecretString).toEqual({ PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false });
    expect(secret.Properties.SecretString).toBeUndefined();
  });

  test('CloudFront adds it to API requests as a header whose value is a dynamic reference', () => {
    expect(apiOrigin(template).OriginCustomHeaders).toEqual([{
      HeaderName: 'x-origin-verify',
      HeaderValue: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] },
    }]);
    // the S3 origin gets no secret
    const s3Origin = distributionConfig(template).Origins.find((o: any) => o.S3OriginConfig);
    expect(s3Origin.OriginCustomHeaders).toBeUndefined();
  });

  test('the function runs the check first, then the user\'s handler named in the environment', () => {
    const fn = apiFunction(template);
    expect(fn.Properties.Handler).toBe(ORIGIN_VERIFY_HANDLER);
    expect(fn.Properties.Environment.Variables).toEqual({
      CDK_SPA_ORIGIN_VERIFY_HANDLER: 'app.main.handler',
      CDK_SPA_ORIGIN_VERIFY_SECRET_ARN: { Ref: secretId },
      CDK_SPA_ORIGIN_VERIFY_HEADER: 'x-origin-verify',
      CDK_SPA_ORIGIN_VERIFY_CACHE_TTL: '300', // the caching setting: values re-read from Secrets Manager every 5 minutes
      CDK_SPA_ORIGIN_VERIFY_IMPORT: 'init', // the app is imported in the init phase; refused requests never call it
      CDK_SPA_ORIGIN_VERIFY_VIEWER_HOST: 'trust', // the API behaviour's viewer-host function sets the public host
    });
    const [layerId, layer] = only(template, 'AWS::Lambda::LayerVersion', { Properties: { Description: Match.stringLikeRegexp('^Origin verification') } });
    expect(fn.Properties.Layers).toEqual([{ Ref: layerId }]);
    expect(layer.Properties).toMatchObject({ CompatibleRuntimes: ['python3.14'], CompatibleArchitectures: ['arm64'] });
  });

  test('the environment names and the handler are the ones the Python module reads', () => {
    const source = fs.readFileSync(LAYER_MODULE, 'utf8');
    for (const [constant, name] of [
      ['HANDLER_ENV', ORIGIN_VERIFY_ENV.handler], ['SECRET_ARN_ENV', ORIGIN_VERIFY_ENV.secretArn], ['HEADER_ENV', ORIGIN_VERIFY_ENV.header],
      ['CACHE_TTL_ENV', ORIGIN_VERIFY_ENV.cacheTtl], ['IMPORT_ENV', ORIGIN_VERIFY_ENV.importAt],
      ['VIEWER_HOST_ENV', ORIGIN_VERIFY_ENV.viewerHost],
    ]) {
      expect(source).toContain(`${constant} = "${name}"\n`);
    }
    expect(source).toMatch(/^def handler\(event, context\):/m);
    expect(ORIGIN_VERIFY_HANDLER).toBe(`${path.basename(LAYER_MODULE, '.py')}.handler`);
  });

  test('the function may read the current and previous secret versions, nothing else', () => {
    const [, policy] = only(template, 'AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('^AppApiFunction') } });
    expect(policy.Properties.PolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: { Ref: secretId },
      Condition: { 'ForAnyValue:StringEquals': { 'secretsmanager:VersionStage': ['AWSCURRENT', 'AWSPREVIOUS'] } },
    }]);
  });

  test('the secret ARN is an output, for the rotation steps', () => {
    template.hasOutput('*', { Value: { Ref: secretId }, Description: Match.stringLikeRegexp('rotate it') });
  });

  test('header name, cache time and a pinned secret version are configurable', () => {
    const t = synthApp(withApi({
      originVerification: { headerName: 'X-From-CloudFront', cacheTtl: Duration.seconds(60), secretVersionId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111' },
    })).template;
    const [id] = only(t, 'AWS::SecretsManager::Secret');
    expect(apiOrigin(t).OriginCustomHeaders).toEqual([{
      HeaderName: 'X-From-CloudFront',
      HeaderValue: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: id }, ':SecretString:::a1b2c3d4-5678-90ab-cdef-EXAMPLE11111}}']] },
    }]);
    expect(apiFunction(t).Properties.Environment.Variables).toMatchObject({
      CDK_SPA_ORIGIN_VERIFY_HEADER: 'X-From-CloudFront',
      CDK_SPA_ORIGIN_VERIFY_CACHE_TTL: '60',
    });
  });

  test('with SnapStart the app is imported in the init phase, so the snapshot holds it', () => {
    const t = synthApp(withApi({ snapStart: true })).template;
    expect(apiFunction(t).Properties.Environment.Variables[ORIGIN_VERIFY_ENV.importAt]).toBe('init');
  });

  test('can be turned off: no secret, no header, no layer, the user\'s handler directly', () => {
    const { template: t, app } = synthApp(withApi({ originVerification: { enabled: false } }));
    t.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(apiOrigin(t).OriginCustomHeaders).toBeUndefined();
    const fn = apiFunction(t);
    expect(fn.Properties.Handler).toBe('app.main.handler');
    expect(fn.Properties.Layers).toBeUndefined();
    expect(app.originVerifySecret).toBeUndefined();
    expect(Object.values(t.findOutputs('*')).map((o: any) => o.Description)).not.toContainEqual(expect.stringMatching(/rotate/));
  });

  test('without user auth the route has no authorizer; the check is in the function', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default', AuthorizationType: 'NONE' });
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  test('with user auth (JWT) the route uses the user\'s authorizer and the function still checks the origin', () => {
    const t = synthApp(withApi({
      authorizer: new authorizers.HttpJwtAuthorizer('Jwt', JWT_ISSUER, { jwtAudience: ['client-id'] }),
      authorizationScopes: ['api/read'],
    })).template;
    const [authorizerId] = only(t, 'AWS::ApiGatewayV2::Authorizer', {
      Properties: { AuthorizerType: 'JWT', JwtConfiguration: { Issuer: JWT_ISSUER, Audience: ['client-id'] } },
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default', AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId }, AuthorizationScopes: ['api/read'],
    });
    expect(apiFunction(t).Properties.Handler).toBe(ORIGIN_VERIFY_HANDLER);
    expect(apiOrigin(t).OriginCustomHeaders).toHaveLength(1);
  });

  test('with a user Lambda authorizer as well', () => {
    const stack = newStack('us-east-1');
    const fn = lambda.Function.fromFunctionArn(stack, 'AuthFn', 'arn:aws:lambda:us-east-1:111111111111:function:auth');
    new SpaWithLambdaApi(stack, 'App', withApi({ authorizer: new authorizers.HttpLambdaAuthorizer('Auth', fn) }));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', { AuthorizationType: 'CUSTOM' });
    expect(apiFunction(t).Properties.Handler).toBe(ORIGIN_VERIFY_HANDLER);
  });

  test('FastApiFunction alone can check a header against a secret of the user\'s', () => {
    const stack = newStack('us-east-1');
    const secretArn = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:origin-AbCdEf';
    new FastApiFunction(stack, 'Api', {
      source: BACKEND,
      originVerification: { secret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', secretArn), headerName: 'x-cf-secret' },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Handler: ORIGIN_VERIFY_HANDLER,
      Environment: { Variables: Match.objectLike({ CDK_SPA_ORIGIN_VERIFY_SECRET_ARN: secretArn, CDK_SPA_ORIGIN_VERIFY_HEADER: 'x-cf-secret' }) },
    });
  });

  test('without originVerification FastApiFunction runs the user\'s handler directly', () => {
    const stack = newStack();
    new FastApiFunction(stack, 'Api', { source: BACKEND });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', { Handler: 'app.main.handler', Layers: Match.absent() });
  });

  test('no committed integ snapshot holds the secret in plain text', () => {
    const snapshots = fs.readdirSync(__dirname).filter((d) => d.endsWith('.snapshot'));
    for (const dir of snapshots) {
      for (const file of fs.readdirSync(path.join(__dirname, dir)).filter((f) => f.endsWith('.template.json'))) {
        const tpl = JSON.parse(fs.readFileSync(path.join(__dirname, dir, file), 'utf8'));
        for (const resource of Object.values<any>(tpl.Resources ?? {})) {
          if (resource.Type === 'AWS::SecretsManager::Secret') {
            expect(resource.Properties.SecretString).toBeUndefined();
          }
          for (const origin of resource.Properties?.DistributionConfig?.Origins ?? []) {
            for (const header of origin.OriginCustomHeaders ?? []) {
              expect(JSON.stringify(header.HeaderValue)).toMatch(/^\{"Fn::Join":\["",\["\{\{resolve:secretsmanager:"/);
            }
          }
        }
      }
    }
  });
});

describe('access logs', () => {
  test('a logs bucket: private, SSL only, SSE-S3, expiring after the log retention, retained, without logs of its own', () => {
    const { template } = synthApp();
    const [, bucket] = only(template, 'AWS::S3::Bucket', { Properties: { LifecycleConfiguration: Match.anyValue() } });
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: [{ Id: 'ExpireLogs', Status: 'Enabled', ExpirationInDays: 90, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }] },
    });
    expect(bucket.Properties.LoggingConfiguration).toBeUndefined();
    expect(bucket.DeletionPolicy).toBe('Retain');
    const [, policy] = only(template, 'AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: 'AppLogsBucketCBA83C02' } } });
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
  });

  test('S3 server access logs of the site bucket, granted by the logs bucket policy to this bucket only', () => {
    const { template, stack } = synthApp();
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: 'AppLogsBucketCBA83C02' }, LogFilePrefix: 's3-access-logs/' },
    });
    const [, policy] = only(template, 'AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: 'AppLogsBucketCBA83C02' } } });
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual({
      Sid: 'S3ServerAccessLogs',
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['AppLogsBucketCBA83C02', 'Arn'] }, '/s3-access-logs/*']] },
      Condition: {
        ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': ['AppSiteBucketE79A373E', 'Arn'] } },
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      },
    });
    // independent of the consumer's feature flags: no ACL on the logs bucket
    expect(only(template, 'AWS::S3::Bucket', { Properties: { LifecycleConfiguration: Match.anyValue() } })[1].Properties.AccessControl).toBeUndefined();
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('logging permissions'))).toEqual([]);
  });

  test('in us-east-1: CloudFront standard logging v2 into the logs bucket, ACLs off', () => {
    const { template } = synthApp(undefined, 'us-east-1');
    const [sourceId, source] = only(template, 'AWS::Logs::DeliverySource');
    expect(source.Properties).toMatchObject({
      LogType: 'ACCESS_LOGS',
      ResourceArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::111111111111:distribution/', { Ref: only(template, 'AWS::CloudFront::Distribution')[0] }]] },
    });
    const [destinationId] = only(template, 'AWS::Logs::DeliveryDestination', {
      Properties: { DestinationResourceArn: { 'Fn::GetAtt': ['AppLogsBucketCBA83C02', 'Arn'] } },
    });
    template.hasResource('AWS::Logs::Delivery', {
      Properties: { DeliverySourceName: { Ref: sourceId }, DeliveryDestinationArn: { 'Fn::GetAtt': [destinationId, 'Arn'] } },
      DependsOn: ['AppLogsBucketPolicyE49FDAAD'],
    });
    const [, policy] = only(template, 'AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: 'AppLogsBucketCBA83C02' } } });
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Sid: 'CloudFrontStandardLoggingV2',
      Principal: { Service: 'delivery.logs.amazonaws.com' },
      Action: 's3:PutObject',
      Condition: {
        StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': '111111111111' },
        ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:111111111111:delivery-source:*']] } },
      },
    }));
    expect(distributionConfig(template).Logging).toBeUndefined();
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: Match.anyValue(), OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  test.each([['eu-west-1'], [undefined]])('in %p: legacy CloudFront logging into the logs bucket', (region) => {
    const { template } = synthApp(undefined, region);
    expect(distributionConfig(template).Logging).toEqual({
      Bucket: { 'Fn::GetAtt': ['AppLogsBucketCBA83C02', 'RegionalDomainName'] }, Prefix: 'cloudfront/', IncludeCookies: false,
    });
    template.resourceCountIs('AWS::Logs::DeliverySource', 0);
    // legacy logging writes with an ACL grant, so the logs bucket (and only it) has ACLs enabled
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: Match.anyValue(), OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.anyValue(), OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  test('in a region CloudFront delivers no legacy logs to: no CloudFront logs, and a warning', () => {
    const { template, stack } = synthApp(undefined, 'me-south-1');
    expect(distributionConfig(template).Logging).toBeUndefined();
    template.resourceCountIs('AWS::Logs::DeliverySource', 0);
    Annotations.fromStack(stack).hasWarning('/TestStack/App',
      Match.stringLikeRegexp('^The stack is in me-south-1, a region whose buckets CloudFront does not deliver legacy standard logs to'));
  });

  test('one retention setting covers the log groups and the logs bucket; INFINITE never expires', () => {
    const year = synthApp(minimalProps({ logRetention: logs.RetentionDays.ONE_YEAR })).template;
    for (const g of Object.values<any>(year.findResources('AWS::Logs::LogGroup'))) {
      expect(g.Properties.RetentionInDays).toBe(365);
    }
    year.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 365 })] } });

    const forever = synthApp(minimalProps({ logRetention: logs.RetentionDays.INFINITE })).template;
    forever.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [{ Id: 'ExpireLogs', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }] },
    });
  });

  test('with RemovalPolicy.DESTROY the logs bucket goes with the stack, objects included', () => {
    const { template } = synthApp(minimalProps({ removalPolicy: RemovalPolicy.DESTROY }));
    template.hasResource('AWS::S3::Bucket', { Properties: { LifecycleConfiguration: Match.anyValue() }, DeletionPolicy: 'Delete' });
    template.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: 'AppLogsBucketCBA83C02' } });
  });
});

describe('AWS WAF', () => {
  test('a web ACL ARN is associated with the distribution', () => {
    expect(distributionConfig(synthApp(minimalProps({ webAclArn: WEB_ACL_ARN })).template).WebACLId).toBe(WEB_ACL_ARN);
  });

  test('none by default', () => {
    expect(distributionConfig(synthApp().template).WebACLId).toBeUndefined();
  });
});

describe('security headers', () => {
  const FETCH_DIRECTIVES = ['default-src', 'script-src', 'script-src-elem', 'script-src-attr', 'style-src', 'style-src-elem',
    'style-src-attr', 'connect-src', 'img-src', 'font-src', 'media-src', 'worker-src', 'child-src', 'frame-src', 'manifest-src'];

  test('the default CSP cannot break a Vite, React or Angular build: no fetch directive, no sandbox, no form or upgrade rules', () => {
    const directives = SpaWithLambdaApi.DEFAULT_CONTENT_SECURITY_POLICY.split(';').map((d) => d.trim().split(/\s+/)[0]);
    expect(directives).toEqual(['base-uri', 'object-src', 'frame-ancestors']);
    for (const d of [...FETCH_DIRECTIVES, 'sandbox', 'form-action', 'upgrade-insecure-requests', 'require-trusted-types-for']) {
      expect(directives).not.toContain(d);
    }
    // Angular's <base href="/"> is same-origin, which base-uri 'self' allows
    expect(SpaWithLambdaApi.DEFAULT_CONTENT_SECURITY_POLICY).toContain("base-uri 'self'");
  });

  test('the example Vite build loads only same-origin module scripts, which the default CSP leaves alone', () => {
    const html = fs.readFileSync(path.join(SITE, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<base\s+href="(https?:)?\/\//i); // a cross-origin <base> would be refused by base-uri 'self'
    expect(html).not.toMatch(/<(object|embed)\b/i);
  });

  test('a custom CSP replaces the default', () => {
    const t = synthApp(minimalProps({ contentSecurityPolicy: "default-src 'self'" })).template;
    t.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: { SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: "default-src 'self'", Override: true } } },
    });
  });

  test('the user\'s own response headers policy replaces the construct\'s on every behaviour', () => {
    const { template: t, app } = synthApp(minimalProps({ responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS }));
    t.resourceCountIs('AWS::CloudFront::ResponseHeadersPolicy', 0);
    const config = distributionConfig(t);
    const managed = cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS.responseHeadersPolicyId;
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toBe(managed);
    expect(config.CacheBehaviors[0].ResponseHeadersPolicyId).toBe(managed);
    expect(app.responseHeadersPolicy).toBe(cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS);
  });
});

describe('least privilege', () => {
  const { template } = synthApp();

  test('the API function\'s role has no AWS managed policy, only an inline policy for its own log group', () => {
    const [, role] = only(template, 'AWS::IAM::Role', { Properties: { Description: 'Execution role of TestStack/App/ApiFunction' } });
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toEqual([{
      PolicyName: 'Logs',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': ['AppApiFunctionLogGroupB2829AF8', 'Arn'] },
        }],
      },
    }]);
    expect(apiFunction(template).Properties.Role).toEqual({ 'Fn::GetAtt': ['AppApiFunctionServiceRole6AC45AEC', 'Arn'] });
  });

  test('FastApiFunction exposes its role, and grants add to its default policy', () => {
    const stack = newStack();
    const fn = new FastApiFunction(stack, 'Api', { source: BACKEND });
    expect(fn.role.node.id).toBe('ServiceRole');
    expect(fn.grantPrincipal).toBe(fn.role);
  });

  test('no statement of the library\'s own policies uses a "*" resource', () => {
    const ownPolicies = Object.entries<any>(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('AppApiFunction'));
    expect(ownPolicies.length).toBeGreaterThan(0);
    for (const [, p] of ownPolicies) {
      for (const s of p.Properties.PolicyDocument.Statement) {
        expect(JSON.stringify(s.Resource)).not.toMatch(/"\*"|:\*"/);
      }
    }
  });

  test('tokens are not validated', () => {
    expect(() => synthApp(minimalProps({ webAclArn: Token.asString({ Ref: 'WebAclArn' }) }))).not.toThrow();
  });
});
