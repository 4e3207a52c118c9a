import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** A function's log group and an execution role that may write to it and nothing else. */
export interface FunctionLogging {
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
}

/**
 * Creates `LogGroup` (with retention) and `ServiceRole` (no AWS managed policy: an inline `Logs` policy that
 * allows writing to that log group only) in `scope`, for one of the library's own Lambda functions.
 */
export function functionLogging(scope: Construct, options: {
  readonly retention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}): FunctionLogging {
  const logGroup = new logs.LogGroup(scope, 'LogGroup', { retention: options.retention, removalPolicy: options.removalPolicy });
  const role = new iam.Role(scope, 'ServiceRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of ${scope.node.path}`,
    inlinePolicies: {
      Logs: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        })],
      }),
    },
  });
  return { logGroup, role };
}
