import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { cloudFrontMetric } from './monitoring/cloudfront-metrics';
import { functionUrlMetric } from './monitoring/function-url-metrics';

/**
 * The `grant*` and `metric*` methods of {@link SpaWithLambdaApi}, over its distribution, HTTP API stage (or Function URL) and function.
 */
export abstract class SpaWithLambdaApiBase extends Construct {
  /** The CloudFront distribution in front of the SPA and the API. */
  public abstract readonly distribution: cloudfront.Distribution;

  /** The Lambda function that runs FastAPI. */
  public abstract readonly function: lambda.Function;

  /** The HTTP API's `$default` stage (throttling, access logs); not in streaming mode. */
  public abstract readonly stage?: apigwv2.HttpStage;

  /** The function's URL in streaming mode (`api.streaming`) only. */
  public abstract readonly functionUrl?: lambda.FunctionUrl;

  /**
   * Lets `grantee` (for example a CI role) invalidate paths in this distribution's cache
   * (`cloudfront:CreateInvalidation` on this distribution only).
   */
  public grantInvalidate(grantee: iam.IGrantable): iam.Grant {
    return this.distribution.grantCreateInvalidation(grantee);
  }

  /**
   * Errors of the FastAPI function (unhandled exceptions, timeouts, crashes).
   *
   * @default - sum over 5 minutes
   */
  public metricFunctionErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors(props);
  }

  /**
   * Throttled invocations of the FastAPI function.
   *
   * @default - sum over 5 minutes
   */
  public metricFunctionThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricThrottles(props);
  }

  /**
   * Duration of the FastAPI function's invocations, in milliseconds.
   *
   * @default - average over 5 minutes
   */
  public metricFunctionDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricDuration(props);
  }

  /**
   * Requests to the HTTP API's `$default` stage, or in streaming mode to the Function URL (`UrlRequestCount`).
   *
   * @default - sum over 5 minutes
   */
  public metricApiRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stage ? this.stage.metricCount(props) : functionUrlMetric(this.functionUrl!, 'UrlRequestCount', 'Sum', props);
  }

  /**
   * 4xx responses of the HTTP API's `$default` stage, or in streaming mode of the Function URL (`Url4xxCount`).
   *
   * @default - sum over 5 minutes
   */
  public metricApiClientErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stage ? this.stage.metricClientError(props) : functionUrlMetric(this.functionUrl!, 'Url4xxCount', 'Sum', props);
  }

  /**
   * 5xx responses of the HTTP API's `$default` stage, or in streaming mode of the Function URL (`Url5xxCount`).
   *
   * @default - sum over 5 minutes
   */
  public metricApiServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stage ? this.stage.metricServerError(props) : functionUrlMetric(this.functionUrl!, 'Url5xxCount', 'Sum', props);
  }

  /**
   * Latency of the HTTP API's `$default` stage, in milliseconds, from request to response; in streaming mode, of the
   * Function URL (`UrlRequestLatency`).
   *
   * @default - average over 5 minutes
   */
  public metricApiLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stage ? this.stage.metricLatency(props) : functionUrlMetric(this.functionUrl!, 'UrlRequestLatency', 'Average', props);
  }

  /**
   * Viewer requests to the distribution. The metric lives in us-east-1 (dimensions `DistributionId` and
   * `Region: Global`): alarm on it from a stack in us-east-1; dashboards in any region can show it.
   *
   * @default - sum over 5 minutes
   */
  public metricCloudFrontRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return cloudFrontMetric(this.distribution.distributionId, 'Requests', 'Sum', props);
  }

  /**
   * Percentage of viewer requests answered with a 4xx status. The metric lives in us-east-1.
   *
   * @default - average over 5 minutes
   */
  public metricCloudFront4xxErrorRate(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return cloudFrontMetric(this.distribution.distributionId, '4xxErrorRate', 'Average', props);
  }

  /**
   * Percentage of viewer requests answered with a 5xx status. The metric lives in us-east-1.
   *
   * @default - average over 5 minutes
   */
  public metricCloudFront5xxErrorRate(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return cloudFrontMetric(this.distribution.distributionId, '5xxErrorRate', 'Average', props);
  }
}
