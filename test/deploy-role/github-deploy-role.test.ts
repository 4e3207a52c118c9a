import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
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

describe('immutable subject claims (repo:<owner>-<ownerId>/<repo>-<repositoryId> and repo:<owner>@<ownerId>/<repo>@<repositoryId>)', () => {
  test('with ownerId and repositoryId every subject names the IDs, and no name-only subject is trusted', () => {
    const { template, construct } = synth({ repository: 'octo-org/my-app', ownerId: 123456, repositoryId: 456789, environments: ['production'] });
    expect(trustStatement(template).Condition.StringLike).toEqual({
      'token.actions.githubusercontent.com:sub': [
        'repo:octo-org-123456/my-app-456789:environment:production',
        'repo:octo-org@123456/my-app@456789:environment:production',
      ],
    });
    expect(construct.subjects).toEqual([
      'repo:octo-org-123456/my-app-456789:environment:production',
      'repo:octo-org@123456/my-app@456789:environment:production',
    ]);
  });

  test('branches get the ID form too', () => {
    const { construct } = synth({ repository: 'octo-org/my-app', ownerId: 1, repositoryId: 2, branches: ['release/*'] });
    expect(construct.subjects).toEqual(['repo:octo-org-1/my-app-2:ref:refs/heads/release/*', 'repo:octo-org@1/my-app@2:ref:refs/heads/release/*']);
  });

  test('a repository given as a token (a parameter) is split into owner and name in the template', () => {
    const stack = newStack();
    const repository = new CfnParameter(stack, 'Repository', { default: 'octo-org/my-app' }).valueAsString;
    const { template } = synth({ repository, ownerId: 1, repositoryId: 2, environments: ['production'] }, stack);
    const sub = trustStatement(template).Condition.StringLike['token.actions.githubusercontent.com:sub'];
    const part = (i: number) => ({ 'Fn::Select': [i, { 'Fn::Split': ['/', { Ref: 'Repository' }] }] });
    expect(sub).toEqual([
      { 'Fn::Join': ['', ['repo:', part(0), '-1/', part(1), '-2:environment:production']] },
      { 'Fn::Join': ['', ['repo:', part(0), '@1/', part(1), '@2:environment:production']] },
    ]);
  });

  test('a subject of a re-registered name (same names, other IDs) or of the name-only form does not match the trust', () => {
    const { construct } = synth({ repository: 'octo-org/my-app', ownerId: 123456, repositoryId: 456789, environments: ['production'] });
    const matches = (sub: string) => construct.subjects.some((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(sub));
    expect(matches('repo:octo-org@123456/my-app@456789:environment:production')).toBe(true);
    expect(matches('repo:octo-org-123456/my-app-456789:environment:production')).toBe(true);
    expect(matches('repo:octo-org@999999/my-app@456789:environment:production')).toBe(false);
    expect(matches('repo:octo-org-999999/my-app-456789:environment:production')).toBe(false);
    expect(matches('repo:octo-org-123456/my-app-456789:ref:refs/heads/main')).toBe(false);
    expect(matches('repo:octo-org/my-app@111111:environment:production')).toBe(false);
    expect(matches('repo:octo-org/my-app:environment:production')).toBe(false);
  });
});

describe('branches combined with environments', () => {
  test('warns that a job on the branch without environment: skips the required reviewers', () => {
    const { stack } = synth({ repository: 'octo-org/my-app', branches: ['main'], environments: ['production'] });
    const warnings = Annotations.fromStack(stack).findWarning('/DeployRoleStack/Deploy', Match.anyValue());
    expect(warnings.map((w) => w.entry.data)).toEqual([
      'The role trusts branches (main) and environments (production) at once: any job on those branches that does not name `environment:` '
      + 'assumes it through the branch subject and skips the environments\' required reviewers and deployment-branch rules (pull_request_target, '
      + 'workflow_run, issue_comment and schedule runs on the default branch included). Trust only environments and protect them with required '
      + 'reviewers, or use a separate role for the branch. [ack: cdk-spa-with-lambda-api:deployRoleBranchAndEnvironment]',
    ]);
  });

  test.each([
    [{ environments: ['production'] }],
    [{ branches: ['main'] }],
  ])('no warning with environments or branches alone (%j)', (trust) => {
    const { stack } = synth({ repository: 'octo-org/my-app', ...trust });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
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
    // exact findings (cdk-nag 3 matches acknowledgements by equality): the bootstrap roles of this account, nothing else
    expect(suppression.applies_to).toEqual(GitHubDeployRole.CDK_BOOTSTRAP_ROLE_KINDS.map((kind) =>
      `Resource::arn:<AWS::Partition>:iam::111111111111:role/cdk-hnb659fds-${kind}-role-111111111111-*`));
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

  test.each([
    ['octo-org/${aws:username}'], ['${token.actions.githubusercontent.com:repository}'],
  ])('fails when repository contains an IAM policy variable (%s)', (repository) => {
    expectError({ repository, environments: ['production'] }, `repository is ${JSON.stringify(repository)}, but it contains "\${", which starts an IAM `
      + 'policy variable: IAM would substitute it when it evaluates the trust, so the role could trust another repository. Name exactly one '
      + 'repository as "owner/repo", for example "octo-org/my-app".');
  });

  test.each(['${aws:username}', 'feature/${token.actions.githubusercontent.com:actor}', 'release/${x}/*'])(
    'fails when a branch contains an IAM policy variable (%s)', (branch) => {
      expectError({ repository: 'octo-org/my-app', branches: [branch] }, `branches contains ${JSON.stringify(branch)}, but "\${" starts an IAM policy `
        + 'variable, which IAM substitutes when it evaluates the trust and which could widen it to other branches. Name the branch without "${", '
        + 'for example "main".');
    });

  test.each(['${aws:username}', 'prod-${token.actions.githubusercontent.com:environment}'])(
    'fails when an environment contains an IAM policy variable (%s)', (env) => {
      expectError({ repository: 'octo-org/my-app', environments: [env] }, `environments contains ${JSON.stringify(env)}, but "\${" starts an IAM `
        + 'policy variable, which IAM substitutes when it evaluates the trust and which could widen it to other environments. Name the GitHub '
        + 'environment without "${", for example "production".');
    });

  test.each(['prod?', 'pro*'])('fails when an environment contains a wildcard (%s)', (env) => {
    expectError({ repository: 'octo-org/my-app', environments: [env] }, `environments contains ${JSON.stringify(env)}, but wildcards are not allowed: `
      + 'they would trust environments that do not exist yet. Name each GitHub environment, for example "production".');
  });

  test.each([
    [{ ownerId: 123456 }, 'ownerId', 'repositoryId'],
    [{ repositoryId: 456789 }, 'repositoryId', 'ownerId'],
  ])('fails when only one immutable ID is given (%j)', (ids, set, unset) => {
    expectError({ repository: 'octo-org/my-app', environments: ['production'], ...ids }, `${set} is set but ${unset} is not, and an immutable subject `
      + 'claim holds both IDs (repo:<owner>@<ownerId>/<repo>@<repositoryId>:...). Set both (`gh api repos/<owner>/<repo> --jq \'.owner.id, .id\'` '
      + 'prints them), or neither for the name-only subject.');
  });

  test.each([0, -5, 1.5, Number.MAX_SAFE_INTEGER + 2])('fails when an immutable ID is not a positive whole number (%p)', (id) => {
    expectError({ repository: 'octo-org/my-app', environments: ['production'], ownerId: id, repositoryId: 7 }, `ownerId is ${JSON.stringify(id)}, `
      + 'but a GitHub account ID is a positive whole number. Use the number `gh api repos/<owner>/<repo> --jq \'.owner.id, .id\'` prints.');
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
