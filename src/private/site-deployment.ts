import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { matchesAny } from './fnmatch';

/** `Cache-Control` of content-hashed files: their name changes whenever their content does. */
export const HASHED_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** `Cache-Control` of every other file: the browser revalidates it on each use. */
export const UNHASHED_CACHE_CONTROL = 'no-cache';

export interface SiteDeploymentProps {
  readonly bucket: s3.IBucket;
  readonly distribution: cloudfront.IDistribution;
  /** The built SPA folder. */
  readonly source: string;
  /** fnmatch globs (`aws s3 sync` semantics) of content-hashed files, relative to `source`. */
  readonly hashedGlobs: string[];
}

/**
 * Uploads a built SPA in two passes: content-hashed assets first, with a one-year immutable
 * Cache-Control and without pruning (so the previous release's chunks stay for open tabs), then
 * every other file (`index.html`, ...) with `no-cache`, pruned, and invalidated in CloudFront.
 */
export class SiteDeployment extends Construct {
  public readonly hashedAssets: s3deploy.BucketDeployment;
  public readonly files: s3deploy.BucketDeployment;
  /** Relative paths of the files that are not content-hashed (what the second pass uploads). */
  public readonly unhashedFiles: string[];

  constructor(scope: Construct, id: string, props: SiteDeploymentProps) {
    super(scope, id);

    const all = listFiles(props.source);
    this.unhashedFiles = all.filter((f) => !matchesAny(f, props.hashedGlobs));

    // One asset: both deployments reference the same zip (same hash), filtered by `aws s3 sync`.
    const source = s3deploy.Source.asset(props.source);

    this.hashedAssets = new s3deploy.BucketDeployment(this, 'HashedAssets', {
      destinationBucket: props.bucket,
      sources: [source],
      exclude: ['*'],
      include: props.hashedGlobs,
      prune: false,
      cacheControl: [
        s3deploy.CacheControl.setPublic(),
        s3deploy.CacheControl.maxAge(Duration.days(365)),
        s3deploy.CacheControl.immutable(),
      ],
      memoryLimit: 512,
    });

    this.files = new s3deploy.BucketDeployment(this, 'Files', {
      destinationBucket: props.bucket,
      sources: [source],
      exclude: props.hashedGlobs,
      prune: true,
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: props.distribution,
      distributionPaths: invalidationPaths(this.unhashedFiles),
      memoryLimit: 512,
    });
    // index.html must never reference a chunk that is not uploaded yet.
    this.files.node.addDependency(this.hashedAssets);
  }
}

/** The CloudFront paths that can change on a deploy: `/`, and every unhashed file. */
export function invalidationPaths(unhashedFiles: string[]): string[] {
  const paths = new Set<string>(['/']);
  for (const f of unhashedFiles) {
    paths.add('/' + f.split('/').map(encodeURIComponent).join('/'));
  }
  return [...paths].sort();
}

/** Every file below `dir`, as sorted forward-slash relative paths. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      out.push(...listFiles(dir, rel));
    } else if (entry.isFile()) {
      out.push(rel);
    }
  }
  return out.sort();
}
