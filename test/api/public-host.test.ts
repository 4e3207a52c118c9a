import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { FastApiFunction, FastApiFunctionProps, SpaApiOptions, SpaRouting, SpaWithLambdaApi, SpaWithLambdaApiProps } from '../../src';
import { ORIGIN_VERIFY_ENV } from '../../src/api/origin-verification-layer';
import { BACKEND, distributionConfig, minimalProps, newStack, SITE, synthApp } from '../util';

const VIEWER_HOST_SOURCE = path.join(__dirname, '..', '..', 'src', 'api', 'runtime', 'viewer-host.js');
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:origin-AbCdEf';

function withApi(api: Partial<SpaApiOptions>, overrides: Partial<SpaWithLambdaApiProps> = {}): SpaWithLambdaApiProps {
  return minimalProps({ api: { source: BACKEND, ...api }, ...overrides });
}

function apiFunctionEnv(template: Template): Record<string, unknown> {
  const found = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: 'FastAPI application (Mangum)' } }));
  expect(found).toHaveLength(1);
  return found[0].Properties.Environment?.Variables ?? {};
}

function viewerHostFunctionId(template: Template): string {
  const found = Object.keys(template.findResources('AWS::CloudFront::Function', {
    Properties: { FunctionCode: fs.readFileSync(VIEWER_HOST_SOURCE, 'utf-8') },
  }));
  expect(found).toHaveLength(1);
  return found[0];
}

describe('the API sees the public host', () => {
  test('the /api/* behaviour runs the viewer-host function on viewer requests, and only it', () => {
    const { template, app } = synthApp();
    const id = viewerHostFunctionId(template);
    const config = distributionConfig(template);
    expect(config.CacheBehaviors[0].PathPattern).toBe('/api/*');
    expect(config.CacheBehaviors[0].FunctionAssociations).toEqual([{
      EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [id, 'FunctionARN'] },
    }]);
    expect(JSON.stringify(config.DefaultCacheBehavior.FunctionAssociations)).not.toContain(id);
    expect(app.viewerHostFunction.node.id).toBe('ApiViewerHostFunction');
  });

  test('the wrapper trusts the viewer host and imports the app in the init phase', () => {
    const env = apiFunctionEnv(synthApp().template);
    expect(env[ORIGIN_VERIFY_ENV.viewerHost]).toBe('trust');
    expect(env[ORIGIN_VERIFY_ENV.importAt]).toBe('init');
  });

  test('with any SPA routing mode or a custom prefix the API behaviour keeps it', () => {
    for (const props of [
      withApi({ prefix: '/backend' }, { site: { source: SITE, routing: SpaRouting.errorResponses() } }),
      withApi({}, { site: { source: SITE, routing: SpaRouting.none() } }),
    ]) {
      const template = synthApp(props).template;
      const id = viewerHostFunctionId(template);
      expect(distributionConfig(template).CacheBehaviors[0].FunctionAssociations).toEqual([{
        EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [id, 'FunctionARN'] },
      }]);
    }
  });

  test('without origin verification the function still strips viewer forwarding headers, but nothing trusts the host', () => {
    // the header could not be told from one a direct caller forged, so the app keeps the execute-api host
    const template = synthApp(withApi({ originVerification: { enabled: false } })).template;
    const id = viewerHostFunctionId(template);
    expect(distributionConfig(template).CacheBehaviors[0].FunctionAssociations[0].FunctionARN).toEqual({ 'Fn::GetAtt': [id, 'FunctionARN'] });
    expect(apiFunctionEnv(template)[ORIGIN_VERIFY_ENV.viewerHost]).toBeUndefined();
  });

  test('FastApiFunction trusts the viewer host only with originVerification.trustViewerHost', () => {
    for (const [trust, expected] of [[undefined, undefined], [false, undefined], [true, 'trust']] as const) {
      const stack = newStack();
      new FastApiFunction(stack, 'Api', {
        source: BACKEND,
        originVerification: { secret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', SECRET_ARN), trustViewerHost: trust },
      });
      const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0];
      expect(fn.Properties.Environment.Variables[ORIGIN_VERIFY_ENV.viewerHost]).toBe(expected);
    }
  });
});

describe('the app is imported in the init phase by default', () => {
  test.each([
    ['on demand', {}],
    ['SnapStart', { snapStart: true }],
    ['provisioned concurrency', { provisionedConcurrency: 2 }],
  ])('%s: init', (_, api) => {
    expect(apiFunctionEnv(synthApp(withApi(api)).template)[ORIGIN_VERIFY_ENV.importAt]).toBe('init');
  });

  test('importOnFirstRequest opts in to the lazy import', () => {
    const env = apiFunctionEnv(synthApp(withApi({ originVerification: { importOnFirstRequest: true } })).template);
    expect(env[ORIGIN_VERIFY_ENV.importAt]).toBe('first-request');
    const stack = newStack();
    new FastApiFunction(stack, 'Api', {
      source: BACKEND,
      originVerification: { secret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', SECRET_ARN), importOnFirstRequest: true },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ORIGIN_VERIFY_ENV.importAt]: 'first-request' }) },
    });
  });

  function expectError(props: SpaWithLambdaApiProps, message: string): void {
    expect(() => new SpaWithLambdaApi(newStack(), 'App', props)).toThrow(new Error(`Invalid props for SpaWithLambdaApi 'App':\n- ${message}`));
  }

  function expectFunctionError(props: Partial<FastApiFunctionProps>, message: string): void {
    const stack = newStack();
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', SECRET_ARN);
    expect(() => new FastApiFunction(stack, 'Api', { source: BACKEND, ...props, originVerification: { secret, importOnFirstRequest: true } }))
      .toThrow(new Error(`Invalid props for FastApiFunction 'Api':\n- ${message}`));
  }

  test('fails when api.originVerification.importOnFirstRequest is combined with api.snapStart', () => {
    expectError(withApi({ snapStart: true, originVerification: { importOnFirstRequest: true } }),
      'api.originVerification.importOnFirstRequest is true, but api.snapStart is true: the snapshot is taken after the init phase, '
      + 'so it would not hold the app, and every restored environment would import it during a request. Remove importOnFirstRequest.');
  });

  test('fails when api.originVerification.importOnFirstRequest is combined with api.provisionedConcurrency', () => {
    expectError(withApi({ provisionedConcurrency: 3, originVerification: { importOnFirstRequest: true } }),
      'api.originVerification.importOnFirstRequest is true, but api.provisionedConcurrency is 3: provisioned environments are '
      + 'initialized before requests arrive, and importing the app on the first request would move that work back onto a request. '
      + 'Remove importOnFirstRequest.');
  });

  test('fails when FastApiFunction originVerification.importOnFirstRequest is combined with snapStart or provisionedConcurrency', () => {
    expectFunctionError({ snapStart: true },
      'originVerification.importOnFirstRequest is true, but snapStart is true: the snapshot is taken after the init phase, '
      + 'so it would not hold the app, and every restored environment would import it during a request. Remove importOnFirstRequest.');
    expectFunctionError({ provisionedConcurrency: 1 },
      'originVerification.importOnFirstRequest is true, but provisionedConcurrency is 1: provisioned environments are '
      + 'initialized before requests arrive, and importing the app on the first request would move that work back onto a request. '
      + 'Remove importOnFirstRequest.');
  });

  test('fails when api.originVerification.importOnFirstRequest is set with enabled: false', () => {
    expectError(withApi({ originVerification: { enabled: false, importOnFirstRequest: true } }),
      'api.originVerification.enabled is false, but api.originVerification.importOnFirstRequest is set, which only apply while '
      + 'origin verification is on. Remove them, or remove enabled: false.');
  });
});

describe('refused requests are a metric', () => {
  test('FastApiFunction.metricOriginVerificationRefused: the EMF metric the wrapper prints, by function name', () => {
    const stack = newStack();
    const api = new FastApiFunction(stack, 'Api', {
      source: BACKEND,
      originVerification: { secret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', SECRET_ARN) },
    });
    const metric = api.metricOriginVerificationRefused();
    expect(metric.namespace).toBe('CdkSpaWithLambdaApi');
    expect(metric.metricName).toBe('OriginVerificationRefused');
    expect(metric.statistic).toBe('Sum');
    expect(metric.period.toSeconds()).toBe(300);
    expect(stack.resolve(metric.dimensions)).toEqual({ FunctionName: { Ref: stack.getLogicalId(api.function.node.defaultChild as any) } });
    expect(api.metricOriginVerificationRefused({ period: Duration.minutes(1) }).period.toSeconds()).toBe(60);
    const wrapper = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'api', 'runtime', 'origin-verify-layer', 'python', 'cdk_spa_origin_check.py'), 'utf-8');
    expect(wrapper).toContain('METRIC_NAMESPACE = "CdkSpaWithLambdaApi"\n');
    expect(wrapper).toContain('REFUSED_METRIC = "OriginVerificationRefused"\n');
    expect(wrapper).toContain('"Dimensions": [["FunctionName"]]');
  });
});
