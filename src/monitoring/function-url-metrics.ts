import { Fn } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * A metric of a Lambda Function URL (`UrlRequestCount`, `Url4xxCount`, `Url5xxCount`, `UrlRequestLatency`) with the
 * `FunctionName` dimension, which aggregates the URLs of the function's `$LATEST` and its aliases (the streaming API
 * has one URL, on the function or on its `live` alias). The name comes from the URL's function ARN
 * (`arn:<partition>:lambda:<region>:<account>:function:<name>`), so an imported URL works too.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-monitoring.html
 */
export function functionUrlMetric(url: lambda.IFunctionUrl, metricName: string, statistic: string,
  props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Lambda',
    metricName,
    statistic,
    ...props,
    dimensionsMap: { FunctionName: Fn.select(6, Fn.split(':', url.functionArn)) },
  });
}
