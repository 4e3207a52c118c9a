import * as fs from 'fs';
import * as path from 'path';
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { FastApiFunction, resolveFunctionProps } from './fastapi-function';
import { apiAccessLogFormat } from './private/access-log-format';
import { securityHeadersPolicy } from './private/security-headers';
import { SiteDeployment } from './private/site-deployment';
import { LIMITS, PropErrors, show, validateDirectory, validateFunctionProps } from './private/validation';
import { SpaRouting } from './spa-routing';

/**
 * The single-page app: where its build output is and how it is routed.
 */
export interface SpaSiteOptions {
  /**
   * Path of the built SPA folder (for example `frontend/dist`). It must contain `index.html`.
   */
  readonly source: string;

  /**
   * Globs of the content-hashed files in `source`, with `aws s3 sync` semantics (fnmatch: `*` also
   * matches `/`).
   *
   * These files get `Cache-Control: public, max-age=31536000, immutable`, are uploaded before the other
   * files and are not deleted on the next deploy. Every other file gets `no-cache`.
   *
   * @default SpaWithLambdaApi.DEFAULT_HASHED_ASSET_GLOBS (Vite, webpack, Create React App and Angular output)
   */
  readonly hashedAssetGlobs?: string[];

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
export interface SpaApiOptions {
  /**
   * Path of the FastAPI project folder, which holds `requirements.txt` and the handler module.
   */
  readonly source: string;

  /**
   * The Lambda handler as `module.attribute`, relative to `source`.
   *
   * @default "app.main.handler"
   */
  readonly handler?: string;

  /**
   * The path prefix CloudFront sends to the API. `<prefix>/*` is routed to the API with the full path,
   * so FastAPI's routes include the prefix (`/api/health`). `<prefix>` alone (no trailing segment) is not
   * matched and goes to the SPA.
   *
   * @default "/api"
   */
  readonly prefix?: string;

  /**
   * The Python runtime.
   *
   * @default lambda.Runtime.PYTHON_3_14
   */
  readonly runtime?: lambda.Runtime;

  /**
   * The instruction set architecture of the function.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * Function memory in MB, from 128 to 10240.
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * Function timeout, at most 30 seconds (the HTTP API integration timeout).
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
   * @default Duration.seconds(15)
   */
  readonly timeout?: Duration;

  /**
   * Environment variables for the function.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };

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
   * A `Content-Security-Policy` header value for every response.
   *
   * @default - no CSP header (a strict default would break many SPA builds)
   */
  readonly contentSecurityPolicy?: string;

  /**
   * Retention of the logs this construct writes (the function's logs and the API access logs).
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the stateful resources (the site bucket and the log groups) when they leave the
   * stack. With `RemovalPolicy.DESTROY` the bucket's objects are deleted too, for test and preview stacks.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
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
 *   site: { source: path.join(__dirname, 'frontend', 'dist') },
 *   api: { source: path.join(__dirname, 'backend'), handler: 'app.main.handler' },
 * });
 */
export class SpaWithLambdaApi extends Construct {
  /**
   * Default globs of content-hashed files: Vite's `assets/`, Create React App's `static/`, and names with a
   * content hash as webpack (`main.3f2a9c1b.js`) and Angular (`main-ABCD1234.js`) write them.
   */
  public static readonly DEFAULT_HASHED_ASSET_GLOBS: string[] = [
    'assets/*',
    'static/*',
    '*.[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*.js',
    '*.[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*.css',
    '*-[A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9].js',
    '*-[A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9].css',
  ];

  /** The private bucket that holds the SPA (no public access, SSL only, S3-managed encryption). */
  public readonly bucket: s3.Bucket;

  /** The CloudFront distribution in front of the SPA and the API. */
  public readonly distribution: cloudfront.Distribution;

  /** The SPA-routing CloudFront Function, when `site.routing` is the viewer-request function. */
  public readonly spaRoutingFunction?: cloudfront.Function;

  /** The response headers policy with the security headers, on every behaviour. */
  public readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;

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

  /** The deployment of content-hashed assets (uploaded first, immutable, never pruned). */
  public readonly hashedAssetsDeployment: s3deploy.BucketDeployment;

  /** The deployment of every other file (`index.html`, ...), uploaded last and invalidated. */
  public readonly filesDeployment: s3deploy.BucketDeployment;

  /** The certificate of the custom domain, when one is set. */
  public readonly certificate?: acm.ICertificate;

  /** The URL of the site: `https://<domain>` or `https://<id>.cloudfront.net`. */
  public readonly siteUrl: string;

  /** The API's path prefix, for example `/api`. */
  public readonly apiPrefix: string;

  constructor(scope: Construct, id: string, props: SpaWithLambdaApiProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateProps(this, id, props);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    const routing = props.site.routing ?? SpaRouting.viewerRequestFunction();
    this.apiPrefix = props.api.prefix ?? '/api';

    this.bucket = new s3.Bucket(this, 'SiteBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });

    this.api = new FastApiFunction(this, 'ApiFunction', {
      source: props.api.source,
      handler: props.api.handler,
      runtime: props.api.runtime,
      architecture: props.api.architecture,
      memorySize: props.api.memorySize,
      timeout: props.api.timeout,
      environment: props.api.environment,
      logRetention,
      removalPolicy,
    });
    this.function = this.api.function;

    this.accessLogGroup = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy });
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: `API of ${this.node.path}, served under ${this.apiPrefix}/* by CloudFront`,
      createDefaultStage: false,
      defaultIntegration: new integrations.HttpLambdaIntegration('FastApi', this.function, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      }),
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

    this.responseHeadersPolicy = securityHeadersPolicy(this, 'SecurityHeaders', {
      contentSecurityPolicy: props.contentSecurityPolicy,
    });

    if (routing.mode === SpaRouting.viewerRequestFunction().mode) {
      this.spaRoutingFunction = new cloudfront.Function(this, 'SpaRoutingFunction', {
        comment: 'SPA routing: navigations and extension-less paths get /index.html',
        runtime: cloudfront.FunctionRuntime.JS_2_0,
        code: cloudfront.FunctionCode.fromFile({
          filePath: path.join(__dirname, '..', 'assets', 'cloudfront-functions', 'spa-routing.js'),
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

    const site = new SiteDeployment(this, 'SiteDeployment', {
      bucket: this.bucket,
      distribution: this.distribution,
      source: props.site.source,
      hashedGlobs: props.site.hashedAssetGlobs ?? SpaWithLambdaApi.DEFAULT_HASHED_ASSET_GLOBS,
    });
    this.hashedAssetsDeployment = site.hashedAssets;
    this.filesDeployment = site.files;

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
  if (validateDirectory(errors, 'site.source', props.site.source, 'the built SPA folder, for example frontend/dist')) {
    if (!fs.existsSync(path.join(props.site.source, 'index.html'))) {
      errors.add(`site.source is ${show(props.site.source)}, but it has no index.html. `
        + 'It must be the output folder of your SPA build (for example frontend/dist after `npm run build`). Build the SPA first, or point at the folder that holds index.html.');
    }
  }
  const globs = props.site.hashedAssetGlobs;
  if (globs !== undefined && (globs.length === 0 || globs.some((g) => g.trim() === '' || g === '*'))) {
    errors.add(`site.hashedAssetGlobs is ${show(globs)}, but it must list at least one glob and none may be empty or "*" `
      + '(that would cache index.html for a year). List the folders or name patterns of content-hashed files, for example ["assets/*"].');
  }

  // api
  validateFunctionProps(errors, resolveFunctionProps(props.api), 'api.');
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
