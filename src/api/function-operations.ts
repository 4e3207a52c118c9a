import { Annotations, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { FastApiFunctionOptions } from './fastapi-function';
import { addNagSuppressions } from '../private/nag';
import { PropErrors, show } from '../private/validation';

/** The operations props of a FastAPI function (secrets, VPC, tracing, SnapStart, concurrency). */
export type FunctionOperationsProps = Pick<FastApiFunctionOptions, 'environment' | 'secrets' | 'vpc' | 'vpcSubnets'
| 'securityGroups' | 'snapStart' | 'provisionedConcurrency' | 'reservedConcurrency'>;

/** The name of the alias API integrations invoke when SnapStart or provisioned concurrency is on. */
export const LIVE_ALIAS_NAME = 'live';

const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Environment variable names Lambda reserves; a function that sets one fails to deploy. */
const RESERVED_ENV = /^(AWS_.*|_HANDLER|_X_AMZN_TRACE_ID|LAMBDA_TASK_ROOT|LAMBDA_RUNTIME_DIR|TZ)$/;
const RESERVED_ENV_ALLOWED = new Set(['AWS_LAMBDA_EXEC_WRAPPER', 'AWS_LAMBDA_LOG_LEVEL', 'AWS_LAMBDA_LOG_FORMAT']);

/** Whether Lambda reserves an environment variable name (a function that sets it fails to deploy). */
export function isReservedEnvName(name: string): boolean {
  return RESERVED_ENV.test(name) && !RESERVED_ENV_ALLOWED.has(name);
}

/**
 * Validates secrets, VPC, SnapStart and concurrency props, collecting every problem.
 * @param prefix the prop path shown in messages, `api.` in the facade, empty in FastApiFunction
 */
export function validateOperationsProps(errors: PropErrors, p: FunctionOperationsProps, runtime: lambda.Runtime, prefix: string): void {
  // secrets
  const environment = p.environment ?? {};
  for (const name of Object.keys(p.secrets ?? {})) {
    if (!ENV_NAME_RE.test(name)) {
      errors.add(`${prefix}secrets has the key ${show(name)}, but keys are environment variable names: letters, digits and "_", not starting with a digit. `
        + 'Use for example "DB_SECRET_ARN".');
    } else if (isReservedEnvName(name)) {
      errors.add(`${prefix}secrets has the key ${show(name)}, but Lambda reserves that environment variable name. Use another name, for example with your app's prefix.`);
    }
    if (Object.prototype.hasOwnProperty.call(environment, name)) {
      errors.add(`${prefix}secrets and ${prefix}environment both set ${show(name)}. Keep it in ${prefix}secrets only `
        + '(the function gets the secret\'s ARN or parameter name there), and remove it from the plain environment.');
    }
  }

  // VPC
  if (!p.vpc) {
    if (p.vpcSubnets) {
      errors.add(`${prefix}vpcSubnets is set, but ${prefix}vpc is not. Subnets are chosen inside a VPC: pass the VPC in ${prefix}vpc as well, `
        + `or remove ${prefix}vpcSubnets.`);
    }
    if (p.securityGroups && p.securityGroups.length > 0) {
      errors.add(`${prefix}securityGroups is set, but ${prefix}vpc is not. Security groups apply to a function in a VPC: pass the VPC in `
        + `${prefix}vpc as well, or remove ${prefix}securityGroups.`);
    }
  }

  // concurrency
  const provisioned = p.provisionedConcurrency;
  const reserved = p.reservedConcurrency;
  if (provisioned !== undefined && !Token.isUnresolved(provisioned) && (!Number.isInteger(provisioned) || provisioned < 1)) {
    errors.add(`${prefix}provisionedConcurrency is ${show(provisioned)}, but it must be a whole number of at least 1 (execution environments kept warm). `
      + 'Leave it unset for none.');
  }
  if (reserved !== undefined && !Token.isUnresolved(reserved) && (!Number.isInteger(reserved) || reserved < 0)) {
    errors.add(`${prefix}reservedConcurrency is ${show(reserved)}, but it must be a whole number of at least 0. `
      + 'Leave it unset to share the account\'s unreserved concurrency.');
  }
  if (provisioned !== undefined && reserved !== undefined && !Token.isUnresolved(provisioned) && !Token.isUnresolved(reserved)
    && provisioned > reserved) {
    errors.add(`${prefix}provisionedConcurrency is ${show(provisioned)}, but ${prefix}reservedConcurrency is ${show(reserved)}, and Lambda rejects `
      + 'provisioned concurrency above the function\'s reserved concurrency. Raise the reserved concurrency to at least the provisioned one, '
      + 'or lower the provisioned concurrency.');
  }

  // SnapStart
  if (p.snapStart) {
    if (!runtime.supportsSnapStart) {
      errors.add(`${prefix}snapStart is true, but the runtime is ${show(runtime.name)}, and Lambda supports SnapStart for Python from python3.12. `
        + 'Use lambda.Runtime.PYTHON_3_12 or newer (or leave the runtime unset for the default), or turn SnapStart off.');
    }
    if (provisioned !== undefined) {
      errors.add(`${prefix}snapStart is true and ${prefix}provisionedConcurrency is ${show(provisioned)}, but Lambda does not allow SnapStart and `
        + 'provisioned concurrency on the same function. Choose one: SnapStart makes cold starts fast at no standing cost, '
        + 'provisioned concurrency keeps environments initialized for a fee.');
    }
  }
}

const SECRET_NAME_RE = /(^|_)(SECRET|PASSWORD|PASSWD|KEY|TOKEN)$/i;
/** A URL with a password in its user info: `scheme://user:password@host`. */
const URL_WITH_PASSWORD_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/\s]*:[^@/\s]+@/;

/**
 * The names of plain environment variables that look like secrets: a name ending in `_SECRET`, `_PASSWORD`,
 * `_KEY` or `_TOKEN` (whatever the value, tokens included: a `{{resolve:...}}` reference still ends up in the
 * function's configuration in clear), or a value that is a URL with a password (`DATABASE_URL=postgres://u:p@h/db`).
 */
export function plaintextSecretNames(environment: { [key: string]: string }): string[] {
  return Object.entries(environment)
    .filter(([name, value]) => SECRET_NAME_RE.test(name)
      || (!Token.isUnresolved(value) && URL_WITH_PASSWORD_RE.test(value)))
    .map(([name]) => name);
}

/** Warns about plain environment values that look like secrets. */
export function warnPlaintextSecrets(scope: Construct, environment: { [key: string]: string }): void {
  const names = plaintextSecretNames(environment);
  if (names.length === 0) {
    return;
  }
  Annotations.of(scope).addWarningV2('cdk-spa-with-lambda-api:plaintextSecret',
    `environment sets ${names.map((n) => show(n)).join(', ')} in plain text, and ${names.length === 1 ? 'it looks' : 'they look'} like `
    + `${names.length === 1 ? 'a secret' : 'secrets'}: anyone who can read the function's configuration or the CloudFormation template can read `
    + `${names.length === 1 ? 'it' : 'them'}. Store secrets in Secrets Manager or as SSM SecureString parameters and pass them in secrets `
    + '(for example secrets: { DB_SECRET_ARN: FunctionSecret.fromSecretsManager(secret) }); the function then gets the ARN or name, '
    + 'never the value. If the values are not secret, acknowledge this warning.');
}

/**
 * Gives a function in a VPC the network-interface permissions Lambda needs, as an inline policy, when its role
 * is not the default one (the default role already gets AWS's managed `AWSLambdaVPCAccessExecutionRole`).
 * The function depends on the policy, so the permissions exist before Lambda creates the interfaces.
 */
export function grantVpcAccess(scope: Construct, fn: lambda.Function): iam.Policy | undefined {
  const defaultRole = fn.node.tryFindChild('ServiceRole');
  if (!fn.role || defaultRole) {
    return undefined;
  }
  const policy = new iam.Policy(scope, 'VpcAccessPolicy', {
    roles: [fn.role],
    statements: [new iam.PolicyStatement({
      sid: 'LambdaVpcNetworkInterfaces',
      // the actions of AWSLambdaVPCAccessExecutionRole; Lambda calls them with the function's role
      actions: [
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      resources: ['*'],
    })],
  });
  addNagSuppressions(policy, [{
    id: 'AwsSolutions-IAM5',
    reason: 'Lambda creates, describes and deletes the function\'s VPC network interfaces with its role; ec2:Describe* has no '
      + 'resource-level permissions and the interface IDs are not known in advance (the same statement as AWS\'s '
      + 'AWSLambdaVPCAccessExecutionRole, kept inline).',
    appliesTo: ['Resource::*'],
  }]);
  fn.node.addDependency(policy);
  return policy;
}

/**
 * With X-Ray tracing on, aws-cdk-lib adds `xray:PutTraceSegments` and `xray:PutTelemetryRecords` on `*` to the
 * role's default policy; X-Ray has no resource-level permissions for them. Suppresses that finding with the reason.
 */
export function suppressTracingFinding(fn: lambda.Function, tracing: lambda.Tracing | undefined): void {
  const defaultPolicy = fn.role?.node.tryFindChild('DefaultPolicy');
  if (tracing === undefined || tracing === lambda.Tracing.DISABLED || !defaultPolicy) {
    return;
  }
  addNagSuppressions(defaultPolicy, [{
    id: 'AwsSolutions-IAM5',
    reason: 'X-Ray tracing is on: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, '
      + 'so aws-cdk-lib grants them on "*" (the same as the AWSXRayDaemonWriteAccess managed policy).',
    appliesTo: ['Resource::*'],
  }]);
}
