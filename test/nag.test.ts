/**
 * cdk-nag's AwsSolutions pack on the example app, on variants of the facade with every security-relevant
 * option, on FastApiFunction alone, and on the integ test stacks: no error and no warning may be left
 * unsuppressed. The library writes its suppressions as `cdk_nag` resource metadata, each with a reason, and
 * does not depend on cdk-nag.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aspects, CfnResource, DefaultStackSynthesizer, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BACKEND, SITE } from './util';
import { buildVerificationApp, integTestFiles, synthIntegApp, VERIFICATION_STACKS } from './verification-stacks';
import { SpaWithLambdaApi } from '../src';

/** Every unsuppressed AwsSolutions error and warning of a stack, as `<rule>@<path below the stack>`. */
function findings(stack: Stack): string[] {
  const annotations = Annotations.fromStack(stack);
  const messages = [
    ...annotations.findError('*', Match.stringLikeRegexp('^AwsSolutions-')),
    ...annotations.findWarning('*', Match.stringLikeRegexp('^AwsSolutions-')),
  ];
  return messages
    .map((m) => `${/^(AwsSolutions-\w+(?:\[.*?\])?):/.exec(String(m.entry.data))?.[1]}@${m.id.replace(`/${stack.stackName}/`, '')}`)
    .sort();
}

describe('cdk-nag AwsSolutions', () => {
  const { app, stacks } = buildVerificationApp();
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));

  test.each(VERIFICATION_STACKS.map((v) => [v.name, v.expectedNagFindings ?? []] as const))(
    '%s: no unsuppressed finding but the expected ones', (name, expected) => {
      expect(findings(stacks.get(name)!)).toEqual([...expected].sort());
    });

  test('the suppressions are resource metadata written by the library, each with a reason', () => {
    const stack = stacks.get('Example')!;
    const suppressed = stack.node.findAll()
      .filter((c): c is CfnResource => c instanceof CfnResource)
      .flatMap((r) => (r.getMetadata('cdk_nag')?.rules_to_suppress ?? []) as Array<{ id: string; reason: string }>);
    expect(suppressed.length).toBeGreaterThan(0);
    for (const s of suppressed) {
      expect(s.reason.length).toBeGreaterThan(40);
    }
    expect(stack.templateOptions.metadata?.cdk_nag).toBeUndefined(); // nothing is suppressed stack-wide
  });

  test('CFR4 (TLSv1 on the default certificate) is suppressed only without a custom domain', () => {
    const ids = (name: string) => ((stacks.get(name)!.node.findChild('App').node.findChild('Distribution').node.defaultChild as CfnResource)
      .getMetadata('cdk_nag').rules_to_suppress as Array<{ id: string }>).map((s) => s.id);
    expect(ids('Example')).toContain('AwsSolutions-CFR4');
    expect(ids('ExampleWithDomainUsEast1')).not.toContain('AwsSolutions-CFR4');
  });
});

describe('cdk-nag: the library acknowledges findings on its own resources only', () => {
  const HANDLER = 'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C';

  /** A stack with the user's own bucket, BucketDeployment and auto-deleted bucket next to the library's construct. */
  function userAndLibrary(order: 'user first' | 'library first', memoryLimit?: number): Stack {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'us-east-1' } });
    const user = () => {
      const bucket = new s3.Bucket(stack, 'UserBucket', {
        enforceSSL: true, serverAccessLogsPrefix: 'logs/', removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true,
      });
      new s3deploy.BucketDeployment(stack, 'UserDeployment', { destinationBucket: bucket, sources: [s3deploy.Source.asset(SITE)], memoryLimit });
    };
    if (order === 'user first') {
      user();
    }
    new SpaWithLambdaApi(stack, 'App', { site: { source: SITE }, api: { source: BACKEND }, removalPolicy: RemovalPolicy.DESTROY });
    if (order === 'library first') {
      user();
    }
    Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
    app.synth();
    return stack;
  }

  test('the handler of a user\'s own BucketDeployment (another memory size) keeps every finding', () => {
    const found = findings(userAndLibrary('library first'));
    expect(found).toEqual(expect.arrayContaining([
      `AwsSolutions-L1@${HANDLER}/Resource`,
      `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]@${HANDLER}/ServiceRole/Resource`,
      `AwsSolutions-IAM5[Action::s3:GetObject*]@${HANDLER}/ServiceRole/DefaultPolicy/Resource`,
      `AwsSolutions-IAM5[Resource::<UserBucket9D85EFED.Arn>/*]@${HANDLER}/ServiceRole/DefaultPolicy/Resource`,
    ]));
    // nothing of the library's is reported
    expect(found.filter((f) => f.includes('@App/') || f.includes('512MiB'))).toEqual([]);
  });

  test('a handler shared with a user\'s BucketDeployment keeps the findings the library cannot tell apart from the user\'s', () => {
    const found = findings(userAndLibrary('user first', 512)).filter((f) => f.includes(`${HANDLER}512MiB`));
    expect(found).toEqual(expect.arrayContaining([
      `AwsSolutions-L1@${HANDLER}512MiB/Resource`,
      `AwsSolutions-IAM5[Action::s3:DeleteObject*]@${HANDLER}512MiB/ServiceRole/DefaultPolicy/Resource`,
      `AwsSolutions-IAM5[Resource::<UserBucket9D85EFED.Arn>/*]@${HANDLER}512MiB/ServiceRole/DefaultPolicy/Resource`,
    ]));
    // the one finding that names the library's own site bucket stays acknowledged
    expect(found.filter((f) => f.includes('AppSiteBucket'))).toEqual([]);
  });

  test('the auto-delete-objects provider shared with the user\'s bucket carries no acknowledgement of the library', () => {
    const provider = userAndLibrary('user first').node.findChild('Custom::S3AutoDeleteObjectsCustomResourceProvider');
    const acknowledged = provider.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource)
      .filter((r) => r.getMetadata('cdk_nag') !== undefined || r.node.metadata.some((m) => m.type === 'aws:cdk:acknowledged-rules'));
    expect(acknowledged).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions on the integ test stacks', () => {
  const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-integ-'));
  afterAll(() => fs.rmSync(outRoot, { recursive: true, force: true }));

  test.each(integTestFiles().map((f) => path.basename(f)))('%s: no unsuppressed finding', (file) => {
    const templates = synthIntegApp(path.join(__dirname, file), path.join(outRoot, file));
    expect(templates.length).toBeGreaterThan(0);
    // the synthesized template, with its cdk_nag metadata, read back into a stack that cdk-nag checks
    const app = new App();
    Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
    const stacks = templates.map((t) => {
      // the template already has its BootstrapVersion parameter and rule
      const stack = new Stack(app, path.basename(t, '.template.json'), {
        synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      });
      new CfnInclude(stack, 'Template', { templateFile: t });
      return stack;
    });
    for (const stack of stacks) {
      expect(findings(stack)).toEqual([]);
    }
  });
});
