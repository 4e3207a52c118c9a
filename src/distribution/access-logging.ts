import { Annotations, ArnFormat, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Key prefix of the site bucket's S3 server access logs in the logs bucket. */
export const S3_ACCESS_LOGS_PREFIX = 's3-access-logs/';
/** Key prefix of CloudFront's legacy standard logs in the logs bucket. */
export const CLOUDFRONT_LEGACY_LOGS_PREFIX = 'cloudfront/';

/**
 * How the distribution's access logs are written.
 * - `v2`: standard logging v2 (CloudWatch Logs vended logs) into the logs bucket; its delivery source can only be
 *   created in us-east-1, where CloudFront's control plane lives.
 * - `legacy`: legacy standard logging into the logs bucket (needs ACLs on the bucket); any other region, and
 *   environment-agnostic stacks.
 * - `none`: the stack's region is one where CloudFront does not deliver legacy logs.
 */
export type CloudFrontLoggingMode = 'v2' | 'legacy' | 'none';

/**
 * Regions whose buckets CloudFront does not deliver legacy standard logs to.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html
 */
const NO_LEGACY_LOG_REGIONS = new Set([
  'af-south-1', 'ap-east-1', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4', 'ca-west-1', 'eu-central-2',
  'eu-south-1', 'eu-south-2', 'il-central-1', 'me-central-1', 'me-south-1',
]);

export function cloudFrontLoggingMode(stack: Stack): CloudFrontLoggingMode {
  const region = stack.region;
  if (Token.isUnresolved(region)) {
    return 'legacy';
  }
  if (region === 'us-east-1') {
    return 'v2';
  }
  return NO_LEGACY_LOG_REGIONS.has(region) ? 'none' : 'legacy';
}

export interface LogsBucketProps {
  readonly mode: CloudFrontLoggingMode;
  readonly retention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The bucket that receives the site bucket's server access logs and the distribution's access logs. It has
 * no access logs of its own (they would log its own log deliveries). Objects expire after the log retention.
 * ACLs are enabled only when legacy CloudFront logging needs them.
 */
export function createLogsBucket(scope: Construct, id: string, props: LogsBucketProps): s3.Bucket {
  const expires = props.retention !== logs.RetentionDays.INFINITE;
  return new s3.Bucket(scope, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED, // log delivery does not support SSE-KMS with the AWS managed key
    enforceSSL: true,
    // legacy CloudFront logging writes with an ACL grant to the awslogsdelivery account; nothing else needs ACLs
    objectOwnership: props.mode === 'legacy' ? s3.ObjectOwnership.BUCKET_OWNER_PREFERRED : s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{
      id: 'ExpireLogs',
      expiration: expires ? Duration.days(props.retention) : undefined,
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    }],
    removalPolicy: props.removalPolicy,
    autoDeleteObjects: props.removalPolicy === RemovalPolicy.DESTROY,
  });
}

/**
 * Server access logs of `source` into `logsBucket`, with an explicit bucket-policy grant to the S3 logging
 * service. The logs bucket is passed to `source` as a reference, so aws-cdk-lib does not choose between a
 * policy and an ACL from the consumer's feature flags.
 */
export function serverAccessLogsTarget(scope: Construct, logsBucket: s3.Bucket): s3.IBucket {
  return s3.Bucket.fromBucketAttributes(scope, 'LogsBucketTarget', {
    bucketArn: logsBucket.bucketArn,
    bucketName: logsBucket.bucketName,
  });
}

export function allowServerAccessLogs(logsBucket: s3.Bucket, source: s3.Bucket): void {
  logsBucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'S3ServerAccessLogs',
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [logsBucket.arnForObjects(`${S3_ACCESS_LOGS_PREFIX}*`)],
    conditions: {
      ArnLike: { 'aws:SourceArn': source.bucketArn },
      StringEquals: { 'aws:SourceAccount': Stack.of(source).account },
    },
  }));
  // the grant above is what that warning asks for
  Annotations.of(source).acknowledgeWarning('@aws-cdk/aws-s3:accessLogsPolicyNotAdded',
    'the logs bucket policy grants logging.s3.amazonaws.com s3:PutObject for this bucket');
}

/** The legacy logging settings of the distribution, or none. */
export function legacyDistributionLogging(mode: CloudFrontLoggingMode, logsBucket: s3.IBucket):
Pick<cloudfront.DistributionProps, 'enableLogging' | 'logBucket' | 'logFilePrefix' | 'logIncludesCookies'> {
  return mode === 'legacy'
    ? { enableLogging: true, logBucket: logsBucket, logFilePrefix: CLOUDFRONT_LEGACY_LOGS_PREFIX, logIncludesCookies: false }
    : {};
}

/** The resources of CloudFront standard logging v2 into the logs bucket. */
export interface CloudFrontLogDelivery {
  readonly source: logs.CfnDeliverySource;
  readonly destination: logs.CfnDeliveryDestination;
  readonly delivery: logs.CfnDelivery;
}

/**
 * CloudFront standard logging v2 (access logs as CloudWatch vended logs) into `logsBucket`, through the
 * `AWS::Logs::Delivery*` resources (aws-cdk-lib has no L2 for them). Only in us-east-1.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html
 */
export function cloudFrontLogDelivery(scope: Construct, distribution: cloudfront.IDistribution, logsBucket: s3.Bucket): CloudFrontLogDelivery {
  const stack = Stack.of(scope);
  // names are unique per account and region, 1-60 characters
  const name = Names.uniqueResourceName(scope, { maxLength: 56, separator: '-' });
  const source = new logs.CfnDeliverySource(scope, 'AccessLogSource', {
    name: `${name}-src`,
    logType: 'ACCESS_LOGS',
    resourceArn: distribution.distributionArn,
  });
  const destination = new logs.CfnDeliveryDestination(scope, 'AccessLogDestination', {
    name: `${name}-dst`,
    destinationResourceArn: logsBucket.bucketArn,
  });
  const delivery = new logs.CfnDelivery(scope, 'AccessLogDelivery', {
    deliverySourceName: source.ref,
    deliveryDestinationArn: destination.attrArn,
  });
  // the policy CloudWatch Logs would otherwise add by itself (and CloudFormation would later overwrite)
  logsBucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CloudFrontStandardLoggingV2',
    principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [logsBucket.arnForObjects(`AWSLogs/${stack.account}/*`)],
    conditions: {
      StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'logs', resource: 'delivery-source', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    },
  }));
  if (logsBucket.policy) {
    delivery.node.addDependency(logsBucket.policy);
  }
  return { source, destination, delivery };
}
