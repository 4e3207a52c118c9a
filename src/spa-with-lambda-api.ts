import * as fs from 'fs';
import * as path from 'path';
import { Annotations, CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, Token } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IDependable } from 'constructs';
import { FastApiFunction, FastApiFunctionOptions, resolveFunctionProps } from './api/fastapi-function';
import { SpaMonitoring, SpaMonitoringOptions } from './monitoring/monitoring';
import { OriginVerificationOptions } from './api/origin-verification';
import { apiAccessLogFormat } from './api/access-log-format';
import {
  allowServerAccessLogs, cloudFrontLogDelivery, cloudFrontLoggingMode, createLogsBucket, legacyDistributionLogging,
  S3_ACCESS_LOGS_PREFIX, serverAccessLogsTarget,
} from './distribution/access-logging';
import { cloudFrontMetric } from './monitoring/cloudfront-metrics';
import { matchesAny } from './private/fnmatch';
import { validateOperationsProps } from './api/function-operations';
import { validateMonitoringSettings } from './monitoring/monitoring-validation';
import { suppressCdkHelperFindings, suppressSpaFindings } from './private/nag';
import { DEFAULT_ORIGIN_VERIFY_HEADER } from './api/origin-verification-layer';
import { DEFAULT_CONTENT_SECURITY_POLICY, securityHeadersPolicy } from './distribution/security-headers';
import { validateSecurityProps } from './private/security-validation';
import { listFiles } from './private/files';
import { DEFAULT_KEEP_RELEASES, MANIFEST_PREFIX, SiteDeployment } from './site/site-deployment';
import { LIMITS, PropErrors, show, validateDirectory, validateFunctionProps } from './private/validation';
import { SpaRouting } from './routing/spa-routing';

/**
 * The single-page app: where its build output is and how it is routed.
 */
export interface SpaSiteOptions {
  /**
   * Path of the built SPA folder (for example `frontend/dist`). It must contain `index.html`.
   *
   * The construct lists the folder at synth time: it sorts the files into hashed and unhashed, sets the
   * `Content-Type` of `.js`, `.mjs`, `.css`, `.svg`, `.wasm`, `.webmanifest` and `.map` files explicitly, and
   * invalidates exactly the unhashed files. Set exactly one of `source` and `sourceAsset`.
   *
   * @default - none; `sourceAsset` must be set instead
   */
  readonly source?: string;

  /**
   * A prebuilt site as a BucketDeployment source, for example `s3deploy.Source.asset('frontend', { bundling })`
   * (built by the CDK at synth time) or `s3deploy.Source.bucket(bucket, 'site.zip')`.
   *
   * Its files cannot be listed at synth time, so `hashedAssetGlobs` is required with it, content types are those
   * the upload guesses from the file names, and only `/` and `/index.html` are invalidated (the other unhashed
   * files are `no-cache`). Set exactly one of `source` and `sourceAsset`.
   *
   * @default - none; `source` must be set instead
   */
  readonly sourceAsset?: s3deploy.ISource;

  /**
   * Globs of the content-hashed files in the site, with `aws s3 sync` semantics (fnmatch: `*` also
   * matches `/`). When set, they replace the detection of content hashes in file names.
   *
   * Content-hashed files get `Cache-Control: public, max-age=31536000, immutable`, are uploaded before the other
   * files and are kept for `keepReleases` releases. Every other file gets `no-cache`. Without globs, a file of
   * `source` is content-hashed when its NAME carries a hash as Vite/Rollup (`index-BdQq_4o_.js`), esbuild and
   * Angular (`main-5YAOG3CD.js`), webpack and Create React App (`main.3f2a9c1b.chunk.js`) write it, in any
   * folder; files a build copies verbatim (Vite's `public/`, such as `public/assets/logo.svg`) keep their name
   * across releases, so they are `no-cache`. Required with `sourceAsset`, whose files cannot be listed.
   *
   * @default - with `source`, detected from the file names; with `sourceAsset`, required
   */
  readonly hashedAssetGlobs?: string[];

  /**
   * How many releases keep their content-hashed files in the bucket, the current one included.
   *
   * Browser tabs opened before a deploy keep loading the previous release's chunks, so at least 2. A release
   * is a distinct set of hashed files; older files that no kept release lists are deleted after each deploy.
   *
   * @default 2
   */
  readonly keepReleases?: number;

  /**
   * How deep links such as `/items/42` get the SPA shell.
   *
   * @default SpaRouting.viewerRequestFunction()
   */
  readonly routing?: SpaRouting;
}

/**
 * The Python API: a FastAPI project served under a path prefix of the same origin.
 */
export interface SpaApiOptions extends FastApiFunctionOptions {
  /**
   * The path prefix CloudFront sends to the API. `<prefix>/*` is routed to the API with the full path,
   * so FastAPI's routes include the prefix (`/api/health`). `<prefix>` alone (no trailing segment) is not
   * matched and goes to the SPA.
   *
   * @default "/api"
   */
  readonly prefix?: string;

  /**
   * Steady-state request rate limit of the API's `$default` stage, in requests per second.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html
   * @default 500
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst limit of the API's `$default` stage, in requests.
   *
   * @default 1000
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Origin verification: the API refuses requests that did not come through the distribution, before
   * the FastAPI module is imported.
   *
   * CloudFront sends a secret header (a Secrets Manager secret generated at deploy time); the function
   * accepts the secret's current and previous values, so it can be rotated without downtime.
   *
   * @default - on, with the header "x-origin-verify" and a 5-minute cache
   */
  readonly originVerification?: OriginVerificationOptions;

  /**
   * An authorizer for every API route, for example an `HttpJwtAuthorizer` for Cognito or another OIDC
   * issuer, or an `HttpLambdaAuthorizer`.
   *
   * Origin verification does not use the route's authorizer slot, so both apply: API Gateway runs your
   * authorizer, then the function checks the origin header.
   *
   * @default - no authorizer: FastAPI decides who may call what
   */
  readonly authorizer?: apigwv2.IHttpRouteAuthorizer;

  /**
   * OAuth scopes the `authorizer` requires on every route (JWT authorizers only).
   *
   * @default - none
   */
  readonly authorizationScopes?: string[];
}

/**
 * A custom domain for the distribution.
 */
export interface SpaDomainOptions {
  /**
   * The fully qualified domain name, for example `app.example.com`.
   */
  readonly domainName: string;

  /**
   * The Route53 hosted zone of `domainName`. When given, A and AAAA alias records are created, and if no
   * `certificate` is given a DNS-validated one is created (only possible when the stack is in us-east-1).
   *
   * @default - no DNS records; point your DNS at the distribution yourself
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * An ACM certificate in us-east-1 that covers `domainName` (CloudFront only uses us-east-1 certificates).
   *
   * @default - created with DNS validation in `hostedZone` when the stack is in us-east-1
   */
  readonly certificate?: acm.ICertificate;
}

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
}

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
export class SpaWithLambdaApi extends Construct {
  /**
   * Globs of content-hashed files for a prebuilt `sourceAsset`: Vite's `assets/`, Create React App's `static/`,
   * and names with a content hash as webpack (`main.3f2a9c1b.js`) and Angular (`main-ABCD1234.js`) write them.
   *
   * A `source` folder does not use them (its files' names are read instead). `assets/*` also matches what Vite
   * copies verbatim from `public/assets/`: with such files, list your own globs.
   */
  public static readonly DEFAULT_HASHED_ASSET_GLOBS: string[] = [
    'assets/*',
    'static/*',
    '*.[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*.js',
    '*.[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*.css',
    '*-[A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9].js',
    '*-[A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9].css',
  ];

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
   * is off. Rotate it as the README describes.
   */
  public readonly originVerifySecret?: secretsmanager.ISecret;

  /** The CloudFront distribution in front of the SPA and the API. */
  public readonly distribution: cloudfront.Distribution;

  /** The SPA-routing CloudFront Function, when `site.routing` is the viewer-request function. */
  public readonly spaRoutingFunction?: cloudfront.Function;

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
    const stack = Stack.of(this);
    validateProps(this, id, props);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    const routing = props.site.routing ?? SpaRouting.viewerRequestFunction();
    this.apiPrefix = props.api.prefix ?? '/api';

    // access logs of the site bucket and the distribution, expired after logRetention
    const cloudFrontLogging = cloudFrontLoggingMode(stack);
    this.logsBucket = createLogsBucket(this, 'LogsBucket', { mode: cloudFrontLogging, retention: logRetention, removalPolicy });

    this.bucket = new s3.Bucket(this, 'SiteBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
      serverAccessLogsBucket: serverAccessLogsTarget(this, this.logsBucket),
      serverAccessLogsPrefix: S3_ACCESS_LOGS_PREFIX,
    });
    allowServerAccessLogs(this.logsBucket, this.bucket);

    // origin verification: CloudFront sends this secret, the function refuses requests without it
    const originVerification = props.api.originVerification;
    const originVerifyHeader = originVerification?.headerName ?? DEFAULT_ORIGIN_VERIFY_HEADER;
    if (originVerification?.enabled ?? true) {
      this.originVerifySecret = new secretsmanager.Secret(this, 'OriginVerifySecret', {
        description: `Origin-verification header value CloudFront sends to the API of ${this.node.path}`,
        generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      });
    }

    this.api = new FastApiFunction(this, 'ApiFunction', {
      source: props.api.source,
      handler: props.api.handler,
      runtime: props.api.runtime,
      architecture: props.api.architecture,
      memorySize: props.api.memorySize,
      timeout: props.api.timeout,
      environment: props.api.environment,
      bundling: props.api.bundling,
      secrets: props.api.secrets,
      tracing: props.api.tracing,
      vpc: props.api.vpc,
      vpcSubnets: props.api.vpcSubnets,
      securityGroups: props.api.securityGroups,
      snapStart: props.api.snapStart,
      provisionedConcurrency: props.api.provisionedConcurrency,
      reservedConcurrency: props.api.reservedConcurrency,
      logRetention,
      removalPolicy,
      verifyOrigin: this.originVerifySecret ? {
        secret: this.originVerifySecret,
        headerName: originVerifyHeader,
        cacheTtl: originVerification?.cacheTtl,
      } : undefined,
    });
    this.function = this.api.function;

    this.accessLogGroup = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy });
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: `API of ${this.node.path}, served under ${this.apiPrefix}/* by CloudFront`,
      createDefaultStage: false,
      // the live alias when SnapStart or provisioned concurrency is on
      defaultIntegration: new integrations.HttpLambdaIntegration('FastApi', this.api.invokeTarget, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      }),
      defaultAuthorizer: props.api.authorizer,
      defaultAuthorizationScopes: props.api.authorizationScopes,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: {
        rateLimit: props.api.throttlingRateLimit ?? 500,
        burstLimit: props.api.throttlingBurstLimit ?? 1000,
      },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: apiAccessLogFormat(),
      },
    });

    const domain = props.domain;
    this.certificate = domain?.certificate;
    if (domain && !this.certificate && domain.hostedZone) {
      // validation guarantees the stack is in us-east-1 here
      this.certificate = new acm.Certificate(this, 'Certificate', {
        domainName: domain.domainName,
        validation: acm.CertificateValidation.fromDns(domain.hostedZone),
      });
    }

    this.responseHeadersPolicy = props.responseHeadersPolicy ?? securityHeadersPolicy(this, 'SecurityHeaders', {
      contentSecurityPolicy: props.contentSecurityPolicy ?? DEFAULT_CONTENT_SECURITY_POLICY,
    });

    if (routing.mode === SpaRouting.viewerRequestFunction().mode) {
      this.spaRoutingFunction = new cloudfront.Function(this, 'SpaRoutingFunction', {
        comment: 'SPA routing: navigations and extension-less paths get /index.html',
        runtime: cloudfront.FunctionRuntime.JS_2_0,
        code: cloudfront.FunctionCode.fromFile({
          filePath: path.join(__dirname, 'routing', 'runtime', 'spa-routing.js'),
        }),
      });
    } else if (routing.mode === SpaRouting.errorResponses().mode) {
      Annotations.of(this).addWarningV2('cdk-spa-with-lambda-api:errorResponsesMaskApiErrors',
        'site.routing is SpaRouting.errorResponses(): every 403 and 404 of the distribution, including the API\'s, '
        + `is answered with /index.html and status 200, so clients of ${this.apiPrefix}/* never see an API 404 or 403. `
        + 'Use SpaRouting.viewerRequestFunction() (the default) to keep API errors intact.');
    }

    const timeout = resolveFunctionProps(props.api).timeout;
    const timeoutSeconds = timeout.isUnresolved() ? LIMITS.maxApiTimeoutSeconds : timeout.toSeconds();
    const apiOrigin = new origins.HttpOrigin(`${this.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      // longer than the function timeout, so the API's own timeout error reaches the client
      readTimeout: Duration.seconds(Math.min(60, timeoutSeconds + 5)),
      // a dynamic reference: CloudFormation resolves it at deploy time, the template holds no secret
      customHeaders: this.originVerifySecret ? {
        [originVerifyHeader]: SecretValue.secretsManager(this.originVerifySecret.secretArn, {
          versionId: originVerification?.secretVersionId,
        }).unsafeUnwrap(),
      } : undefined,
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `SPA and API of ${this.node.path}`,
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      domainNames: domain ? [domain.domainName] : undefined,
      certificate: this.certificate,
      minimumProtocolVersion: domain ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      webAclId: props.webAclArn,
      ...legacyDistributionLogging(cloudFrontLogging, this.logsBucket),
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
          // LIST lets S3 answer 404 (not 403) for a missing object
          originAccessLevels: [cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST],
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        compress: true,
        responseHeadersPolicy: this.responseHeadersPolicy,
        functionAssociations: this.spaRoutingFunction ? [{
          eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
          function: this.spaRoutingFunction,
        }] : undefined,
      },
      additionalBehaviors: {
        [`${this.apiPrefix}/*`]: {
          origin: apiOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.responseHeadersPolicy,
          compress: true,
        },
      },
      errorResponses: routing.mode === SpaRouting.errorResponses().mode
        ? [403, 404].map((httpStatus) => ({
          httpStatus,
          responseHttpStatus: 200,
          responsePagePath: '/index.html',
          ttl: Duration.seconds(0),
        }))
        : undefined,
    });

    // LIST is safe here: defaultRootObject is index.html, so a request for "/" never lists the bucket.
    Annotations.of(this.distribution).acknowledgeWarning('@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
      'defaultRootObject is index.html and the SPA routing never forwards "/" to the bucket as a listing');

    if (cloudFrontLogging === 'v2') {
      cloudFrontLogDelivery(this, this.distribution, this.logsBucket);
    } else if (cloudFrontLogging === 'none') {
      Annotations.of(this).addWarningV2('cdk-spa-with-lambda-api:noCloudFrontAccessLogs',
        `The stack is in ${stack.region}, a region whose buckets CloudFront does not deliver legacy standard logs to, and standard `
        + 'logging v2 can only be set up from us-east-1, so the distribution has no access logs. Deploy the stack in us-east-1 or '
        + 'another region, or enable standard logging v2 for the distribution in the CloudFront console.');
    }

    const site = new SiteDeployment(this, 'SiteDeployment', {
      bucket: this.bucket,
      distribution: this.distribution,
      source: props.site.source,
      sourceAsset: props.site.sourceAsset,
      hashedGlobs: props.site.hashedAssetGlobs,
      keepReleases: props.site.keepReleases,
      logRetention,
      removalPolicy,
    });
    this.hashedAssetsDeployment = site.hashedAssets;
    this.filesDeployment = site.files;
    this.siteDeployed = site.deployed;

    if (domain?.hostedZone) {
      const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution));
      new route53.ARecord(this, 'AliasRecord', { zone: domain.hostedZone, recordName: domain.domainName, target });
      new route53.AaaaRecord(this, 'AliasRecordIpv6', { zone: domain.hostedZone, recordName: domain.domainName, target });
    }

    this.siteUrl = `https://${domain ? domain.domainName : this.distribution.distributionDomainName}`;
    new CfnOutput(this, 'SiteUrl', { value: this.siteUrl, description: 'URL of the site' });
    new CfnOutput(this, 'DistributionId', { value: this.distribution.distributionId, description: 'CloudFront distribution id' });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName, description: 'Bucket that holds the SPA' });
    new CfnOutput(this, 'ApiEndpoint', { value: this.httpApi.apiEndpoint, description: 'HTTP API endpoint (use the site URL + prefix instead)' });
    if (this.originVerifySecret) {
      new CfnOutput(this, 'OriginVerifySecretArn', {
        value: this.originVerifySecret.secretArn,
        description: 'Secret CloudFront sends to the API (origin verification); rotate it as the README describes',
      });
    }

    // findings cdk-nag (AwsSolutions) reports, suppressed where they do not apply, each with its reason
    suppressSpaFindings({
      distribution: this.distribution,
      customDomain: domain !== undefined,
      webAcl: props.webAclArn !== undefined,
      cloudFrontLogging,
      logsBucket: this.logsBucket,
      httpApi: this.httpApi,
      userAuthorizer: props.api.authorizer !== undefined,
      originVerifySecret: this.originVerifySecret,
    });
    suppressCdkHelperFindings(this, [this.bucket]);

    if (props.monitoring?.enabled ?? true) {
      this.monitoring = new SpaMonitoring(this, 'Monitoring', {
        ...props.monitoring,
        function: this.function,
        functionTimeout: timeout,
        httpStage: this.stage,
        distribution: this.distribution,
      });
    }
  }

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
   * Requests to the HTTP API's `$default` stage.
   *
   * @default - sum over 5 minutes
   */
  public metricApiRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stage.metricCount(props);
  }

  /**
   * 4xx responses of the HTTP API's `$default` stage.
   *
   * @default - sum over 5 minutes
   */
  public metricApiClientErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stage.metricClientError(props);
  }

  /**
   * 5xx responses of the HTTP API's `$default` stage.
   *
   * @default - sum over 5 minutes
   */
  public metricApiServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stage.metricServerError(props);
  }

  /**
   * Latency of the HTTP API's `$default` stage, in milliseconds, from request to response.
   *
   * @default - average over 5 minutes
   */
  public metricApiLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stage.metricLatency(props);
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

const US_EAST_1 = 'us-east-1';
const PREFIX_RE = /^(\/[A-Za-z0-9._~-]+)+$/;
const HOSTNAME_RE = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

/** Validates every prop in one place, before anything is built, and throws once. */
function validateProps(scope: Construct, id: string, props: SpaWithLambdaApiProps): void {
  const errors = new PropErrors();
  const stack = Stack.of(scope);

  // site
  const site = props.site;
  if (site.source === undefined && site.sourceAsset === undefined) {
    errors.add('site has neither source nor sourceAsset. Set source to the built SPA folder (for example "frontend/dist"), '
      + 'or sourceAsset to a prebuilt s3deploy.ISource.');
  } else if (site.source !== undefined && site.sourceAsset !== undefined) {
    errors.add(`site.source is ${show(site.source)} and site.sourceAsset is set too, but the site can only come from one of them. `
      + 'Keep source for a built folder, or sourceAsset for a prebuilt source.');
  }
  if (site.source !== undefined
    && validateDirectory(errors, 'site.source', site.source, 'the built SPA folder, for example frontend/dist')) {
    if (!fs.existsSync(path.join(site.source, 'index.html'))) {
      errors.add(`site.source is ${show(site.source)}, but it has no index.html. `
        + 'It must be the output folder of your SPA build (for example frontend/dist after `npm run build`). Build the SPA first, or point at the folder that holds index.html.');
    }
    const reserved = listFiles(site.source).find((f) => f.startsWith(MANIFEST_PREFIX));
    if (reserved) {
      errors.add(`site.source is ${show(site.source)}, but it contains ${show(reserved)}, and the key prefix ${show(MANIFEST_PREFIX)} `
        + 'is reserved for the release manifests in the site bucket. Rename or remove that folder in your build output.');
    }
  }
  const globs = site.hashedAssetGlobs;
  if (globs !== undefined && (globs.length === 0 || globs.some((g) => g.trim() === '' || g === '*'))) {
    errors.add(`site.hashedAssetGlobs is ${show(globs)}, but it must list at least one glob and none may be empty or "*" `
      + '(that would cache index.html for a year). List the folders or name patterns of content-hashed files, for example ["assets/*"].');
  } else if (globs !== undefined && matchesAny('index.html', globs)) {
    errors.add(`site.hashedAssetGlobs is ${show(globs)}, but "index.html" matches it, so index.html would be cached for a year `
      + 'and deploys would never reach returning visitors. Use globs that match only content-hashed files, for example ["assets/*"].');
  }
  if (site.sourceAsset !== undefined && globs === undefined) {
    errors.add('site.sourceAsset is set, but site.hashedAssetGlobs is not. A prebuilt source cannot be listed at synth time, '
      + 'so the construct cannot tell its content-hashed files from index.html. Set hashedAssetGlobs to the globs of your build, '
      + 'for example SpaWithLambdaApi.DEFAULT_HASHED_ASSET_GLOBS, or ["assets/*"] for Vite.');
  }
  const keep = site.keepReleases;
  if (keep !== undefined && !Token.isUnresolved(keep) && (!Number.isInteger(keep) || keep < DEFAULT_KEEP_RELEASES)) {
    errors.add(`site.keepReleases is ${show(keep)}, but it must be a whole number of at least ${DEFAULT_KEEP_RELEASES}: `
      + 'browser tabs opened before a deploy still load the previous release\'s files. Use 2 (the default) or more.');
  }

  // api
  validateFunctionProps(errors, resolveFunctionProps(props.api), 'api.');
  validateOperationsProps(errors, props.api, resolveFunctionProps(props.api).runtime, 'api.');
  const prefix = props.api.prefix;
  if (prefix !== undefined && !Token.isUnresolved(prefix) && !PREFIX_RE.test(prefix)) {
    errors.add(`api.prefix is ${show(prefix)}, but it must start with "/", name at least one path segment and not end with "/" `
      + '(letters, digits and . _ ~ - only), for example "/api" or "/backend/v1". The SPA owns "/".');
  }
  for (const [name, value, integer] of [
    ['throttlingRateLimit', props.api.throttlingRateLimit, false],
    ['throttlingBurstLimit', props.api.throttlingBurstLimit, true],
  ] as const) {
    if (value !== undefined && !Token.isUnresolved(value) && (value < 0 || !Number.isFinite(value) || (integer && !Number.isInteger(value)))) {
      errors.add(`api.${name} is ${show(value)}, but it must be ${integer ? 'a whole number' : 'a number'} of at least 0. `
        + `Set it to the ${integer ? 'burst size in requests' : 'requests per second'} you want the API to accept, or leave it unset for the default.`);
    }
  }

  // monitoring
  if (props.monitoring && (props.monitoring.enabled ?? true)) {
    validateMonitoringSettings(errors, props.monitoring, 'monitoring.', resolveFunctionProps(props.api).timeout);
  }

  // security: origin verification, authorizer, WAF, response headers
  validateSecurityProps(errors, props);

  // domain
  const domain = props.domain;
  if (domain) {
    const name = domain.domainName;
    if (!Token.isUnresolved(name) && !HOSTNAME_RE.test(name)) {
      errors.add(`domain.domainName is ${show(name)}, but it must be a fully qualified lower-case host name such as "app.example.com" `
        + '(no scheme, path, port or wildcard).');
    }
    const zoneName = domain.hostedZone?.zoneName;
    if (zoneName && !Token.isUnresolved(zoneName) && !Token.isUnresolved(name)) {
      const zone = zoneName.replace(/\.$/, '');
      if (name !== zone && !name.endsWith(`.${zone}`)) {
        errors.add(`domain.domainName is ${show(name)}, but domain.hostedZone is ${show(zone)}, which cannot hold records for it. `
          + 'Pass the hosted zone of that domain, or a domain name inside the zone.');
      }
    }
    if (!domain.hostedZone && !domain.certificate) {
      errors.add(`domain has neither hostedZone nor certificate for ${show(name)}. `
        + 'Pass hostedZone (records and, in us-east-1, the certificate are created), or certificate (an ACM certificate in us-east-1) '
        + 'if your DNS is elsewhere, or both.');
    }
    if (domain.hostedZone && !domain.certificate && stack.region !== US_EAST_1) {
      const region = Token.isUnresolved(stack.region) ? 'unresolved (environment-agnostic stack)' : show(stack.region);
      errors.add(`domain.certificate is not set and the stack region is ${region}, but CloudFront only accepts certificates from us-east-1, `
        + 'so this construct can only create one when the stack is in us-east-1. Create the certificate in a us-east-1 stack and pass it: '
        + '`new acm.Certificate(certStack, \'Cert\', { domainName, validation: acm.CertificateValidation.fromDns(zone) })` with '
        + '`crossRegionReferences: true` on both stacks, or `acm.Certificate.fromCertificateArn(this, \'Cert\', \'arn:aws:acm:us-east-1:...\')`.');
    }
    const certRegion = domain.certificate ? certificateRegion(domain.certificate) : undefined;
    if (certRegion && certRegion !== US_EAST_1) {
      errors.add(`domain.certificate is in ${show(certRegion)}, but CloudFront only accepts ACM certificates from us-east-1. `
        + 'Request or import the certificate in us-east-1 and pass that one.');
    }
  }

  errors.throwIfAny('SpaWithLambdaApi', id);
}

/** The region of a certificate, when known at synth time. */
function certificateRegion(cert: acm.ICertificate): string | undefined {
  const arn = cert.certificateArn;
  if (!Token.isUnresolved(arn)) {
    return arn.split(':')[3] || undefined;
  }
  const region = cert.env.region;
  return Token.isUnresolved(region) ? undefined : region;
}
