/**
 * The example app: one stack with SpaWithLambdaApi, its defaults and streaming mode (`api.streaming`), so that
 * `GET /api/events` streams Server-Sent Events to the SPA.
 *
 *   npx projen example          # build the SPA, bundle the API for ARM64, synthesize into example/cdk.out
 *   cd example && npx cdk deploy # deploy to the account and region of your credentials
 *
 * Optional custom domain (context values):
 *   -c domainName=app.example.com -c hostedZoneId=Z123 -c hostedZoneName=example.com [-c certificateArn=arn:aws:acm:us-east-1:...]
 */
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { SpaDomainOptions, SpaWithLambdaApi } from '../src';

export interface ExampleStackOptions {
  readonly domainName?: string;
  readonly hostedZoneId?: string;
  readonly hostedZoneName?: string;
  readonly certificateArn?: string;
}

/** Builds the example stack's construct, shared by the app and the tests. */
export function addExampleApp(scope: Construct, options: ExampleStackOptions = {}): SpaWithLambdaApi {
  let domain: SpaDomainOptions | undefined;
  if (options.domainName) {
    domain = {
      domainName: options.domainName,
      hostedZone: options.hostedZoneId && options.hostedZoneName
        ? route53.HostedZone.fromHostedZoneAttributes(scope, 'Zone', {
          hostedZoneId: options.hostedZoneId,
          zoneName: options.hostedZoneName,
        })
        : undefined,
      certificate: options.certificateArn
        ? acm.Certificate.fromCertificateArn(scope, 'Certificate', options.certificateArn)
        : undefined,
    };
  }
  return new SpaWithLambdaApi(scope, 'App', {
    site: { source: path.join(__dirname, 'frontend', 'dist') },
    // streaming: a Function URL in RESPONSE_STREAM mode, uvicorn behind the Lambda Web Adapter (docs/streaming.md)
    api: { source: path.join(__dirname, 'backend'), handler: 'app.main.handler', streaming: true },
    domain,
  });
}

if (require.main === module) {
  const app = new App({ analyticsReporting: false });
  const context = (key: string): string | undefined => app.node.tryGetContext(key);
  const stack = new Stack(app, 'SpaWithLambdaApiExample', {
    description: 'cdk-spa-with-lambda-api example: a Vite SPA and a FastAPI API behind one CloudFront distribution',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  addExampleApp(stack, {
    domainName: context('domainName'),
    hostedZoneId: context('hostedZoneId'),
    hostedZoneName: context('hostedZoneName'),
    certificateArn: context('certificateArn'),
  });
  app.synth();
}
