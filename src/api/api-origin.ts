import { Duration, RemovalPolicy, SecretValue, Stack, Token } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { apiAccessLogFormat } from './access-log-format';
import { FastApiFunction } from './fastapi-function';
import { resolveFunctionProps, validateFunctionOptions } from './function-validation';
import {
  DEFAULT_ORIGIN_VERIFY_HEADER, validateOriginVerificationOptions, validateOriginVerifyEnvironment, validateOriginVerifySecretKeys,
} from './origin-verification-layer';
import { SpaApiOptions } from './spa-api-options';
import { ViewerHostFunction } from './viewer-host-function';
import type { SpaMonitoringProps } from '../monitoring/monitoring-options';
import { LIMITS, markValidated, PropErrors, show } from '../private/validation';


const PREFIX_RE = /^(\/[A-Za-z0-9._~-]+)+$/;

/** Validates the facade's `api` props: the function, the HTTP API stage, origin verification and the authorizer. */
export function validateApiOptions(errors: PropErrors, api: SpaApiOptions): void {
  validateFunctionOptions(errors, api, 'api.');
  const prefix = api.prefix;
  if (prefix !== undefined && !Token.isUnresolved(prefix) && !PREFIX_RE.test(prefix)) {
    errors.add(`api.prefix is ${show(prefix)}, but it must start with "/", name at least one path segment and not end with "/" `
      + '(letters, digits and . _ ~ - only), for example "/api" or "/backend/v1". The SPA owns "/".');
  }
  for (const [name, value, integer] of [
    ['throttlingRateLimit', api.throttlingRateLimit, false],
    ['throttlingBurstLimit', api.throttlingBurstLimit, true],
  ] as const) {
    if (value !== undefined && !Token.isUnresolved(value) && (value < 0 || !Number.isFinite(value) || (integer && !Number.isInteger(value)))) {
      errors.add(`api.${name} is ${show(value)}, but it must be ${integer ? 'a whole number' : 'a number'} of at least 0. `
        + `Set it to the ${integer ? 'burst size in requests' : 'requests per second'} you want the API to accept, or leave it unset for the default.`);
    }
  }

  const ov = api.originVerification;
  validateOriginVerificationOptions(errors, 'api.originVerification.', ov, api, 'api.');
  if (ov?.enabled ?? true) {
    validateOriginVerifyEnvironment(errors, 'api.environment', api.environment ?? {});
    validateOriginVerifySecretKeys(errors, 'api.secrets', api.secrets ?? {});
  }
  if (api.authorizationScopes !== undefined && api.authorizer === undefined) {
    errors.add(`api.authorizationScopes is ${show(api.authorizationScopes)}, but api.authorizer is not set, and scopes are checked by `
      + 'the authorizer. Set api.authorizer (for example an HttpJwtAuthorizer), or remove api.authorizationScopes.');
  }
}

/** The function timeout of the facade's `api` props, defaults applied. */
export function apiTimeout(api: SpaApiOptions): Duration {
  return resolveFunctionProps(api).timeout;
}

export interface ApiOriginProps {
  /** The facade's `api` props, already validated with `validateApiOptions`. */
  readonly api: SpaApiOptions;
  /** Retention of the function's and the access logs' log groups. */
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the log groups. */
  readonly removalPolicy: RemovalPolicy;
  /** The distribution's custom domain names (the first is the primary name the API sees for any other Host). */
  readonly domainNames?: string[];
}

/** What the facade shows of the API origin as its `ApiEndpoint` output. */
export interface ApiEndpointOutput {
  readonly value: string;
  readonly description: string;
}

/**
 * The API part of the request path, one strategy per origin kind: the HTTP API ({@link HttpApiOrigin}, the default)
 * or a Lambda Function URL in response-streaming mode (`FunctionUrlApiOrigin`, `api.streaming`). Both own the
 * origin-verification secret, the FastAPI function and the viewer-host function; the facade wires whichever it
 * picked into the distribution, the outputs and the monitoring in the same way.
 *
 * Bind-style, as aws-cdk-lib's origins are: a strategy builds its resources in the scope it is given (the facade)
 * with the IDs they have always had there, so the logical IDs of the secret and the log groups never change.
 */
export abstract class ApiOrigin {
  /** The path prefix, for example `/api`. */
  public readonly prefix: string;
  /** The secret CloudFront sends in the origin-verification header, unless origin verification is off. */
  public readonly secret?: secretsmanager.ISecret;
  /** The FastAPI function (`ApiFunction`), built with props this file has validated. */
  public readonly fastApi: FastApiFunction;
  /** The function timeout, defaults applied. */
  public readonly timeout: Duration;
  /** The viewer-request CloudFront Function of the API behaviour: passes the viewer's host to the API. */
  public abstract readonly viewerHostFunction: ViewerHostFunction;
  /** The HTTP API, in the HTTP API strategy only. */
  public readonly httpApi?: apigwv2.HttpApi;
  /** The HTTP API's `$default` stage, in the HTTP API strategy only. */
  public readonly stage?: apigwv2.HttpStage;
  /** The log group of the HTTP API's access logs, in the HTTP API strategy only. */
  public readonly accessLogGroup?: logs.LogGroup;
  /** The Function URL, in the streaming strategy only. */
  public readonly functionUrl?: lambda.FunctionUrl;
  /** The CloudFront origin of the API behaviour. */
  protected abstract readonly origin: cloudfront.IOrigin;
  /** The origin-verification header name. */
  protected readonly headerName: string;

  protected constructor(scope: Construct, props: ApiOriginProps) {
    const { api, logRetention, removalPolicy } = props;
    this.prefix = api.prefix ?? '/api';
    this.timeout = apiTimeout(api);

    // origin verification: CloudFront sends this secret, the function refuses requests without it
    const verification = api.originVerification;
    this.headerName = verification?.headerName ?? DEFAULT_ORIGIN_VERIFY_HEADER;
    if (verification?.enabled ?? true) {
      this.secret = new secretsmanager.Secret(scope, 'OriginVerifySecret', {
        description: `Origin-verification header value CloudFront sends to the API of ${scope.node.path}`,
        generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      });
    }

    this.fastApi = new FastApiFunction(scope, 'ApiFunction', markValidated({
      ...api,
      logRetention,
      removalPolicy,
      originVerification: this.secret ? {
        secret: this.secret,
        headerName: this.headerName,
        cacheTtl: verification?.cacheTtl,
        importOnFirstRequest: verification?.importOnFirstRequest,
        trustViewerHost: true, // the API behaviour runs viewerHostFunction
      } : undefined,
    }));
  }

  /** The path pattern of the API behaviour: `<prefix>/*`. */
  public get pathPattern(): string {
    return `${this.prefix}/*`;
  }

  /** The `ApiEndpoint` output: the endpoint CloudFront forwards to. */
  public abstract endpoint(): ApiEndpointOutput;

  /** What the monitoring watches of the API: the function (and whether it refuses direct calls) and the origin's own metrics. */
  public abstract monitored(): Pick<SpaMonitoringProps, 'function' | 'functionVerifiesOrigin' | 'functionTimeout' | 'httpStage' | 'functionUrl'>;

  /**
   * The distribution's behaviour for `<prefix>/*`: all methods, caching disabled, every viewer header but Host,
   * HTTPS only. CloudFront Functions of the API behaviour belong in its `functionAssociations`.
   */
  public behavior(responseHeadersPolicy: cloudfront.IResponseHeadersPolicy): cloudfront.BehaviorOptions {
    return {
      origin: this.origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy,
      compress: true,
      functionAssociations: [{ eventType: cloudfront.FunctionEventType.VIEWER_REQUEST, function: this.viewerHostFunction }],
    };
  }

  /** The origin custom header that carries the secret: a dynamic reference, so the template holds no secret. */
  protected originCustomHeaders(api: SpaApiOptions): Record<string, string> | undefined {
    return this.secret ? {
      [this.headerName]: SecretValue.secretsManager(this.secret.secretArn, {
        versionId: api.originVerification?.secretVersionId,
      }).unsafeUnwrap(),
    } : undefined;
  }
}

/**
 * The default strategy: the HTTP API with its `$default` stage and access logs, integrating the function with payload
 * format 2.0, and the CloudFront origin that reaches its execute-api endpoint.
 */
export class HttpApiOrigin extends ApiOrigin {
  public readonly httpApi: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  public readonly accessLogGroup: logs.LogGroup;
  public readonly viewerHostFunction: ViewerHostFunction;
  protected readonly origin: cloudfront.IOrigin;

  constructor(scope: Construct, props: ApiOriginProps) {
    super(scope, props);
    const { api, logRetention, removalPolicy } = props;
    const stack = Stack.of(scope);

    this.accessLogGroup = new logs.LogGroup(scope, 'ApiAccessLogs', { retention: logRetention, removalPolicy });
    this.httpApi = new apigwv2.HttpApi(scope, 'HttpApi', {
      description: `API of ${scope.node.path}, served under ${this.prefix}/* by CloudFront`,
      createDefaultStage: false,
      // the live alias when SnapStart or provisioned concurrency is on
      defaultIntegration: new integrations.HttpLambdaIntegration('FastApi', this.fastApi.invokeTarget, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      }),
      defaultAuthorizer: api.authorizer,
      defaultAuthorizationScopes: api.authorizationScopes,
    });
    this.stage = new apigwv2.HttpStage(scope, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: {
        rateLimit: api.throttlingRateLimit ?? 500,
        burstLimit: api.throttlingBurstLimit ?? 1000,
      },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: apiAccessLogFormat(),
      },
    });

    this.viewerHostFunction = new ViewerHostFunction(scope, 'ApiViewerHostFunction', { domainNames: props.domainNames });

    const timeoutSeconds = this.timeout.isUnresolved() ? LIMITS.maxApiTimeoutSeconds : this.timeout.toSeconds();
    this.origin = new origins.HttpOrigin(`${this.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      // longer than the function timeout, so the API's own timeout error reaches the client
      readTimeout: Duration.seconds(Math.min(60, timeoutSeconds + 5)),
      customHeaders: this.originCustomHeaders(api),
    });
  }

  public endpoint(): ApiEndpointOutput {
    return { value: this.httpApi.apiEndpoint, description: 'HTTP API endpoint (use the site URL + prefix instead)' };
  }

  public monitored(): Pick<SpaMonitoringProps, 'function' | 'functionVerifiesOrigin' | 'functionTimeout' | 'httpStage'> {
    const verifiesOrigin = this.secret !== undefined;
    return { function: this.fastApi.function, functionVerifiesOrigin: verifiesOrigin, functionTimeout: this.timeout, httpStage: this.stage };
  }
}
