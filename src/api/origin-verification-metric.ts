import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** The namespace of the metrics the origin check publishes (Embedded Metric Format lines in the function's log). */
export const ORIGIN_VERIFICATION_METRIC_NAMESPACE = 'CdkSpaWithLambdaApi';
/** One count per request the origin check refused (see cdk_spa_origin_verify.py `REFUSED_METRIC`). */
export const ORIGIN_VERIFICATION_REFUSED_METRIC = 'OriginVerificationRefused';

/**
 * The requests `fn`'s origin check refused: the sum over 5 minutes of `OriginVerificationRefused`, dimension
 * `FunctionName` (the name Lambda gives the wrapper in `AWS_LAMBDA_FUNCTION_NAME`).
 */
export function originVerificationRefusedMetric(fn: lambda.IFunction, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: ORIGIN_VERIFICATION_METRIC_NAMESPACE,
    metricName: ORIGIN_VERIFICATION_REFUSED_METRIC,
    dimensionsMap: { FunctionName: fn.functionName },
    statistic: 'Sum',
    period: Duration.minutes(5),
    ...props,
  });
}
