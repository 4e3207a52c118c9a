/**
 * The acknowledgement helper: the finding IDs it writes are the ones cdk-nag prints, and with an aws-cdk-lib that has
 * `Validations.acknowledge` (2.252.0 and later; this project compiles against 2.245.0, which has none) every
 * acknowledgement is also made there, one per finding, on the CloudFormation resource. The real cdk-nag 3 run on
 * aws-cdk-lib 2.276 is in compat.test.ts.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { addNagSuppressions, nagResourceFinding, validationsAcknowledge } from '../../src/private/nag';

describe('finding IDs', () => {
  test.each([
    ['a bucket\'s objects', (s: Stack) => new s3.Bucket(s, 'Bucket').arnForObjects('*')],
    ['the assets bucket of an imported name', (s: Stack) => s3.Bucket.fromBucketName(s, 'Assets', `cdk-hnb659fds-assets-${s.account}-${s.region}`).arnForObjects('*')],
    ['every version of a function', (s: Stack) => `${new lambda.Function(s, 'Fn', {
      runtime: lambda.Runtime.PYTHON_3_13, handler: 'index.handler', code: lambda.Code.fromInline('x = 1'),
    }).functionArn}:*`],
    ['a role ARN with a wildcard', (s: Stack) => `arn:${s.partition}:iam::${s.account}:role/cdk-hnb659fds-deploy-role-${s.account}-*`],
  ])('%s: the string cdk-nag prints', (_name, arn) => {
    for (const env of [undefined, { account: '111111111111', region: 'eu-west-1' }]) {
      const stack = new Stack(new App(), 'Stack', { env });
      const value = arn(stack);
      expect(nagResourceFinding(stack, value)).toBe(`Resource::${flattenCfnReference(stack.resolve(value))}`);
    }
  });
});

describe('acknowledgements', () => {
  test('the aws-cdk-lib this project compiles against has no Validations.acknowledge: metadata only', () => {
    expect(validationsAcknowledge()).toBeUndefined();
  });

  test('with Validations.acknowledge, one acknowledgement per finding on the CloudFormation resource, with the reason', () => {
    const calls: Array<{ path: string; id: string; reason: string }> = [];
    class FakeValidations {
      static of(scope: { node: { path: string } }) {
        return new FakeValidations(scope);
      }
      private constructor(private readonly scope: { node: { path: string } }) {}
      acknowledge(...rules: Array<{ id: string; reason: string }>) {
        calls.push(...rules.map((r) => ({ path: this.scope.node.path, ...r })));
      }
    }
    jest.isolateModules(() => {
      jest.doMock('aws-cdk-lib', () => ({ ...jest.requireActual('aws-cdk-lib'), Validations: FakeValidations }));
      /* eslint-disable @typescript-eslint/no-require-imports */
      const cdk: typeof import('aws-cdk-lib') = require('aws-cdk-lib');
      const isolatedIam: typeof iam = require('aws-cdk-lib/aws-iam');
      const nag: typeof import('../../src/private/nag') = require('../../src/private/nag');
      /* eslint-enable @typescript-eslint/no-require-imports */
      const stack = new cdk.Stack(new cdk.App(), 'Stack');
      const policy = new isolatedIam.Policy(stack, 'Policy', {
        statements: [new isolatedIam.PolicyStatement({ actions: ['s3:Get*'], resources: ['*'] })],
      });
      nag.addNagSuppressions(policy, [
        { id: 'AwsSolutions-IAM5', reason: 'Two findings, acknowledged one by one.', appliesTo: ['Action::s3:Get*', 'Resource::*'] },
        { id: 'AwsSolutions-S1', reason: 'A rule without findings, acknowledged as a whole.' },
      ]);
      jest.dontMock('aws-cdk-lib');
    });
    expect(calls).toEqual([
      { path: 'Stack/Policy/Resource', id: 'AwsSolutions-IAM5[Action::s3:Get*]', reason: 'Two findings, acknowledged one by one.' },
      { path: 'Stack/Policy/Resource', id: 'AwsSolutions-IAM5[Resource::*]', reason: 'Two findings, acknowledged one by one.' },
      { path: 'Stack/Policy/Resource', id: 'AwsSolutions-S1', reason: 'A rule without findings, acknowledged as a whole.' },
    ]);
  });

  test('fails when a reason is too short or a finding has whitespace', () => {
    const stack = new Stack(new App(), 'Stack');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => addNagSuppressions(role, [{ id: 'AwsSolutions-IAM4', reason: 'short' }]))
      .toThrow('cdk-nag suppression AwsSolutions-IAM4 on Stack/Role needs an ASCII reason of at least 10 characters');
    expect(() => addNagSuppressions(role, [{ id: 'AwsSolutions-IAM5', reason: 'A reason long enough.', appliesTo: ['Resource::a b'] }]))
      .toThrow('cdk-nag finding AwsSolutions-IAM5[Resource::a b] on Stack/Role contains whitespace, which Validations.acknowledge cannot match');
  });
});
