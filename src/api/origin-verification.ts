import { Duration } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * How the API refuses requests that did not come through the distribution (origin verification).
 *
 * CloudFront adds a secret header to every request it sends to the API. The secret is a Secrets Manager
 * secret generated at deploy time; the template holds only a dynamic reference to it. The API function's
 * handler is wrapped: a request whose header does not match the secret's current or previous value is
 * answered `403 {"message": "Forbidden"}` and never calls the FastAPI app, and is counted in the
 * `OriginVerificationRefused` metric (namespace `CdkSpaWithLambdaApi`). The HTTP API's authorizer slot stays free for
 * your own authorizer (`api.authorizer`).
 *
 * Only behind the check does the app see the public host: the wrapper presents the viewer's host, which a
 * CloudFront Function on the API behaviour passes in a header, only for requests whose secret matched.
 */
export interface OriginVerificationOptions {
  /**
   * Whether the API refuses requests that do not carry the secret header.
   *
   * Without it, anyone who learns the `execute-api` URL can call the API around CloudFront, bypassing
   * its security headers, WAF and logs. Turn it off only when something else guarantees that. Without it the
   * app also sees the execute-api host rather than the public one (nothing could tell a CloudFront request from a
   * direct call that forges the viewer-host header), so its redirects and absolute URLs name that host.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Name of the header CloudFront adds to API requests.
   *
   * CloudFront replaces a viewer header of the same name, so a viewer cannot forge it. Names that CloudFront or
   * API Gateway treat specially or that end up in access logs (`Host`, `User-Agent`, `Referer`, `Origin`,
   * `Content-Type`, `Authorization`, `Cookie`, `Via`, `X-Forwarded-*`, `X-Amz-*`, `X-Amzn-*`, `CloudFront-*`,
   * `X-Edge-*`, ...) are refused at synth time.
   *
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html
   * @default "x-origin-verify"
   */
  readonly headerName?: string;

  /**
   * The version of the secret CloudFront sends, as the `VersionId` that `aws secretsmanager put-secret-value`
   * prints.
   *
   * CloudFormation resolves the secret only when the distribution changes, so after rotating the secret set
   * this to the new version and deploy: CloudFront then sends the new value. See "Rotating the origin
   * secret" in docs/security.md.
   *
   * @default - the version labelled AWSCURRENT when the distribution was created or last updated
   */
  readonly secretVersionId?: string;

  /**
   * How long the function caches the secret's values between reads from Secrets Manager.
   *
   * A value that matches nothing cached also triggers a re-read, at most every 30 seconds.
   *
   * @default Duration.minutes(5)
   */
  readonly cacheTtl?: Duration;

  /**
   * Import the FastAPI app on the first accepted request instead of in Lambda's init phase.
   *
   * By default the app is imported in the init phase, where Lambda gives the function burst CPU; a refused
   * request still never calls it. With this set, each new execution environment imports the app during its
   * first accepted request instead, at the CPU share of the function's memory (at 256 MB about a seventh of a
   * vCPU): that request is several times slower (see "Cold starts" in docs/operations.md for the measured ratio). The
   * only gain is that refused direct calls on a fresh environment never import the app. Not allowed with
   * `snapStart` or `provisionedConcurrency`, whose point is an initialized app.
   *
   * @default false
   */
  readonly importOnFirstRequest?: boolean;
}

/**
 * Origin verification for a {@link FastApiFunction} behind your own CloudFront distribution: the
 * function refuses every invocation whose `headerName` header does not hold the AWSCURRENT or AWSPREVIOUS
 * value of `secret`.
 */
export interface FunctionOriginVerification {
  /**
   * The secret whose value (a plain string, not JSON) the header must carry. The function may read its
   * AWSCURRENT and AWSPREVIOUS versions.
   */
  readonly secret: secretsmanager.ISecret;

  /**
   * Name of the header that carries the secret.
   *
   * Names that CloudFront or API Gateway treat specially or that end up in access logs are refused, as for
   * `SpaWithLambdaApi`'s `api.originVerification.headerName`.
   *
   * @default "x-origin-verify"
   */
  readonly headerName?: string;

  /**
   * How long the function caches the secret's values between reads from Secrets Manager.
   *
   * @default Duration.minutes(5)
   */
  readonly cacheTtl?: Duration;

  /**
   * Present the `x-cdk-spa-viewer-host` header to the app as its host (with https), once the secret matched.
   *
   * Set it only when every behaviour that reaches the function runs a {@link ViewerHostFunction} (viewer request):
   * that function sets the header from the viewer's `Host` and no viewer can choose its value. The app then
   * builds redirects and absolute URLs (`url_for`, `request.url`) for the public host instead of the
   * execute-api host. Without it, the header is removed and the app sees the host API Gateway received.
   *
   * @default false
   */
  readonly trustViewerHost?: boolean;

  /**
   * Import the app on the first accepted request instead of in Lambda's init phase.
   *
   * See `OriginVerificationOptions.importOnFirstRequest` for the cost. Not allowed with `snapStart` or
   * `provisionedConcurrency`.
   *
   * @default false
   */
  readonly importOnFirstRequest?: boolean;
}
