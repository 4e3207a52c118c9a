import { Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { FastApiFunctionOptions } from './fastapi-function';
import { PropErrors, show } from '../private/validation';

/**
 * The Lambda Web Adapter layer a streaming function gets unless `streamingAdapterLayer` says otherwise: AWS's
 * published arm64 layer. Version 25 is LWA 0.9.1 (awslabs/aws-lambda-web-adapter #593 moved its docs from 24 to 25
 * with the 0.9.1 release; #635 moved them to 26 with 1.0.0-rc1), the version the streaming runtime's tests build from
 * crates.io. Pinned: a new adapter version reaches users in a release of this library whose tests ran it.
 */
export const LWA_LAYER = {
  account: '753240598075',
  name: 'LambdaAdapterLayerArm64',
  version: 25,
  lwaVersion: '0.9.1',
};

const STREAMING_EXEC_WRAPPER_ENV = 'AWS_LAMBDA_EXEC_WRAPPER';

/** Lambda's longest function timeout, which a Function URL in RESPONSE_STREAM mode honours. */
export const MAX_STREAMING_TIMEOUT_SECONDS = 900;

/** Regions whose partition is not `aws` (China, GovCloud, ISO): AWS publishes no arm64 LWA layer there. */
const NON_COMMERCIAL_REGION_RE = /^(cn-|us-gov-|us-iso|us-isob-|eu-isoe-|us-isof-)/;

/** The streaming props of a FastAPI function. */
export type StreamingFunctionProps = Pick<FastApiFunctionOptions, 'streaming' | 'streamingAdapterLayer' | 'vpc' | 'snapStart' | 'architecture'
| 'environment'>;

/** `importOnFirstRequest` cannot apply in streaming mode: uvicorn imports the app when it starts, in the init phase. */
export function streamingImportError(prop: string, prefix: string): string {
  return `${prop} is true and ${prefix}streaming is true, but in streaming mode uvicorn imports the app when it starts, in the init phase, `
    + 'before the adapter reports the function ready; there is no first request to defer the import to. '
    + `Remove ${prop}, or set ${prefix}streaming to false.`;
}

/**
 * Validates the function-level streaming props: combinations Lambda or the pinned adapter cannot serve, and the
 * partition of the default adapter layer.
 * @param prefix the prop path shown in messages, `api.` in the facade, empty in FastApiFunction
 */
export function validateStreamingFunction(errors: PropErrors, p: StreamingFunctionProps, prefix: string, stack: Stack): void {
  if (p.streaming !== true) {
    if (p.streamingAdapterLayer !== undefined) {
      errors.add(`${prefix}streamingAdapterLayer is set, but ${prefix}streaming is ${show(p.streaming ?? false)}: the adapter layer is used `
        + `in streaming mode only. Set ${prefix}streaming to true, or remove ${prefix}streamingAdapterLayer.`);
    }
    return;
  }
  if (p.vpc !== undefined) {
    errors.add(`${prefix}vpc is set and ${prefix}streaming is true, but Lambda Function URLs do not stream responses of a function `
      + 'attached to a VPC (https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html). Remove '
      + `${prefix}vpc (reach private resources through a public endpoint with IAM auth, or a second function in the VPC), `
      + `or set ${prefix}streaming to false for the HTTP API path.`);
  }
  const wrapper = STREAMING_EXEC_WRAPPER_ENV;
  if (p.environment !== undefined && Object.prototype.hasOwnProperty.call(p.environment, wrapper)) {
    errors.add(`${prefix}environment sets ${show(wrapper)} and ${prefix}streaming is true, but streaming mode sets it to its own exec `
      + 'wrapper, which starts uvicorn behind the Lambda Web Adapter. Remove the variable.');
  }
  if (p.snapStart === true) {
    errors.add(`${prefix}snapStart is true and ${prefix}streaming is true, but the pinned Lambda Web Adapter ${LWA_LAYER.lwaVersion} does not `
      + 'implement SnapStart\'s restore hooks: its connections to uvicorn would be resumed from the snapshot. Remove snapStart '
      + `(use ${prefix}provisionedConcurrency for initialized environments), or set ${prefix}streaming to false.`);
  }
  if (p.streamingAdapterLayer === undefined) {
    if (p.architecture !== undefined && p.architecture.name !== lambda.Architecture.ARM_64.name) {
      errors.add(`${prefix}architecture is ${show(p.architecture.name)} and ${prefix}streaming is true, but the default Lambda Web Adapter `
        + `layer is AWS's arm64 build. Leave ${prefix}architecture unset (ARM_64), or pass an adapter layer for your architecture in `
        + `${prefix}streamingAdapterLayer.`);
    }
    const region = stack.region;
    if (!Token.isUnresolved(region) && NON_COMMERCIAL_REGION_RE.test(region)) {
      errors.add(`${prefix}streaming is true and the stack is in ${show(region)}, but AWS publishes its arm64 Lambda Web Adapter layer in `
        + 'the commercial partition only. Publish the adapter (crate lambda_web_adapter, or the awslabs/aws-lambda-web-adapter release) '
        + `as a layer in your account and pass it in ${prefix}streamingAdapterLayer.`);
    }
  }
}

/**
 * The Lambda Web Adapter layer of a streaming function: the user's, or AWS's published arm64 layer (`LwaLayer`) in the
 * stack's partition and region. In an environment-agnostic stack the ARN is resolved at deploy time, and a deploy to a
 * partition without the layer fails there (documented in docs/streaming.md).
 */
export function streamingAdapterLayer(scope: Construct, layer: lambda.ILayerVersion | undefined): lambda.ILayerVersion {
  if (layer) {
    return layer;
  }
  const stack = Stack.of(scope);
  return lambda.LayerVersion.fromLayerVersionArn(scope, 'LwaLayer',
    `arn:${stack.partition}:lambda:${stack.region}:${LWA_LAYER.account}:layer:${LWA_LAYER.name}:${LWA_LAYER.version}`);
}
