import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { FastApiFunction, FunctionSecret, SpaApiOptions, SpaWithLambdaApi, SpaWithLambdaApiProps } from '../../src';
import { STREAMING_EXEC_WRAPPER } from '../../src/api/streaming-runtime';
import { BACKEND, distributionConfig, FIXTURES, logicalIdOf, minimalProps, newStack, synthApp } from '../util';

const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

function streamingProps(api: Partial<SpaApiOptions> = {}, rest: Partial<SpaWithLambdaApiProps> = {}): SpaWithLambdaApiProps {
  return minimalProps({ api: { source: BACKEND, streaming: true, ...api }, ...rest });
}

/** Asserts the exact error thrown for props with exactly one problem. */
function expectError(props: SpaWithLambdaApiProps, message: string, stack: Stack = newStack()): void {
  expect(() => new SpaWithLambdaApi(stack, 'App', props)).toThrow(new Error(`Invalid props for SpaWithLambdaApi 'App':\n- ${message}`));
}

/** The /api/* behaviour and the origin it targets. */
function apiBehaviorAndOrigin(template: Template): { behavior: any; origin: any } {
  const config = distributionConfig(template);
  const behavior = config.CacheBehaviors.find((b: any) => b.PathPattern === '/api/*');
  const origin = config.Origins.find((o: any) => o.Id === behavior.TargetOriginId);
  return { behavior, origin };
}

describe('the default (HTTP API) path is unchanged', () => {
  test('the default stack has exactly the resources, logical IDs and outputs it had before streaming existed', () => {
    const pinned = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'default-stack-resources.json'), 'utf8'));
    const json = synthApp().template.toJSON();
    const resources = Object.fromEntries(Object.entries(json.Resources).map(([id, r]: [string, any]) => [id, r.Type]));
    expect(resources).toEqual(pinned.resources);
    expect(Object.keys(json.Outputs).sort()).toEqual(pinned.outputs);
  });

  test('streaming: false synthesizes the same template as no streaming prop, byte for byte', () => {
    const unset = JSON.stringify(synthApp().template.toJSON());
    const off = JSON.stringify(synthApp(minimalProps({ api: { source: BACKEND, streaming: false } })).template.toJSON());
    expect(off).toBe(unset);
    expect(unset).not.toContain('AWS::Lambda::Url');
    expect(unset).not.toContain('AWS_LWA_');
  });
});

describe('streaming: a Function URL in RESPONSE_STREAM mode behind CloudFront', () => {
  const { app, stack, template } = synthApp(streamingProps());
  const fnId = stack.getLogicalId(app.function.node.defaultChild as lambda.CfnFunction);

  test('no HTTP API, stage or access-log group; a Function URL with auth NONE in RESPONSE_STREAM mode on the function', () => {
    expect(Object.keys(template.findResources('AWS::ApiGatewayV2::Api'))).toHaveLength(0);
    expect(Object.keys(template.findResources('AWS::ApiGatewayV2::Stage'))).toHaveLength(0);
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup')).filter((id) => id.startsWith('AppApiAccessLogs'))).toHaveLength(0);
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      InvokeMode: 'RESPONSE_STREAM',
      TargetFunctionArn: { 'Fn::GetAtt': [fnId, 'Arn'] },
    });
    expect(app.httpApi).toBeUndefined();
    expect(app.stage).toBeUndefined();
    expect(app.accessLogGroup).toBeUndefined();
    expect(app.functionUrl?.node.id).toBe('ApiFunctionUrl');
  });

  test('the resource policy has both permissions Lambda requires since October 2025, each scoped to the Function URL', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((p: any) => p.Properties);
    expect(permissions).toEqual(expect.arrayContaining([
      { Action: 'lambda:InvokeFunctionUrl', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: '*', FunctionUrlAuthType: 'NONE' },
      { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: '*', InvokedViaFunctionUrl: true },
    ]));
    // no public permission that is not limited to the Function URL
    for (const p of permissions.filter((x) => x.Principal === '*')) {
      expect(p.FunctionUrlAuthType === 'NONE' || p.InvokedViaFunctionUrl === true).toBe(true);
    }
    expect(permissions).toHaveLength(2);
  });

  test('the function keeps the user\'s handler and gets the origin-check variables, the streaming environment and both layers', () => {
    const fn = template.findResources('AWS::Lambda::Function')[fnId].Properties;
    expect(fn.Handler).toBe('app.main.handler');
    expect(fn.Timeout).toBe(300);
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Description).toBe('FastAPI application (uvicorn, Lambda Web Adapter, response streaming)');
    const secretId = logicalIdOf(template, 'AWS::SecretsManager::Secret');
    expect(fn.Environment.Variables).toEqual({
      AWS_LAMBDA_EXEC_WRAPPER: STREAMING_EXEC_WRAPPER,
      AWS_LWA_INVOKE_MODE: 'response_stream',
      AWS_LWA_PORT: '8080',
      AWS_LWA_READINESS_CHECK_PROTOCOL: 'tcp',
      CDK_SPA_ORIGIN_VERIFY_HANDLER: 'app.main.handler',
      CDK_SPA_ORIGIN_VERIFY_SECRET_ARN: { Ref: secretId },
      CDK_SPA_ORIGIN_VERIFY_HEADER: 'x-origin-verify',
      CDK_SPA_ORIGIN_VERIFY_CACHE_TTL: '300',
      CDK_SPA_ORIGIN_VERIFY_IMPORT: 'init',
      CDK_SPA_ORIGIN_VERIFY_VIEWER_HOST: 'trust',
    });
    expect(fn.Layers).toEqual([
      { Ref: stack.getLogicalId(app.api.node.findChild('OriginVerifyLayer').node.defaultChild as lambda.CfnLayerVersion) },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:', { Ref: 'AWS::Region' }, ':753240598075:layer:LambdaAdapterLayerArm64:25']] },
    ]);
  });

  test('/api/* goes to the Function URL: caching disabled, all viewer headers but Host, the secret header, streaming timeouts', () => {
    const { behavior, origin } = apiBehaviorAndOrigin(template);
    const urlId = logicalIdOf(template, 'AWS::Lambda::Url');
    expect(origin.DomainName).toEqual({ 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [urlId, 'FunctionUrl'] }] }] });
    expect(origin.CustomOriginConfig).toEqual(expect.objectContaining({
      OriginProtocolPolicy: 'https-only',
      OriginReadTimeout: 60,
      OriginSSLProtocols: ['TLSv1.2'],
    }));
    expect(origin.ResponseCompletionTimeout).toBe(310); // the 5-minute function timeout + 10 s
    expect(origin.OriginAccessControlId).toBeUndefined();
    expect(origin.OriginCustomHeaders).toEqual([{
      HeaderName: 'x-origin-verify',
      HeaderValue: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: logicalIdOf(template, 'AWS::SecretsManager::Secret') }, ':SecretString:::}}']] },
    }]);
    expect(behavior.CachePolicyId).toBe(CACHING_DISABLED);
    expect(behavior.OriginRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST_HEADER);
    expect(behavior.AllowedMethods).toHaveLength(7);
    expect(behavior.FunctionAssociations).toEqual([{
      EventType: 'viewer-request',
      FunctionARN: { 'Fn::GetAtt': [stack.getLogicalId(app.viewerHostFunction.node.defaultChild as any), 'FunctionARN'] },
    }]);
  });

  test('stateful resources keep the logical IDs of the default path (a mode switch keeps the secret and the function\'s logs)', () => {
    const defaults = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'default-stack-resources.json'), 'utf8')).resources;
    for (const type of ['AWS::SecretsManager::Secret', 'AWS::S3::Bucket', 'AWS::CloudFront::Distribution', 'AWS::Lambda::Function']) {
      for (const id of Object.keys(template.findResources(type))) {
        expect(defaults[id]).toBe(type);
      }
    }
    expect(defaults[stack.getLogicalId(app.api.logGroup.node.defaultChild as any)]).toBe('AWS::Logs::LogGroup');
  });

  test('the ApiEndpoint output (opt-in) is the Function URL', () => {
    expect(Object.keys(template.toJSON().Outputs).filter((id) => id.startsWith('AppApiEndpoint'))).toEqual([]);
    const withOutput = synthApp(streamingProps({}, { apiEndpointOutput: true })).template;
    withOutput.hasOutput('*', { Value: { 'Fn::GetAtt': [logicalIdOf(withOutput, 'AWS::Lambda::Url'), 'FunctionUrl'] } });
  });

  test('alarms use the Function URL metrics; the refused-calls and Lambda alarms are unchanged; no default latency alarm', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Url5xxCount',
      Statistic: 'Sum',
      Threshold: 5,
      Dimensions: [{ Name: 'FunctionName', Value: { 'Fn::Select': [6, { 'Fn::Split': [':', { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::Lambda::Url'), 'FunctionArn'] }] }] } }],
    });
    for (const metric of ['Errors', 'Throttles', 'Duration', 'OriginVerificationRefused']) {
      expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: metric } }))).toHaveLength(1);
    }
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'UrlRequestLatency' } }))).toHaveLength(0);
    expect(JSON.stringify(template.toJSON())).not.toContain('AWS/ApiGateway');
    expect(app.monitoring?.apiServerErrorsAlarm?.node.id).toBe('ApiServerErrorsAlarm');
  });

  test('the facade\'s metricApi* methods give the Function URL metrics', () => {
    const metric = app.metricApiServerErrors();
    expect(metric.namespace).toBe('AWS/Lambda');
    expect(metric.metricName).toBe('Url5xxCount');
    expect(app.metricApiLatency().metricName).toBe('UrlRequestLatency');
    expect(app.metricApiRequests().metricName).toBe('UrlRequestCount');
    expect(app.metricApiClientErrors().metricName).toBe('Url4xxCount');
    expect(stack.resolve(metric.dimensions)).toEqual({
      FunctionName: { 'Fn::Select': [6, { 'Fn::Split': [':', { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::Lambda::Url'), 'FunctionArn'] }] }] },
    });
  });

  test('the dev facts say the API streams', () => {
    const facts = app.node.metadata.find((m) => m.type === 'cdk-spa-with-lambda-api:dev')?.data as any;
    expect(facts.api.streaming).toBe(true);
    expect(facts.api.timeoutSeconds).toBe(300);
  });
});

describe('streaming options', () => {
  test('a latency threshold adds the Function URL latency alarm', () => {
    const { template } = synthApp(streamingProps({}, { monitoring: { apiLatencyThreshold: Duration.minutes(2) } }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UrlRequestLatency', ExtendedStatistic: 'p99', Threshold: 120000 });
  });

  test('a function timeout past 30 seconds is allowed and sets the response completion timeout', () => {
    const { template } = synthApp(streamingProps({ timeout: Duration.minutes(10) }));
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 600 });
    expect(apiBehaviorAndOrigin(template).origin.ResponseCompletionTimeout).toBe(610);
  });

  test('explicit CloudFront timeouts are used as given', () => {
    const { template } = synthApp(streamingProps({
      originReadTimeout: Duration.seconds(120),
      originResponseCompletionTimeout: Duration.minutes(20),
    }));
    const { origin } = apiBehaviorAndOrigin(template);
    expect(origin.CustomOriginConfig.OriginReadTimeout).toBe(120);
    expect(origin.ResponseCompletionTimeout).toBe(1200);
  });

  test('a short function timeout still gives a completion timeout of at least the read timeout', () => {
    const { template } = synthApp(streamingProps({ timeout: Duration.seconds(20) }));
    expect(apiBehaviorAndOrigin(template).origin.ResponseCompletionTimeout).toBe(60);
  });

  test('your own adapter layer replaces AWS\'s published one', () => {
    const stack = newStack('cn-north-1');
    const layer = lambda.LayerVersion.fromLayerVersionArn(stack, 'Lwa', 'arn:aws-cn:lambda:cn-north-1:111111111111:layer:lwa-arm64:3');
    new SpaWithLambdaApi(stack, 'App', streamingProps({ streamingAdapterLayer: layer }));
    const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
      .find((r: any) => r.Properties.Handler === 'app.main.handler') as any;
    expect(fn.Properties.Layers[1]).toBe('arn:aws-cn:lambda:cn-north-1:111111111111:layer:lwa-arm64:3');
    expect(JSON.stringify(fn.Properties.Layers)).not.toContain('753240598075');
  });

  test('with provisioned concurrency the Function URL and its permissions target the live alias', () => {
    const { template } = synthApp(streamingProps({ provisionedConcurrency: 2 }));
    const aliasId = logicalIdOf(template, 'AWS::Lambda::Alias');
    template.hasResourceProperties('AWS::Lambda::Url', { Qualifier: 'live', InvokeMode: 'RESPONSE_STREAM' });
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((p: any) => p.Properties);
    expect(permissions).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'lambda:InvokeFunctionUrl', FunctionName: { Ref: aliasId }, FunctionUrlAuthType: 'NONE' }),
      expect.objectContaining({ Action: 'lambda:InvokeFunction', FunctionName: { Ref: aliasId }, InvokedViaFunctionUrl: true }),
    ]));
  });

  test('secrets work as on the default path: the ARN in the environment, read access to that secret', () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'Db');
    new SpaWithLambdaApi(stack, 'App', streamingProps({ secrets: { DB_SECRET_ARN: FunctionSecret.fromSecretsManager(secret) } }));
    const template = Template.fromStack(stack);
    const dbId = stack.getLogicalId(secret.node.defaultChild as secretsmanager.CfnSecret);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DB_SECRET_ARN: { Ref: dbId }, AWS_LWA_INVOKE_MODE: 'response_stream' }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['secretsmanager:GetSecretValue']), Resource: { Ref: dbId } })]) },
    });
  });
});

describe('bad streaming input fails at synth time', () => {
  const vpcStack = newStack();
  const vpc = new ec2.Vpc(vpcStack, 'Vpc');

  test('fails when api.vpc is set with streaming', () => {
    expectError(streamingProps({ vpc }), 'api.vpc is set and api.streaming is true, but Lambda Function URLs do not stream responses of a '
      + 'function attached to a VPC (https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html). Remove api.vpc '
      + '(reach private resources through a public endpoint with IAM auth, or a second function in the VPC), or set api.streaming to false '
      + 'for the HTTP API path.', vpcStack);
  });

  test('fails when api.snapStart is set with streaming', () => {
    expectError(streamingProps({ snapStart: true }), 'api.snapStart is true and api.streaming is true, but the pinned Lambda Web Adapter 0.9.1 '
      + 'does not implement SnapStart\'s restore hooks: its connections to uvicorn would be resumed from the snapshot. Remove snapStart '
      + '(use api.provisionedConcurrency for initialized environments), or set api.streaming to false.');
  });

  test('fails when api.architecture is x86_64 without an adapter layer', () => {
    expectError(streamingProps({ architecture: lambda.Architecture.X86_64 }), 'api.architecture is "x86_64" and api.streaming is true, but the '
      + 'default Lambda Web Adapter layer is AWS\'s arm64 build. Leave api.architecture unset (ARM_64), or pass an adapter layer for your '
      + 'architecture in api.streamingAdapterLayer.');
  });

  test('fails when the stack is in China or GovCloud without an adapter layer', () => {
    for (const region of ['cn-north-1', 'us-gov-west-1']) {
      expectError(streamingProps(), `api.streaming is true and the stack is in "${region}", but AWS publishes its arm64 Lambda Web Adapter `
        + 'layer in the commercial partition only. Publish the adapter (crate lambda_web_adapter, or the awslabs/aws-lambda-web-adapter '
        + 'release) as a layer in your account and pass it in api.streamingAdapterLayer.', newStack(region));
    }
  });

  test('fails when api.streamingAdapterLayer is set without streaming', () => {
    const stack = newStack();
    const layer = lambda.LayerVersion.fromLayerVersionArn(stack, 'Lwa', 'arn:aws:lambda:us-east-1:111111111111:layer:lwa:1');
    expectError(minimalProps({ api: { source: BACKEND, streamingAdapterLayer: layer } }), 'api.streamingAdapterLayer is set, but '
      + 'api.streaming is false: the adapter layer is used in streaming mode only. Set api.streaming to true, or remove api.streamingAdapterLayer.', stack);
  });

  test('fails when the CloudFront timeouts are set without streaming', () => {
    const api = { source: BACKEND, originReadTimeout: Duration.seconds(30), originResponseCompletionTimeout: Duration.minutes(1) };
    expectError(minimalProps({ api }),
      'api.originReadTimeout and api.originResponseCompletionTimeout are set, but api.streaming is false: these CloudFront timeouts apply '
      + 'to the Function URL origin of streaming mode (the HTTP API origin follows api.timeout). Set api.streaming to true, or remove them.');
  });

  test('fails when HTTP API throttling is set with streaming', () => {
    expectError(streamingProps({ throttlingRateLimit: 10 }), 'api.throttlingRateLimit is 10 and api.streaming is true, but throttling is a '
      + 'setting of the HTTP API stage, and streaming mode has no HTTP API. Limit a streaming API with api.reservedConcurrency and a '
      + 'rate-based rule in the web ACL of webAclArn (docs/streaming.md), and remove api.throttlingRateLimit.');
  });

  test('fails when an authorizer is set with streaming', () => {
    const authorizer = new authorizers.HttpJwtAuthorizer('Jwt', 'https://issuer.example.com', { jwtAudience: ['app'] });
    expectError(streamingProps({ authorizer }), 'api.authorizer or api.authorizationScopes is set and api.streaming is true, but authorizers '
      + 'run in the HTTP API, and streaming mode has no HTTP API. Check tokens in FastAPI (a dependency such as fastapi.security.HTTPBearer), '
      + 'or set api.streaming to false.');
  });

  test('fails when origin verification is off with streaming', () => {
    expectError(streamingProps({ originVerification: { enabled: false } }), 'api.originVerification.enabled is false and api.streaming is true, '
      + 'but the Function URL of streaming mode is public (auth NONE, so that a plain fetch POST from the SPA works), and the origin check '
      + 'is what refuses calls that did not come through CloudFront. Remove enabled: false, or set api.streaming to false.');
  });

  test('fails when importOnFirstRequest is set with streaming', () => {
    expectError(streamingProps({ originVerification: { importOnFirstRequest: true } }), 'api.originVerification.importOnFirstRequest is true '
      + 'and api.streaming is true, but in streaming mode uvicorn imports the app when it starts, in the init phase, before the adapter '
      + 'reports the function ready; there is no first request to defer the import to. Remove api.originVerification.importOnFirstRequest, '
      + 'or set api.streaming to false.');
  });

  test('fails when the origin read timeout is out of range or not whole seconds', () => {
    const msg = (v: string) => `api.originReadTimeout is ${v}, but it must be whole seconds from 1 to 180. CloudFront accepts 1 to 60 seconds, `
      + 'and up to 180 after a quota increase ("Response timeout per origin"). Send SSE keep-alive comments more often than this instead of '
      + 'raising it, or leave it unset for 60 seconds.';
    expectError(streamingProps({ originReadTimeout: Duration.seconds(200), originResponseCompletionTimeout: Duration.minutes(10) }),
      msg('3 minutes 20 seconds'));
    expectError(streamingProps({ originReadTimeout: Duration.millis(1500) }), msg('1 second 500 millis'));
  });

  test('fails when the response completion timeout is shorter than the read timeout or over an hour', () => {
    expectError(streamingProps({ originResponseCompletionTimeout: Duration.seconds(30) }), 'api.originResponseCompletionTimeout is 30 seconds, '
      + 'but it must be at least the origin read timeout (60 seconds): CloudFront rejects a shorter one. Raise it, or leave it unset for '
      + 'the function timeout plus 10 seconds.');
    expectError(streamingProps({ originResponseCompletionTimeout: Duration.hours(2) }), 'api.originResponseCompletionTimeout is 2 hours, but '
      + 'it must be whole seconds from 1 to 3600. CloudFront accepts 1 to 3600 seconds. Leave it unset for the function timeout plus 10 seconds.');
  });

  test('fails when api.timeout is over 15 minutes with streaming', () => {
    expectError(streamingProps({ timeout: Duration.minutes(16) }), 'api.timeout is 16 minutes, but Lambda runs a function for at most '
      + '15 minutes. Use a timeout of at most Duration.minutes(15) (move longer work to a queue or Step Functions).');
  });

  test('fails when api.environment sets AWS_LAMBDA_EXEC_WRAPPER with streaming', () => {
    expectError(streamingProps({ environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/bootstrap' } }), 'api.environment sets "AWS_LAMBDA_EXEC_WRAPPER" '
      + 'and api.streaming is true, but streaming mode sets it to its own exec wrapper, which starts uvicorn behind the Lambda Web Adapter. '
      + 'Remove the variable.');
  });

  test('fails when monitoring.apiLatencyThreshold is over 15 minutes with streaming', () => {
    expectError(streamingProps({}, { monitoring: { apiLatencyThreshold: Duration.minutes(20) } }), 'monitoring.apiLatencyThreshold is 20 minutes, '
      + 'but it must be longer than 0 and at most 15 minutes, the longest a streaming function runs. Use for example Duration.minutes(2), '
      + 'or leave it unset for no latency alarm in streaming mode.');
  });

  test('fails when FastApiFunction streams without origin verification', () => {
    expect(() => new FastApiFunction(newStack(), 'Fn', { source: BACKEND, streaming: true })).toThrow(new Error(
      "Invalid props for FastApiFunction 'Fn':\n- streaming is true, but originVerification is not set. In streaming mode the origin check "
      + 'runs as ASGI middleware in front of the app and names your handler to uvicorn; a Function URL without it would serve anyone. '
      + 'Pass originVerification with the secret your CloudFront distribution sends, or set streaming to false.'));
  });
});
