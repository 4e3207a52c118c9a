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

/**
 * The security headers of every response, as data: the CloudFormation response headers policy below and the
 * local dev server (src/dev) are both built from these values, so they cannot drift apart.
 */
export const SECURITY_HEADERS = {
  /** `Strict-Transport-Security` max-age: 2 years. */
  hstsMaxAgeSeconds: 730 * 24 * 60 * 60,
  hstsIncludeSubdomains: true,
  hstsPreload: false,
  /** string enums: their values are the header values (`DENY`, `strict-origin-when-cross-origin`) */
  frameOption: cloudfront.HeadersFrameOption.DENY,
  referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
} as const;

/**
 * The response headers CloudFront sets (overriding the origin's) with the policy of {@link securityHeadersPolicy},
 * lowercase names as HTTP/2 sends them.
 */
export function securityHeaderValues(contentSecurityPolicy: string): Record<string, string> {
  const h = SECURITY_HEADERS;
  return {
    'strict-transport-security': `max-age=${h.hstsMaxAgeSeconds}${h.hstsIncludeSubdomains ? '; includeSubDomains' : ''}${h.hstsPreload ? '; preload' : ''}`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': h.frameOption,
    'referrer-policy': h.referrerPolicy,
    'content-security-policy': contentSecurityPolicy,
  };
}

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
        accessControlMaxAge: Duration.seconds(SECURITY_HEADERS.hstsMaxAgeSeconds),
        includeSubdomains: SECURITY_HEADERS.hstsIncludeSubdomains,
        preload: SECURITY_HEADERS.hstsPreload,
        override: true,
      },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: SECURITY_HEADERS.frameOption, override: true },
      referrerPolicy: {
        referrerPolicy: SECURITY_HEADERS.referrerPolicy,
        override: true,
      },
      contentSecurityPolicy: { contentSecurityPolicy: props.contentSecurityPolicy, override: true },
    },
  });
}
