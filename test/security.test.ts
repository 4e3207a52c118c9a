import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { BACKEND, distributionConfig, minimalProps, newStack, SITE, synthApp } from './util';
import { FastApiFunction, FunctionSecret, GitHubDeployRole, SpaApiOptions, SpaWithLambdaApi, SpaWithLambdaApiProps, ViewerHostFunction } from '../src';
import { apiAccessLogFormat } from '../src/api/access-log-format';
import { ORIGIN_VERIFY_ENV, ORIGIN_VERIFY_HANDLER } from '../src/api/origin-verification-layer';
import { ReservedHeaderReason, reservedHeaderReason } from '../src/api/reserved-headers';

const LAYER_MODULE = path.join(__dirname, '..', 'src', 'api', 'runtime', 'origin-verify-layer', 'python', 'cdk_spa_origin_verify.py');
/** The origin check both entry points share (the Mangum handler above and the streaming path's middleware). */
const CHECK_MODULE = path.join(path.dirname(LAYER_MODULE), 'cdk_spa_origin_check.py');
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
    const source = fs.readFileSync(CHECK_MODULE, 'utf8');
    for (const [constant, name] of [
      ['HANDLER_ENV', ORIGIN_VERIFY_ENV.handler], ['SECRET_ARN_ENV', ORIGIN_VERIFY_ENV.secretArn], ['HEADER_ENV', ORIGIN_VERIFY_ENV.header],
      ['CACHE_TTL_ENV', ORIGIN_VERIFY_ENV.cacheTtl], ['IMPORT_ENV', ORIGIN_VERIFY_ENV.importAt],
      ['VIEWER_HOST_ENV', ORIGIN_VERIFY_ENV.viewerHost],
    ]) {
      expect(source).toContain(`${constant} = "${name}"\n`);
    }
    expect(fs.readFileSync(LAYER_MODULE, 'utf8')).toMatch(/^def handler\(event, context\):/m);
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
    template.hasOutput('*', { Value: { Ref: secretId }, Description: Match.stringLikeRegexp('Rotating the origin secret') });
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

  test('tokens are not validated', () => {
    expect(() => synthApp(minimalProps({ webAclArn: Token.asString({ Ref: 'WebAclArn' }) }))).not.toThrow();
  });
});

/** A stack with every option that adds IAM policies: a prebuilt sourceAsset, VPC, SnapStart, tracing, secrets, alarm topic, DESTROY, deploy role. */
function fullOptionStack(): Stack {
  const stack = newStack('us-east-1');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const dbSecret = new secretsmanager.Secret(stack, 'DbSecret');
  const apiKey = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'ApiKey', { parameterName: '/prod/api-key' });
  new SpaWithLambdaApi(stack, 'App', {
    site: { sourceAsset: s3deploy.Source.asset(SITE), hashedAssetGlobs: ['assets/*'] },
    api: {
      source: BACKEND,
      vpc,
      snapStart: true,
      tracing: lambda.Tracing.ACTIVE,
      secrets: { DB_SECRET_ARN: FunctionSecret.fromSecretsManager(dbSecret), API_KEY_PARAMETER: FunctionSecret.fromSsmParameter(apiKey) },
      authorizer: new authorizers.HttpJwtAuthorizer('Jwt', JWT_ISSUER, { jwtAudience: ['client-id'] }),
      originVerification: { headerName: 'x-from-cloudfront', cacheTtl: Duration.minutes(1) },
    },
    monitoring: { createAlarmTopic: true },
    webAclArn: WEB_ACL_ARN,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  new GitHubDeployRole(stack, 'Deploy', { repository: 'octo-org/my-app', environments: ['production'] });
  return stack;
}

const TEMPLATE_VARIANTS: Array<[string, () => Stack]> = [
  ['default stack', () => {
    const stack = newStack();
    new SpaWithLambdaApi(stack, 'App', minimalProps());
    return stack;
  }],
  ['full-option stack', fullOptionStack],
];

describe('attack: origin secret header names are refused at synth', () => {
  const LOGGED = 'that header is written to logs (the API access log records the User-Agent it receives; web servers, frameworks and app request '
    + 'logs commonly record User-Agent, Referer, Host, Cookie and X-Forwarded-For), so the secret would be stored in the logs in plain text';
  const CLOUDFRONT = 'CloudFront cannot add that header to origin requests, or sets or rewrites it itself';
  const API_GATEWAY = 'API Gateway HTTP APIs reserve that header (they set, strip or interpret it)';
  const STANDARD = 'that is a standard HTTP header with a meaning of its own for browsers, CloudFront or your app';
  const LIBRARY = 'names starting with x-cdk-spa- are this library\'s own headers (x-cdk-spa-viewer-host carries the viewer\'s host to your app, '
    + 'which would then show the secret as its host in redirects and absolute URLs)';
  const message = (name: string, why: string) => 'Invalid props for SpaWithLambdaApi \'App\':\n- api.originVerification.headerName is '
    + `${JSON.stringify(name)}, but ${why}. The header carries the origin secret, so it must be a name of its own that nothing else sets, reads or `
    + 'logs (not Host, User-Agent, Referer, Origin, Content-Type, Authorization, Cookie, Via, X-Forwarded-*, X-Amz-*, X-Amzn-*, CloudFront-*, '
    + 'X-Edge-*, ...). Use a custom name such as "x-origin-verify".';

  test.each([
    ['User-Agent', LOGGED], ['user-agent', LOGGED], ['Referer', LOGGED], ['Host', LOGGED], ['Cookie', LOGGED], ['X-Forwarded-For', LOGGED],
    ['Content-Length', CLOUDFRONT], ['Cache-Control', CLOUDFRONT], ['Via', CLOUDFRONT], ['X-Real-Ip', CLOUDFRONT], ['Accept-Encoding', CLOUDFRONT],
    ['X-Amz-Security-Token', CLOUDFRONT], ['X-Amz-Cf-Id', CLOUDFRONT], ['X-Edge-Location', CLOUDFRONT], ['CloudFront-Viewer-Country', CLOUDFRONT],
    ['cloudfront-forwarded-proto', CLOUDFRONT], ['X-Forwarded-Port', CLOUDFRONT], ['Transfer-Encoding', CLOUDFRONT],
    ['Authorization', API_GATEWAY], ['Origin', API_GATEWAY], ['Forwarded', API_GATEWAY], ['X-Forwarded-Host', API_GATEWAY],
    ['X-Forwarded-Proto', API_GATEWAY], ['X-Amzn-Trace-Id', API_GATEWAY], ['x-amzn-requestid', API_GATEWAY], ['Apigw-Requestid', API_GATEWAY],
    ['Access-Control-Request-Method', API_GATEWAY], ['Content-Encoding', API_GATEWAY],
    ['Content-Type', STANDARD], ['Accept', STANDARD], ['Accept-Language', STANDARD], ['Sec-Fetch-Site', STANDARD], ['X-Api-Key', STANDARD],
    // the viewer-host header: CloudFront's custom origin header would replace the viewer's host with the secret
    ['x-cdk-spa-viewer-host', LIBRARY], ['X-CDK-SPA-Viewer-Host', LIBRARY], ['x-cdk-spa-anything', LIBRARY],
  ])('refuses %s', (headerName, why) => {
    expect(() => synthApp(withApi({ originVerification: { headerName } }))).toThrow(new Error(message(headerName, why)));
  });

  test('the viewer-host function\'s header is one of the library\'s reserved names', () => {
    expect(reservedHeaderReason(ViewerHostFunction.HEADER_NAME)).toBe(ReservedHeaderReason.LIBRARY);
  });

  test('FastApiFunction refuses them as well, naming its own prop', () => {
    const stack = newStack();
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:origin-AbCdEf');
    expect(() => new FastApiFunction(stack, 'Api', { source: BACKEND, originVerification: { secret, headerName: 'User-Agent' } })).toThrow(
      new Error(message('User-Agent', LOGGED).replace("SpaWithLambdaApi 'App'", "FastApiFunction 'Api'").replace('api.originVerification.', 'originVerification.')));
  });

  test.each(['x-origin-verify', 'X-From-CloudFront', 'x-cf-secret', 'X-App-Origin-Check'])('accepts a name of its own (%s)', (headerName) => {
    expect(() => synthApp(withApi({ originVerification: { headerName } }))).not.toThrow();
  });

  test('every request header the API access log records is refused', () => {
    const format: Record<string, string> = JSON.parse(apiAccessLogFormat().toString());
    // the context variables that hold request headers, and the header each one holds
    const HEADER_VARIABLES: Record<string, string> = {
      '$context.identity.userAgent': 'User-Agent',
      '$context.identity.caller': 'Authorization',
      '$context.identity.user': 'Authorization',
      '$context.domainName': 'Host',
      '$context.domainPrefix': 'Host',
    };
    const variables = Object.values(format).flatMap((v) => [...v.matchAll(/\$(?:context|request)\.[A-Za-z0-9.-]+/g)].map((m) => m[0]));
    const logged = variables.flatMap((v) => {
      const header = /^\$(?:context|request)\.header\.(.+)$/.exec(v)?.[1] ?? HEADER_VARIABLES[v];
      return header ? [header] : [];
    });
    expect(logged).toContain('User-Agent');
    for (const header of logged) {
      expect(reservedHeaderReason(header)).toBe(ReservedHeaderReason.LOGGED);
    }
  });
});

describe('attack: secrets keys cannot replace the origin-check settings', () => {
  const secretArn = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:attacker-AbCdEf';

  test.each(['CDK_SPA_ORIGIN_VERIFY_SECRET_ARN', 'CDK_SPA_ORIGIN_VERIFY_HEADER', 'CDK_SPA_ORIGIN_VERIFY_HANDLER'])('api.secrets refuses %s', (key) => {
    const stack = newStack();
    const other = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Other', secretArn);
    expect(() => new SpaWithLambdaApi(stack, 'App', withApi({ secrets: { [key]: FunctionSecret.fromSecretsManager(other) } }))).toThrow(new Error(
      `Invalid props for SpaWithLambdaApi 'App':\n- api.secrets has the key ${JSON.stringify(key)}, but names starting with "CDK_SPA_ORIGIN_VERIFY_" `
      + 'configure origin verification and are set by this construct: the secret\'s ARN or parameter name would replace an origin-check setting. '
      + 'Rename the key.'));
  });

  test('FastApiFunction secrets refuses them while originVerification is set', () => {
    const stack = newStack();
    const origin = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Origin', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:origin-AbCdEf');
    const other = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Other', secretArn);
    expect(() => new FastApiFunction(stack, 'Api', {
      source: BACKEND,
      originVerification: { secret: origin },
      secrets: { CDK_SPA_ORIGIN_VERIFY_SECRET_ARN: FunctionSecret.fromSecretsManager(other) },
    })).toThrow(new Error("Invalid props for FastApiFunction 'Api':\n- secrets has the key \"CDK_SPA_ORIGIN_VERIFY_SECRET_ARN\", but names starting "
      + 'with "CDK_SPA_ORIGIN_VERIFY_" configure origin verification and are set by this construct: the secret\'s ARN or parameter name would '
      + 'replace an origin-check setting. Rename the key.'));
  });

  test('an ordinary secret key leaves the origin check comparing against the construct\'s own secret', () => {
    const stack = newStack();
    const other = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Other', secretArn);
    new SpaWithLambdaApi(stack, 'App', withApi({ secrets: { PAYMENT_SECRET_ARN: FunctionSecret.fromSecretsManager(other) } }));
    const t = Template.fromStack(stack);
    const [secretId] = only(t, 'AWS::SecretsManager::Secret');
    expect(apiFunction(t).Properties.Environment.Variables).toMatchObject({
      CDK_SPA_ORIGIN_VERIFY_SECRET_ARN: { Ref: secretId },
      PAYMENT_SECRET_ARN: secretArn,
    });
  });
});

describe.each(TEMPLATE_VARIANTS)('template invariants: %s', (_name, build) => {
  const stack = build();
  const template = Template.fromStack(stack);

  test('exactly one HTTP API, with exactly one stage ($default)', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    const stages = Object.values<any>(template.findResources('AWS::ApiGatewayV2::Stage'));
    expect(stages).toHaveLength(1);
    expect(stages[0].Properties.StageName).toBe('$default');
    template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
  });

  test('no Lambda function URL', () => {
    template.resourceCountIs('AWS::Lambda::Url', 0);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/FunctionUrlAuthType|lambda:InvokeFunctionUrl/);
  });

  test('every permission to invoke the API function is for API Gateway and scoped to this HTTP API\'s ARN', () => {
    const [apiId] = only(template, 'AWS::ApiGatewayV2::Api');
    const [fnId] = only(template, 'AWS::Lambda::Function', { Properties: { Handler: ORIGIN_VERIFY_HANDLER } });
    const targets = [fnId, ...Object.keys(template.findResources('AWS::Lambda::Alias', { Properties: { FunctionName: { Ref: fnId } } }))];
    const permissions = Object.values<any>(template.findResources('AWS::Lambda::Permission'))
      .filter((p) => targets.some((t) => JSON.stringify(p.Properties.FunctionName).includes(`"${t}"`)));
    expect(permissions.length).toBeGreaterThan(0);
    for (const p of permissions) {
      expect(p.Properties.Principal).toBe('apigateway.amazonaws.com');
      expect(p.Properties.Action).toBe('lambda:InvokeFunction');
      const parts: unknown[] = p.Properties.SourceArn['Fn::Join'][1];
      expect(parts).toContainEqual({ Ref: apiId });
      expect(parts.filter((x) => typeof x === 'string').join('')).toMatch(/^arn::execute-api:.*\/\*\/\*$/);
      expect(p.Properties.SourceAccount ?? p.Properties.SourceArn).toBeDefined();
    }
  });

  test('no Lambda environment value holds a dynamic reference ({{resolve:...}}): secrets stay out of the function configuration', () => {
    const functions = Object.values<any>(template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(1);
    for (const fn of functions) {
      expect(JSON.stringify(fn.Properties.Environment ?? {})).not.toContain('{{resolve:');
    }
  });
});

/** A logical ID without its 8-hex-digit path hash: stable names for the allow-list. */
function baseId(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8}$/, '');
}

/** A policy value as text: `Fn::Join` concatenated, `Ref`/`Fn::GetAtt` as `<Id>`/`<Id.Attr>` (hashes dropped), pseudo parameters as `${AWS::X}`. */
function render(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  const v = value as any;
  if (v.Ref) {
    return String(v.Ref).startsWith('AWS::') ? `\${${v.Ref}}` : `<${baseId(v.Ref)}>`;
  }
  if (v['Fn::GetAtt']) {
    return `<${baseId(v['Fn::GetAtt'][0])}.${v['Fn::GetAtt'][1]}>`;
  }
  if (v['Fn::Join']) {
    return v['Fn::Join'][1].map(render).join(v['Fn::Join'][0]);
  }
  if (v['Fn::Sub']) {
    return String(v['Fn::Sub']);
  }
  return JSON.stringify(value);
}

interface WildcardGrant {
  /** `<resource type> <logical id without hash>`, the policy that holds it. */
  readonly policy: string;
  readonly actions: string[];
  readonly resource: string;
}

/** Every Allow statement of every IAM policy in the template (inline, managed, role, bucket, topic, queue policies) whose resource has a wildcard. */
function wildcardGrants(template: Template): WildcardGrant[] {
  const out: WildcardGrant[] = [];
  for (const [id, r] of Object.entries<any>(template.toJSON().Resources)) {
    const docs: any[] = [];
    if (['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::S3::BucketPolicy', 'AWS::SNS::TopicPolicy', 'AWS::SQS::QueuePolicy',
      'AWS::KMS::Key', 'AWS::SecretsManager::ResourcePolicy'].includes(r.Type)) {
      docs.push(r.Properties.PolicyDocument ?? r.Properties.KeyPolicy ?? r.Properties.ResourcePolicy);
    }
    if (r.Type === 'AWS::IAM::Role' || r.Type === 'AWS::IAM::User' || r.Type === 'AWS::IAM::Group') {
      docs.push(...(r.Properties.Policies ?? []).map((p: any) => p.PolicyDocument));
    }
    for (const statement of docs.flatMap((d) => d.Statement)) {
      // NotResource / NotAction grant everything but a list: never used
      expect(statement.NotResource).toBeUndefined();
      expect(statement.NotAction).toBeUndefined();
      if (statement.Effect !== 'Allow') {
        continue;
      }
      // the test stacks' account and region, as the pseudo parameters of an environment-agnostic stack
      const resources = [].concat(statement.Resource ?? []).map((x) => render(x).replace(/111111111111/g, '${AWS::AccountId}')
        .replace(/-us-east-1\//g, '-${AWS::Region}/'));
      for (const resource of resources) {
        if (/[*?]/.test(resource)) {
          out.push({ policy: `${r.Type} ${baseId(id)}`, actions: [].concat(statement.Action).sort(), resource });
        }
      }
    }
  }
  return out;
}

/**
 * Every wildcard resource the synthesized stacks grant, and why it is needed. `by` says who adds it: this library, or
 * aws-cdk-lib's own helpers (BucketDeployment's upload handler, the custom-resource Provider framework,
 * autoDeleteObjects, S3BucketOrigin's OAC grant). docs: the same table is in docs/security.md ("Least privilege").
 */
const WILDCARD_ALLOW_LIST: Array<WildcardGrant & { by: 'library' | 'aws-cdk-lib'; reason: string }> = [
  {
    policy: 'AWS::S3::BucketPolicy AppLogsBucketPolicy',
    actions: ['s3:PutObject'],
    resource: '<AppLogsBucket.Arn>/s3-access-logs/*',
    by: 'library',
    reason: 'S3 server access logging (logging.s3.amazonaws.com) writes log objects whose names it chooses under the prefix; '
      + 'the statement requires aws:SourceArn = the site bucket and aws:SourceAccount = this account',
  },
  {
    policy: 'AWS::S3::BucketPolicy AppLogsBucketPolicy',
    actions: ['s3:PutObject'],
    resource: '<AppLogsBucket.Arn>/AWSLogs/${AWS::AccountId}/*',
    by: 'library',
    reason: 'CloudFront standard logging v2 (delivery.logs.amazonaws.com, stacks in us-east-1) writes log files whose names it chooses '
      + 'under AWSLogs/<account>/; the statement requires this account and a delivery source of this account',
  },
  {
    policy: 'AWS::S3::BucketPolicy AppSiteBucketPolicy',
    actions: ['s3:GetObject', 's3:ListBucket'],
    resource: '<AppSiteBucket.Arn>/*',
    by: 'aws-cdk-lib',
    reason: 'S3BucketOrigin.withOriginAccessControl (READ, LIST): CloudFront reads any file of the site for this distribution only '
      + '(AWS:SourceArn), and LIST makes a missing file a 404, not a 403; .releases/* is denied to CloudFront by a separate statement',
  },
  {
    policy: 'AWS::IAM::Policy AppSiteDeploymentReleaseCleanupLoggingServiceRoleDefaultPolicy',
    actions: ['s3:GetObject'],
    resource: '<AppSiteBucket.Arn>/.releases/*',
    by: 'library',
    reason: 'the site deploy function reads the release manifests, .releases/<release id>.json, whose ids (hashes of the '
      + 'release\'s file list) are only known at deploy time',
  },
  {
    policy: 'AWS::IAM::Policy AppSiteDeploymentReleaseCleanupLoggingServiceRoleDefaultPolicy',
    actions: ['s3:DeleteObject', 's3:PutObject'],
    resource: '<AppSiteBucket.Arn>/*',
    by: 'library',
    reason: 'the site deploy function writes the files of each release (and its manifest) and deletes the files no kept release '
      + 'lists; their names are only known at deploy time',
  },
  {
    policy: 'AWS::S3::BucketPolicy AppLogsBucketPolicy',
    actions: ['s3:DeleteObject*', 's3:GetBucket*', 's3:List*', 's3:PutBucketPolicy'],
    resource: '<AppLogsBucket.Arn>/*',
    by: 'aws-cdk-lib',
    reason: 'autoDeleteObjects, only with removalPolicy DESTROY: aws-cdk-lib\'s provider role empties the logs bucket when the stack is deleted',
  },
  {
    policy: 'AWS::S3::BucketPolicy AppSiteBucketPolicy',
    actions: ['s3:DeleteObject*', 's3:GetBucket*', 's3:List*', 's3:PutBucketPolicy'],
    resource: '<AppSiteBucket.Arn>/*',
    by: 'aws-cdk-lib',
    reason: 'autoDeleteObjects, only with removalPolicy DESTROY: aws-cdk-lib\'s provider role empties the site bucket when the stack is deleted',
  },
  {
    policy: 'AWS::IAM::Policy AppApiFunctionServiceRoleDefaultPolicy',
    actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
    resource: '*',
    by: 'aws-cdk-lib',
    reason: 'only with api.tracing ACTIVE: X-Ray supports no resource-level permissions for these actions (as AWSXRayDaemonWriteAccess)',
  },
  {
    policy: 'AWS::IAM::Policy AppApiFunctionVpcAccessPolicy',
    actions: ['ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface',
      'ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:UnassignPrivateIpAddresses'],
    resource: '*',
    by: 'library',
    reason: 'only with api.vpc: Lambda creates and deletes the function\'s network interfaces with its role; ec2:Describe* supports no '
      + 'resource-level permissions and the interface IDs are unknown in advance (the statement of AWSLambdaVPCAccessExecutionRole)',
  },
  ...GitHubDeployRole.CDK_BOOTSTRAP_ROLE_KINDS.map((kind) => ({
    policy: 'AWS::IAM::Role DeployRole',
    actions: ['sts:AssumeRole'],
    resource: `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/cdk-hnb659fds-${kind}-role-\${AWS::AccountId}-*`,
    by: 'library' as const,
    reason: 'GitHubDeployRole: the CDK bootstrap roles are named cdk-<qualifier>-<kind>-role-<account>-<region>; "*" stands for the region, '
      + 'so workflows can deploy to every bootstrapped region of the account',
  })),
];

describe('least privilege: every wildcard resource is listed with its reason', () => {
  const found = TEMPLATE_VARIANTS.flatMap(([, build]) => wildcardGrants(Template.fromStack(build())));
  const key = (g: WildcardGrant) => `${g.policy} | ${g.actions.join(',')} | ${g.resource}`;

  test('no wildcard outside the allow-list', () => {
    const allowed = new Set(WILDCARD_ALLOW_LIST.map(key));
    expect([...new Set(found.map(key))].filter((k) => !allowed.has(k))).toEqual([]);
  });

  test('aws-cdk-lib\'s LogRetention helper (logs:PutRetentionPolicy on "*") is never created', () => {
    for (const [, build] of TEMPLATE_VARIANTS) {
      const template = Template.fromStack(build());
      template.resourceCountIs('Custom::LogRetention', 0);
      expect(JSON.stringify(template.toJSON())).not.toContain('logs:PutRetentionPolicy');
    }
  });

  test('every allow-list entry still occurs (no stale entries) and has a reason', () => {
    const seen = new Set(found.map(key));
    for (const entry of WILDCARD_ALLOW_LIST) {
      expect(seen.has(key(entry))).toBe(true);
      expect(entry.reason.length).toBeGreaterThan(40);
    }
  });

  test('the check catches "*" and arn:...:.../* resources alike', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Probe', { assumedBy: new iam.AccountRootPrincipal() });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [s3.Bucket.fromBucketName(stack, 'B', 'probe-bucket').arnForObjects('*')] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:us-east-1:111111111111:queue-?'] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: ['arn:aws:s3:::b/exact-key'] }));
    expect(wildcardGrants(Template.fromStack(stack)).map((g) => g.resource)).toEqual([
      '*', 'arn:${AWS::Partition}:s3:::probe-bucket/*', 'arn:aws:sqs:us-east-1:${AWS::AccountId}:queue-?',
    ]);
  });
});

describe('least privilege: the site deploy function reads only the one source zip (site.sourceAsset)', () => {
  test.each([
    ['Source.bucket', (stack: Stack) => s3deploy.Source.bucket(s3.Bucket.fromBucketName(stack, 'Builds', 'my-builds'), 'site-1234.zip'), 'arn:${AWS::Partition}:s3:::my-builds/site-1234.zip'],
    ['Source.asset', () => s3deploy.Source.asset(SITE), /^arn:\$\{AWS::Partition\}:s3:::cdk-hnb659fds-assets-\$\{AWS::AccountId\}-\$\{AWS::Region\}\/[0-9a-f]{64}\.zip$/],
  ])('%s', (_name, source, expected) => {
    const stack = newStack();
    new SpaWithLambdaApi(stack, 'App', minimalProps({ site: { sourceAsset: source(stack), hashedAssetGlobs: ['assets/*'] } }));
    const template = Template.fromStack(stack);
    const [roleId] = only(template, 'AWS::IAM::Role', { Properties: { Description: 'Execution role of TestStack/App/SiteDeployment/ReleaseCleanupLogging' } });
    const statements: any[] = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const onSource = statements.filter((st) => !JSON.stringify(st.Resource).includes('AppSiteBucket') && !String(st.Action).startsWith('cloudfront:'));
    expect(onSource).toHaveLength(1);
    expect(onSource[0].Action).toBe('s3:GetObject');
    expect(render(onSource[0].Resource)).toEqual(expected instanceof RegExp ? expect.stringMatching(expected) : expected);
    // nothing else of the source bucket: no listing, no bucket-wide read
    expect(JSON.stringify(onSource)).not.toMatch(/s3:List|s3:GetBucket|s3:GetObject\*/);
  });
});
