import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** CloudFront publishes its CloudWatch metrics in this region only. */
export const CLOUDFRONT_METRICS_REGION = 'us-east-1';

/**
 * A CloudFront distribution metric as CloudWatch stores it: namespace `AWS/CloudFront`, dimensions
 * `DistributionId` and `Region: Global`, in us-east-1.
 *
 * aws-cdk-lib's `Distribution.metric*()` methods set only the `DistributionId` dimension. CloudWatch matches
 * every dimension exactly, so an alarm on such a metric watches a series that does not exist and can never
 * fire; hence this helper. The metric's region is us-east-1, so a dashboard in another region still shows it.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html
 */
export function cloudFrontMetric(distributionId: string, metricName: string, statistic: string,
  props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/CloudFront',
    metricName,
    statistic,
    region: CLOUDFRONT_METRICS_REGION,
    ...props,
    dimensionsMap: { DistributionId: distributionId, Region: 'Global' },
  });
}
