/**
 * The stacks the third-party checks (cdk-nag in nag.test.ts, cfn-lint in cfn-lint.test.ts) run on: the example
 * app, variants of the facade that switch on every security-relevant option, FastApiFunction on its own, and the
 * integ test stacks (synthesized afresh from test/integ.*.ts, assertion stacks excluded).
 *
 * Bundling is skipped (`aws:cdk:bundling-stacks: []`): the checks are about the templates.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { BACKEND, SITE } from './util';
import { addExampleApp } from '../example/app';
import { FastApiFunction, SpaWithLambdaApi } from '../src';

const ROOT = path.join(__dirname, '..');
export const EXAMPLE_SITE = path.join(ROOT, 'example', 'frontend', 'dist');
const ACCOUNT = '111111111111';
export const WEB_ACL_ARN = `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/site-acl/a1b2c3d4-5678-90ab-cdef-111111111111`;

export interface VerificationStack {
  /** The stack name. */
  readonly name: string;
  /** The region, or an environment-agnostic stack. */
  readonly region?: string;
  readonly build: (stack: Stack) => void;
  /**
   * Findings cdk-nag must report, as `<rule>@<construct path below the stack>`: variants that switch a default
   * off on purpose, to show that suppressions are conditional.
   */
  readonly expectedNagFindings?: string[];
}

const minimal = { site: { source: SITE }, api: { source: BACKEND } };

export const VERIFICATION_STACKS: VerificationStack[] = [
  { name: 'Example', build: (s) => addExampleApp(s) },
  {
    name: 'ExampleWithDomainUsEast1',
    region: 'us-east-1',
    build: (s) => addExampleApp(s, { domainName: 'app.example.com', hostedZoneId: 'Z0123456789', hostedZoneName: 'example.com' }),
  },
  { name: 'DefaultsEuWest1', region: 'eu-west-1', build: (s) => new SpaWithLambdaApi(s, 'App', minimal) },
  {
    name: 'AllSecurityOptionsUsEast1',
    region: 'us-east-1',
    build: (s) => new SpaWithLambdaApi(s, 'App', {
      site: { source: SITE },
      api: {
        source: BACKEND,
        originVerification: { headerName: 'x-from-cloudfront', cacheTtl: Duration.minutes(1), secretVersionId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111' },
        authorizer: new authorizers.HttpJwtAuthorizer('Jwt', 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE', {
          jwtAudience: ['example-client-id'],
        }),
        authorizationScopes: ['api/read'],
      },
      webAclArn: WEB_ACL_ARN,
      contentSecurityPolicy: "default-src 'self'; frame-ancestors 'none'",
      logRetention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    }),
  },
  {
    name: 'OwnHeadersPolicyAndLambdaAuthorizer',
    region: 'eu-central-1',
    build: (s) => new SpaWithLambdaApi(s, 'App', {
      ...minimal,
      api: {
        source: BACKEND,
        authorizer: new authorizers.HttpLambdaAuthorizer('Authorizer',
          lambda.Function.fromFunctionArn(s, 'AuthorizerFn', `arn:aws:lambda:eu-central-1:${ACCOUNT}:function:authorizer`), {
            responseTypes: [authorizers.HttpLambdaResponseType.SIMPLE],
          }),
      },
      responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      logRetention: logs.RetentionDays.INFINITE,
    }),
  },
  {
    name: 'OriginVerificationOff',
    region: 'us-east-1',
    build: (s) => new SpaWithLambdaApi(s, 'App', { ...minimal, api: { source: BACKEND, originVerification: { enabled: false } } }),
    // no origin verification and no authorizer: the API is open, and cdk-nag must say so
    expectedNagFindings: ['AwsSolutions-APIG4@App/HttpApi/DefaultRoute/Resource'],
  },
  {
    name: 'RegionWithoutCloudFrontLogs',
    region: 'me-south-1',
    build: (s) => new SpaWithLambdaApi(s, 'App', minimal),
    // CloudFront delivers no legacy logs to buckets there, and v2 needs us-east-1: the construct warns, cdk-nag reports it
    expectedNagFindings: ['AwsSolutions-CFR3@App/Distribution/Resource'],
  },
  {
    // a prebuilt site (a zip or an asset bundled at synth time): the release cleanup reads its one zip
    name: 'SourceAsset',
    region: 'eu-west-1',
    build: (s) => new SpaWithLambdaApi(s, 'App', {
      ...minimal,
      site: { sourceAsset: s3deploy.Source.asset(EXAMPLE_SITE), hashedAssetGlobs: SpaWithLambdaApi.DEFAULT_HASHED_ASSET_GLOBS },
    }),
  },
  { name: 'StreamingEuWest1', region: 'eu-west-1', build: (s) => new SpaWithLambdaApi(s, 'App', { ...minimal, api: { source: BACKEND, streaming: true } }) },
  {
    // streaming with every option it allows: the Function URL on the live alias, long timeouts, WAF, own header name
    name: 'StreamingAllOptionsUsEast1',
    region: 'us-east-1',
    build: (s) => new SpaWithLambdaApi(s, 'App', {
      site: { source: SITE },
      api: {
        source: BACKEND,
        streaming: true,
        timeout: Duration.minutes(15),
        originReadTimeout: Duration.seconds(180),
        originResponseCompletionTimeout: Duration.minutes(16),
        provisionedConcurrency: 1,
        reservedConcurrency: 20,
        originVerification: { headerName: 'x-from-cloudfront', cacheTtl: Duration.minutes(1), secretVersionId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111' },
      },
      webAclArn: WEB_ACL_ARN,
      removalPolicy: RemovalPolicy.DESTROY,
      monitoring: { createAlarmTopic: true, apiLatencyThreshold: Duration.minutes(5) },
    }),
  },
  {
    name: 'FastApiFunctionBehindOwnCloudFront',
    region: 'us-east-1',
    build: (s) => new FastApiFunction(s, 'Api', {
      source: BACKEND,
      originVerification: {
        secret: secretsmanager.Secret.fromSecretCompleteArn(s, 'OriginSecret',
          `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:origin-verify-AbCdEf`),
      },
    }),
  },
];

/** An App that skips bundling, with every verification stack in it. */
export function buildVerificationApp(outdir?: string): { app: App; stacks: Map<string, Stack> } {
  if (!fs.existsSync(path.join(EXAMPLE_SITE, 'index.html'))) {
    throw new Error(`${EXAMPLE_SITE} has no index.html: build the example SPA first (npx projen example:frontend).`);
  }
  const app = new App({ outdir, analyticsReporting: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = new Map<string, Stack>();
  for (const v of VERIFICATION_STACKS) {
    const stack = new Stack(app, v.name, v.region ? { env: { account: ACCOUNT, region: v.region } } : undefined);
    v.build(stack);
    stacks.set(v.name, stack);
  }
  return { app, stacks };
}

/** The integ test apps (test/integ.*.ts). */
export function integTestFiles(): string[] {
  return fs.readdirSync(__dirname).filter((f) => /^integ\..+\.ts$/.test(f)).sort().map((f) => path.join(__dirname, f));
}

/**
 * Synthesizes one integ test app into `outdir` (bundling skipped) and returns the templates of its test stacks,
 * not of its assertion stack.
 */
export function synthIntegApp(file: string, outdir: string): string[] {
  const saved = { outdir: process.env.CDK_OUTDIR, context: process.env.CDK_CONTEXT_JSON };
  process.env.CDK_OUTDIR = outdir;
  process.env.CDK_CONTEXT_JSON = JSON.stringify({ 'aws:cdk:bundling-stacks': [] });
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the integ app synthesizes when loaded
      require(file);
    });
  } finally {
    restoreEnv('CDK_OUTDIR', saved.outdir);
    restoreEnv('CDK_CONTEXT_JSON', saved.context);
  }
  return testStackTemplates(outdir);
}

/** Templates of a cloud assembly, without integ-tests' assertion stacks (`...DeployAssert...`). */
export function testStackTemplates(dir: string): string[] {
  return fs.readdirSync(dir)
    .filter((f) => f.endsWith('.template.json') && !f.includes('DeployAssert'))
    .map((f) => path.join(dir, f));
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) {
    delete process.env[name];
  } else {
    process.env[name] = value;
  }
}
