import * as cdk from 'aws-cdk-lib';
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
 * A cdk-nag rule acknowledgement, written by the library in both forms cdk-nag reads, so that the library does
 * not depend on cdk-nag at runtime and a user who runs either generation sees each acknowledgement and its reason:
 *
 * - cdk-nag 2.x: `cdk_nag` resource metadata (`{ rules_to_suppress: [{ id, reason, applies_to? }] }`);
 * - cdk-nag 3.x: aws-cdk-lib's `Validations.of(resource).acknowledge({ id, reason })`, one call per finding
 *   (`AwsSolutions-IAM5[Resource::...]`), where the aws-cdk-lib in use has it (2.252.0 and later).
 *
 * Both are recorded on the CloudFormation resource itself, so they cover that resource only.
 */
export interface NagSuppression {
  /** The rule, for example `AwsSolutions-IAM5`. */
  readonly id: string;
  /** Why the finding does not apply; shown by cdk-nag. ASCII only (cdk-nag 2 base64-encodes anything else). */
  readonly reason: string;
  /**
   * The exact findings of a granular rule (IAM4, IAM5) this covers, as cdk-nag prints them (`Action::s3:List*`,
   * `Resource::<Bucket1234.Arn>/*`). Exact strings only: cdk-nag 3 matches acknowledgements by equality.
   */
  readonly appliesTo?: string[];
}

/** The `Validations.of(scope).acknowledge()` of the aws-cdk-lib in use, or undefined where it has none (before 2.252.0). */
type Acknowledge = (scope: IConstruct, rule: { id: string; reason: string }) => void;

interface ValidationsApi {
  readonly prototype?: { acknowledge?: unknown };
  of(scope: IConstruct): { acknowledge(...rules: Array<{ id: string; reason: string }>): void };
}

/**
 * Feature-detects aws-cdk-lib's `Validations.acknowledge` at runtime: the library compiles against an aws-cdk-lib
 * (2.245.0) that has no `Validations` class (2.251.0 added it, 2.252.0 its `acknowledge`).
 */
export function validationsAcknowledge(): Acknowledge | undefined {
  const validations = (cdk as unknown as { Validations?: ValidationsApi }).Validations;
  if (typeof validations?.of !== 'function' || typeof validations.prototype?.acknowledge !== 'function') {
    return undefined;
  }
  return (scope, rule) => validations.of(scope).acknowledge(rule);
}

/** Adds acknowledgements to the CloudFormation resource of `construct` (itself, or its default child), in both forms. */
export function addNagSuppressions(construct: IConstruct, suppressions: NagSuppression[]): void {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnResource)) {
    throw new Error(`cannot add cdk-nag suppressions to ${construct.node.path}: it is not a CloudFormation resource`);
  }
  const existing: unknown[] = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
  const serialized = new Set(existing.map((r) => JSON.stringify(r)));
  const acknowledge = validationsAcknowledge();
  for (const s of suppressions) {
    if (s.reason.length < 10 || /[^\x20-\x7e]/.test(s.reason)) {
      throw new Error(`cdk-nag suppression ${s.id} on ${construct.node.path} needs an ASCII reason of at least 10 characters`);
    }
    const findings = s.appliesTo?.map((f) => `${s.id}[${f}]`) ?? [s.id];
    for (const f of findings) {
      // aws-cdk-lib turns spaces into '-' in acknowledged IDs, and cdk-nag 3 compares them as they are
      if (/\s/.test(f)) {
        throw new Error(`cdk-nag finding ${f} on ${construct.node.path} contains whitespace, which Validations.acknowledge cannot match`);
      }
    }
    serialized.add(JSON.stringify({ id: s.id, reason: s.reason, ...(s.appliesTo ? { applies_to: s.appliesTo } : {}) }));
    for (const id of acknowledge ? findings : []) {
      acknowledge!(resource, { id, reason: s.reason });
    }
  }
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...serialized].map((r) => JSON.parse(r)) });
}

/**
 * A `Resource::...` finding of cdk-nag's IAM5 rule for `arn` (a string that may hold tokens), in the form cdk-nag
 * prints it: the ARN resolved in `scope`'s stack, with `Ref` as `<Name>`, `Fn::GetAtt` as `<Logical.Attr>`, `Fn::Join`
 * joined and `${...}` of `Fn::Sub` as `<...>`.
 */
export function nagResourceFinding(scope: IConstruct, arn: string): string {
  return `Resource::${flattenReference(Stack.of(scope).resolve(arn))}`;
}

/** A `Policy::...` finding of cdk-nag's IAM4 rule for a managed policy ARN. */
export function nagPolicyFinding(scope: IConstruct, arn: string): string {
  return `Policy::${flattenReference(Stack.of(scope).resolve(arn))}`;
}

function flattenReference(node: unknown): string {
  if (node === undefined) {
    return '';
  }
  if (typeof node === 'string') {
    return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  }
  const fn = node as Record<string, unknown>;
  if (fn['Fn::Join']) {
    const [delimiter, items] = fn['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (fn['Fn::Sub']) {
    return flattenReference(fn['Fn::Sub']);
  }
  if (fn['Fn::GetAtt']) {
    const [logicalId, attribute] = fn['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(logicalId)}.${flattenReference(attribute)}>`;
  }
  if (fn['Fn::ImportValue']) {
    return flattenReference(fn['Fn::ImportValue']);
  }
  if (fn.Ref) {
    return `<${flattenReference(fn.Ref)}>`;
  }
  return JSON.stringify(node);
}

const BASIC_EXECUTION_ROLE = 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
const CDK_HELPER = 'Provisioned by aws-cdk-lib itself, not by this library\'s code';

/** True when `c` is `scope` or below it. */
function isWithin(c: IConstruct, scope: IConstruct): boolean {
  return c.node.path === scope.node.path || c.node.path.startsWith(`${scope.node.path}/`);
}

/**
 * Acknowledges, with reasons, the findings on the helper functions aws-cdk-lib creates for the constructs this
 * library uses: the custom resource provider framework of its own providers, and the auto-delete-objects provider of
 * its buckets (removalPolicy DESTROY). Their code, runtime and permissions are aws-cdk-lib's; each acknowledgement
 * names the exact findings it covers. (The auto-delete-objects provider is a raw CloudFormation resource, which cdk-nag
 * inspects only in a synthesized template read back with cloudformation-include; the acknowledgement is for that
 * check.) The site is deployed by the library's own function (no BucketDeployment), so a user's BucketDeployment in
 * the same stack keeps every finding of its handler. The auto-delete-objects provider is acknowledged only while every
 * auto-deleted bucket of the stack is the library's.
 *
 * @param scope the library's construct (its buckets and provider frameworks are looked up below it)
 */
function suppressCdkHelperFindings(scope: IConstruct): void {
  const stack = Stack.of(scope);
  for (const provider of scope.node.findAll().filter((c): c is cr.Provider => c instanceof cr.Provider)) {
    suppressProviderFramework(provider);
  }
  // the auto-delete-objects provider (removalPolicy DESTROY) serves every auto-deleted bucket of the stack
  const autoDeletes = stack.node.findAll()
    .filter((c): c is CfnResource => c instanceof CfnResource && c.cfnResourceType === 'Custom::S3AutoDeleteObjects');
  const provider = stack.node.tryFindChild('Custom::S3AutoDeleteObjectsCustomResourceProvider');
  if (provider && autoDeletes.length > 0 && autoDeletes.every((c) => isWithin(c, scope))) {
    suppressAutoDeleteProvider(provider);
  }
}

function suppressProviderFramework(provider: cr.Provider): void {
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
  if (policy instanceof iam.Policy) {
    addNagSuppressions(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: `${CDK_HELPER}: the provider framework may invoke every version of its one handler function (lambda:InvokeFunction on <handler ARN>:*).`,
      appliesTo: [nagResourceFinding(fn, `${provider.onEventHandler.functionArn}:*`)],
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
        appliesTo: [BASIC_EXECUTION_ROLE],
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

/**
 * The runtime policy: the library's Python functions run on a pinned runtime, not on the newest one the installed
 * aws-cdk-lib knows, so that upgrading aws-cdk-lib never changes a deployed function's runtime. cdk-nag's L1 (not the
 * latest runtime) is acknowledged on a function that runs on the pinned default, never on a runtime the user chose.
 *
 * @param fn the function
 * @param change how the user moves the function to another runtime
 */
export function acknowledgePinnedRuntime(fn: lambda.Function, change: string): void {
  addNagSuppressions(fn, [{
    id: 'AwsSolutions-L1',
    reason: `This library pins its Python runtime (${fn.runtime.name}) instead of following the newest runtime of the installed `
      + 'aws-cdk-lib, so that a CDK upgrade never changes a deployed function: a new runtime re-bundles every dependency '
      + 'for another CPython ABI, which fails while a native dependency has no aarch64 wheel for that Python yet. '
      + `The pin moves in a release of this library, after its bundling tests pass on the new runtime. ${change}`,
  }]);
}

/** What decides which findings on the facade's own resources are suppressed. */
interface SpaNagContext {
  readonly distribution: cloudfront.Distribution;
  readonly customDomain: boolean;
  readonly webAcl: boolean;
  readonly cloudFrontLogging: CloudFrontLoggingMode;
  readonly logsBucket: s3.Bucket;
  readonly httpApi?: apigwv2.HttpApi;
  readonly userAuthorizer: boolean;
  readonly originVerifySecret?: secretsmanager.ISecret;
}

/** The facade's parts and props that decide which of its findings apply. */
export interface SpaFacadeParts {
  readonly distribution: cloudfront.Distribution;
  readonly bucket: s3.Bucket;
  readonly logsBucket: s3.Bucket;
  readonly httpApi?: apigwv2.HttpApi;
  readonly originVerifySecret?: secretsmanager.ISecret;
}

/**
 * Every acknowledgement of the facade: its own resources' findings (by configuration), and those of the aws-cdk-lib
 * helpers (provider framework, auto-delete-objects provider) that only its own uses create.
 */
export function acknowledgeFacadeFindings(facade: IConstruct & SpaFacadeParts,
  props: { readonly domain?: unknown; readonly webAclArn?: string; readonly api: { readonly authorizer?: unknown } },
  cloudFrontLogging: CloudFrontLoggingMode): void {
  suppressSpaFindings({
    distribution: facade.distribution,
    customDomain: props.domain !== undefined,
    webAcl: props.webAclArn !== undefined,
    cloudFrontLogging,
    logsBucket: facade.logsBucket,
    httpApi: facade.httpApi,
    userAuthorizer: props.api.authorizer !== undefined,
    originVerifySecret: facade.originVerifySecret,
  });
  suppressCdkHelperFindings(facade);
}

/**
 * Suppresses the AwsSolutions findings that do not apply to the facade's own resources, each only in the
 * configuration where it does not apply (for example CFR4 only without a custom domain).
 */
function suppressSpaFindings(ctx: SpaNagContext): void {
  const distribution: NagSuppression[] = [{
    id: 'AwsSolutions-CFR1',
    reason: 'The site is public; restricting countries is a business decision, not a security default. '
      + 'Add a geo-match rule to the web ACL passed as webAclArn to restrict them.',
  }];
  if (!ctx.webAcl) {
    distribution.push({
      id: 'AwsSolutions-CFR2',
      reason: 'AWS WAF is opt-in (webAclArn): a web ACL costs a monthly fee and its rules depend on the application. '
        + (ctx.httpApi ? 'Without it the API is still behind origin verification and the HTTP API stage throttling.'
          : 'Without it the streaming API is still behind origin verification (direct calls to the Function URL are refused before '
          + 'the app runs), and api.reservedConcurrency caps its concurrency.'),
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

  const route = ctx.httpApi?.node.tryFindChild('DefaultRoute');
  if (route && !ctx.userAuthorizer && ctx.originVerifySecret) {
    addNagSuppressions(route, [{
      id: 'AwsSolutions-APIG4',
      reason: 'Callers are verified as this CloudFront distribution by origin verification in the function (a secret header '
        + 'checked before the app is imported), which leaves the route\'s authorizer slot free for api.authorizer; '
        + 'end-user authorization is the app\'s unless api.authorizer is set.',
    }]);
  }
}
