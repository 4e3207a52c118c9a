import { Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { FastApiFunctionOptions } from './fastapi-function';
import { OriginVerificationOptions } from './origin-verification';

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
   * How long CloudFront waits for the next bytes from the API in streaming mode (`streaming`), from the request until
   * the first byte and between any two chunks. Requires `streaming`; the HTTP API origin's follows `timeout`.
   *
   * During a silence longer than this CloudFront ends the response (a 504 before the first byte, a cut stream after):
   * an SSE endpoint should send a keep-alive comment (`: ping`) well within it. Over 60 seconds needs the
   * "Response timeout per origin" quota raised (up to 180 seconds), or the deploy fails.
   *
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html#DownloadDistValuesOriginResponseTimeout
   * @default Duration.seconds(60)
   */
  readonly originReadTimeout?: Duration;

  /**
   * The longest a streamed API response may stay open at CloudFront, in streaming mode (`streaming`): CloudFront
   * ends the connection after it. Requires `streaming`; at least `originReadTimeout`, at most 1 hour.
   *
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html#response-completion-timeout
   * @default - the function timeout plus 10 seconds (5 minutes 10 seconds with the default timeout)
   */
  readonly originResponseCompletionTimeout?: Duration;

  /**
   * Steady-state request rate limit of the API's `$default` stage, in requests per second. HTTP API only: not allowed
   * with `streaming` (use `reservedConcurrency` and a WAF rate-based rule there).
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html
   * @default 500
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst limit of the API's `$default` stage, in requests. HTTP API only: not allowed with `streaming`.
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
   * authorizer, then the function checks the origin header. HTTP API only: not allowed with `streaming`.
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
