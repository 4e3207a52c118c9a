import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { distributionConfig, logicalIdOf, minimalProps, SITE, synthApp } from './util';
import { SpaRouting, SpaWithLambdaApi } from '../src';

const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

describe('site bucket', () => {
  const { template } = synthApp();

  test('is private, encrypted with S3-managed keys and owner-enforced', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  test('is reached through Origin Access Control (sigv4, always), never an OAI', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    const s3Origin = distributionConfig(template).Origins.find((o: any) => o.S3OriginConfig);
    expect(s3Origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AppDistributionOrigin1S3OriginAccessControl/), 'Id'] });
    expect(s3Origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
  });

  test('bucket policy enforces SSL and grants read + list to this distribution only', () => {
    const policies = template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: 'AppSiteBucketE79A373E' } } });
    const statements: any[] = Object.values(policies)[0].Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(expect.objectContaining({
      Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
    const cf = statements.find((s) => s.Principal?.Service === 'cloudfront.amazonaws.com');
    expect(cf.Effect).toBe('Allow');
    expect([cf.Action].flat().sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    const sourceArn = cf.Condition.StringEquals['AWS:SourceArn'];
    expect(JSON.stringify(sourceArn)).toContain(logicalIdOf(template, 'AWS::CloudFront::Distribution'));
  });
});

describe('SPA routing', () => {
  const SPA_ROUTING = { Properties: { FunctionConfig: { Comment: Match.stringLikeRegexp('^SPA routing') } } };

  test('by default a cloudfront-js-2.0 viewer-request function runs on the default behaviour only', () => {
    const { template } = synthApp();
    const routing = Object.entries(template.findResources('AWS::CloudFront::Function', SPA_ROUTING));
    expect(routing).toHaveLength(1);
    const [routingId, routingFn] = routing[0];
    expect(routingFn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    expect(routingFn.Properties.FunctionCode).toMatch(/function handler\(event\)/);
    const config = distributionConfig(template);
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([{
      EventType: 'viewer-request',
      FunctionARN: { 'Fn::GetAtt': [routingId, 'FunctionARN'] },
    }]);
    for (const behavior of config.CacheBehaviors) {
      expect(JSON.stringify(behavior.FunctionAssociations ?? [])).not.toContain(routingId);
    }
    expect(config.CustomErrorResponses).toBeUndefined();
    expect(config.DefaultRootObject).toBe('index.html');
  });

  test('errorResponses mode maps 403 and 404 to /index.html with 200, uncached, and warns', () => {
    const { stack, template } = synthApp(minimalProps({ site: { source: SITE, routing: SpaRouting.errorResponses() } }));
    expect(template.findResources('AWS::CloudFront::Function', SPA_ROUTING)).toEqual({});
    expect(distributionConfig(template).DefaultCacheBehavior.FunctionAssociations).toBeUndefined();
    expect(distributionConfig(template).CustomErrorResponses).toEqual([403, 404].map((code) => ({
      ErrorCode: code, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0,
    })));
    Annotations.fromStack(stack).hasWarning('/TestStack/App',
      Match.stringLikeRegexp('site.routing is SpaRouting.errorResponses\\(\\): every 403 and 404 of the distribution, including the API\'s'));
  });

  test('none mode adds neither a function nor error responses', () => {
    const { template } = synthApp(minimalProps({ site: { source: SITE, routing: SpaRouting.none() } }));
    expect(template.findResources('AWS::CloudFront::Function', SPA_ROUTING)).toEqual({});
    expect(distributionConfig(template).DefaultCacheBehavior.FunctionAssociations).toBeUndefined();
    expect(distributionConfig(template).CustomErrorResponses).toBeUndefined();
  });
});

describe('API behaviour', () => {
  test('/api/* allows all methods, disables caching, forwards all viewer headers but Host, HTTPS only', () => {
    const { template } = synthApp();
    const config = distributionConfig(template);
    expect(config.CacheBehaviors).toHaveLength(1);
    const api = config.CacheBehaviors[0];
    expect(api).toMatchObject({
      PathPattern: '/api/*',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      ViewerProtocolPolicy: 'https-only',
      Compress: true,
    });
    const origin = config.Origins.find((o: any) => o.Id === api.TargetOriginId);
    expect(origin.CustomOriginConfig).toEqual({
      OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'], OriginReadTimeout: 20,
    });
    expect(JSON.stringify(origin.DomainName)).toContain(logicalIdOf(template, 'AWS::ApiGatewayV2::Api'));
    expect(JSON.stringify(origin.DomainName)).toContain('.execute-api.');
  });

  test('a custom prefix and timeout change the path pattern and the origin read timeout', () => {
    const { template } = synthApp(minimalProps({ api: { source: minimalProps().api.source, prefix: '/backend/v1', timeout: Duration.seconds(30) } }));
    const config = distributionConfig(template);
    expect(config.CacheBehaviors[0].PathPattern).toBe('/backend/v1/*');
    const origin = config.Origins.find((o: any) => o.Id === config.CacheBehaviors[0].TargetOriginId);
    expect(origin.CustomOriginConfig.OriginReadTimeout).toBe(35);
  });

  test('the default behaviour serves S3 with CachingOptimized, GET/HEAD/OPTIONS, redirect to HTTPS', () => {
    const { template } = synthApp();
    expect(distributionConfig(template).DefaultCacheBehavior).toMatchObject({
      CachePolicyId: CACHING_OPTIMIZED,
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS'],
      ViewerProtocolPolicy: 'redirect-to-https',
      Compress: true,
    });
  });
});

describe('HTTP API', () => {
  const { template } = synthApp();

  test('has a $default stage with throttling and JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AppApiAccessLogs'), 'Arn'] },
        Format: Match.serializedJson(Match.objectLike({ requestId: '$context.requestId', status: '$context.status' })),
      },
    });
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
  });

  test('integrates the function with payload format 2.0 on the $default route, without API Gateway CORS', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', CorsConfiguration: Match.absent() });
  });

  test('custom throttling values are applied', () => {
    const t = synthApp(minimalProps({ api: { source: minimalProps().api.source, throttlingRateLimit: 10, throttlingBurstLimit: 0 } })).template;
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 0 },
    });
  });
});

describe('function', () => {
  test('is ARM64 on the newest Python runtime with 256 MB, a 15 s timeout and JSON logs', () => {
    const { template } = synthApp();
    template.hasResourceProperties('AWS::Lambda::Function', {
      // the origin-verification wrapper runs first, then the handler named in the environment
      Handler: 'cdk_spa_origin_verify.handler',
      Environment: { Variables: Match.objectLike({ CDK_SPA_ORIGIN_VERIFY_HANDLER: 'app.main.handler' }) },
      Runtime: 'python3.14',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 15,
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^AppApiFunctionLogGroup') } }),
    });
  });

  test('log groups have the retention setting', () => {
    const { template } = synthApp();
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(4); // the API function, the API access logs, the release cleanup, the upload handler
    for (const g of groups) {
      expect(g.Properties.RetentionInDays).toBe(90);
    }
  });

  test('environment, memory and architecture pass through', () => {
    const { template } = synthApp(minimalProps({
      api: { source: minimalProps().api.source, environment: { STAGE: 'prod' }, memorySize: 1024, architecture: lambda.Architecture.X86_64 },
    }));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { STAGE: 'prod' } }, MemorySize: 1024, Architectures: ['x86_64'],
    });
  });
});

describe('distribution', () => {
  test('HTTP/2 and HTTP/3, IPv6, PriceClass_100 by default, no custom domain', () => {
    const config = distributionConfig(synthApp().template);
    expect(config).toMatchObject({ HttpVersion: 'http2and3', IPV6Enabled: true, PriceClass: 'PriceClass_100', Enabled: true });
    expect(config.Aliases).toBeUndefined();
    expect(config.ViewerCertificate).toBeUndefined();
  });

  test('price class is configurable', () => {
    const config = distributionConfig(synthApp(minimalProps({ priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL })).template);
    expect(config.PriceClass).toBe('PriceClass_All');
  });

  test('security headers on every behaviour: HSTS 2 years with subdomains, nosniff, DENY, strict-origin-when-cross-origin', () => {
    const { template } = synthApp();
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true, Preload: false },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
          ContentSecurityPolicy: { ContentSecurityPolicy: SpaWithLambdaApi.DEFAULT_CONTENT_SECURITY_POLICY, Override: true },
        },
      },
    });
    const policyRef = { Ref: logicalIdOf(template, 'AWS::CloudFront::ResponseHeadersPolicy') };
    const config = distributionConfig(template);
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual(policyRef);
    expect(config.CacheBehaviors[0].ResponseHeadersPolicyId).toEqual(policyRef);
  });

  test('a Content-Security-Policy can be set', () => {
    const { template } = synthApp(minimalProps({ contentSecurityPolicy: "default-src 'self'" }));
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: { SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: "default-src 'self'", Override: true } } },
    });
  });
});

describe('outputs', () => {
  test('site URL, distribution id and bucket name; no API endpoint by default', () => {
    const { template } = synthApp();
    const outputs = template.findOutputs('*');
    const byDescription = Object.fromEntries(Object.values(outputs).map((o: any) => [o.Description, o.Value]));
    expect(byDescription['URL of the site']).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::CloudFront::Distribution'), 'DomainName'] }]],
    });
    expect(byDescription['CloudFront distribution id']).toEqual({ Ref: logicalIdOf(template, 'AWS::CloudFront::Distribution') });
    expect(byDescription['Bucket that holds the SPA']).toEqual({ Ref: 'AppSiteBucketE79A373E' });
    // the execute-api URL would be printed in every `cdk deploy` log
    expect(JSON.stringify(outputs)).not.toContain(logicalIdOf(template, 'AWS::ApiGatewayV2::Api'));
    expect(Object.keys(outputs).filter((id) => id.startsWith('AppApiEndpoint'))).toEqual([]);
  });

  test('apiEndpointOutput: true adds the ApiEndpoint output (the execute-api URL)', () => {
    const { template } = synthApp(minimalProps({ apiEndpointOutput: true }));
    const outputs = template.findOutputs('*');
    const ids = Object.keys(outputs).filter((id) => id.startsWith('AppApiEndpoint'));
    expect(ids).toHaveLength(1);
    expect(outputs[ids[0]].Description).toBe('HTTP API endpoint (use the site URL + prefix instead)');
    expect(outputs[ids[0]].Value).toEqual({ 'Fn::GetAtt': [logicalIdOf(template, 'AWS::ApiGatewayV2::Api'), 'ApiEndpoint'] });
  });
});

describe('stateful resources', () => {
  test('are retained by default and auto-delete nothing', () => {
    const { template } = synthApp();
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    for (const g of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(g.DeletionPolicy).toBe('Retain');
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('with RemovalPolicy.DESTROY are deleted, objects included', () => {
    const { template } = synthApp(minimalProps({ removalPolicy: RemovalPolicy.DESTROY }));
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    for (const g of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(g.DeletionPolicy).toBe('Delete');
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2); // the site bucket and the logs bucket
  });

  test('logical IDs are pinned: changing one would replace a user\'s bucket, log groups or origin secret', () => {
    const { template } = synthApp();
    expect(Object.keys(template.findResources('AWS::S3::Bucket')).sort()).toEqual(['AppLogsBucketCBA83C02', 'AppSiteBucketE79A373E']);
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup')).sort()).toEqual([
      'AppApiAccessLogsDD2CC3E5',
      'AppApiFunctionLogGroupB2829AF8',
      'AppSiteDeploymentReleaseCleanupLoggingLogGroup2CCA7103',
      'AppSiteDeploymentUploadLogs33550762',
    ]);
    expect(Object.keys(template.findResources('AWS::SecretsManager::Secret'))).toEqual(['AppOriginVerifySecret32717393']);
  });
});

describe('sub-resources are reachable', () => {
  test('as public properties', () => {
    const { app } = synthApp();
    expect(app.bucket.node.id).toBe('SiteBucket');
    expect(app.function.architecture).toBe(lambda.Architecture.ARM_64);
    expect(app.httpApi!.node.id).toBe('HttpApi');
    expect(app.distribution.node.id).toBe('Distribution');
    expect(app.spaRoutingFunction?.node.id).toBe('SpaRoutingFunction');
    expect(app.apiPrefix).toBe('/api');
  });
});
