import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ApiEndpointOutput, ApiOrigin, ApiOriginProps } from './api-origin';
import { SpaApiOptions } from './spa-api-options';
import { streamingImportError } from './streaming-function';
import { ViewerHostFunction } from './viewer-host-function';
import type { SpaMonitoringProps } from '../monitoring/monitoring-options';
import { PropErrors, show } from '../private/validation';

/**
 * How long CloudFront waits for the next bytes of a streamed response unless `originReadTimeout` says otherwise: 60 s,
 * the most CloudFront allows without a quota increase. An SSE endpoint that sends a keep-alive comment more often
 * than this (every 15 s is usual) keeps a stream open for as long as the function runs.
 */
export const DEFAULT_ORIGIN_READ_TIMEOUT = Duration.seconds(60);
/** CloudFront's range for an origin read timeout (over 60 s needs a quota increase). */
const READ_TIMEOUT_RANGE = { min: 1, max: 180, withoutQuotaIncrease: 60 };
/** CloudFront's range for the response completion timeout. */
const COMPLETION_TIMEOUT_RANGE = { min: 1, max: 3600 };
/** How much longer than the function timeout CloudFront keeps a response open by default: the function's own end arrives first. */
const COMPLETION_MARGIN_SECONDS = 10;

/**
 * Validates the facade's streaming props: the CloudFront timeouts, and the HTTP-API-only options that cannot apply
 * to a Function URL (or the streaming-only options without `streaming`).
 */
export function validateStreamingApiOptions(errors: PropErrors, api: SpaApiOptions): void {
  const read = api.originReadTimeout;
  const completion = api.originResponseCompletionTimeout;
  if (api.streaming !== true) {
    const set = (['originReadTimeout', 'originResponseCompletionTimeout'] as const).filter((k) => api[k] !== undefined);
    if (set.length > 0) {
      errors.add(`${set.map((k) => 'api.' + k).join(' and ')} ${set.length > 1 ? 'are' : 'is'} set, but api.streaming is `
        + `${show(api.streaming ?? false)}: these CloudFront timeouts apply to the Function URL origin of streaming mode (the HTTP API `
        + 'origin follows api.timeout). Set api.streaming to true, or remove them.');
    }
    return;
  }

  for (const [name, value] of [['throttlingRateLimit', api.throttlingRateLimit], ['throttlingBurstLimit', api.throttlingBurstLimit]] as const) {
    if (value !== undefined) {
      errors.add(`api.${name} is ${show(value)} and api.streaming is true, but throttling is a setting of the HTTP API stage, and streaming `
        + 'mode has no HTTP API. Limit a streaming API with api.reservedConcurrency and a rate-based rule in the web ACL of webAclArn '
        + `(docs/streaming.md), and remove api.${name}.`);
    }
  }
  if (api.authorizer !== undefined || api.authorizationScopes !== undefined) {
    errors.add('api.authorizer or api.authorizationScopes is set and api.streaming is true, but authorizers run in the HTTP API, and '
      + 'streaming mode has no HTTP API. Check tokens in FastAPI (a dependency such as fastapi.security.HTTPBearer), '
      + 'or set api.streaming to false.');
  }
  const ov = api.originVerification;
  if (ov?.enabled === false) {
    errors.add('api.originVerification.enabled is false and api.streaming is true, but the Function URL of streaming mode is public '
      + '(auth NONE, so that a plain fetch POST from the SPA works), and the origin check is what refuses calls that did not come '
      + 'through CloudFront. Remove enabled: false, or set api.streaming to false.');
  } else if (ov?.importOnFirstRequest === true) {
    errors.add(streamingImportError('api.originVerification.importOnFirstRequest', 'api.'));
  }

  validateWholeSeconds(errors, 'api.originReadTimeout', read, READ_TIMEOUT_RANGE.min, READ_TIMEOUT_RANGE.max,
    `CloudFront accepts ${READ_TIMEOUT_RANGE.min} to ${READ_TIMEOUT_RANGE.withoutQuotaIncrease} seconds, and up to ${READ_TIMEOUT_RANGE.max} `
    + 'after a quota increase ("Response timeout per origin"). Send SSE keep-alive comments more often than this instead of raising it, '
    + `or leave it unset for ${DEFAULT_ORIGIN_READ_TIMEOUT.toSeconds()} seconds.`);
  validateWholeSeconds(errors, 'api.originResponseCompletionTimeout', completion, COMPLETION_TIMEOUT_RANGE.min, COMPLETION_TIMEOUT_RANGE.max,
    `CloudFront accepts ${COMPLETION_TIMEOUT_RANGE.min} to ${COMPLETION_TIMEOUT_RANGE.max} seconds. Leave it unset for the function timeout `
    + `plus ${COMPLETION_MARGIN_SECONDS} seconds.`);
  const readSeconds = seconds(read ?? DEFAULT_ORIGIN_READ_TIMEOUT);
  const completionSeconds = seconds(completion);
  if (readSeconds !== undefined && completionSeconds !== undefined && completionSeconds >= 1 && completionSeconds < readSeconds) {
    errors.add(`api.originResponseCompletionTimeout is ${show(completion)}, but it must be at least the origin read timeout `
      + `(${readSeconds} seconds): CloudFront rejects a shorter one. Raise it, or leave it unset for the function timeout plus `
      + `${COMPLETION_MARGIN_SECONDS} seconds.`);
  }
}

function seconds(d: Duration | undefined): number | undefined {
  return d === undefined || d.isUnresolved() ? undefined : d.toMilliseconds() / 1000;
}

function validateWholeSeconds(errors: PropErrors, prop: string, d: Duration | undefined, min: number, max: number, fix: string): void {
  const s = seconds(d);
  if (s !== undefined && (!Number.isInteger(s) || s < min || s > max)) {
    errors.add(`${prop} is ${show(d)}, but it must be whole seconds from ${min} to ${max}. ${fix}`);
  }
}

/**
 * The streaming strategy (`api.streaming`): a Function URL in `RESPONSE_STREAM` mode (`ApiFunctionUrl`) on the function
 * (or its `live` alias), reached by CloudFront through `FunctionUrlOrigin` with the origin secret as a custom header.
 *
 * The URL's auth type is NONE: with Origin Access Control (AWS_IAM) CloudFront signs the request, and Lambda then needs
 * the viewer to send `x-amz-content-sha256` with every POST or PUT body, which a plain `fetch` does not
 * (cdklabs/cdk-nextjs#87). The URL is therefore public, and the origin check (ASGI middleware in front of the app)
 * refuses a call without the secret before the app runs. aws-cdk-lib's `FunctionUrl` adds, for auth NONE, both
 * resource-policy statements Lambda requires since October 2025: `lambda:InvokeFunctionUrl` (with
 * `lambda:FunctionUrlAuthType: NONE`) and `lambda:InvokeFunction` (with `lambda:InvokedViaFunctionUrl: true`), both
 * on the URL's target only.
 */
export class FunctionUrlApiOrigin extends ApiOrigin {
  public readonly functionUrl: lambda.FunctionUrl;
  public readonly viewerHostFunction: ViewerHostFunction;
  /** The CloudFront origin read timeout. */
  public readonly readTimeout: Duration;
  /** The CloudFront response completion timeout, unless the function timeout is a token. */
  public readonly responseCompletionTimeout?: Duration;
  protected readonly origin: cloudfront.IOrigin;

  constructor(scope: Construct, props: ApiOriginProps) {
    super(scope, props);
    const { api } = props;

    this.functionUrl = new lambda.FunctionUrl(scope, 'ApiFunctionUrl', {
      function: this.fastApi.invokeTarget, // the live alias when provisioned concurrency is on
      authType: lambda.FunctionUrlAuthType.NONE,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
    });

    this.viewerHostFunction = new ViewerHostFunction(scope, 'ApiViewerHostFunction', { domainNames: props.domainNames });

    this.readTimeout = api.originReadTimeout ?? DEFAULT_ORIGIN_READ_TIMEOUT;
    this.responseCompletionTimeout = api.originResponseCompletionTimeout ?? (this.timeout.isUnresolved() || this.readTimeout.isUnresolved()
      ? undefined
      : Duration.seconds(Math.min(COMPLETION_TIMEOUT_RANGE.max,
        Math.max(this.readTimeout.toSeconds(), this.timeout.toSeconds() + COMPLETION_MARGIN_SECONDS))));
    this.origin = new origins.FunctionUrlOrigin(this.functionUrl, {
      readTimeout: this.readTimeout,
      responseCompletionTimeout: this.responseCompletionTimeout,
      customHeaders: this.originCustomHeaders(api),
    });
  }

  public endpoint(): ApiEndpointOutput {
    return { value: this.functionUrl.url, description: 'Function URL of the streaming API (use the site URL + prefix instead; direct calls are refused)' };
  }

  public monitored(): Pick<SpaMonitoringProps, 'function' | 'functionVerifiesOrigin' | 'functionTimeout' | 'functionUrl'> {
    return {
      function: this.fastApi.function,
      functionVerifiesOrigin: this.secret !== undefined,
      functionTimeout: this.timeout,
      functionUrl: this.functionUrl,
    };
  }
}
