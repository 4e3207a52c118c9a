import { Annotations, Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';
import { routingFunctionCode } from './route-table';
import { SpaRouting } from './spa-routing';
import { RoutingData } from './spa-routing-validation';

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
 * Builds what `routing` needs in `scope`: the `SpaRoutingFunction` (src/routing/runtime/spa-routing.js with the
 * site's route table written in) for the viewer-request-function mode, associated with the viewer-response event
 * too when the fallback is a not-found page; or the 403/404 error responses and a warning that they mask API errors.
 * @param apiPrefix the API's path prefix, named in the warning
 * @param data the route table of `site.source` and the not-found page (see `routingData`)
 */
export function spaRoutingParts(scope: Construct, routing: SpaRouting, apiPrefix: string, data: RoutingData): SpaRoutingParts {
  if (routing.mode === SpaRouting.viewerRequestFunction().mode) {
    const fn = new cloudfront.Function(scope, 'SpaRoutingFunction', {
      comment: data.notFoundPage === undefined
        ? 'SPA routing: navigations and extension-less paths get /index.html'
        : 'Static-site routing: prerendered pages, unknown paths get the not-found page with status 404', // at most 128 characters
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(routingFunctionCode(data.routes, data.notFoundPage)),
    });
    const functionAssociations = [{ eventType: cloudfront.FunctionEventType.VIEWER_REQUEST, function: fn }];
    if (data.notFoundPage !== undefined) {
      functionAssociations.push({ eventType: cloudfront.FunctionEventType.VIEWER_RESPONSE, function: fn });
    }
    return { function: fn, functionAssociations };
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
