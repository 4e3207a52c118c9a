import * as fs from 'fs';
import * as path from 'path';
import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { warnOnRelativeAssetLinks } from './relative-asset-links';
import { DEFAULT_KEEP_RELEASES, MANIFEST_PREFIX, SiteDeployment } from './site-deployment';
import { SpaSiteOptions } from './spa-site-options';
import { allowServerAccessLogs, S3_ACCESS_LOGS_PREFIX, serverAccessLogsTarget } from '../distribution/access-logging';
import { listFiles } from '../private/files';
import { matchesAny } from '../private/fnmatch';
import { PropErrors, show, validateDirectory } from '../private/validation';


/**
 * Default globs of content-hashed files: Vite's `assets/`, Create React App's `static/`, and names with a
 * content hash as webpack (`main.3f2a9c1b.js`) and Angular (`main-ABCD1234.js`) write them.
 */
export const DEFAULT_HASHED_ASSET_GLOBS: string[] = [
  'assets/*',
  'static/*',
  '*.[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*.js',
  '*.[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*.css',
  '*-[A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9].js',
  '*-[A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9].css',
];

/** Validates the facade's `site` props: one source, a built SPA folder, hashed-file globs, kept releases. */
export function validateSiteOptions(errors: PropErrors, site: SpaSiteOptions): void {
  if (site.source === undefined && site.sourceAsset === undefined) {
    errors.add('site has neither source nor sourceAsset. Set source to the built SPA folder (for example "frontend/dist"), '
      + 'or sourceAsset to a prebuilt s3deploy.ISource.');
  } else if (site.source !== undefined && site.sourceAsset !== undefined) {
    errors.add(`site.source is ${show(site.source)} and site.sourceAsset is set too, but the site can only come from one of them. `
      + 'Keep source for a built folder, or sourceAsset for a prebuilt source.');
  }
  if (site.source !== undefined
    && validateDirectory(errors, 'site.source', site.source, 'the built SPA folder, for example frontend/dist')) {
    if (!fs.existsSync(path.join(site.source, 'index.html'))) {
      errors.add(`site.source is ${show(site.source)}, but it has no index.html. `
        + 'It must be the output folder of your SPA build (for example frontend/dist after `npm run build`). Build the SPA first, or point at the folder that holds index.html.');
    }
    const reserved = listFiles(site.source).find((f) => f.startsWith(MANIFEST_PREFIX));
    if (reserved) {
      errors.add(`site.source is ${show(site.source)}, but it contains ${show(reserved)}, and the key prefix ${show(MANIFEST_PREFIX)} `
        + 'is reserved for the release manifests in the site bucket. Rename or remove that folder in your build output.');
    }
  }
  const globs = site.hashedAssetGlobs;
  if (globs !== undefined && (globs.length === 0 || globs.some((g) => g.trim() === '' || g === '*'))) {
    errors.add(`site.hashedAssetGlobs is ${show(globs)}, but it must list at least one glob and none may be empty or "*" `
      + '(that would cache index.html for a year). List the folders or name patterns of content-hashed files, for example ["assets/*"].');
  } else if (globs !== undefined && matchesAny('index.html', globs)) {
    errors.add(`site.hashedAssetGlobs is ${show(globs)}, but "index.html" matches it, so index.html would be cached for a year `
      + 'and deploys would never reach returning visitors. Use globs that match only content-hashed files, for example ["assets/*"].');
  }
  if (site.sourceAsset !== undefined && globs === undefined) {
    errors.add('site.sourceAsset is set, but site.hashedAssetGlobs is not. A prebuilt source cannot be listed at synth time, '
      + 'so the construct cannot tell its content-hashed files from index.html. Set hashedAssetGlobs to the globs of your build, '
      + 'for example SpaWithLambdaApi.DEFAULT_HASHED_ASSET_GLOBS, or ["assets/*"] for Vite.');
  }
  const keep = site.keepReleases;
  if (keep !== undefined && !Token.isUnresolved(keep) && (!Number.isInteger(keep) || keep < DEFAULT_KEEP_RELEASES)) {
    errors.add(`site.keepReleases is ${show(keep)}, but it must be a whole number of at least ${DEFAULT_KEEP_RELEASES}: `
      + 'browser tabs opened before a deploy still load the previous release\'s files. Use 2 (the default) or more.');
  }
}

/**
 * The private bucket that holds the SPA: no public access, SSL only, S3-managed encryption, owner-enforced,
 * server access logs into `logsBucket`. Created in `scope` with the ID `SiteBucket` (its logical ID is pinned).
 */
export function createSiteBucket(scope: Construct, logsBucket: s3.Bucket, removalPolicy: RemovalPolicy): s3.Bucket {
  const bucket = new s3.Bucket(scope, 'SiteBucket', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy,
    autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    serverAccessLogsBucket: serverAccessLogsTarget(scope, logsBucket),
    serverAccessLogsPrefix: S3_ACCESS_LOGS_PREFIX,
  });
  allowServerAccessLogs(logsBucket, bucket);
  return bucket;
}

export interface SiteUploadProps {
  readonly site: SpaSiteOptions;
  readonly bucket: s3.IBucket;
  readonly distribution: cloudfront.IDistribution;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** The upload of the site into its bucket, with invalidation and release cleanup, as `SiteDeployment` in `scope`. */
export function deploySite(scope: Construct, props: SiteUploadProps): SiteDeployment {
  warnOnRelativeAssetLinks(scope, props.site.source);
  return new SiteDeployment(scope, 'SiteDeployment', {
    bucket: props.bucket,
    distribution: props.distribution,
    source: props.site.source,
    sourceAsset: props.site.sourceAsset,
    hashedGlobs: props.site.hashedAssetGlobs,
    keepReleases: props.site.keepReleases,
    logRetention: props.logRetention,
    removalPolicy: props.removalPolicy,
  });
}
