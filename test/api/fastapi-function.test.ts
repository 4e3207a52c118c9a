import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { FastApiFunction, FastApiFunctionProps, FunctionSecret, SpaApiOptions, SpaWithLambdaApi } from '../../src';
import { BACKEND, minimalProps, newStack } from '../util';

function synth(props: Partial<FastApiFunctionProps> = {}, stack: Stack = newStack()) {
  const api = new FastApiFunction(stack, 'Api', { source: BACKEND, ...props });
  return { stack, api, template: Template.fromStack(stack) };
}

/** The statements of every IAM policy in the template (inline role policies and AWS::IAM::Policy). */
function allStatements(template: Template): Array<Record<string, any>> {
  const statements: Array<Record<string, any>> = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    statements.push(...policy.Properties.PolicyDocument.Statement);
  }
  for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
    for (const inline of role.Properties.Policies ?? []) {
      statements.push(...inline.PolicyDocument.Statement);
    }
  }
  return statements;
}

function functionProps(template: Template): Record<string, any> {
  const fns = Object.values(template.findResources('AWS::Lambda::Function'));
  expect(fns).toHaveLength(1);
  return fns[0].Properties;
}

describe('secrets', () => {
  test('a Secrets Manager secret: its ARN in the environment, read access to that secret only', () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'ApiKey');
    const { template } = synth({ secrets: { API_KEY_ARN: FunctionSecret.fromSecretsManager(secret) } }, stack);
    const secretId = stack.getLogicalId(secret.node.defaultChild as secretsmanager.CfnSecret);

    expect(functionProps(template).Environment.Variables.API_KEY_ARN).toEqual({ Ref: secretId });
    const secretStatements = allStatements(template).filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));
    expect(secretStatements).toEqual([{
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: { Ref: secretId },
    }]);
  });

  test('an imported secret: the exact ARN, and never a dynamic reference to its value', () => {
    const stack = newStack();
    const arn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:prod/payment-AbCdEf';
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Payment', arn);
    const { template } = synth({ secrets: { PAYMENT_SECRET_ARN: FunctionSecret.fromSecretsManager(secret) } }, stack);
    expect(functionProps(template).Environment.Variables.PAYMENT_SECRET_ARN).toBe(arn);
    expect(allStatements(template)).toContainEqual({
      Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: arn,
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('{{resolve:secretsmanager');
  });

  test('an SSM SecureString parameter: its name in the environment, read access to that parameter (and its key)', () => {
    const stack = newStack();
    const encryptionKey = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const parameter = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'DbPassword', {
      parameterName: '/prod/db/password', encryptionKey,
    });
    const { template } = synth({ secrets: { DB_PASSWORD_PARAMETER: FunctionSecret.fromSsmParameter(parameter) } }, stack);
    expect(functionProps(template).Environment.Variables.DB_PASSWORD_PARAMETER).toBe('/prod/db/password');
    const statements = allStatements(template);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['ssm:DescribeParameters', 'ssm:GetParameters', 'ssm:GetParameter', 'ssm:GetParameterHistory'],
      Resource: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' },
          ':parameter/prod/db/password']],
      },
    });
    expect(statements).toContainEqual({
      Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
    // nothing broader than the one parameter
    expect(statements.filter((s) => JSON.stringify(s.Action).includes('ssm:'))).toHaveLength(1);
  });

  test('the facade passes api.secrets through', () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'ApiKey');
    const secrets = { API_KEY_ARN: FunctionSecret.fromSecretsManager(secret) };
    new SpaWithLambdaApi(stack, 'App', minimalProps({ api: { source: BACKEND, secrets } }));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ API_KEY_ARN: { Ref: stack.getLogicalId(secret.node.defaultChild as secretsmanager.CfnSecret) } }),
      },
    });
  });
});

describe('plain environment values that look like secrets', () => {
  const warning = (names: string[]) => `environment sets ${names.map((n) => JSON.stringify(n)).join(', ')} in plain text, and `
    + `${names.length === 1 ? 'it looks like a secret' : 'they look like secrets'}: anyone who can read the function's configuration or the `
    + `CloudFormation template can read ${names.length === 1 ? 'it' : 'them'}. Store secrets in Secrets Manager or as SSM SecureString parameters `
    + 'and pass them in secrets (for example secrets: { DB_SECRET_ARN: FunctionSecret.fromSecretsManager(secret) }); the function then gets the '
    + 'ARN or name, never the value. If the values are not secret, acknowledge this warning. [ack: cdk-spa-with-lambda-api:plaintextSecret]';

  test('names ending in _SECRET, _PASSWORD, _KEY, _TOKEN and URLs with a password produce one warning', () => {
    const { stack } = synth({
      environment: {
        JWT_SECRET: 'x',
        DB_PASSWORD: 'y',
        stripe_api_key: 'sk_live_123',
        GITHUB_TOKEN: 'ghp_123',
        DATABASE_URL: 'postgresql://app:s3cret@db.internal:5432/app',
        STAGE: 'prod',
      },
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Api',
      warning(['JWT_SECRET', 'DB_PASSWORD', 'stripe_api_key', 'GITHUB_TOKEN', 'DATABASE_URL']));
  });

  test('a DATABASE_URL without a password, references to secrets and ordinary names do not warn', () => {
    const { stack } = synth({
      environment: {
        DATABASE_URL: 'postgresql://app@db.internal:5432/app',
        DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf',
        KEYBOARD_LAYOUT: 'us',
        STAGE: 'prod',
      },
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('plaintextSecret'));
  });

  test('a single name gets a singular message', () => {
    const { stack } = synth({ environment: { SESSION_SECRET: 'abc' } });
    Annotations.fromStack(stack).hasWarning('/TestStack/Api', warning(['SESSION_SECRET']));
  });
});

describe('VPC', () => {
  function vpcStack() {
    const stack = newStack('eu-west-1');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    return { stack, vpc };
  }

  test('the function runs in the private subnets, with inline network-interface permissions and no AWS managed policy', () => {
    const { stack, vpc } = vpcStack();
    const { template, api } = synth({ vpc }, stack);
    const props = functionProps(template);
    expect(props.VpcConfig.SubnetIds).toEqual(vpc.privateSubnets.map((s) => ({ Ref: stack.getLogicalId(s.node.defaultChild as ec2.CfnSubnet) })));
    expect(props.VpcConfig.SecurityGroupIds).toHaveLength(1);

    const policies = template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('VpcAccessPolicy') } });
    expect(Object.keys(policies)).toHaveLength(1);
    const [policyId, policy] = Object.entries(policies)[0];
    expect(policy.Properties.PolicyDocument.Statement).toEqual([{
      Sid: 'LambdaVpcNetworkInterfaces',
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      Resource: '*',
    }]);
    expect(policy.Metadata.cdk_nag.rules_to_suppress).toEqual([expect.objectContaining({ id: 'AwsSolutions-IAM5', applies_to: ['Resource::*'] })]);
    // the permissions exist before Lambda creates the network interfaces
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
    expect(fn.DependsOn).toContain(policyId);
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    expect(api.connections.securityGroups).toHaveLength(1);
  });

  test('chosen subnets and security groups are used', () => {
    const { stack, vpc } = vpcStack();
    const securityGroup = new ec2.SecurityGroup(stack, 'ApiSg', { vpc });
    const { template, api } = synth({ vpc, vpcSubnets: { subnets: [vpc.privateSubnets[0]] }, securityGroups: [securityGroup] }, stack);
    expect(functionProps(template).VpcConfig).toEqual({
      SubnetIds: [{ Ref: stack.getLogicalId(vpc.privateSubnets[0].node.defaultChild as ec2.CfnSubnet) }],
      SecurityGroupIds: [{ 'Fn::GetAtt': [stack.getLogicalId(securityGroup.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] }],
    });
    expect(api.connections.securityGroups).toEqual([securityGroup]);
  });

  test('without a VPC there is no VPC config and no network-interface policy', () => {
    const { template } = synth();
    expect(functionProps(template).VpcConfig).toBeUndefined();
    expect(allStatements(template).some((s) => JSON.stringify(s.Action).includes('ec2:'))).toBe(false);
  });
});

describe('tracing', () => {
  test('off by default', () => {
    expect(functionProps(synth().template).TracingConfig).toBeUndefined();
  });

  test('lambda.Tracing.ACTIVE turns X-Ray on', () => {
    const { template } = synth({ tracing: lambda.Tracing.ACTIVE });
    expect(functionProps(template).TracingConfig).toEqual({ Mode: 'Active' });
    expect(allStatements(template)).toContainEqual({
      Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*',
    });
    // X-Ray has no resource-level permissions: the wildcard finding is suppressed with a reason, only when tracing is on
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('DefaultPolicy') } }));
    expect(policy.Metadata.cdk_nag.rules_to_suppress).toEqual([expect.objectContaining({ id: 'AwsSolutions-IAM5', applies_to: ['Resource::*'] })]);
  });
});

describe('SnapStart and concurrency', () => {
  test('by default: no version, no alias, no reserved or provisioned concurrency; callers invoke the function', () => {
    const { template, api } = synth();
    template.resourceCountIs('AWS::Lambda::Version', 0);
    template.resourceCountIs('AWS::Lambda::Alias', 0);
    expect(functionProps(template).ReservedConcurrentExecutions).toBeUndefined();
    expect(functionProps(template).SnapStart).toBeUndefined();
    expect(api.alias).toBeUndefined();
    expect(api.invokeTarget).toBe(api.function);
  });

  test('snapStart: SnapStart on published versions, and a live alias on the current version', () => {
    const { stack, template, api } = synth({ snapStart: true });
    expect(functionProps(template).SnapStart).toEqual({ ApplyOn: 'PublishedVersions' });
    const versions = Object.keys(template.findResources('AWS::Lambda::Version'));
    expect(versions).toHaveLength(1);
    const aliases = Object.values(template.findResources('AWS::Lambda::Alias'));
    expect(aliases).toHaveLength(1);
    expect(aliases[0].Properties).toEqual({
      Name: 'live',
      FunctionName: { Ref: stack.getLogicalId(api.function.node.defaultChild as lambda.CfnFunction) },
      FunctionVersion: { 'Fn::GetAtt': [versions[0], 'Version'] },
    });
    expect(api.invokeTarget).toBe(api.alias);
    // the aws-lambda "publish a version" reminder is handled, so it is acknowledged
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('SnapStart only supports published'));
  });

  test('provisionedConcurrency: on the live alias, without SnapStart', () => {
    const { template } = synth({ provisionedConcurrency: 2, reservedConcurrency: 10 });
    template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 },
    });
    expect(functionProps(template).SnapStart).toBeUndefined();
    expect(functionProps(template).ReservedConcurrentExecutions).toBe(10);
  });

  test('the HTTP API integration and its invoke permission point at the alias', () => {
    const stack = newStack();
    const app = new SpaWithLambdaApi(stack, 'App', minimalProps({ api: { source: BACKEND, snapStart: true } }));
    const template = Template.fromStack(stack);
    const aliasId = stack.getLogicalId(app.api.alias!.node.defaultChild as lambda.CfnAlias);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationUri: { Ref: aliasId } });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction', FunctionName: { Ref: aliasId }, Principal: 'apigateway.amazonaws.com',
    });
  });

  test('without an alias the HTTP API integration invokes the function', () => {
    const stack = newStack();
    const app = new SpaWithLambdaApi(stack, 'App', minimalProps());
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationUri: { 'Fn::GetAtt': [stack.getLogicalId(app.function.node.defaultChild as lambda.CfnFunction), 'Arn'] },
    });
  });
});

describe('bad input fails at synth time', () => {
  let count = 0;
  /** A new stack in the app of `stack` (props may hold constructs of `stack`; validation throws before they are referenced). */
  function sibling(stack?: Stack): Stack {
    return stack ? new Stack(stack.node.root as App, `Sibling${count++}`) : newStack();
  }
  function expectFunctionError(props: Partial<FastApiFunctionProps>, message: string, stack?: Stack): void {
    expect(() => new FastApiFunction(sibling(stack), 'Api', { source: BACKEND, ...props })).toThrow(
      new Error(`Invalid props for FastApiFunction 'Api':\n- ${message}`));
  }
  function expectFacadeError(api: Partial<SpaApiOptions>, message: string, stack?: Stack): void {
    expect(() => new SpaWithLambdaApi(sibling(stack), 'App', minimalProps({ api: { source: BACKEND, ...api } }))).toThrow(
      new Error(`Invalid props for SpaWithLambdaApi 'App':\n- ${message}`));
  }

  test('fails when snapStart is combined with provisionedConcurrency', () => {
    const tail = 'but Lambda does not allow SnapStart and provisioned concurrency on the same function. Choose one: SnapStart makes cold starts '
      + 'fast at no standing cost, provisioned concurrency keeps environments initialized for a fee.';
    expectFunctionError({ snapStart: true, provisionedConcurrency: 2 }, `snapStart is true and provisionedConcurrency is 2, ${tail}`);
    expectFacadeError({ snapStart: true, provisionedConcurrency: 2 }, `api.snapStart is true and api.provisionedConcurrency is 2, ${tail}`);
  });

  test('fails when snapStart is on a runtime without SnapStart', () => {
    const tail = 'but the runtime is "python3.11", and Lambda supports SnapStart for Python from python3.12. '
      + 'Use lambda.Runtime.PYTHON_3_12 or newer (or leave the runtime unset for the default), or turn SnapStart off.';
    expectFunctionError({ snapStart: true, runtime: lambda.Runtime.PYTHON_3_11 }, `snapStart is true, ${tail}`);
    expectFacadeError({ snapStart: true, runtime: lambda.Runtime.PYTHON_3_11 }, `api.snapStart is true, ${tail}`);
  });

  test('fails when provisionedConcurrency is above reservedConcurrency', () => {
    expectFunctionError({ provisionedConcurrency: 10, reservedConcurrency: 5 }, 'provisionedConcurrency is 10, but reservedConcurrency is 5, and '
      + 'Lambda rejects provisioned concurrency above the function\'s reserved concurrency. Raise the reserved concurrency to at least the '
      + 'provisioned one, or lower the provisioned concurrency.');
    expectFacadeError({ provisionedConcurrency: 10, reservedConcurrency: 5 }, 'api.provisionedConcurrency is 10, but api.reservedConcurrency is 5, '
      + 'and Lambda rejects provisioned concurrency above the function\'s reserved concurrency. Raise the reserved concurrency to at least the '
      + 'provisioned one, or lower the provisioned concurrency.');
  });

  test('fails when provisionedConcurrency or reservedConcurrency is not a valid count', () => {
    expectFunctionError({ provisionedConcurrency: 0 }, 'provisionedConcurrency is 0, but it must be a whole number of at least 1 '
      + '(execution environments kept warm). Leave it unset for none.');
    expectFunctionError({ reservedConcurrency: 2.5 }, 'reservedConcurrency is 2.5, but it must be a whole number of at least 0. '
      + 'Leave it unset to share the account\'s unreserved concurrency.');
  });

  test('fails when vpcSubnets or securityGroups are given without a VPC', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const securityGroup = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    expectFunctionError({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }, 'vpcSubnets is set, but vpc is not. Subnets are chosen '
      + 'inside a VPC: pass the VPC in vpc as well, or remove vpcSubnets.', stack);
    expectFacadeError({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }, 'api.vpcSubnets is set, but api.vpc is not. Subnets are '
      + 'chosen inside a VPC: pass the VPC in api.vpc as well, or remove api.vpcSubnets.', stack);
    expectFacadeError({ securityGroups: [securityGroup] }, 'api.securityGroups is set, but api.vpc is not. Security groups apply to a function in '
      + 'a VPC: pass the VPC in api.vpc as well, or remove api.securityGroups.', stack);
  });

  test('fails when a secret\'s name is not a usable environment variable name', () => {
    const stack = newStack();
    const secret = FunctionSecret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'db'));
    expectFunctionError({ secrets: { 'db-secret': secret } }, 'secrets has the key "db-secret", but keys are environment variable names: letters, '
      + 'digits and "_", not starting with a digit. Use for example "DB_SECRET_ARN".', stack);
    expectFunctionError({ secrets: { AWS_SECRET: secret } }, 'secrets has the key "AWS_SECRET", but Lambda reserves that environment variable name. '
      + 'Use another name, for example with your app\'s prefix.', stack);
    expectFacadeError({ secrets: { DB_SECRET_ARN: secret }, environment: { DB_SECRET_ARN: 'x' } }, 'api.secrets and api.environment both set '
      + '"DB_SECRET_ARN". Keep it in api.secrets only (the function gets the secret\'s ARN or parameter name there), and remove it from the plain environment.', stack);
  });
});
