import { Duration } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * How the API refuses requests that did not come through the distribution (origin verification).
 *
 * CloudFront adds a secret header to every request it sends to the API. The secret is a Secrets Manager
 * secret generated at deploy time; the template holds only a dynamic reference to it. The API function's
 * handler is wrapped: a request whose header does not match the secret's current or previous value is
 * answered `403 {"message": "Forbidden"}` before the FastAPI module is imported. The HTTP API's authorizer
 * slot stays free for your own authorizer (`api.authorizer`).
 */
export interface OriginVerificationOptions {
  /**
   * Whether the API refuses requests that do not carry the secret header.
   *
   * Without it, anyone who learns the `execute-api` URL can call the API around CloudFront, bypassing
   * its security headers, WAF and logs. Turn it off only when something else guarantees that.
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
   * secret" in the README.
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
}
