import * as path from 'path';
import { Annotations, Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';
import { SpaRouting } from './spa-routing';

/** What a routing mode adds to the distribution. */
export interface SpaRoutingParts {
  /** The viewer-request CloudFront Function, in the viewer-request-function mode. */
  readonly function?: cloudfront.Function;
  /** The default (S3) behaviour's function associations. */
  readonly functionAssociations?: cloudfront.FunctionAssociation[];
  /** The distribution-wide error responses, in the error-responses mode. */
  readonly errorResponses?: cloudfront.ErrorResponse[];
}

/**
 * Builds what `routing` needs in `scope`: the `SpaRoutingFunction` (src/routing/runtime/spa-routing.js) for the
 * viewer-request-function mode, or the 403/404 error responses and a warning that they mask API errors.
 * @param apiPrefix the API's path prefix, named in the warning
 */
export function spaRoutingParts(scope: Construct, routing: SpaRouting, apiPrefix: string): SpaRoutingParts {
  if (routing.mode === SpaRouting.viewerRequestFunction().mode) {
    const fn = new cloudfront.Function(scope, 'SpaRoutingFunction', {
      comment: 'SPA routing: navigations and extension-less paths get /index.html',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromFile({ filePath: path.join(__dirname, 'runtime', 'spa-routing.js') }),
    });
    return { function: fn, functionAssociations: [{ eventType: cloudfront.FunctionEventType.VIEWER_REQUEST, function: fn }] };
  }
  if (routing.mode === SpaRouting.errorResponses().mode) {
    Annotations.of(scope).addWarningV2('cdk-spa-with-lambda-api:errorResponsesMaskApiErrors',
      'site.routing is SpaRouting.errorResponses(): every 403 and 404 of the distribution, including the API\'s, '
      + `is answered with /index.html and status 200, so clients of ${apiPrefix}/* never see an API 404 or 403. `
      + 'Use SpaRouting.viewerRequestFunction() (the default) to keep API errors intact.');
    return {
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
    };
  }
  return {};
}
