import { RemovalPolicy } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as logs from 'aws-cdk-lib/aws-logs';
import { SpaApiOptions } from './api/spa-api-options';
import { SpaDomainOptions } from './distribution/spa-domain-options';
import { SpaMonitoringOptions } from './monitoring/monitoring-options';
import { SpaSiteOptions } from './site/spa-site-options';

/**
 * Properties of {@link SpaWithLambdaApi}.
 */
export interface SpaWithLambdaApiProps {
  /**
   * The single-page app.
   */
  readonly site: SpaSiteOptions;

  /**
   * The FastAPI backend.
   */
  readonly api: SpaApiOptions;

  /**
   * A custom domain.
   *
   * @default - the distribution's `*.cloudfront.net` domain
   */
  readonly domain?: SpaDomainOptions;

  /**
   * The CloudFront price class.
   *
   * @default cloudfront.PriceClass.PRICE_CLASS_100
   */
  readonly priceClass?: cloudfront.PriceClass;

  /**
   * The `Content-Security-Policy` header value of every response.
   *
   * The default has no fetch directive, so it does not block the inline scripts, styles or API calls of a
   * Vite, Create React App or Angular build; it only forbids `<base>` injection, plugins and framing.
   * Tighten it for your app, for example `default-src 'self'; frame-ancestors 'none'`.
   *
   * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Content-Security-Policy
   * @default SpaWithLambdaApi.DEFAULT_CONTENT_SECURITY_POLICY
   */
  readonly contentSecurityPolicy?: string;

  /**
   * Your own response headers policy, used on every behaviour in place of the construct's security
   * headers (HSTS, nosniff, frame options, referrer policy, CSP).
   *
   * @default - a policy with the security headers and `contentSecurityPolicy`
   */
  readonly responseHeadersPolicy?: cloudfront.IResponseHeadersPolicy;

  /**
   * The ARN of an AWS WAF web ACL to associate with the distribution. It must have the CLOUDFRONT scope,
   * so it lives in us-east-1: `arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>`.
   *
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/cloudfront-features.html
   * @default - no web ACL
   */
  readonly webAclArn?: string;

  /**
   * Retention of every log this construct writes: the function's logs and the API access logs (log groups),
   * the distribution's access logs and the site bucket's server access logs (objects in the logs bucket,
   * expired by a lifecycle rule).
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the stateful resources (the site bucket, the logs bucket and the log groups) when they
   * leave the stack. With `RemovalPolicy.DESTROY` the buckets' objects are deleted too, for test and
   * preview stacks.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * CloudWatch alarms and a dashboard along the request path (CloudFront, HTTP API, function).
   *
   * On by default, without notifications: set `alarmTopic` or `createAlarmTopic` to be notified. The CloudFront
   * alarm exists only when the stack is in us-east-1, where CloudFront publishes its metrics.
   *
   * @default - alarms and a dashboard with the default thresholds, no notification target
   */
  readonly monitoring?: SpaMonitoringOptions;

  /**
   * Add the `ApiEndpoint` stack output: the execute-api URL of the HTTP API (with `api.streaming`, the Function URL).
   *
   * Off by default: `cdk deploy` prints every output, and deploy logs are public for public repositories, while the
   * execute-api host is best kept private (direct calls to it are refused, but still count against the stage's
   * throttle and invoke the function). Turn it on for operators who need the URL in the stack's outputs; the
   * `httpApi` (or `functionUrl`) property gives it to your own code either way.
   *
   * @default false
   */
  readonly apiEndpointOutput?: boolean;
}
