/**
 * Synthesizes the site deployment of each folder given on the command line and prints, as JSON, what CloudFormation
 * would hand its custom resource: the `Custom::SpaSiteDeployment` properties (tokens left as the template writes
 * them) and the staged asset folder the CDK would zip. Run by test/site/test_site_deploy.py:
 *
 *   ts-node --project tsconfig.dev.json test/site/synth-site-release.ts <site folder>... [--globs 'assets/*']
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SiteDeployment } from '../../src/site/site-deployment';

const args = process.argv.slice(2);
const globsAt = args.indexOf('--globs');
const hashedGlobs = globsAt >= 0 ? args.splice(globsAt, 2)[1].split(',') : undefined;
const out: Record<string, unknown> = {};
for (const folder of args) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-site-release-'));
  try {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Site');
    const bucket = new s3.Bucket(stack, 'Bucket');
    const distribution = new cloudfront.Distribution(stack, 'Cdn', {
      defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(bucket) },
    });
    new SiteDeployment(stack, 'SiteDeployment', {
      bucket,
      distribution,
      source: folder,
      hashedGlobs,
      logRetention: logs.RetentionDays.ONE_DAY,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const assembly = app.synth();
    const template = assembly.getStackByName('Site').template;
    const [resource] = Object.values(template.Resources as Record<string, any>).filter((r) => r.Type === 'Custom::SpaSiteDeployment');
    out[folder] = { properties: resource.Properties, templateBytes: JSON.stringify(template).length };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
process.stdout.write(JSON.stringify(out));
