import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';

export interface SecurityHeadersProps {
  /** A Content-Security-Policy value; none is sent when undefined. */
  readonly contentSecurityPolicy?: string;
}

/**
 * The response headers policy on every behaviour: HSTS (2 years, subdomains), nosniff,
 * `X-Frame-Options: DENY`, `Referrer-Policy: strict-origin-when-cross-origin`, and an optional CSP.
 * Values are set explicitly and override what the origin sends.
 */
export function securityHeadersPolicy(scope: Construct, id: string, props: SecurityHeadersProps): cloudfront.ResponseHeadersPolicy {
  return new cloudfront.ResponseHeadersPolicy(scope, id, {
    comment: 'Security headers for the SPA and its API',
    securityHeadersBehavior: {
      strictTransportSecurity: {
        accessControlMaxAge: Duration.days(730),
        includeSubdomains: true,
        preload: false,
        override: true,
      },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      referrerPolicy: {
        referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
        override: true,
      },
      ...(props.contentSecurityPolicy !== undefined
        ? { contentSecurityPolicy: { contentSecurityPolicy: props.contentSecurityPolicy, override: true } }
        : {}),
    },
  });
}
