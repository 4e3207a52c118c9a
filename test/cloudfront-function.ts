import * as fs from 'fs';
import * as vm from 'vm';

/** A header, query-string or cookie value of a CloudFront Functions event. */
export interface CfValue {
  value: string;
  multiValue?: CfValue[];
}

/** The request of a CloudFront Functions event (header names lower-cased). */
export interface CfRequest {
  method: string;
  uri: string;
  querystring: Record<string, CfValue>;
  /** optional: CloudFront may send a request without a headers object */
  headers?: Record<string, CfValue>;
  cookies: Record<string, CfValue>;
}

/** A CloudFront Functions event (event structure 1.0 of the CloudFront Developer Guide). */
export interface CfEvent {
  version: string;
  context: { distributionDomainName: string; distributionId: string; eventType: string; requestId: string };
  viewer: { ip: string };
  request: CfRequest;
}

/**
 * Evaluates a CloudFront Function's deployed source in a fresh context (no Node globals, as in the
 * cloudfront-js runtime) and returns its `handler`.
 */
export function loadCloudFrontFunctionHandler<E = unknown, R = unknown>(sourcePath: string): (event: E) => R {
  return vm.runInNewContext(`${fs.readFileSync(sourcePath, 'utf-8')}\n;handler`, {});
}

/** A viewer-request event around `request`, with the context of the Developer Guide's example distribution. */
export function viewerRequestEvent(request: CfRequest): CfEvent {
  return {
    version: '1.0',
    context: {
      distributionDomainName: 'd111111abcdef8.cloudfront.net',
      distributionId: 'EDFDVBD6EXAMPLE',
      eventType: 'viewer-request',
      requestId: '4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==',
    },
    viewer: { ip: '198.51.100.11' },
    request,
  };
}
