import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { FastApiFunction, SpaMonitoring, SpaMonitoringOptions, SpaWithLambdaApi } from '../../src';
import { BACKEND, minimalProps, newStack, synthApp } from '../util';

const ALARM = 'AWS::CloudWatch::Alarm';

/** The properties of the one alarm on `metricName`. */
function alarmOn(template: Template, metricName: string): Record<string, any> {
  const found = Object.values(template.findResources(ALARM, { Properties: { MetricName: metricName } }));
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

function withMonitoring(monitoring: SpaMonitoringOptions, region?: string) {
  return synthApp(minimalProps({ monitoring }), region);
}

const COMMON = {
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  TreatMissingData: 'notBreaching',
  Period: 300,
};

describe('alarms with the default thresholds', () => {
  const { template } = synthApp(minimalProps(), 'us-east-1');

  test('function errors: sum of AWS/Lambda Errors >= 1 in 5 minutes', () => {
    expect(alarmOn(template, 'Errors')).toEqual(expect.objectContaining({
      ...COMMON,
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Threshold: 1,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: expect.stringMatching('^AppApiFunction') } }],
    }));
  });

  test('function throttles: sum of AWS/Lambda Throttles >= 1 in 5 minutes', () => {
    expect(alarmOn(template, 'Throttles')).toEqual(expect.objectContaining({
      ...COMMON, Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 1, EvaluationPeriods: 1,
    }));
  });

  test('function duration: p99 >= 90% of the 15 s timeout for 3 periods', () => {
    const alarm = alarmOn(template, 'Duration');
    expect(alarm).toEqual(expect.objectContaining({
      ...COMMON, Namespace: 'AWS/Lambda', ExtendedStatistic: 'p99', Threshold: 13500, EvaluationPeriods: 3, DatapointsToAlarm: 3,
    }));
    expect(alarm.Statistic).toBeUndefined();
  });

  test('API 5xx: sum of AWS/ApiGateway 5xx of the $default stage >= 5 in 5 minutes', () => {
    expect(alarmOn(template, '5xx')).toEqual(expect.objectContaining({
      ...COMMON,
      Namespace: 'AWS/ApiGateway',
      Statistic: 'Sum',
      Threshold: 5,
      EvaluationPeriods: 1,
      Dimensions: [
        { Name: 'ApiId', Value: { Ref: expect.stringMatching('^AppHttpApi') } },
        { Name: 'Stage', Value: '$default' },
      ],
    }));
  });

  test('API latency: p99 >= 5 s for 3 periods', () => {
    expect(alarmOn(template, 'Latency')).toEqual(expect.objectContaining({
      ...COMMON, Namespace: 'AWS/ApiGateway', ExtendedStatistic: 'p99', Threshold: 5000, EvaluationPeriods: 3, DatapointsToAlarm: 3,
    }));
  });

  test('CloudFront 5xx error rate: average >= 5% for 2 periods, with the Region: Global dimension CloudFront publishes', () => {
    expect(alarmOn(template, '5xxErrorRate')).toEqual(expect.objectContaining({
      ...COMMON,
      Namespace: 'AWS/CloudFront',
      Statistic: 'Average',
      Threshold: 5,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Dimensions: [
        { Name: 'DistributionId', Value: { Ref: expect.stringMatching('^AppDistribution') } },
        { Name: 'Region', Value: 'Global' },
      ],
    }));
  });

  test('refused direct calls: sum of CdkSpaWithLambdaApi OriginVerificationRefused of the function >= 100 in 5 minutes', () => {
    // the metric the origin check prints in Embedded Metric Format (test/api/test_origin_verify_edges.py)
    expect(alarmOn(template, 'OriginVerificationRefused')).toEqual(expect.objectContaining({
      ...COMMON,
      Namespace: 'CdkSpaWithLambdaApi',
      Statistic: 'Sum',
      Threshold: 100,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: expect.stringMatching('^AppApiFunction') } }],
    }));
  });

  test('no notification target unless one is given', () => {
    template.resourceCountIs(ALARM, 7);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of Object.values(template.findResources(ALARM))) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
      expect(alarm.Properties.OKActions).toBeUndefined();
    }
  });
});

describe('CloudFront alarms depend on the stack region', () => {
  const warning = (region: string, extra: string) => `The stack region is ${region}, but CloudFront publishes its metrics only in us-east-1, `
    + 'so the CloudFront 5xx error-rate alarm is not created here (it could never fire); the dashboard still shows the CloudFront metrics from us-east-1. '
    + 'To alarm on them, add a stack in us-east-1 with `new SpaMonitoring(usEast1Stack, \'CdnMonitoring\', { distribution: '
    + 'cloudfront.Distribution.fromDistributionAttributes(usEast1Stack, \'Distribution\', { distributionId, domainName }), alarmTopic })` '
    + `using this stack's DistributionId output${extra} [ack: cdk-spa-with-lambda-api:cloudFrontAlarmsSkipped]`;

  test('us-east-1: the CloudFront alarm is created, without a warning', () => {
    const { stack, template } = synthApp(minimalProps(), 'us-east-1');
    template.resourceCountIs(ALARM, 7);
    alarmOn(template, '5xxErrorRate');
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('CloudFront publishes'));
  });

  test('another region: skipped with a warning that says how to get it', () => {
    const { stack, template } = synthApp(minimalProps(), 'eu-west-1');
    template.resourceCountIs(ALARM, 6);
    expect(template.findResources(ALARM, { Properties: { Namespace: 'AWS/CloudFront' } })).toEqual({});
    Annotations.fromStack(stack).hasWarning('/TestStack/App/Monitoring', warning('"eu-west-1"', '.'));
  });

  test('unresolved region: skipped with a warning', () => {
    const { stack, template } = synthApp(minimalProps());
    template.resourceCountIs(ALARM, 6);
    Annotations.fromStack(stack).hasWarning('/TestStack/App/Monitoring', warning('unresolved (environment-agnostic stack)',
      ', or give this stack an explicit `env.region` of us-east-1.'));
  });

  test('a us-east-1 monitoring stack alarms on an imported distribution', () => {
    const app = new App();
    const stack = new Stack(app, 'CdnMonitoring', { env: { account: '111111111111', region: 'us-east-1' } });
    const monitoring = new SpaMonitoring(stack, 'Cdn', {
      distribution: cloudfront.Distribution.fromDistributionAttributes(stack, 'Distribution', {
        distributionId: 'E1234567890ABC', domainName: 'd111111abcdef8.cloudfront.net',
      }),
      cloudFront5xxErrorRateThreshold: 2,
      createAlarmTopic: true,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs(ALARM, 1);
    expect(alarmOn(template, '5xxErrorRate')).toEqual(expect.objectContaining({
      Threshold: 2,
      Dimensions: [{ Name: 'DistributionId', Value: 'E1234567890ABC' }, { Name: 'Region', Value: 'Global' }],
      AlarmActions: [{ Ref: expect.stringMatching('^CdnAlarmTopic') }],
    }));
    expect(monitoring.alarms).toEqual([monitoring.cloudFront5xxErrorRateAlarm]);
  });
});

describe('thresholds', () => {
  test('every threshold is configurable', () => {
    const { template } = withMonitoring({
      functionErrorsThreshold: 3,
      functionThrottlesThreshold: 10,
      functionDurationThreshold: Duration.seconds(10),
      apiServerErrorsThreshold: 20,
      apiLatencyThreshold: Duration.millis(2500),
      cloudFront5xxErrorRateThreshold: 1.5,
      originVerificationRefusedThreshold: 1,
    }, 'us-east-1');
    expect(alarmOn(template, 'OriginVerificationRefused').Threshold).toBe(1);
    expect(alarmOn(template, 'Errors').Threshold).toBe(3);
    expect(alarmOn(template, 'Throttles').Threshold).toBe(10);
    expect(alarmOn(template, 'Duration').Threshold).toBe(10000);
    expect(alarmOn(template, '5xx').Threshold).toBe(20);
    expect(alarmOn(template, 'Latency').Threshold).toBe(2500);
    expect(alarmOn(template, '5xxErrorRate').Threshold).toBe(1.5);
  });

  test('without origin verification there is no refused-requests alarm (nothing publishes the metric)', () => {
    const { template } = synthApp(minimalProps({ api: { source: BACKEND, originVerification: { enabled: false } } }), 'us-east-1');
    template.resourceCountIs(ALARM, 6);
    expect(template.findResources(ALARM, { Properties: { MetricName: 'OriginVerificationRefused' } })).toEqual({});
  });

  test('SpaMonitoring alone alarms on refused requests only for a function that verifies the origin', () => {
    for (const [verifies, count] of [[undefined, 0], [true, 1]] as const) {
      const stack = newStack();
      const fn = new FastApiFunction(stack, 'Api', { source: BACKEND });
      new SpaMonitoring(stack, 'Monitoring', { function: fn.function, functionVerifiesOrigin: verifies });
      expect(Object.keys(Template.fromStack(stack).findResources(ALARM, { Properties: { MetricName: 'OriginVerificationRefused' } })))
        .toHaveLength(count);
    }
  });

  test('with a short timeout the duration and latency defaults follow it, so they can fire', () => {
    const { template } = synthApp(minimalProps({ api: { source: BACKEND, timeout: Duration.seconds(3) } }));
    expect(alarmOn(template, 'Duration').Threshold).toBe(2700);
    expect(alarmOn(template, 'Latency').Threshold).toBe(2700);
  });
});

describe('notifications', () => {
  test('an existing topic receives the ALARM and OK notifications of every alarm', () => {
    const stack = newStack('us-east-1');
    const topic = new sns.Topic(stack, 'OpsTopic');
    new SpaWithLambdaApi(stack, 'App', minimalProps({ monitoring: { alarmTopic: topic } }));
    const template = Template.fromStack(stack);
    const alarms = Object.values(template.findResources(ALARM));
    expect(alarms).toHaveLength(7);
    const ref = [{ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }];
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual(ref);
      expect(alarm.Properties.OKActions).toEqual(ref);
    }
    template.resourceCountIs('AWS::SNS::Topic', 1);
  });

  test('createAlarmTopic creates an SSL-only topic that every alarm notifies', () => {
    const { app, template } = withMonitoring({ createAlarmTopic: true });
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    expect(topicId).toMatch(/^AppMonitoringAlarmTopic/);
    for (const alarm of Object.values(template.findResources(ALARM))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
    expect(app.monitoring?.alarmTopic).toBeDefined();
    const topic = template.findResources('AWS::SNS::Topic')[topicId];
    expect(topic.Metadata.cdk_nag.rules_to_suppress).toEqual([expect.objectContaining({ id: 'AwsSolutions-SNS2' })]);
  });
});

describe('dashboard', () => {
  /** The dashboard body with every token replaced by a placeholder, as one string. */
  function dashboardBody(template: Template): string {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const parts = dashboards[0].Properties.DashboardBody['Fn::Join'][1] as unknown[];
    return parts.map((p) => (typeof p === 'string' ? p : '"TOKEN"')).join('');
  }

  test('shows the request path in order: CloudFront, then the HTTP API, then the function', () => {
    const { template } = synthApp(minimalProps(), 'eu-west-1');
    const body = dashboardBody(template);
    const cloudFront = body.indexOf('"AWS/CloudFront","Requests"');
    const api = body.indexOf('"AWS/ApiGateway","Count"');
    const fn = body.indexOf('"AWS/Lambda","Invocations"');
    expect(cloudFront).toBeGreaterThan(0);
    expect(api).toBeGreaterThan(cloudFront);
    expect(fn).toBeGreaterThan(api);
    // CloudFront metrics are read from us-east-1 even on a dashboard in another region
    expect(body).toContain('"Region","Global",{"label":"5xx rate","region":"us-east-1"}');
    // the duration graph marks the timeout
    expect(body).toContain('"annotations":{"horizontal":[{"value":15000,"label":"Timeout","yAxis":"left"}]}');
    // refused direct calls, per minute, after the function's graphs
    expect(body.indexOf('"CdkSpaWithLambdaApi","OriginVerificationRefused","FunctionName",""TOKEN"",{"label":"Refused","period":60,"stat":"Sum"}'))
      .toBeGreaterThan(fn);
  });

  test('dashboard: false keeps the alarms and drops the dashboard', () => {
    const { template } = withMonitoring({ dashboard: false });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    template.resourceCountIs(ALARM, 6);
  });

  test('dashboardName names it', () => {
    const { template } = withMonitoring({ dashboardName: 'my-app' });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'my-app' });
  });
});

test('enabled: false creates no alarm, topic or dashboard', () => {
  const { app, template } = withMonitoring({ enabled: false, createAlarmTopic: true });
  template.resourceCountIs(ALARM, 0);
  template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  template.resourceCountIs('AWS::SNS::Topic', 0);
  expect(app.monitoring).toBeUndefined();
});

describe('metric helpers', () => {
  const stack = newStack('eu-west-1');
  const app = new SpaWithLambdaApi(stack, 'App', minimalProps());
  const dims = (m: { dimensions?: Record<string, unknown> }) => stack.resolve(m.dimensions);

  test('function metrics', () => {
    for (const [metric, name] of [
      [app.metricFunctionErrors(), 'Errors'],
      [app.metricFunctionThrottles(), 'Throttles'],
      [app.metricFunctionDuration(), 'Duration'],
    ] as const) {
      expect(metric.namespace).toBe('AWS/Lambda');
      expect(metric.metricName).toBe(name);
      expect(dims(metric)).toEqual({ FunctionName: stack.resolve(app.function.functionName) });
    }
  });

  test('HTTP API metrics of the $default stage', () => {
    for (const [metric, name] of [
      [app.metricApiRequests(), 'Count'],
      [app.metricApiClientErrors(), '4xx'],
      [app.metricApiServerErrors(), '5xx'],
      [app.metricApiLatency({ statistic: 'p99' }), 'Latency'],
    ] as const) {
      expect(metric.namespace).toBe('AWS/ApiGateway');
      expect(metric.metricName).toBe(name);
      expect(dims(metric)).toEqual({ ApiId: stack.resolve(app.httpApi!.apiId), Stage: '$default' });
    }
    expect(app.metricApiLatency({ statistic: 'p99' }).statistic).toBe('p99');
  });

  test('CloudFront metrics in us-east-1 with the Region: Global dimension', () => {
    for (const [metric, name, statistic] of [
      [app.metricCloudFrontRequests(), 'Requests', 'Sum'],
      [app.metricCloudFront4xxErrorRate(), '4xxErrorRate', 'Average'],
      [app.metricCloudFront5xxErrorRate(), '5xxErrorRate', 'Average'],
    ] as const) {
      expect(metric.namespace).toBe('AWS/CloudFront');
      expect(metric.metricName).toBe(name);
      expect(metric.statistic).toBe(statistic);
      expect(metric.region).toBe('us-east-1');
      expect(dims(metric)).toEqual({ DistributionId: stack.resolve(app.distribution.distributionId), Region: 'Global' });
    }
  });
});

describe('bad monitoring input fails at synth time', () => {
  function expectError(monitoring: SpaMonitoringOptions, message: string): void {
    expect(() => new SpaWithLambdaApi(newStack(), 'App', minimalProps({ monitoring }))).toThrow(
      new Error(`Invalid props for SpaWithLambdaApi 'App':\n- ${message}`),
    );
  }

  test('fails when monitoring.alarmTopic and monitoring.createAlarmTopic are both set', () => {
    const stack = newStack();
    const alarmTopic = new sns.Topic(stack, 'Topic');
    expect(() => new SpaWithLambdaApi(stack, 'App', minimalProps({ monitoring: { alarmTopic, createAlarmTopic: true } }))).toThrow(
      new Error('Invalid props for SpaWithLambdaApi \'App\':\n- monitoring.alarmTopic is set and monitoring.createAlarmTopic is true, '
        + 'but the alarms notify one topic. Pass your topic in monitoring.alarmTopic, or set monitoring.createAlarmTopic to create one, not both.'));
  });

  test.each([
    ['functionErrorsThreshold', 0],
    ['functionThrottlesThreshold', 1.5],
    ['apiServerErrorsThreshold', -1],
    ['originVerificationRefusedThreshold', 0],
  ])('fails when monitoring.%s is %s', (name, value) => {
    expectError({ [name]: value }, `monitoring.${name} is ${value}, but it must be a whole number of at least 1 (the alarm fires when the count in `
      + '5 minutes reaches it; 0 would keep it in alarm). Use 1 to be told of every occurrence, or leave it unset for the default.');
  });

  test.each([0, 150])('fails when monitoring.cloudFront5xxErrorRateThreshold is %s', (value) => {
    expectError({ cloudFront5xxErrorRateThreshold: value }, `monitoring.cloudFront5xxErrorRateThreshold is ${value}, but it is a percentage of requests `
      + 'and must be greater than 0 and at most 100. Use for example 5 (percent), or leave it unset for the default.');
  });

  test('fails when monitoring.functionDurationThreshold is above the function timeout (the alarm could never fire)', () => {
    expectError({ functionDurationThreshold: Duration.seconds(20) }, 'monitoring.functionDurationThreshold is 20 seconds, but the function times out '
      + 'after 15 seconds, so its duration never exceeds that and the alarm could never fire. Use at most the timeout, or leave it unset for 90% of the timeout.');
  });

  test('fails when monitoring.apiLatencyThreshold is above 30 seconds', () => {
    expectError({ apiLatencyThreshold: Duration.seconds(31) }, 'monitoring.apiLatencyThreshold is 31 seconds, but it must be longer than 0 and at most '
      + '30 seconds: the HTTP API answers every request within its 30-second integration timeout, so a longer threshold could never be reached. '
      + 'Use for example Duration.seconds(5), or leave it unset for the default.');
  });

  test('fails when monitoring.dashboardName has characters CloudWatch rejects', () => {
    expectError({ dashboardName: 'my app' }, 'monitoring.dashboardName is "my app", but CloudWatch dashboard names have 1 to 255 letters, digits, '
      + '"-" and "_" only. Choose such a name, or leave it unset for a generated one.');
  });

  test('fails when SpaMonitoring has nothing to monitor', () => {
    expect(() => new SpaMonitoring(newStack(), 'Monitoring', { createAlarmTopic: true })).toThrow(
      new Error('Invalid props for SpaMonitoring \'Monitoring\':\n- function, httpStage, functionUrl and distribution are all unset, '
        + 'but there is nothing to monitor without them. Pass at least one of them.'));
  });

  test('fails when SpaMonitoring gets both an HTTP API stage and a Function URL', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.PYTHON_3_13, handler: 'a.b', code: lambda.Code.fromInline('x') });
    const httpApi = new apigwv2.HttpApi(stack, 'Api');
    expect(() => new SpaMonitoring(stack, 'Monitoring', { httpStage: httpApi.defaultStage!, functionUrl: fn.addFunctionUrl() })).toThrow(
      new Error('Invalid props for SpaMonitoring \'Monitoring\':\n- httpStage and functionUrl are both set, but the API alarms watch one '
        + 'API origin: the HTTP API stage, or the Function URL of a streaming API. Pass one of them, and a second SpaMonitoring for the other.'));
  });

  test('a Function URL on its own gets the 5xx alarm and its widgets, and no latency alarm by default', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.PYTHON_3_13, handler: 'a.b', code: lambda.Code.fromInline('x') });
    const monitoring = new SpaMonitoring(stack, 'Monitoring', { functionUrl: fn.addFunctionUrl() });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Lambda', MetricName: 'Url5xxCount', Threshold: 5 });
    expect(monitoring.apiLatencyAlarm).toBeUndefined();
    const body = JSON.stringify(stack.resolve((monitoring.dashboard!.node.defaultChild as any).dashboardBody));
    for (const metric of ['UrlRequestCount', 'Url4xxCount', 'Url5xxCount', 'UrlRequestLatency']) {
      expect(body).toContain(metric);
    }
  });

  test('monitoring settings are not validated when monitoring is disabled', () => {
    expect(() => new SpaWithLambdaApi(newStack(), 'App', minimalProps({ monitoring: { enabled: false, functionErrorsThreshold: 0 } }))).not.toThrow();
  });
});
