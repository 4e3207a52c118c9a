import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IDependable } from 'constructs';
import { ApiOrigin, apiTimeout, validateApiOptions } from './api/api-origin';
import { FastApiFunction } from './api/fastapi-function';
import { ViewerHostFunction } from './api/viewer-host-function';
import { recordDevFacts } from './dev/facts';
import { cloudFrontLoggingMode, createLogsBucket } from './distribution/access-logging';
import { domainCertificate, domainRecords, validateDomainOptions } from './distribution/domain';
import { DEFAULT_CONTENT_SECURITY_POLICY } from './distribution/security-headers';
import { createSpaDistribution, responseHeadersPolicy, validateDistributionOptions } from './distribution/spa-distribution';
import { SpaMonitoring } from './monitoring/monitoring';
import { validateMonitoringSettings } from './monitoring/monitoring-validation';
import { suppressCdkHelperFindings, suppressSpaFindings } from './private/nag';
import { markValidated, PropErrors } from './private/validation';
import { SpaRouting } from './routing/spa-routing';
import { spaRoutingParts } from './routing/spa-routing-parts';
import { createSiteBucket, DEFAULT_HASHED_ASSET_GLOBS, deploySite, validateSiteOptions } from './site/spa-site';
import { SpaWithLambdaApiBase } from './spa-with-lambda-api-base';
import { SpaWithLambdaApiProps } from './spa-with-lambda-api-props';

/**
 * A single-page app and its Python (FastAPI) API behind one CloudFront distribution.
 *
 * - the SPA is served from a private S3 bucket through Origin Access Control, with SPA routing so deep
 *   links work without masking API errors;
 * - `/api/*` goes to an HTTP API and an ARM64 Python Lambda running FastAPI through Mangum, bundled
 *   without Docker;
 * - an optional custom domain with an ACM certificate and Route53 records.
 *
 * @example
 * new SpaWithLambdaApi(this, 'App', {
 *   site: { source: './frontend/dist' },
 *   api: { source: './backend', handler: 'app.main.handler' },
 * });
 */
export class SpaWithLambdaApi extends SpaWithLambdaApiBase {
  /**
   * Globs of content-hashed files for a prebuilt `sourceAsset`: Vite's `assets/`, Create React App's `static/`,
   * and names with a content hash as webpack (`main.3f2a9c1b.js`) and Angular (`main-ABCD1234.js`) write them.
   *
   * A `source` folder does not use them (its files' names are read instead). `assets/*` also matches what Vite
   * copies verbatim from `public/assets/`: with such files, list your own globs.
   */
  public static readonly DEFAULT_HASHED_ASSET_GLOBS: string[] = DEFAULT_HASHED_ASSET_GLOBS;

  /**
   * The default `Content-Security-Policy`: no fetch directive (so no SPA build breaks), no `<base>`
   * injection, no plugins, no framing.
   */
  public static readonly DEFAULT_CONTENT_SECURITY_POLICY: string = DEFAULT_CONTENT_SECURITY_POLICY;

  /** The private bucket that holds the SPA (no public access, SSL only, S3-managed encryption). */
  public readonly bucket: s3.Bucket;

  /**
   * The bucket of the access logs: the site bucket's server access logs (`s3-access-logs/`) and the
   * distribution's logs (`AWSLogs/<account>/CloudFront/` with standard logging v2 in us-east-1, `cloudfront/`
   * with legacy logging elsewhere). Objects expire after `logRetention`.
   */
  public readonly logsBucket: s3.Bucket;

  /**
   * The secret CloudFront sends to the API in the origin-verification header, unless origin verification
   * is off. Rotate it as "Rotating the origin secret" in docs/security.md describes.
   */
  public readonly originVerifySecret?: secretsmanager.ISecret;

  /** The CloudFront distribution in front of the SPA and the API. */
  public readonly distribution: cloudfront.Distribution;

  /** The SPA-routing CloudFront Function, when `site.routing` is the viewer-request function. */
  public readonly spaRoutingFunction?: cloudfront.Function;

  /** The viewer-request CloudFront Function of the API behaviour: passes the viewer's host to the API (see {@link ViewerHostFunction}). */
  public readonly viewerHostFunction: ViewerHostFunction;

  /** The response headers policy on every behaviour: the construct's security headers, or yours. */
  public readonly responseHeadersPolicy: cloudfront.IResponseHeadersPolicy;

  /** The FastAPI function construct. */
  public readonly api: FastApiFunction;

  /** The Lambda function that runs FastAPI. */
  public readonly function: lambda.Function;

  /** The HTTP API in front of the function. */
  public readonly httpApi: apigwv2.HttpApi;

  /** The HTTP API's `$default` stage (throttling, access logs). */
  public readonly stage: apigwv2.HttpStage;

  /** The log group of the API's access logs. */
  public readonly accessLogGroup: logs.LogGroup;

  /**
   * The deployment of content-hashed assets (uploaded first, immutable, never pruned). With `site.source`, the
   * hashed `.js`, `.css`, ... files have their own deployments next to it (`HashedAssetsJavaScript`, ...).
   */
  public readonly hashedAssetsDeployment: s3deploy.BucketDeployment;

  /** The deployment of `index.html` and the other unhashed files, uploaded last and invalidated. */
  public readonly filesDeployment: s3deploy.BucketDeployment;

  /**
   * Complete once the site is uploaded, invalidated and the releases no longer kept are cleaned up: make a
   * post-deploy step depend on it.
   */
  public readonly siteDeployed: IDependable;

  /** The certificate of the custom domain, when one is set. */
  public readonly certificate?: acm.ICertificate;

  /** The URL of the site: `https://<domain>` or `https://<id>.cloudfront.net`. */
  public readonly siteUrl: string;

  /** The API's path prefix, for example `/api`. */
  public readonly apiPrefix: string;

  /** The alarms and dashboard, unless `monitoring.enabled` is false. */
  public readonly monitoring?: SpaMonitoring;

  constructor(scope: Construct, id: string, props: SpaWithLambdaApiProps) {
    super(scope, id);
    validateProps(this, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;

    // the parts; stateful resources are created with this construct as their scope, so their logical IDs stay
    const logging = cloudFrontLoggingMode(Stack.of(this));
    this.logsBucket = createLogsBucket(this, 'LogsBucket', { mode: logging, retention: logRetention, removalPolicy });
    this.bucket = createSiteBucket(this, this.logsBucket, removalPolicy);
    const api = new ApiOrigin(this, { api: props.api, logRetention, removalPolicy });
    this.apiPrefix = api.prefix;
    recordDevFacts(this, props, this.apiPrefix); // what `cdk-spa-with-lambda-api dev` serves locally
    this.originVerifySecret = api.secret;
    this.api = api.fastApi;
    this.function = api.fastApi.function;
    this.httpApi = api.httpApi;
    this.stage = api.stage;
    this.accessLogGroup = api.accessLogGroup;
    this.viewerHostFunction = api.viewerHostFunction;
    const routing = spaRoutingParts(this, props.site.routing ?? SpaRouting.viewerRequestFunction(), this.apiPrefix);
    this.spaRoutingFunction = routing.function;
    this.certificate = domainCertificate(this, props.domain);
    this.responseHeadersPolicy = responseHeadersPolicy(this, props);

    // connected: the site and the API behind one distribution, the site uploaded into the bucket, DNS to the distribution
    this.distribution = createSpaDistribution(this, {
      ...props,
      siteBucket: this.bucket,
      routing,
      headersPolicy: this.responseHeadersPolicy,
      additionalBehaviors: { [api.pathPattern]: api.behavior(this.responseHeadersPolicy) },
      logsBucket: this.logsBucket,
      logging,
      certificate: this.certificate,
    });
    const site = deploySite(this, { site: props.site, bucket: this.bucket, distribution: this.distribution, logRetention, removalPolicy });
    this.hashedAssetsDeployment = site.hashedAssets;
    this.filesDeployment = site.files;
    this.siteDeployed = site.deployed;
    domainRecords(this, props.domain, this.distribution);

    // outputs
    this.siteUrl = `https://${props.domain ? props.domain.domainName : this.distribution.distributionDomainName}`;
    new CfnOutput(this, 'SiteUrl', { value: this.siteUrl, description: 'URL of the site' });
    new CfnOutput(this, 'DistributionId', { value: this.distribution.distributionId, description: 'CloudFront distribution id' });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName, description: 'Bucket that holds the SPA' });
    new CfnOutput(this, 'ApiEndpoint', { value: this.httpApi.apiEndpoint, description: 'HTTP API endpoint (use the site URL + prefix instead)' });
    if (this.originVerifySecret) {
      new CfnOutput(this, 'OriginVerifySecretArn', {
        value: this.originVerifySecret.secretArn,
        description: 'Secret CloudFront sends to the API (origin verification); see "Rotating the origin secret" in docs/security.md',
      });
    }

    // findings cdk-nag (AwsSolutions) reports, suppressed where they do not apply, each with its reason
    suppressSpaFindings({
      distribution: this.distribution,
      customDomain: props.domain !== undefined,
      webAcl: props.webAclArn !== undefined,
      cloudFrontLogging: logging,
      logsBucket: this.logsBucket,
      httpApi: this.httpApi,
      userAuthorizer: props.api.authorizer !== undefined,
      originVerifySecret: this.originVerifySecret,
    });
    suppressCdkHelperFindings(this, { destinationBuckets: [this.bucket], sourceBuckets: site.sourceBuckets });

    if (props.monitoring?.enabled ?? true) {
      this.monitoring = new SpaMonitoring(this, 'Monitoring', markValidated({
        ...props.monitoring,
        function: this.function,
        functionVerifiesOrigin: this.originVerifySecret !== undefined,
        functionTimeout: api.timeout,
        httpStage: this.stage,
        distribution: this.distribution,
      }));
    }
  }
}

/** Validates every part's props in one place, before anything is built, and throws once with every problem. */
function validateProps(scope: Construct, id: string, props: SpaWithLambdaApiProps): void {
  const errors = new PropErrors();
  validateSiteOptions(errors, props.site);
  validateApiOptions(errors, props.api);
  if (props.monitoring && (props.monitoring.enabled ?? true)) {
    validateMonitoringSettings(errors, props.monitoring, 'monitoring.', apiTimeout(props.api));
  }
  validateDistributionOptions(errors, props);
  if (props.domain) {
    validateDomainOptions(errors, props.domain, Stack.of(scope));
  }
  errors.throwIfAny('SpaWithLambdaApi', id);
}
