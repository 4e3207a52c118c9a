import { CfnOutput, CustomResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IDependable } from 'constructs';
import { ApiOrigin, HttpApiOrigin } from './api/api-origin';
import { FastApiFunction } from './api/fastapi-function';
import { FunctionUrlApiOrigin } from './api/streaming-origin';
import { ViewerHostFunction } from './api/viewer-host-function';
import { apiWithoutSite } from './bundling/site-inside-api';
import { recordDevFacts } from './dev/facts';
import { cloudFrontLoggingMode, createLogsBucket } from './distribution/access-logging';
import { domainCertificate, domainRecords } from './distribution/domain';
import { DEFAULT_CONTENT_SECURITY_POLICY } from './distribution/security-headers';
import { createSpaDistribution, responseHeadersPolicy } from './distribution/spa-distribution';
import { SpaMonitoring } from './monitoring/monitoring';
import { acknowledgeFacadeFindings } from './private/nag';
import { markValidated } from './private/validation';
import { SpaRouting } from './routing/spa-routing';
import { spaRoutingParts } from './routing/spa-routing-parts';
import { routingData } from './routing/spa-routing-validation';
import { createSiteBucket, DEFAULT_HASHED_ASSET_GLOBS, deploySite } from './site/spa-site';
import { SpaWithLambdaApiBase } from './spa-with-lambda-api-base';
import { SpaWithLambdaApiProps } from './spa-with-lambda-api-props';
import { validateSpaWithLambdaApiProps } from './spa-with-lambda-api-validation';

const ORIGIN_SECRET_OUTPUT = 'Secret CloudFront sends to the API (origin verification); see "Rotating the origin secret" in docs/security.md';

/**
 * A single-page app and its Python (FastAPI) API behind one CloudFront distribution.
 *
 * - the SPA is served from a private S3 bucket through Origin Access Control, with SPA routing so deep
 *   links work without masking API errors;
 * - `/api/*` goes to an HTTP API and an ARM64 Python Lambda running FastAPI through Mangum, bundled
 *   without Docker; with `api.streaming`, to the function's URL in response-streaming mode instead, where uvicorn
 *   behind the Lambda Web Adapter runs the app (Server-Sent Events, responses up to 15 minutes);
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
   * Globs of content-hashed files for a prebuilt `sourceAsset` (Vite's `assets/`, CRA's `static/`, webpack and Angular
   * hashed names); `assets/*` also matches files copied from Vite's `public/assets/`. A `source` folder does not
   * use them: its files' names are read instead.
   */
  public static readonly DEFAULT_HASHED_ASSET_GLOBS: string[] = DEFAULT_HASHED_ASSET_GLOBS;
  /** The default `Content-Security-Policy`: no fetch directive, no `<base>` injection, no plugins, no framing. */
  public static readonly DEFAULT_CONTENT_SECURITY_POLICY: string = DEFAULT_CONTENT_SECURITY_POLICY;

  /** The private bucket that holds the SPA (no public access, SSL only, S3-managed encryption). */
  public readonly bucket: s3.Bucket;
  /** The bucket of the site bucket's and the distribution's access logs (prefixes: docs/security.md). */
  public readonly logsBucket: s3.Bucket;
  /** The secret CloudFront sends to the API, unless origin verification is off (rotation: docs/security.md). */
  public readonly originVerifySecret?: secretsmanager.ISecret;
  /** The CloudFront distribution in front of the SPA and the API. */
  public readonly distribution: cloudfront.Distribution;
  /** The SPA-routing CloudFront Function, when `site.routing` is the viewer-request function. */
  public readonly spaRoutingFunction?: cloudfront.Function;
  /** The API behaviour's viewer-request function, which passes the viewer's host to the API. */
  public readonly viewerHostFunction: ViewerHostFunction;
  /** The response headers policy on every behaviour: the construct's security headers, or yours. */
  public readonly responseHeadersPolicy: cloudfront.IResponseHeadersPolicy;
  /** The FastAPI function construct. */
  public readonly api: FastApiFunction;
  /** The Lambda function that runs FastAPI. */
  public readonly function: lambda.Function;
  /** The HTTP API in front of the function; not in streaming mode (`api.streaming`). */
  public readonly httpApi?: apigwv2.HttpApi;
  /** The HTTP API's `$default` stage (throttling, access logs); not in streaming mode. */
  public readonly stage?: apigwv2.HttpStage;
  /** The log group of the HTTP API's access logs; not in streaming mode (CloudFront's access logs cover the API there). */
  public readonly accessLogGroup?: logs.LogGroup;
  /** The function's URL in `RESPONSE_STREAM` mode that CloudFront forwards to, in streaming mode (`api.streaming`) only. */
  public readonly functionUrl?: lambda.FunctionUrl;
  /**
   * The function that deploys the site: uploads each release (hashed files first, `index.html` last), deletes the
   * files no kept release needs and invalidates the changed unhashed paths, in one pass.
   */
  public readonly siteDeployFunction: lambda.Function;
  /** The custom resource (`Custom::SpaSiteDeployment`) whose every change deploys a release of the site. */
  public readonly siteRelease: CustomResource;
  /** Complete once the site is uploaded, invalidated and cleaned up: make a post-deploy step depend on it. */
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
    validateSpaWithLambdaApiProps(this, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;

    // the parts; stateful resources are created with this construct as their scope, so their logical IDs stay
    const logging = cloudFrontLoggingMode(Stack.of(this));
    this.logsBucket = createLogsBucket(this, 'LogsBucket', { mode: logging, retention: logRetention, removalPolicy });
    this.bucket = createSiteBucket(this, this.logsBucket, removalPolicy);
    // the API origin: the HTTP API (default), or a Function URL that streams (api.streaming)
    const domainNames = props.domain ? [props.domain.domainName] : undefined;
    const apiProps = { api: apiWithoutSite(this, props.site, props.api), logRetention, removalPolicy, domainNames };
    const api: ApiOrigin = props.api.streaming ? new FunctionUrlApiOrigin(this, apiProps) : new HttpApiOrigin(this, apiProps);
    this.apiPrefix = api.prefix;
    recordDevFacts(this, props, this.apiPrefix); // what `cdk-spa-with-lambda-api dev` serves locally
    this.originVerifySecret = api.secret;
    this.api = api.fastApi;
    this.function = api.fastApi.function;
    this.httpApi = api.httpApi;
    this.stage = api.stage;
    this.accessLogGroup = api.accessLogGroup;
    this.functionUrl = api.functionUrl;
    this.viewerHostFunction = api.viewerHostFunction;
    const routing = spaRoutingParts(this, props.site.routing ?? SpaRouting.viewerRequestFunction(), this.apiPrefix,
      routingData(props.site, this.apiPrefix));
    this.spaRoutingFunction = routing.function;
    this.certificate = domainCertificate(this, props.domain);
    this.responseHeadersPolicy = responseHeadersPolicy(this, props);

    // connected: the site and the API behind one distribution, the site uploaded into the bucket, DNS to the distribution
    this.distribution = createSpaDistribution(this, {
      ...props,
      siteBucket: this.bucket,
      routing,
      headersPolicy: this.responseHeadersPolicy,
      logsBucket: this.logsBucket,
      logging,
      certificate: this.certificate,
      additionalBehaviors: { [api.pathPattern]: api.behavior(this.responseHeadersPolicy) },
    });
    const site = deploySite(this, { site: props.site, bucket: this.bucket, distribution: this.distribution, logRetention, removalPolicy });
    this.siteDeployFunction = site.deployFunction;
    this.siteRelease = site.release;
    this.siteDeployed = site.deployed;
    domainRecords(this, props.domain, this.distribution);

    // outputs
    this.siteUrl = `https://${props.domain ? props.domain.domainName : this.distribution.distributionDomainName}`;
    new CfnOutput(this, 'SiteUrl', { value: this.siteUrl, description: 'URL of the site' });
    new CfnOutput(this, 'DistributionId', { value: this.distribution.distributionId, description: 'CloudFront distribution id' });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName, description: 'Bucket that holds the SPA' });
    if (props.apiEndpointOutput) {
      // opt-in: cdk deploy prints every output, and deploy logs may be public (docs/security.md)
      new CfnOutput(this, 'ApiEndpoint', api.endpoint());
    }
    if (this.originVerifySecret) {
      new CfnOutput(this, 'OriginVerifySecretArn', { value: this.originVerifySecret.secretArn, description: ORIGIN_SECRET_OUTPUT });
    }

    // findings cdk-nag (AwsSolutions) reports, acknowledged where they do not apply, each with its reason
    acknowledgeFacadeFindings(this, props, logging);

    if (props.monitoring?.enabled ?? true) {
      this.monitoring = new SpaMonitoring(this, 'Monitoring', markValidated({ ...props.monitoring, ...api.monitored(), distribution: this.distribution }));
    }
  }
}
