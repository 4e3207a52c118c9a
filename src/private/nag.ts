import { CfnResource, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { IConstruct } from 'constructs';
import { CloudFrontLoggingMode } from '../distribution/access-logging';

/**
 * A cdk-nag rule suppression, written by the library as `cdk_nag` resource metadata in the format
 * cdk-nag 2.x reads (`{ rules_to_suppress: [{ id, reason, applies_to? }] }`), so the library does not
 * depend on cdk-nag at runtime. A user who runs cdk-nag sees each suppression and its reason.
 */
export interface NagSuppression {
  /** The rule, for example `AwsSolutions-IAM5`. */
  readonly id: string;
  /** Why the finding does not apply; shown by cdk-nag. ASCII only (cdk-nag base64-encodes anything else). */
  readonly reason: string;
  /** The findings of a granular rule (IAM4, IAM5) this covers: exact strings or `{ regex: '/.../' }`. */
  readonly appliesTo?: Array<string | { regex: string }>;
}

/** Adds suppressions to the CloudFormation resource of `construct` (itself, or its default child). */
export function addNagSuppressions(construct: IConstruct, suppressions: NagSuppression[]): void {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnResource)) {
    throw new Error(`cannot add cdk-nag suppressions to ${construct.node.path}: it is not a CloudFormation resource`);
  }
  const existing: unknown[] = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
  const serialized = new Set(existing.map((r) => JSON.stringify(r)));
  for (const s of suppressions) {
    if (s.reason.length < 10 || /[^\x20-\x7e]/.test(s.reason)) {
      throw new Error(`cdk-nag suppression ${s.id} on ${construct.node.path} needs an ASCII reason of at least 10 characters`);
    }
    serialized.add(JSON.stringify({ id: s.id, reason: s.reason, ...(s.appliesTo ? { applies_to: s.appliesTo } : {}) }));
  }
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...serialized].map((r) => JSON.parse(r)) });
}

const BASIC_EXECUTION_ROLE = 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
const CDK_HELPER = 'Provisioned by aws-cdk-lib itself, not by this library\'s code';

/**
 * Suppresses, with reasons, the findings on the helper functions aws-cdk-lib creates for the constructs
 * this library uses (the BucketDeployment handler, the auto-delete-objects provider, the custom resource
 * provider framework). Their code, runtime and permissions are aws-cdk-lib's; each suppression names the
 * exact findings it covers.
 *
 * @param scope the library's construct (provider frameworks are looked up below it)
 * @param destinationBuckets the buckets the BucketDeployment handler writes to
 */
export function suppressCdkHelperFindings(scope: IConstruct, destinationBuckets: s3.IBucket[]): void {
  const stack = Stack.of(scope);
  for (const provider of scope.node.findAll().filter((c): c is cr.Provider => c instanceof cr.Provider)) {
    suppressProviderFramework(stack, provider);
  }
  for (const child of stack.node.children) {
    if (child instanceof lambda.Function && child.node.id.startsWith('Custom::CDKBucketDeployment')) {
      suppressBucketDeploymentHandler(stack, child, destinationBuckets);
    }
    if (child.node.id === 'Custom::S3AutoDeleteObjectsCustomResourceProvider') {
      suppressAutoDeleteProvider(child);
    }
  }
}

function suppressBucketDeploymentHandler(stack: Stack, fn: lambda.Function, buckets: s3.IBucket[]): void {
  addNagSuppressions(fn, [{
    id: 'AwsSolutions-L1',
    reason: `${CDK_HELPER}: the BucketDeployment handler's runtime is chosen by aws-cdk-lib and moves with aws-cdk-lib upgrades.`,
  }]);
  const role = fn.role;
  if (role?.node.defaultChild instanceof CfnResource) {
    addNagSuppressions(role, [{
      id: 'AwsSolutions-IAM4',
      reason: `${CDK_HELPER}: the BucketDeployment handler's role uses AWSLambdaBasicExecutionRole to write its own logs.`,
      appliesTo: [BASIC_EXECUTION_ROLE],
    }]);
  }
  const policy = role?.node.tryFindChild('DefaultPolicy');
  if (policy instanceof iam.Policy) {
    const bucketObjects = buckets
      .map((b) => b.node.defaultChild)
      .filter((c): c is CfnResource => c instanceof CfnResource)
      .map((c) => `Resource::<${stack.getLogicalId(c)}.Arn>/*`);
    addNagSuppressions(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: `${CDK_HELPER}: the BucketDeployment handler syncs the site with \`aws s3 sync\`, so it reads the CDK asset objects and `
        + 'reads, writes and deletes objects of the site bucket only (s3:GetObject*, s3:GetBucket*, s3:List*, s3:DeleteObject*, s3:Abort* on those buckets), '
        + 'and CloudFront invalidations take no resource-level permissions (cloudfront:CreateInvalidation/GetInvalidation need Resource "*").',
      appliesTo: [
        'Action::s3:GetObject*',
        'Action::s3:GetBucket*',
        'Action::s3:List*',
        'Action::s3:DeleteObject*',
        'Action::s3:Abort*',
        'Resource::*',
        { regex: '/^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-(<AWS::AccountId>|\\d{12})-(<AWS::Region>|[a-z0-9-]+)\\/\\*$/' },
        ...bucketObjects,
      ],
    }]);
  }
}

function suppressProviderFramework(stack: Stack, provider: cr.Provider): void {
  const fn = provider.node.tryFindChild('framework-onEvent');
  if (!(fn instanceof lambda.Function)) {
    return;
  }
  addNagSuppressions(fn, [{
    id: 'AwsSolutions-L1',
    reason: `${CDK_HELPER}: the custom resource provider framework's runtime is chosen by aws-cdk-lib and moves with aws-cdk-lib upgrades.`,
  }]);
  if (fn.role?.node.defaultChild instanceof CfnResource) {
    addNagSuppressions(fn.role, [{
      id: 'AwsSolutions-IAM4',
      reason: `${CDK_HELPER}: the custom resource provider framework's role uses AWSLambdaBasicExecutionRole to write its own logs.`,
      appliesTo: [BASIC_EXECUTION_ROLE],
    }]);
  }
  const policy = fn.role?.node.tryFindChild('DefaultPolicy');
  const handler = provider.onEventHandler.node.defaultChild;
  if (policy instanceof iam.Policy && handler instanceof CfnResource) {
    addNagSuppressions(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: `${CDK_HELPER}: the provider framework may invoke every version of its one handler function (lambda:InvokeFunction on <handler ARN>:*).`,
      appliesTo: [`Resource::<${stack.getLogicalId(handler)}.Arn>:*`],
    }]);
  }
}

function suppressAutoDeleteProvider(provider: IConstruct): void {
  for (const resource of provider.node.children) {
    if (!(resource instanceof CfnResource)) {
      continue;
    }
    if (resource.cfnResourceType === 'AWS::IAM::Role') {
      addNagSuppressions(resource, [{
        id: 'AwsSolutions-IAM4',
        reason: `${CDK_HELPER}: the auto-delete-objects provider (only with removalPolicy DESTROY) uses AWSLambdaBasicExecutionRole to write its own logs.`,
        appliesTo: [{ regex: '/^Policy::arn:<AWS::Partition>:iam::aws:policy\\/service-role\\/AWSLambdaBasicExecutionRole$/' }],
      }]);
    }
    if (resource.cfnResourceType === 'AWS::Lambda::Function') {
      addNagSuppressions(resource, [{
        id: 'AwsSolutions-L1',
        reason: `${CDK_HELPER}: the auto-delete-objects provider's runtime is chosen by aws-cdk-lib and moves with aws-cdk-lib upgrades.`,
      }]);
    }
  }
}

/** What decides which findings on the facade's own resources are suppressed. */
export interface SpaNagContext {
  readonly distribution: cloudfront.Distribution;
  readonly customDomain: boolean;
  readonly webAcl: boolean;
  readonly cloudFrontLogging: CloudFrontLoggingMode;
  readonly logsBucket: s3.Bucket;
  readonly httpApi: apigwv2.HttpApi;
  readonly userAuthorizer: boolean;
  readonly originVerifySecret?: secretsmanager.ISecret;
}

/**
 * Suppresses the AwsSolutions findings that do not apply to the facade's own resources, each only in the
 * configuration where it does not apply (for example CFR4 only without a custom domain).
 */
export function suppressSpaFindings(ctx: SpaNagContext): void {
  const distribution: NagSuppression[] = [{
    id: 'AwsSolutions-CFR1',
    reason: 'The site is public; restricting countries is a business decision, not a security default. '
      + 'Add a geo-match rule to the web ACL passed as webAclArn to restrict them.',
  }];
  if (!ctx.webAcl) {
    distribution.push({
      id: 'AwsSolutions-CFR2',
      reason: 'AWS WAF is opt-in (webAclArn): a web ACL costs a monthly fee and its rules depend on the application. '
        + 'Without it the API is still behind origin verification and the HTTP API stage throttling.',
    });
  }
  if (ctx.cloudFrontLogging === 'v2') {
    distribution.push({
      id: 'AwsSolutions-CFR3',
      reason: 'Access logs are delivered by CloudFront standard logging v2 (the AWS::Logs::DeliverySource, DeliveryDestination '
        + 'and Delivery resources of this construct) into the logs bucket; the rule only looks at the legacy Logging property.',
    });
  }
  if (!ctx.customDomain) {
    distribution.push({
      id: 'AwsSolutions-CFR4',
      reason: 'Without a custom domain the distribution uses the *.cloudfront.net certificate, whose minimum protocol CloudFront '
        + 'fixes at TLSv1. With a custom domain (the domain prop) this construct sets TLSv1.2_2021.',
    });
  }
  addNagSuppressions(ctx.distribution, distribution);

  addNagSuppressions(ctx.logsBucket, [{
    id: 'AwsSolutions-S1',
    reason: 'This is the access-log bucket of the site bucket and the distribution; logging its own access would only log '
      + 'the log deliveries, into another bucket that would need logs in turn.',
  }]);

  if (ctx.originVerifySecret) {
    addNagSuppressions(ctx.originVerifySecret, [{
      id: 'AwsSolutions-SMG4',
      reason: 'CloudFront reads this value only when the distribution is deployed, so a scheduled rotation would make the API '
        + 'refuse CloudFront until the next deploy. It is rotated by the documented procedure (put-secret-value, then deploy '
        + 'with api.originVerification.secretVersionId); the function accepts AWSCURRENT and AWSPREVIOUS meanwhile.',
    }]);
  }

  const route = ctx.httpApi.node.tryFindChild('DefaultRoute');
  if (route && !ctx.userAuthorizer && ctx.originVerifySecret) {
    addNagSuppressions(route, [{
      id: 'AwsSolutions-APIG4',
      reason: 'Callers are verified as this CloudFront distribution by origin verification in the function (a secret header '
        + 'checked before the app is imported), which leaves the route\'s authorizer slot free for api.authorizer; '
        + 'end-user authorization is the app\'s unless api.authorizer is set.',
    }]);
  }
}
