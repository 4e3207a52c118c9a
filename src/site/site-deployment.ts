import * as path from 'path';
import { CfnResource, CustomResource, Duration, RemovalPolicy, Stack, SymlinkFollowMode } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IDependable } from 'constructs';
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
/** How many releases keep their hashed files by default: the current one and the previous one. */
export const DEFAULT_KEEP_RELEASES = 2;
/** How long an object no release lists (uploaded by hand or by another tool) survives the release cleanup. */
export const OUT_OF_BAND_GRACE_PERIOD = Duration.hours(24);

/**
 * A `Content-Type` the upload sets explicitly instead of letting `aws s3 sync` guess it.
 *
 * BucketDeployment's upload guesses with Python's `mimetypes` in its Lambda runtime, whose answers depend on the
 * Python version and the runtime image's `/etc/mime.types` (`.map` gets no type at all, so S3 stores
 * `binary/octet-stream`). Files of these extensions are uploaded by their own deployment with the type set.
 */
export interface ContentTypeGroup {
  /** Suffix of the deployment's construct ID (`HashedAssets<id>`, `Files<id>`): API, never rename. */
  readonly id: string;
  /** Lower-case file extensions, without the dot. */
  readonly extensions: string[];
  readonly contentType: string;
}

export const CONTENT_TYPE_GROUPS: ContentTypeGroup[] = [
  // RFC 9239: text/javascript for classic scripts and ES modules alike
  { id: 'JavaScript', extensions: ['js', 'mjs'], contentType: 'text/javascript; charset=utf-8' },
  { id: 'Css', extensions: ['css'], contentType: 'text/css; charset=utf-8' },
  { id: 'Svg', extensions: ['svg'], contentType: 'image/svg+xml' },
  // WebAssembly.instantiateStreaming() refuses any other type
  { id: 'Wasm', extensions: ['wasm'], contentType: 'application/wasm' },
  { id: 'WebManifest', extensions: ['webmanifest'], contentType: 'application/manifest+json' },
  { id: 'SourceMap', extensions: ['map'], contentType: 'application/json' },
];

/** The explicit content-type group of a file, or undefined when the upload's guess is used. */
export function contentTypeGroupOf(file: string): ContentTypeGroup | undefined {
  const name = file.substring(file.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) {
    return undefined;
  }
  const extension = name.substring(dot + 1).toLowerCase();
  return CONTENT_TYPE_GROUPS.find((g) => g.extensions.includes(extension));
}

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
  /** How many releases keep their hashed files, the current one included (at least 2). */
  readonly keepReleases?: number;
  /** Retention of the cleanup function's log group. */
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the cleanup function's log group. */
  readonly removalPolicy: RemovalPolicy;
}

/** The upload of one group of files: which files, with which Cache-Control and Content-Type. */
interface UploadGroup {
  readonly id: string;
  readonly hashed: boolean;
  readonly contentType?: string;
  readonly files: string[];
}

/**
 * Uploads a built SPA without breaking open tabs, and removes what no recent release needs.
 *
 * 1. content-hashed files (`HashedAssets*`), `Cache-Control: public, max-age=31536000, immutable`;
 * 2. then the other files (`Files*`), `no-cache`, each group invalidating its own paths in CloudFront (`Files`,
 *    which holds `index.html`, also `/`), `index.html` last of all;
 * 3. then the release cleanup (`ReleaseCleanup`), which records the release in a manifest under `.releases/` and
 *    deletes every object that is neither a file of this release nor a hashed file of the last `keepReleases`
 *    releases. No BucketDeployment prunes: the cleanup is the only deleter, so the previous release's chunks
 *    stay for the tabs that still run it.
 *
 * With a `source` folder, the folder is ONE asset (staged by the CDK, no copy of ours), and its files are split at
 * synth time into groups by class (hashed or not: {@link hasContentHash}, or the user's globs) and by explicit
 * content type, each group a BucketDeployment of the same zip that selects exactly its files with `aws s3 sync`
 * exclude/include filters ({@link filtersSelecting}; only the groups that have files, plus `HashedAssets` and
 * `Files`, which always exist). With a prebuilt `sourceAsset`, the two deployments filter its zip with the globs,
 * and content types are the upload's guesses.
 */
export class SiteDeployment extends Construct {
  /** The deployment of the hashed files whose content type the upload guesses (images, fonts, ...). */
  public readonly hashedAssets: s3deploy.BucketDeployment;
  /** The deployment of `index.html` and the other unhashed files whose content type the upload guesses. */
  public readonly files: s3deploy.BucketDeployment;
  /** Every BucketDeployment, in upload order (hashed groups first, `Files` last). */
  public readonly deployments: s3deploy.BucketDeployment[] = [];
  /** The custom resource that records the release and deletes what no kept release needs; runs last. */
  public readonly cleanup: CustomResource;
  /** The function behind the cleanup. */
  public readonly cleanupFunction: lambda.Function;
  /** Relative paths of the files that are not content-hashed, when known at synth time (a `source` folder). */
  public readonly unhashedFiles?: string[];
  /** Complete once the site is uploaded and cleaned up: depend on it to run after a deploy. */
  public readonly deployed: IDependable;
  /** The log group of the upload handler (aws-cdk-lib's BucketDeployment function). */
  public readonly uploadLogGroup: logs.LogGroup;
  /** The buckets the release's zips are read from (the CDK assets bucket, or the bucket of `sourceAsset`). */
  public readonly sourceBuckets: s3.IBucket[] = [];

  constructor(scope: Construct, id: string, props: SiteDeploymentProps) {
    super(scope, id);
    if ((props.source === undefined) === (props.sourceAsset === undefined)) {
      throw new Error('SiteDeployment needs exactly one of source and sourceAsset');
    }

    // the library's own function: a log group with retention, and a role without AWS managed policies
    // aws-cdk-lib's upload handler logs here, under the same retention (it is a stack-wide singleton: the first
    // BucketDeployment with this memory size decides its log group)
    this.uploadLogGroup = new logs.LogGroup(this, 'UploadLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });

    const cleanupLogging = functionLogging(new Construct(this, 'ReleaseCleanupLogging'), {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.cleanupFunction = new lambda.Function(this, 'ReleaseCleanupFunction', {
      role: cleanupLogging.role,
      logGroup: cleanupLogging.logGroup,
      description: 'Records each SPA release and deletes the files no kept release needs',
      // the runtime policy of the API function: pinned, and moved together
      runtime: DEFAULT_PYTHON_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.on_event',
      code: lambda.Code.fromAsset(path.join(__dirname, 'runtime', 'release-cleanup'), {
        exclude: ['__pycache__', '*.pyc'],
      }),
      memorySize: 256,
      timeout: Duration.minutes(5),
    });

    // (bucket, key, globs) of each zip the release is uploaded from, for the cleanup to list
    const sources: CleanupSource[] = [];
    const hashed: s3deploy.BucketDeployment[] = [];
    const unhashed: s3deploy.BucketDeployment[] = [];

    if (props.source !== undefined) {
      // the files as the asset holds them (links followed), each classified and grouped at synth time
      const files = listFiles(props.source, { followSymlinks: true });
      const groups = uploadGroups(files, hashedClassifier(props.hashedGlobs));
      this.unhashedFiles = groups.filter((g) => !g.hashed).flatMap((g) => g.files).sort();
      // one asset for the whole site, staged by the CDK like any asset (no copy of ours); each deployment picks
      // its group out of the same zip with aws s3 sync filters
      const asset = new s3assets.Asset(this, 'Source', { path: props.source, followSymlinks: SymlinkFollowMode.ALWAYS });
      this.cleanupFunction.addToRolePolicy(new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [asset.bucket.arnForObjects(asset.s3ObjectKey)],
      }));
      const hashedFilters = filtersSelecting(files, new Set(groups.filter((g) => g.hashed).flatMap((g) => g.files)));
      sources.push({
        BucketName: asset.s3BucketName,
        ObjectKey: asset.s3ObjectKey,
        HashedGlobs: hashedFilters.include,
        HashedExclude: hashedFilters.exclude,
      });
      this.sourceBuckets.push(asset.bucket);
      const source = s3deploy.Source.bucket(asset.bucket, asset.s3ObjectKey);
      for (const group of groups) {
        const filters = filtersSelecting(files, new Set(group.files));
        const selection = {
          exclude: filters.exclude.length > 0 ? filters.exclude : undefined,
          include: filters.include.length > 0 ? filters.include : undefined,
        };
        if (group.hashed) {
          hashed.push(this.hashedDeployment(group.id, props, source, selection, group.contentType));
        } else {
          const isMain = group.id === 'Files';
          unhashed.push(this.filesDeployment(group.id, props, source, {
            ...selection,
            // `Files` holds index.html, so it also invalidates "/"; it is the one deploy waits for
            distributionPaths: invalidationPaths(group.files, isMain),
            waitForDistributionInvalidation: isMain,
          }, group.contentType));
        }
      }
    } else {
      const source = props.sourceAsset!;
      // bind() would grant the role read access to the whole source bucket: grant the one zip instead
      const config = source.bind(this, { handlerRole: cleanupLogging.role.withoutPolicyUpdates() });
      this.cleanupFunction.addToRolePolicy(new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [config.bucket.arnForObjects(config.zipObjectKey)],
      }));
      const globs = props.hashedGlobs ?? [];
      sources.push({ BucketName: config.bucket.bucketName, ObjectKey: config.zipObjectKey, HashedGlobs: globs });
      this.sourceBuckets.push(config.bucket);
      hashed.push(this.hashedDeployment('HashedAssets', props, source, { exclude: ['*'], include: globs }));
      unhashed.push(this.filesDeployment('Files', props, source, {
        exclude: [...globs, `${MANIFEST_PREFIX}*`],
        // the files are unknown at synth time: the paths that matter most (other unhashed files are `no-cache`)
        distributionPaths: ['/', '/index.html'],
      }));
    }

    this.hashedAssets = hashed.find((d) => d.node.id === 'HashedAssets')!;
    this.files = unhashed.find((d) => d.node.id === 'Files')!;
    // index.html must never reference a file that is not uploaded yet: every unhashed group waits for every
    // hashed one, and `Files` (index.html) for every other unhashed group.
    for (const d of unhashed) {
      d.node.addDependency(...hashed);
      if (d !== this.files) {
        this.files.node.addDependency(d);
      }
    }
    this.deployments.push(...hashed, ...unhashed.filter((d) => d !== this.files), this.files);

    // The manifests are not part of the site: CloudFront (its OAC) may not read them.
    props.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyCloudFrontReleaseManifests',
      effect: iam.Effect.DENY,
      principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
      actions: ['s3:GetObject'],
      resources: [props.bucket.arnForObjects(`${MANIFEST_PREFIX}*`)],
    }));
    // Least privilege: list the bucket, read and write the manifests, delete objects (no s3:* wildcards, no GetBucket*).
    this.cleanupFunction.addToRolePolicy(new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [props.bucket.bucketArn],
    }));
    this.cleanupFunction.addToRolePolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [props.bucket.arnForObjects(`${MANIFEST_PREFIX}*`)],
    }));
    this.cleanupFunction.addToRolePolicy(new iam.PolicyStatement({
      actions: ['s3:DeleteObject'],
      resources: [props.bucket.arnForObjects('*')],
    }));
    suppressCleanupFindings(this.cleanupFunction, props.bucket);

    const provider = new cr.Provider(this, 'ReleaseCleanupProvider', { onEventHandler: this.cleanupFunction });
    this.cleanup = new CustomResource(this, 'ReleaseCleanup', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::SpaReleaseCleanup',
      properties: {
        BucketName: props.bucket.bucketName,
        ManifestPrefix: MANIFEST_PREFIX,
        KeepReleases: props.keepReleases ?? DEFAULT_KEEP_RELEASES,
        OutOfBandGraceSeconds: OUT_OF_BAND_GRACE_PERIOD.toSeconds(),
        Sources: sources,
      },
    });
    this.cleanup.node.addDependency(...this.deployments);
    this.deployed = this.cleanup;
  }

  private hashedDeployment(id: string, props: SiteDeploymentProps, source: s3deploy.ISource,
    filters: { exclude?: string[]; include?: string[] }, contentType?: string): s3deploy.BucketDeployment {
    return new s3deploy.BucketDeployment(this, id, {
      destinationBucket: props.bucket,
      sources: [source],
      ...filters,
      prune: false,
      cacheControl: [
        s3deploy.CacheControl.setPublic(),
        s3deploy.CacheControl.maxAge(Duration.days(365)),
        s3deploy.CacheControl.immutable(),
      ],
      contentType,
      memoryLimit: 512,
      logGroup: this.uploadLogGroup,
    });
  }

  private filesDeployment(id: string, props: SiteDeploymentProps, source: s3deploy.ISource,
    options: { exclude?: string[]; include?: string[]; distributionPaths: string[]; waitForDistributionInvalidation?: boolean },
    contentType?: string): s3deploy.BucketDeployment {
    return new s3deploy.BucketDeployment(this, id, {
      destinationBucket: props.bucket,
      sources: [source],
      exclude: options.exclude,
      include: options.include,
      prune: false,
      cacheControl: [s3deploy.CacheControl.noCache()],
      contentType,
      distribution: props.distribution,
      distributionPaths: options.distributionPaths,
      waitForDistributionInvalidation: options.waitForDistributionInvalidation,
      memoryLimit: 512,
      logGroup: this.uploadLogGroup,
    });
  }
}

/** The AwsSolutions findings on the cleanup function that do not apply, each with its reason. */
function suppressCleanupFindings(fn: lambda.Function, bucket: s3.IBucket): void {
  // the same runtime policy as the API function's default: pinned (the handler uses only boto3 and the standard library)
  acknowledgePinnedRuntime(fn, 'The release cleanup has no runtime prop; it follows the pin of FastApiFunction.DEFAULT_RUNTIME.');
  const role = fn.role!;
  const bucketResource = bucket.node.defaultChild;
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy instanceof iam.Policy && bucketResource instanceof CfnResource) {
    const bucketArn = `<${Stack.of(bucket).getLogicalId(bucketResource)}.Arn>`;
    addNagSuppressions(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The release cleanup reads and writes the release manifests (any key under .releases/ of the site bucket) and '
        + 'deletes the site files that no kept release lists, whose names are only known at deploy time: s3:GetObject and '
        + 's3:PutObject on <site bucket>/.releases/*, s3:DeleteObject on <site bucket>/*, nothing else.',
      appliesTo: [`Resource::${bucketArn}/${MANIFEST_PREFIX}*`, `Resource::${bucketArn}/*`],
    }]);
  }
}

/** One source zip of a release, as the cleanup custom resource receives it. */
interface CleanupSource {
  readonly BucketName: string;
  readonly ObjectKey: string;
  /** Include globs of the hashed files in this zip (`aws s3 sync --include`). */
  readonly HashedGlobs: string[];
  /**
   * Exclude globs of the hashed-file selection, applied before `HashedGlobs` as `aws s3 sync` does: a file is
   * hashed when it matches a `HashedGlobs` glob or no `HashedExclude` glob. Absent: `['*']`.
   */
  readonly HashedExclude?: string[];
}

/**
 * Splits the files into upload groups: hashed or not, then by explicit content type. `HashedAssets` and `Files`
 * (the files whose type the upload guesses) always exist, even empty; the typed groups only when they have files.
 * Hashed groups come first.
 */
export function uploadGroups(files: string[], isHashed: (file: string) => boolean): UploadGroup[] {
  const hashedFiles = new Set(files.filter(isHashed));
  const groups: UploadGroup[] = [];
  for (const hashed of [true, false]) {
    const ofClass = files.filter((f) => hashedFiles.has(f) === hashed);
    const base = hashed ? 'HashedAssets' : 'Files';
    groups.push({ id: base, hashed, files: ofClass.filter((f) => contentTypeGroupOf(f) === undefined) });
    for (const type of CONTENT_TYPE_GROUPS) {
      const typed = ofClass.filter((f) => contentTypeGroupOf(f) === type);
      if (typed.length > 0) {
        groups.push({ id: base + type.id, hashed, contentType: type.contentType, files: typed });
      }
    }
  }
  return groups;
}

/** The CloudFront paths of files that can change on a deploy (and `/`, which serves index.html). */
export function invalidationPaths(unhashedFiles: string[], withRoot: boolean = true): string[] {
  const paths = new Set<string>(withRoot ? ['/'] : []);
  for (const f of unhashedFiles) {
    paths.add('/' + f.split('/').map(encodeURIComponent).join('/'));
  }
  return [...paths].sort();
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
