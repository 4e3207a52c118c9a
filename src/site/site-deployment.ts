import * as path from 'path';
import { Annotations, CfnResource, CustomResource, Duration, RemovalPolicy, Stack, SymlinkFollowMode } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, IDependable } from 'constructs';
import { CONTENT_TYPES, DEFAULT_CONTENT_TYPE, extensionOf } from './content-types';
import { hasContentHash } from './hashed-names';
import { filtersSelecting } from './upload-filters';
import { functionLogging } from '../api/function-logging';
import { DEFAULT_PYTHON_RUNTIME } from '../api/function-validation';
import { listFiles } from '../private/files';
import { fnmatchToRegExp } from '../private/fnmatch';
import { acknowledgePinnedRuntime, addNagSuppressions } from '../private/nag';

/** `Cache-Control` of content-hashed files: their name changes whenever their content does. */
export const HASHED_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** `Cache-Control` of every other file: the browser revalidates it on each use. */
export const UNHASHED_CACHE_CONTROL = 'no-cache';
/** Reserved key prefix of the release manifests in the site bucket (never uploaded over, never served). */
export const MANIFEST_PREFIX = '.releases/';
/** How many releases are kept by default: the current one and the previous one. */
export const DEFAULT_KEEP_RELEASES = 2;
/** How long an object no release lists (uploaded by hand or by another tool) survives the release cleanup. */
export const OUT_OF_BAND_GRACE_PERIOD = Duration.hours(24);
/** Parallel uploads of the deploy function. */
export const UPLOAD_CONCURRENCY = 16;

export interface SiteDeploymentProps {
  readonly bucket: s3.IBucket;
  readonly distribution: cloudfront.IDistribution;
  /** The built SPA folder. Exactly one of `source` and `sourceAsset`. */
  readonly source?: string;
  /** A prebuilt source (a zip, or an asset bundled at synth time): its files are not known at synth time. */
  readonly sourceAsset?: s3deploy.ISource;
  /**
   * fnmatch globs (`aws s3 sync` semantics) of content-hashed files, relative to the site root. Required with
   * `sourceAsset`; with `source`, they replace the detection of content hashes in file names.
   *
   * @default - with `source`, files whose name carries a content hash ({@link hasContentHash})
   */
  readonly hashedGlobs?: string[];
  /** How many releases keep all their files, the current one included (at least 2). */
  readonly keepReleases?: number;
  /** Retention of the deploy function's log group. */
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the deploy function's log group. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * What the deploy function does with each file, computed at synth time: which files are content-hashed (as
 * `aws s3 sync`-style exclude/include globs: a file is hashed when it matches an include or no exclude), their
 * `Cache-Control`, and the `Content-Type` of each extension. Custom resource property `Plan`.
 */
export interface UploadPlan {
  readonly HashedCacheControl: string;
  readonly UnhashedCacheControl: string;
  readonly Hashed: { readonly Exclude: string[]; readonly Include: string[] };
  readonly ContentTypes: Record<string, string>;
  readonly DefaultContentType: string;
}

/**
 * Uploads a built SPA in one pass without breaking open tabs, invalidates what changed, and removes what no recent
 * release needs: one custom resource (`Release`, `Custom::SpaSiteDeployment`) backed by the library's own Python
 * function (`DeployFunction`, boto3, no AWS CLI layer), which
 *
 * 1. reads the site zip (one CDK asset) from the asset bucket with ranged GETs, nothing unpacked to /tmp;
 * 2. uploads, in parallel, content-hashed files first (`public, max-age=31536000, immutable`), then the other files
 *    (`no-cache`), then HTML, `index.html` last, each with the `Content-Type` of the synth-time {@link UploadPlan};
 * 3. records the release in a manifest under `.releases/` and deletes every object that is neither a file of this
 *    release nor ANY file (hashed or not) of the last `keepReleases` releases;
 * 4. creates one CloudFront invalidation of the unhashed files whose content changed.
 *
 * CloudFormation Update with new properties deploys the new release; a rollback is an Update back to the previous
 * properties, which deploys the previous release again; Delete leaves the objects (the bucket's removal policy decides).
 */
export class SiteDeployment extends Construct {
  /** The custom resource that uploads, cleans up and invalidates. */
  public readonly release: CustomResource;
  /** The function behind it. */
  public readonly deployFunction: lambda.Function;
  /** Relative paths of the files that are not content-hashed, when known at synth time (a `source` folder). */
  public readonly unhashedFiles?: string[];
  /** The upload plan handed to the function. */
  public readonly plan: UploadPlan;
  /** Complete once the site is uploaded, cleaned up and invalidated: depend on it to run after a deploy. */
  public readonly deployed: IDependable;
  /** The buckets the release's zip is read from (the CDK assets bucket, or the bucket of `sourceAsset`). */
  public readonly sourceBuckets: s3.IBucket[] = [];

  constructor(scope: Construct, id: string, props: SiteDeploymentProps) {
    super(scope, id);
    if ((props.source === undefined) === (props.sourceAsset === undefined)) {
      throw new Error('SiteDeployment needs exactly one of source and sourceAsset');
    }

    // the ID of the log group's scope is that of the release cleanup's (which this function replaces): the retained
    // log group keeps its logical ID, so an upgrade neither orphans it nor creates a second one
    const logging = functionLogging(new Construct(this, 'ReleaseCleanupLogging'), {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.deployFunction = new lambda.Function(this, 'DeployFunction', {
      role: logging.role,
      logGroup: logging.logGroup,
      description: 'Uploads the SPA release, deletes the files no kept release needs, invalidates what changed',
      // the runtime policy of the API function: pinned, and moved together
      runtime: DEFAULT_PYTHON_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, 'runtime', 'site-deploy'), {
        exclude: ['__pycache__', '*.pyc'],
      }),
      memorySize: 1024,
      timeout: Duration.minutes(15),
    });

    let sourceBucket: s3.IBucket;
    let sourceKey: string;
    if (props.source !== undefined) {
      // the files as the asset holds them (links inside the folder followed; links out of it are refused by validation)
      const files = listFiles(props.source, { followSymlinks: true }).filter((f) => !f.startsWith(MANIFEST_PREFIX));
      const isHashed = hashedClassifier(props.hashedGlobs);
      const hashed = new Set(files.filter(isHashed));
      this.unhashedFiles = files.filter((f) => !hashed.has(f));
      const filters = filtersSelecting(files, hashed);
      const asset = new s3assets.Asset(this, 'Source', { path: props.source, followSymlinks: SymlinkFollowMode.ALWAYS });
      sourceBucket = asset.bucket;
      sourceKey = asset.s3ObjectKey;
      const types: Record<string, string> = {};
      const unknown = new Set<string>();
      for (const f of files) {
        const ext = extensionOf(f);
        if (CONTENT_TYPES[ext] !== undefined) {
          types[ext] = CONTENT_TYPES[ext];
        } else {
          unknown.add(ext === '' ? '(none)' : ext);
        }
      }
      if (unknown.size > 0) {
        Annotations.of(this).addWarningV2('cdk-spa-with-lambda-api:siteUnknownContentType',
          `site.source has files of extensions without a known Content-Type (${[...unknown].sort().join(', ')}); `
          + `they are uploaded as ${DEFAULT_CONTENT_TYPE}. Rename them, or ask for the type to be added.`);
      }
      this.plan = plan({ Exclude: filters.exclude, Include: filters.include }, types);
    } else {
      const config = props.sourceAsset!.bind(this, { handlerRole: logging.role.withoutPolicyUpdates() });
      sourceBucket = config.bucket;
      sourceKey = config.zipObjectKey;
      this.plan = plan({ Exclude: ['*'], Include: props.hashedGlobs ?? [] }, CONTENT_TYPES);
    }
    this.sourceBuckets.push(sourceBucket);

    // Least privilege: read the one zip, list the bucket, write objects, read manifests, delete objects, invalidate.
    const statements = [
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [sourceBucket.arnForObjects(sourceKey)] }),
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.bucket.bucketArn] }),
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject'], resources: [props.bucket.arnForObjects('*')] }),
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.bucket.arnForObjects(`${MANIFEST_PREFIX}*`)] }),
      new iam.PolicyStatement({
        actions: ['cloudfront:CreateInvalidation'],
        resources: [Stack.of(this).formatArn({
          service: 'cloudfront', region: '', resource: 'distribution', resourceName: props.distribution.distributionId,
        })],
      }),
    ];
    statements.forEach((s) => this.deployFunction.addToRolePolicy(s));

    // The manifests are not part of the site: CloudFront (its OAC) may not read them.
    props.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyCloudFrontReleaseManifests',
      effect: iam.Effect.DENY,
      principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
      actions: ['s3:GetObject'],
      resources: [props.bucket.arnForObjects(`${MANIFEST_PREFIX}*`)],
    }));
    suppressDeployFindings(this.deployFunction, props.bucket);

    this.release = new CustomResource(this, 'Release', {
      serviceToken: this.deployFunction.functionArn,
      resourceType: 'Custom::SpaSiteDeployment',
      properties: {
        BucketName: props.bucket.bucketName,
        DistributionId: props.distribution.distributionId,
        Source: { BucketName: sourceBucket.bucketName, ObjectKey: sourceKey },
        Plan: this.plan,
        ManifestPrefix: MANIFEST_PREFIX,
        KeepReleases: props.keepReleases ?? DEFAULT_KEEP_RELEASES,
        OutOfBandGraceSeconds: OUT_OF_BAND_GRACE_PERIOD.toSeconds(),
        Concurrency: UPLOAD_CONCURRENCY,
      },
    });
    // the function's permissions are in place before it runs
    this.release.node.addDependency(this.deployFunction.role!);
    this.deployed = this.release;
  }
}

function plan(hashed: { Exclude: string[]; Include: string[] }, types: Record<string, string>): UploadPlan {
  return {
    HashedCacheControl: HASHED_CACHE_CONTROL,
    UnhashedCacheControl: UNHASHED_CACHE_CONTROL,
    Hashed: hashed,
    ContentTypes: Object.fromEntries(Object.entries(types).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    DefaultContentType: DEFAULT_CONTENT_TYPE,
  };
}

/** The AwsSolutions findings on the deploy function that do not apply, each with its reason. */
function suppressDeployFindings(fn: lambda.Function, bucket: s3.IBucket): void {
  acknowledgePinnedRuntime(fn, 'The site deploy function has no runtime prop; it follows the pin of FastApiFunction.DEFAULT_RUNTIME.');
  const role = fn.role!;
  const bucketResource = bucket.node.defaultChild;
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy instanceof iam.Policy && bucketResource instanceof CfnResource) {
    const bucketArn = `<${Stack.of(bucket).getLogicalId(bucketResource)}.Arn>`;
    addNagSuppressions(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The site deploy function writes the files of each release and deletes those no kept release lists, whose '
        + 'names are only known at deploy time (s3:PutObject and s3:DeleteObject on <site bucket>/*), and reads the release '
        + 'manifests (s3:GetObject on <site bucket>/.releases/*); nothing else of the bucket.',
      appliesTo: [`Resource::${bucketArn}/${MANIFEST_PREFIX}*`, `Resource::${bucketArn}/*`],
    }]);
  }
}

/**
 * How files are classified: by the globs when the user set them (they replace the detection), else by the
 * content hash in their name.
 */
export function hashedClassifier(hashedGlobs?: string[]): (file: string) => boolean {
  if (hashedGlobs === undefined) {
    return hasContentHash;
  }
  const patterns = hashedGlobs.map((g) => fnmatchToRegExp(g));
  return (file) => patterns.some((p) => p.test(file));
}
