import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CLOUDFRONT_METRICS_REGION, cloudFrontMetric } from './cloudfront-metrics';
import { functionUrlMetric } from './function-url-metrics';
import { SpaMonitoringProps } from './monitoring-options';
import { validateMonitoringSettings } from './monitoring-validation';
import { originVerificationRefusedMetric } from '../api/origin-verification-metric';
import { addNagSuppressions } from '../private/nag';
import { isValidated, PropErrors, show } from '../private/validation';

/**
 * CloudWatch alarms and a dashboard along the request path of a SPA and its API: CloudFront 5xx error rate,
 * HTTP API 5xx and p99 latency, function errors, throttles and p99 duration.
 *
 * `SpaWithLambdaApi` creates one by default (`monitoring` prop). Use it directly to watch parts you assembled
 * yourself, or to alarm on the CloudFront metrics of a distribution from a stack in us-east-1 (the only region
 * CloudFront publishes metrics in).
 *
 * Every alarm compares with "greater than or equal to", treats missing data as not breaching (no traffic is
 * not an incident) and, when a topic is set, notifies it on ALARM and on OK.
 *
 * @example
 * const usEast1 = new Stack(app, 'CdnMonitoring', { env: { account: '111111111111', region: 'us-east-1' } });
 * new SpaMonitoring(usEast1, 'Cdn', {
 *   distribution: cloudfront.Distribution.fromDistributionAttributes(usEast1, 'Distribution', {
 *     distributionId: 'E1234567890ABC',
 *     domainName: 'd111111abcdef8.cloudfront.net',
 *   }),
 *   createAlarmTopic: true,
 * });
 */
export class SpaMonitoring extends Construct {
  /** The topic that receives alarm and OK notifications, when one was given or created. */
  public readonly alarmTopic?: sns.ITopic;

  /** Every alarm created, in request-path order (CloudFront, API, function). */
  public readonly alarms: cloudwatch.Alarm[] = [];

  /** Function errors (sum over 5 minutes). */
  public readonly functionErrorsAlarm?: cloudwatch.Alarm;

  /** Function throttles (sum over 5 minutes). */
  public readonly functionThrottlesAlarm?: cloudwatch.Alarm;

  /** Function duration (p99 over 5 minutes, 3 periods). */
  public readonly functionDurationAlarm?: cloudwatch.Alarm;

  /** HTTP API 5xx responses (sum over 5 minutes). */
  public readonly apiServerErrorsAlarm?: cloudwatch.Alarm;

  /** HTTP API latency (p99 over 5 minutes, 3 periods). */
  public readonly apiLatencyAlarm?: cloudwatch.Alarm;

  /** Requests refused by the origin check (sum over 5 minutes); only with `functionVerifiesOrigin`. */
  public readonly originVerificationRefusedAlarm?: cloudwatch.Alarm;

  /** CloudFront 5xx error rate (average over 5 minutes, 2 periods); only in a us-east-1 stack. */
  public readonly cloudFront5xxErrorRateAlarm?: cloudwatch.Alarm;

  /** The dashboard, unless `dashboard` is false. */
  public readonly dashboard?: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: SpaMonitoringProps) {
    super(scope, id);

    const functionTimeout = props.functionTimeout
      ?? (props.function instanceof lambda.Function ? props.function.timeout : undefined)
      ?? Duration.seconds(3);
    if (!isValidated(props)) { // SpaWithLambdaApi validates its monitoring props before it builds this
      const errors = new PropErrors();
      if (!props.function && !props.httpStage && !props.functionUrl && !props.distribution) {
        errors.add('function, httpStage, functionUrl and distribution are all unset, but there is nothing to monitor without them. '
          + 'Pass at least one of them.');
      }
      if (props.httpStage && props.functionUrl) {
        errors.add('httpStage and functionUrl are both set, but the API alarms watch one API origin: the HTTP API stage, or the '
          + 'Function URL of a streaming API. Pass one of them, and a second SpaMonitoring for the other.');
      }
      validateMonitoringSettings(errors, props, '', props.function ? functionTimeout : undefined, !props.httpStage && props.functionUrl !== undefined);
      errors.throwIfAny('SpaMonitoring', id);
    }

    this.alarmTopic = props.alarmTopic;
    if (!this.alarmTopic && props.createAlarmTopic) {
      const topic = new sns.Topic(this, 'AlarmTopic', {
        displayName: `Alarms of ${scope.node.path}`,
        enforceSSL: true,
      });
      addNagSuppressions(topic, [{
        id: 'AwsSolutions-SNS2',
        reason: 'CloudWatch alarms publish here. An SSE-KMS topic needs a customer managed key whose policy lets '
          + 'cloudwatch.amazonaws.com use it (the AWS managed SNS key does not); the messages carry alarm states, not data.',
      }]);
      this.alarmTopic = topic;
    }

    const stack = Stack.of(this);
    const timeoutMs = functionTimeout.isUnresolved() ? undefined : functionTimeout.toMilliseconds();
    const distribution = props.distribution;
    const distributionId = distribution?.distributionId;

    // --- alarms, along the request path ---
    if (distribution && distributionId) {
      if (!Token.isUnresolved(stack.region) && stack.region === CLOUDFRONT_METRICS_REGION) {
        const threshold = props.cloudFront5xxErrorRateThreshold ?? 5;
        this.cloudFront5xxErrorRateAlarm = this.addAlarm('CloudFront5xxErrorRateAlarm', {
          metric: cloudFrontMetric(distributionId, '5xxErrorRate', 'Average', { period: Duration.minutes(5) }),
          threshold,
          evaluationPeriods: 2,
          alarmDescription: `CloudFront 5xx error rate of ${distribution.node.path} is at least ${threshold}% of requests `
            + 'in two consecutive 5-minute periods.',
        });
      } else {
        const where = Token.isUnresolved(stack.region)
          ? 'unresolved (environment-agnostic stack)'
          : show(stack.region);
        Annotations.of(this).addWarningV2('cdk-spa-with-lambda-api:cloudFrontAlarmsSkipped',
          `The stack region is ${where}, but CloudFront publishes its metrics only in us-east-1, so the CloudFront 5xx `
          + 'error-rate alarm is not created here (it could never fire); the dashboard still shows the CloudFront metrics from us-east-1. '
          + 'To alarm on them, add a stack in us-east-1 with `new SpaMonitoring(usEast1Stack, \'CdnMonitoring\', { distribution: '
          + 'cloudfront.Distribution.fromDistributionAttributes(usEast1Stack, \'Distribution\', { distributionId, domainName }), alarmTopic })` '
          + 'using this stack\'s DistributionId output'
          + (Token.isUnresolved(stack.region) ? ', or give this stack an explicit `env.region` of us-east-1.' : '.'));
      }
    }

    if (props.httpStage) {
      const stage = props.httpStage;
      const serverErrors = props.apiServerErrorsThreshold ?? 5;
      this.apiServerErrorsAlarm = this.addAlarm('ApiServerErrorsAlarm', {
        metric: stage.metricServerError({ statistic: 'Sum', period: Duration.minutes(5) }),
        threshold: serverErrors,
        evaluationPeriods: 1,
        alarmDescription: `HTTP API ${stage.node.path} answered ${serverErrors} or more requests with a 5xx status in 5 minutes.`,
      });
      const latency = props.apiLatencyThreshold
        ?? (props.function && timeoutMs !== undefined && timeoutMs * 0.9 < 5000
          ? Duration.millis(Math.round(timeoutMs * 0.9))
          : Duration.seconds(5));
      this.apiLatencyAlarm = this.addAlarm('ApiLatencyAlarm', {
        metric: stage.metricLatency({ statistic: 'p99', period: Duration.minutes(5) }),
        threshold: latency.toMilliseconds(),
        evaluationPeriods: 3,
        alarmDescription: `p99 latency of HTTP API ${stage.node.path} is at least ${seconds(latency)} for 15 minutes.`,
      });
    }

    if (props.functionUrl && !props.httpStage) {
      const url = props.functionUrl;
      const serverErrors = props.apiServerErrorsThreshold ?? 5;
      // the same IDs as the HTTP API's alarms: switching a stack's API origin updates them in place
      this.apiServerErrorsAlarm = this.addAlarm('ApiServerErrorsAlarm', {
        metric: functionUrlMetric(url, 'Url5xxCount', 'Sum', { period: Duration.minutes(5) }),
        threshold: serverErrors,
        evaluationPeriods: 1,
        alarmDescription: `Function URL ${url.node.path} answered ${serverErrors} or more requests with a 5xx status in 5 minutes.`,
      });
      // a streamed response stays open as long as it streams: no default latency threshold
      if (props.apiLatencyThreshold) {
        const latency = props.apiLatencyThreshold;
        this.apiLatencyAlarm = this.addAlarm('ApiLatencyAlarm', {
          metric: functionUrlMetric(url, 'UrlRequestLatency', 'p99', { period: Duration.minutes(5) }),
          threshold: latency.toMilliseconds(),
          evaluationPeriods: 3,
          alarmDescription: `p99 latency of Function URL ${url.node.path} is at least ${seconds(latency)} for 15 minutes.`,
        });
      }
    }

    if (props.function) {
      const fn = props.function;
      const errorCount = props.functionErrorsThreshold ?? 1;
      this.functionErrorsAlarm = this.addAlarm('FunctionErrorsAlarm', {
        metric: fn.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }),
        threshold: errorCount,
        evaluationPeriods: 1,
        alarmDescription: `Function ${fn.node.path} failed ${errorCount} or more times in 5 minutes `
          + '(unhandled exception, timeout or crash).',
      });
      const throttles = props.functionThrottlesThreshold ?? 1;
      this.functionThrottlesAlarm = this.addAlarm('FunctionThrottlesAlarm', {
        metric: fn.metricThrottles({ statistic: 'Sum', period: Duration.minutes(5) }),
        threshold: throttles,
        evaluationPeriods: 1,
        alarmDescription: `Function ${fn.node.path} was throttled ${throttles} or more times in 5 minutes `
          + '(reserved or account concurrency reached).',
      });
      if (props.functionVerifiesOrigin) {
        const refused = props.originVerificationRefusedThreshold ?? 100;
        this.originVerificationRefusedAlarm = this.addAlarm('OriginVerificationRefusedAlarm', {
          metric: originVerificationRefusedMetric(fn),
          threshold: refused,
          evaluationPeriods: 1,
          alarmDescription: `The origin check of function ${fn.node.path} refused ${refused} or more requests in 5 minutes: `
            + 'someone calls the execute-api URL directly, around CloudFront.',
        });
      }
      const duration = props.functionDurationThreshold
        ?? (timeoutMs !== undefined ? Duration.millis(Math.round(timeoutMs * 0.9)) : undefined);
      if (duration) {
        this.functionDurationAlarm = this.addAlarm('FunctionDurationAlarm', {
          metric: fn.metricDuration({ statistic: 'p99', period: Duration.minutes(5) }),
          threshold: duration.toMilliseconds(),
          evaluationPeriods: 3,
          alarmDescription: `p99 duration of function ${fn.node.path} is at least ${seconds(duration)} `
            + `(timeout ${seconds(functionTimeout)}) for 15 minutes.`,
        });
      } else {
        Annotations.of(this).addWarningV2('cdk-spa-with-lambda-api:durationAlarmSkipped',
          'The function timeout is a token, so the duration alarm has no default threshold and is not created. '
          + 'Set functionDurationThreshold to create it.');
      }
    }

    // --- dashboard: CloudFront -> HTTP API -> function ---
    if (props.dashboard ?? true) {
      this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
        dashboardName: props.dashboardName,
        defaultInterval: Duration.hours(3),
      });
      this.dashboard.addWidgets(new cloudwatch.TextWidget({
        markdown: `# ${scope.node.path}\nRequest path: viewer → CloudFront → ${props.functionUrl && !props.httpStage ? 'Function URL (streaming)' : 'HTTP API'} → Lambda (FastAPI). `
          + 'CloudFront metrics come from us-east-1, where CloudFront publishes them.',
        width: 24,
        height: 2,
      }));
      if (this.alarms.length > 0) {
        this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({
          title: 'Alarms',
          alarms: this.alarms,
          width: 24,
          height: 3,
        }));
      }
      if (distributionId) {
        this.dashboard.addWidgets(
          new cloudwatch.GraphWidget({
            title: 'CloudFront requests',
            left: [cloudFrontMetric(distributionId, 'Requests', 'Sum', { label: 'Requests' })],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'CloudFront error rates (%)',
            left: [
              cloudFrontMetric(distributionId, '4xxErrorRate', 'Average', { label: '4xx rate' }),
              cloudFrontMetric(distributionId, '5xxErrorRate', 'Average', { label: '5xx rate' }),
            ],
            leftYAxis: { min: 0, max: 100, showUnits: false },
            width: 12,
          }),
        );
      }
      if (props.httpStage) {
        const stage = props.httpStage;
        this.dashboard.addWidgets(
          new cloudwatch.GraphWidget({
            title: 'HTTP API requests and errors',
            left: [stage.metricCount({ statistic: 'Sum', label: 'Requests' })],
            right: [
              stage.metricClientError({ statistic: 'Sum', label: '4xx' }),
              stage.metricServerError({ statistic: 'Sum', label: '5xx' }),
            ],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'HTTP API latency (ms)',
            left: [
              stage.metricLatency({ statistic: 'p50', label: 'Latency p50' }),
              stage.metricLatency({ statistic: 'p99', label: 'Latency p99' }),
              stage.metricIntegrationLatency({ statistic: 'p99', label: 'Integration latency p99' }),
            ],
            width: 12,
          }),
        );
      }
      if (props.functionUrl && !props.httpStage) {
        const url = props.functionUrl;
        this.dashboard.addWidgets(
          new cloudwatch.GraphWidget({
            title: 'Function URL requests and errors',
            left: [functionUrlMetric(url, 'UrlRequestCount', 'Sum', { label: 'Requests' })],
            right: [
              functionUrlMetric(url, 'Url4xxCount', 'Sum', { label: '4xx' }),
              functionUrlMetric(url, 'Url5xxCount', 'Sum', { label: '5xx' }),
            ],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Function URL latency (ms)',
            left: [
              functionUrlMetric(url, 'UrlRequestLatency', 'p50', { label: 'Latency p50' }),
              functionUrlMetric(url, 'UrlRequestLatency', 'p99', { label: 'Latency p99' }),
            ],
            width: 12,
          }),
        );
      }
      if (props.function) {
        const fn = props.function;
        this.dashboard.addWidgets(
          new cloudwatch.GraphWidget({
            title: 'Function invocations, errors and throttles',
            left: [fn.metricInvocations({ statistic: 'Sum', label: 'Invocations' })],
            right: [
              fn.metricErrors({ statistic: 'Sum', label: 'Errors' }),
              fn.metricThrottles({ statistic: 'Sum', label: 'Throttles' }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Function duration (ms)',
            left: [
              fn.metricDuration({ statistic: 'p50', label: 'Duration p50' }),
              fn.metricDuration({ statistic: 'p99', label: 'Duration p99' }),
            ],
            leftAnnotations: timeoutMs !== undefined ? [{ value: timeoutMs, label: 'Timeout' }] : undefined,
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Function concurrency',
            left: [fn.metric('ConcurrentExecutions', { statistic: 'Maximum', label: 'Concurrent executions' })],
            width: 8,
          }),
        );
        if (props.functionVerifiesOrigin) {
          this.dashboard.addWidgets(new cloudwatch.GraphWidget({
            title: 'Direct calls refused by the origin check',
            left: [originVerificationRefusedMetric(fn, { label: 'Refused', period: Duration.minutes(1) })],
            width: 24,
          }));
        }
      }
    }
  }

  private addAlarm(id: string, props: {
    metric: cloudwatch.IMetric;
    threshold: number;
    evaluationPeriods: number;
    alarmDescription: string;
  }): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      ...props,
      datapointsToAlarm: props.evaluationPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (this.alarmTopic) {
      const action = new cw_actions.SnsAction(this.alarmTopic);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    this.alarms.push(alarm);
    return alarm;
  }
}

/** A duration as seconds for alarm descriptions: `13.5 s`. */
function seconds(d: Duration): string {
  return `${d.toMilliseconds() / 1000} s`;
}
