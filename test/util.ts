import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SpaWithLambdaApi, SpaWithLambdaApiProps } from '../src';

export const FIXTURES = path.join(__dirname, 'fixtures');
export const SITE = path.join(FIXTURES, 'site');
export const BACKEND = path.join(FIXTURES, 'python-app');

const tempDirs: string[] = [];
// each test file that uses these helpers removes the folders they made (cloud assemblies, site folders)
afterAll(() => tempDirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A new temporary folder, removed after the test file. */
export function testTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/**
 * A stack in an App without feature flags. Bundling is skipped (`aws:cdk:bundling-stacks` is empty):
 * these tests are about the template, and the bundler has its own real tests.
 */
export function newStack(region?: string): Stack {
  // the cloud assembly goes to a folder this file removes (an App without outdir leaves a cdk.out* folder in the temp folder)
  const app = new App({ outdir: testTempDir('cdk.out-test-'), context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'TestStack', region ? { env: { account: '111111111111', region } } : undefined);
}

/** The smallest valid props, with overrides. */
export function minimalProps(overrides: Partial<SpaWithLambdaApiProps> = {}): SpaWithLambdaApiProps {
  return {
    site: { source: SITE },
    api: { source: BACKEND },
    ...overrides,
  };
}

export function synthApp(props: SpaWithLambdaApiProps = minimalProps(), region?: string) {
  const stack = newStack(region);
  const app = new SpaWithLambdaApi(stack, 'App', props);
  return { stack, app, template: Template.fromStack(stack) };
}

/** The DistributionConfig of the template's one distribution. */
export function distributionConfig(template: Template): any {
  const dists = Object.values(template.findResources('AWS::CloudFront::Distribution'));
  expect(dists).toHaveLength(1);
  return dists[0].Properties.DistributionConfig;
}

/** The logical ID of the template's one resource of `type`. */
export function logicalIdOf(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0];
}
