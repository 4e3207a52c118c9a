import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';
import { validateViewerHostDomainNames, VIEWER_HOST_SOURCE, viewerHostFunctionCode } from './viewer-host-code';
import { PropErrors } from '../private/validation';

/**
 * Properties of a {@link ViewerHostFunction}.
 */
export interface ViewerHostFunctionProps {
  /**
   * A name for the function, unique in the account.
   *
   * @default - generated from the construct path
   */
  readonly functionName?: string;

  /**
   * The distribution's custom domain names (its `domainNames`), the first being the primary name.
   *
   * The application sees one of these names or the distribution's own domain (`*.cloudfront.net`), in canonical
   * form (lower case, no trailing dot, no port, punycode); a viewer `Host` that is none of them once
   * canonicalised gets the primary name.
   *
   * @default - no custom domain: the distribution's domain is the only name
   */
  readonly domainNames?: string[];
}

/**
 * A viewer-request CloudFront Function (cloudfront-js-2.0) for a behaviour whose origin is an API that should see the
 * public host: it puts the site's name the viewer used into the `x-cdk-spa-viewer-host` header (replacing any value
 * the viewer sent), always one of `domainNames` or the distribution's domain in canonical form, the primary name
 * for any other `Host`, and removes the viewer's `X-Forwarded-Host` and `Forwarded` headers.
 *
 * `SpaWithLambdaApi` puts it on its API behaviour. Behind your own distribution, associate it with the behaviour
 * of a {@link FastApiFunction} whose `originVerification.trustViewerHost` is true: the function's origin check then
 * presents that host to the app (as `host`, with https) only after the origin secret matched, so redirects,
 * `url_for` and `request.url` name the public host, never the execute-api host.
 *
 * @example
 * const viewerHost = new ViewerHostFunction(this, 'ViewerHost');
 * // the options of your distribution's API behaviour (distribution.addBehavior('/api/*', apiOrigin, apiBehavior))
 * const apiBehavior: cloudfront.AddBehaviorOptions = {
 *   originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
 *   functionAssociations: [{ eventType: cloudfront.FunctionEventType.VIEWER_REQUEST, function: viewerHost }],
 * };
 */
export class ViewerHostFunction extends cloudfront.Function {
  /** The header that carries the viewer's host to the origin. Only this function sets it. */
  public static readonly HEADER_NAME = 'x-cdk-spa-viewer-host';

  /** Validates the names (before anything is built), then the code: the file as it is without names. */
  private static codeFor(id: string, domainNames: string[]): cloudfront.FunctionCode {
    const errors = new PropErrors();
    validateViewerHostDomainNames(errors, domainNames);
    errors.throwIfAny('ViewerHostFunction', id);
    return domainNames.length > 0
      ? cloudfront.FunctionCode.fromInline(viewerHostFunctionCode(domainNames))
      : cloudfront.FunctionCode.fromFile({ filePath: VIEWER_HOST_SOURCE });
  }

  constructor(scope: Construct, id: string, props: ViewerHostFunctionProps = {}) {
    super(scope, id, {
      functionName: props.functionName,
      comment: 'Viewer host: passes the viewer Host to the API origin in x-cdk-spa-viewer-host',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: ViewerHostFunction.codeFor(id, props.domainNames ?? []),
    });
  }
}
