import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';

/**
 * A secret the FastAPI function reads at run time: a Secrets Manager secret or an SSM SecureString parameter.
 *
 * Used as the values of the `secrets` prop (`{ ENV_NAME: FunctionSecret.fromSecretsManager(secret) }`). The
 * function gets read access to that one secret or parameter, and the environment variable holds its ARN
 * (Secrets Manager) or name (SSM), never the value: the value stays out of the template and the function's
 * configuration. Read it in Python once per cold start (see "Secrets at runtime" in docs/operations.md).
 *
 * @exampleMetadata fixture=with-imports
 * @example
 * import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
 * import * as ssm from 'aws-cdk-lib/aws-ssm';
 * import { FastApiFunction, FunctionSecret } from 'cdk-spa-with-lambda-api';
 *
 * const apiKey = secretsmanager.Secret.fromSecretNameV2(this, 'ApiKey', 'prod/payment-api-key');
 * const dbPassword = ssm.StringParameter.fromSecureStringParameterAttributes(this, 'DbPassword', {
 *   parameterName: '/prod/db/password',
 * });
 * new FastApiFunction(this, 'Api', {
 *   source: 'backend',
 *   secrets: {
 *     PAYMENT_API_KEY_ARN: FunctionSecret.fromSecretsManager(apiKey),
 *     DB_PASSWORD_PARAMETER: FunctionSecret.fromSsmParameter(dbPassword),
 *   },
 * });
 */
export class FunctionSecret {
  /**
   * A Secrets Manager secret. The environment variable holds the secret's ARN; the function may call
   * `secretsmanager:GetSecretValue` and `secretsmanager:DescribeSecret` on it (and `kms:Decrypt` with its
   * customer managed key, if it has one).
   */
  public static fromSecretsManager(secret: secretsmanager.ISecret): FunctionSecret {
    return new FunctionSecret(secret.secretArn, secret, undefined);
  }

  /**
   * An SSM Parameter Store SecureString (or String) parameter, for example from
   * `ssm.StringParameter.fromSecureStringParameterAttributes()`. The environment variable holds the parameter's
   * name; the function may read that parameter (`ssm:GetParameter` and related read actions, and `kms:Decrypt`
   * when the parameter's `encryptionKey` is given).
   */
  public static fromSsmParameter(parameter: ssm.IParameter): FunctionSecret {
    return new FunctionSecret(parameter.parameterName, undefined, parameter);
  }

  /**
   * What the environment variable holds: the secret's ARN, or the parameter's name.
   */
  public readonly reference: string;

  /** The Secrets Manager secret, for secrets from `fromSecretsManager`. */
  public readonly secret?: secretsmanager.ISecret;

  /** The SSM parameter, for secrets from `fromSsmParameter`. */
  public readonly parameter?: ssm.IParameter;

  private constructor(reference: string, secret?: secretsmanager.ISecret, parameter?: ssm.IParameter) {
    this.reference = reference;
    this.secret = secret;
    this.parameter = parameter;
  }

  /**
   * Grants read access to the secret or parameter, and nothing else.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    if (this.secret) {
      return this.secret.grantRead(grantee);
    }
    return this.parameter!.grantRead(grantee);
  }
}
