import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GitHubDeployRole, GitHubDeployRoleProps } from '../../src';

function newStack(): Stack {
  return new Stack(new App(), 'DeployRoleStack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

/** An ARN as CloudFormation renders it: the partition stays a token even in a stack with an explicit environment. */
function arn(rest: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] };
}

function synth(props: GitHubDeployRoleProps, stack: Stack = newStack()) {
  const construct = new GitHubDeployRole(stack, 'Deploy', props);
  return { stack, construct, template: Template.fromStack(stack) };
}

/** The one role's trust policy statement. */
function trustStatement(template: Template): Record<string, any> {
  const roles = Object.values(template.findResources('AWS::IAM::Role'));
  expect(roles).toHaveLength(1);
  const statements = roles[0].Properties.AssumeRolePolicyDocument.Statement;
  expect(statements).toHaveLength(1);
  return statements[0];
}

describe('trust policy', () => {
  test('aud is StringEquals sts.amazonaws.com; sub is StringLike with exactly the branches and environments', () => {
    const { template } = synth({ repository: 'octo-org/my-app', branches: ['main', 'release/*'], environments: ['production'] });
    expect(trustStatement(template)).toEqual({
      Effect: 'Allow',
      Action: 'sts:AssumeRoleWithWebIdentity',
      Principal: { Federated: { Ref: expect.stringMatching(/^DeployOidcProvider/) } },
      Condition: {
        StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
        StringLike: {
          'token.actions.githubusercontent.com:sub': [
            'repo:octo-org/my-app:ref:refs/heads/main',
            'repo:octo-org/my-app:ref:refs/heads/release/*',
            'repo:octo-org/my-app:environment:production',
          ],
        },
      },
    });
  });

  test('environments only: no branch is trusted', () => {
    const { template, construct } = synth({ repository: 'octo-org/my-app', environments: ['staging', 'production'] });
    expect(trustStatement(template).Condition.StringLike).toEqual({
      'token.actions.githubusercontent.com:sub': ['repo:octo-org/my-app:environment:staging', 'repo:octo-org/my-app:environment:production'],
    });
    expect(construct.subjects).toEqual(['repo:octo-org/my-app:environment:staging', 'repo:octo-org/my-app:environment:production']);
  });

  test('a branch listed twice is trusted once', () => {
    const { template } = synth({ repository: 'octo-org/my-app', branches: ['main', 'main'] });
    expect(trustStatement(template).Condition.StringLike).toEqual({
      'token.actions.githubusercontent.com:sub': ['repo:octo-org/my-app:ref:refs/heads/main'],
    });
  });
});

describe('OIDC provider', () => {
  test('by default a native IAM OIDC provider for GitHub with audience sts.amazonaws.com is created', () => {
    const { template } = synth({ repository: 'octo-org/my-app', branches: ['main'] });
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    // no custom resource (the older iam.OpenIdConnectProvider needs a Lambda)
    template.resourceCountIs('Custom::AWSCDKOpenIdConnectProvider', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('importOidcProvider reuses the account\'s provider: nothing is created, the trust names its ARN', () => {
    const stack = newStack();
    const { template } = synth({
      repository: 'octo-org/my-app',
      branches: ['main'],
      oidcProvider: GitHubDeployRole.importOidcProvider(stack, 'GitHubOidc'),
    }, stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(trustStatement(template).Principal).toEqual({
      Federated: arn(':iam::111111111111:oidc-provider/token.actions.githubusercontent.com'),
    });
  });
});

describe('permissions', () => {
  function policyStatements(template: Template): unknown[] {
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles[0].Properties.ManagedPolicyArns).toBeUndefined();
    expect(roles[0].Properties.Policies).toHaveLength(1);
    return roles[0].Properties.Policies[0].PolicyDocument.Statement;
  }

  test('only sts:AssumeRole on the four CDK bootstrap roles of this account (default qualifier)', () => {
    const { template } = synth({ repository: 'octo-org/my-app', branches: ['main'] });
    expect(policyStatements(template)).toEqual([{
      Sid: 'AssumeCdkBootstrapRoles',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: [
        arn(':iam::111111111111:role/cdk-hnb659fds-deploy-role-111111111111-*'),
        arn(':iam::111111111111:role/cdk-hnb659fds-file-publishing-role-111111111111-*'),
        arn(':iam::111111111111:role/cdk-hnb659fds-image-publishing-role-111111111111-*'),
        arn(':iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-*'),
      ],
    }]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('a custom qualifier changes the role names', () => {
    const { template } = synth({ repository: 'octo-org/my-app', branches: ['main'], cdkQualifier: 'myapp' });
    const [statement] = policyStatements(template) as Array<{ Resource: unknown[] }>;
    expect(statement.Resource[0]).toEqual(arn(':iam::111111111111:role/cdk-myapp-deploy-role-111111111111-*'));
  });

  test('environment-agnostic stack: the ARNs use the partition and account of the deployment', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const { template } = synth({ repository: 'octo-org/my-app', branches: ['main'] }, stack);
    const [statement] = policyStatements(template) as Array<{ Resource: unknown[] }>;
    expect(statement.Resource[0]).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/cdk-hnb659fds-deploy-role-',
        { Ref: 'AWS::AccountId' }, '-*']],
    });
  });

  test('session of one hour by default, the role ARN is an output', () => {
    const { template } = synth({ repository: 'octo-org/my-app', branches: ['main'], roleName: 'github-deploy' });
    template.hasResourceProperties('AWS::IAM::Role', { MaxSessionDuration: 3600, RoleName: 'github-deploy' });
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeployRole'), 'Arn'] } });
  });

  test('the region wildcard of the bootstrap role ARNs is a cdk-nag IAM5 finding suppressed with a reason, for those ARNs only', () => {
    const { template } = synth({ repository: 'octo-org/my-app', branches: ['main'] });
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0];
    const [suppression] = role.Metadata.cdk_nag.rules_to_suppress;
    expect(suppression.id).toBe('AwsSolutions-IAM5');
    expect(suppression.reason).toMatch(/trailing \* stands for the region/);
    const regex = /^\/(.*)\/$/.exec(suppression.applies_to[0].regex)![1];
    expect(new RegExp(regex).test('Resource::arn:<AWS::Partition>:iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-*')).toBe(true);
    expect(new RegExp(regex).test('Resource::arn:<AWS::Partition>:iam::111111111111:role/*')).toBe(false);
    expect(new RegExp(regex).test('Resource::arn:<AWS::Partition>:iam::111111111111:role/cdk-other-deploy-role-111111111111-*')).toBe(false);
  });

  test('maxSessionDuration is configurable', () => {
    const { template } = synth({ repository: 'octo-org/my-app', branches: ['main'], maxSessionDuration: Duration.hours(2) });
    template.hasResourceProperties('AWS::IAM::Role', { MaxSessionDuration: 7200 });
  });
});

describe('bad input fails at synth time', () => {
  function expectError(props: GitHubDeployRoleProps, ...messages: string[]): void {
    expect(() => new GitHubDeployRole(newStack(), 'Deploy', props)).toThrow(
      new Error(`Invalid props for GitHubDeployRole 'Deploy':\n${messages.map((m) => `- ${m}`).join('\n')}`),
    );
  }

  test.each(['octo-org/*', '*/my-app', 'octo-org/my-?pp', '*'])('fails when repository contains a wildcard (%s)', (repository) => {
    expectError({ repository, branches: ['main'] }, `repository is ${JSON.stringify(repository)}, but it contains a wildcard, which would let other `
      + 'repositories assume the role. Name exactly one repository as "owner/repo", for example "octo-org/my-app"; create one role per repository.');
  });

  test.each(['my-app', 'https://github.com/octo-org/my-app', 'octo-org/my-app.git/x', 'octo-org/my-app/tree/main', 'octo org/my-app', '-octo/my-app', ''])(
    'fails when repository is not owner/repo (%j)', (repository) => {
      expectError({ repository, branches: ['main'] }, `repository is ${JSON.stringify(repository)}, but it must be "owner/repo" as in `
        + 'https://github.com/owner/repo, for example "octo-org/my-app" (no https://, no .git suffix, no branch).');
    });

  test('fails when neither branches nor environments are given', () => {
    expectError({ repository: 'octo-org/my-app', branches: [], environments: [] }, 'branches and environments are both empty, but the role must trust '
      + 'at least one branch or GitHub environment. Set for example branches: ["main"] or environments: ["production"].');
  });

  test.each(['*', '**', 'feature-*', 'release/*/hotfix', 'v?', '*/*'])('fails when a branch is a broad wildcard (%s)', (branch) => {
    expectError({ repository: 'octo-org/my-app', branches: [branch] }, `branches contains ${JSON.stringify(branch)}, but the only wildcard allowed is a `
      + 'trailing "/*" after a prefix (for example "release/*"): a broader pattern would let anyone who can push such a branch deploy. '
      + 'Name the branches, or use a GitHub environment with protection rules.');
  });

  test('fails when a branch is a full ref', () => {
    expectError({ repository: 'octo-org/my-app', branches: ['refs/heads/main'] },
      'branches contains "refs/heads/main", but branches are plain names. Use "main".');
  });

  test.each(['', 'a b', 'a..b', 'main:prod', '/*'])('fails when a branch is not a git branch name (%j)', (branch) => {
    expectError({ repository: 'octo-org/my-app', branches: [branch] },
      `branches contains ${JSON.stringify(branch)}, which is not a valid git branch name. Use the name as \`git branch\` shows it, for example "main".`);
  });

  test('fails when an environment contains a wildcard', () => {
    expectError({ repository: 'octo-org/my-app', environments: ['prod*'] }, 'environments contains "prod*", but wildcards are not allowed: they would '
      + 'trust environments that do not exist yet. Name each GitHub environment, for example "production".');
  });

  test('fails when an environment name is empty', () => {
    expectError({ repository: 'octo-org/my-app', environments: [' '] }, 'environments contains " ", but a GitHub environment name has 1 to 255 '
      + 'characters and no ":" or control characters. Use the name shown in the repository\'s Settings > Environments.');
  });

  test('fails when cdkQualifier is not a bootstrap qualifier', () => {
    expectError({ repository: 'octo-org/my-app', branches: ['main'], cdkQualifier: 'far-too-long-qualifier' }, 'cdkQualifier is "far-too-long-qualifier", '
      + 'but a CDK bootstrap qualifier has 1 to 10 letters, digits, "-" and "_". Use the value passed to `cdk bootstrap --qualifier` (the default is "hnb659fds").');
  });

  test('fails when maxSessionDuration is outside 1 to 12 hours', () => {
    expectError({ repository: 'octo-org/my-app', branches: ['main'], maxSessionDuration: Duration.minutes(30) },
      'maxSessionDuration is 30 minutes, but IAM allows 1 to 12 hours. Use for example Duration.hours(1).');
  });

  test('reports every problem at once', () => {
    expectError({ repository: 'octo-org/*', branches: ['*'] },
      'repository is "octo-org/*", but it contains a wildcard, which would let other repositories assume the role. Name exactly one repository as '
      + '"owner/repo", for example "octo-org/my-app"; create one role per repository.',
      'branches contains "*", but the only wildcard allowed is a trailing "/*" after a prefix (for example "release/*"): a broader pattern would let '
      + 'anyone who can push such a branch deploy. Name the branches, or use a GitHub environment with protection rules.');
  });
});
