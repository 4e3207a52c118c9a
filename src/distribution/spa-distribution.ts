import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { cloudFrontLogDelivery, CloudFrontLoggingMode, legacyDistributionLogging } from './access-logging';
import { DEFAULT_CONTENT_SECURITY_POLICY, MAX_CONTENT_SECURITY_POLICY_LENGTH, securityHeadersPolicy } from './security-headers';
import { SpaDomainOptions } from './spa-domain-options';
import { PropErrors, show } from '../private/validation';
import type { SpaRoutingParts } from '../routing/spa-routing-parts';

/** The facade's props that shape the distribution itself (its behaviours come from the site and the API). */
export interface SpaDistributionOptions {
  readonly priceClass?: cloudfront.PriceClass;
  readonly contentSecurityPolicy?: string;
  readonly responseHeadersPolicy?: cloudfront.IResponseHeadersPolicy;
  readonly webAclArn?: string;
}

/** A WAFv2 web ACL of the CLOUDFRONT scope: global, and therefore in us-east-1. */
const CLOUDFRONT_WEB_ACL_ARN_RE = /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]{1,128}\/[0-9a-f-]{36}$/;

/** Validates the distribution's props: the WAF web ACL and the response headers. */
export function validateDistributionOptions(errors: PropErrors, props: SpaDistributionOptions): void {
  const arn = props.webAclArn;
  if (arn !== undefined && !Token.isUnresolved(arn) && !CLOUDFRONT_WEB_ACL_ARN_RE.test(arn)) {
    const regional = /^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\//.test(arn);
    errors.add(`webAclArn is ${show(arn)}, but CloudFront only accepts an AWS WAF (v2) web ACL with the CLOUDFRONT scope, whose ARN is `
      + '"arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>"'
      + (regional ? ' (this one has the REGIONAL scope, for API Gateway, ALB or AppSync)' : '')
      + '. Create the web ACL with scope CLOUDFRONT in us-east-1 and pass its ARN (not its name or id).');
  }

  const csp = props.contentSecurityPolicy;
  if (csp !== undefined && props.responseHeadersPolicy !== undefined) {
    errors.add('contentSecurityPolicy and responseHeadersPolicy are both set, but responseHeadersPolicy replaces the construct\'s '
      + 'security headers, CSP included. Put the Content-Security-Policy in your response headers policy, or remove responseHeadersPolicy.');
  } else if (csp !== undefined && !Token.isUnresolved(csp)
    && (csp.trim() === '' || csp.length > MAX_CONTENT_SECURITY_POLICY_LENGTH || /[\r\n\0]/.test(csp))) {
    const shown = csp.length > 80 ? `${show(csp.slice(0, 80))}... (${csp.length} characters)` : show(csp);
    errors.add(`contentSecurityPolicy is ${shown}, but CloudFront needs a non-empty value of at most ${MAX_CONTENT_SECURITY_POLICY_LENGTH} `
      + 'characters on one line. Shorten it (for example move hashes to \'strict-dynamic\'), or leave it unset for the default; '
      + 'to send no Content-Security-Policy at all, pass your own responseHeadersPolicy.');
  }
}

/** The response headers policy of every behaviour: the user's, or the security headers (`SecurityHeaders` in `scope`). */
export function responseHeadersPolicy(scope: Construct, props: SpaDistributionOptions): cloudfront.IResponseHeadersPolicy {
  return props.responseHeadersPolicy ?? securityHeadersPolicy(scope, 'SecurityHeaders', {
    contentSecurityPolicy: props.contentSecurityPolicy ?? DEFAULT_CONTENT_SECURITY_POLICY,
  });
}

export interface SpaDistributionProps extends SpaDistributionOptions {
  /** The site bucket, the default behaviour's origin (Origin Access Control). */
  readonly siteBucket: s3.IBucket;
  /** What the SPA routing adds to the default behaviour and the distribution. */
  readonly routing: SpaRoutingParts;
  /** The policy of every behaviour, from `responseHeadersPolicy()`. */
  readonly headersPolicy: cloudfront.IResponseHeadersPolicy;
  /** The other behaviours by path pattern: the API's `<prefix>/*`. */
  readonly additionalBehaviors: Record<string, cloudfront.BehaviorOptions>;
  readonly logsBucket: s3.Bucket;
  readonly logging: CloudFrontLoggingMode;
  readonly domain?: SpaDomainOptions;
  readonly certificate?: acm.ICertificate;
}

/**
 * The distribution (`Distribution` in `scope`): HTTP/2 and 3, IPv6, TLSv1.2_2021 with a custom domain, the site
 * bucket as the default behaviour, and its access logs (legacy logging, standard logging v2 in us-east-1, or a
 * warning where CloudFront delivers none).
 */
export function createSpaDistribution(scope: Construct, props: SpaDistributionProps): cloudfront.Distribution {
  const distribution = new cloudfront.Distribution(scope, 'Distribution', {
    comment: `SPA and API of ${scope.node.path}`,
    defaultRootObject: 'index.html',
    httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    enableIpv6: true,
    priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
    domainNames: props.domain ? [props.domain.domainName] : undefined,
    certificate: props.certificate,
    minimumProtocolVersion: props.domain ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
    webAclId: props.webAclArn,
    ...legacyDistributionLogging(props.logging, props.logsBucket),
    defaultBehavior: {
      origin: origins.S3BucketOrigin.withOriginAccessControl(props.siteBucket, {
        // LIST lets S3 answer 404 (not 403) for a missing object
        originAccessLevels: [cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST],
      }),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      compress: true,
      responseHeadersPolicy: props.headersPolicy,
      functionAssociations: props.routing.functionAssociations,
    },
    additionalBehaviors: props.additionalBehaviors,
    errorResponses: props.routing.errorResponses,
  });

  // LIST is safe here: defaultRootObject is index.html, so a request for "/" never lists the bucket.
  Annotations.of(distribution).acknowledgeWarning('@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
    'defaultRootObject is index.html and the SPA routing never forwards "/" to the bucket as a listing');

  if (props.logging === 'v2') {
    cloudFrontLogDelivery(scope, distribution, props.logsBucket);
  } else if (props.logging === 'none') {
    Annotations.of(scope).addWarningV2('cdk-spa-with-lambda-api:noCloudFrontAccessLogs',
      `The stack is in ${Stack.of(scope).region}, a region whose buckets CloudFront does not deliver legacy standard logs to, and standard `
      + 'logging v2 can only be set up from us-east-1, so the distribution has no access logs. Deploy the stack in us-east-1 or '
      + 'another region, or enable standard logging v2 for the distribution in the CloudFront console.');
  }
  return distribution;
}
