import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';

/**
 * The default Content-Security-Policy. It has no fetch directive (default-src, script-src, style-src,
 * connect-src, img-src, font-src, ...), so it never blocks the inline scripts and styles, eval, workers,
 * fonts or API calls of a Vite, Create React App or Angular build. It only closes vectors no SPA needs:
 * `<base>` injection, plugins (`<object>`/`<embed>`), and framing (as `X-Frame-Options: DENY` does).
 */
export const DEFAULT_CONTENT_SECURITY_POLICY = "base-uri 'self'; object-src 'none'; frame-ancestors 'none'";

/** CloudFront's limit on the length of the Content-Security-Policy value of a response headers policy. */
export const MAX_CONTENT_SECURITY_POLICY_LENGTH = 1783;

export interface SecurityHeadersProps {
  /** A Content-Security-Policy value. */
  readonly contentSecurityPolicy: string;
}

/**
 * The response headers policy on every behaviour: HSTS (2 years, subdomains), nosniff,
 * `X-Frame-Options: DENY`, `Referrer-Policy: strict-origin-when-cross-origin`, and a Content-Security-Policy.
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
      contentSecurityPolicy: { contentSecurityPolicy: props.contentSecurityPolicy, override: true },
    },
  });
}
