import { Token } from 'aws-cdk-lib';
import { validateOriginVerificationOptions, validateOriginVerifyEnvironment, validateOriginVerifySecretKeys } from '../api/origin-verification-layer';
import { MAX_CONTENT_SECURITY_POLICY_LENGTH } from '../distribution/security-headers';
import { PropErrors, show } from './validation';
import type { SpaWithLambdaApiProps } from '../spa-with-lambda-api';

/** A WAFv2 web ACL of the CLOUDFRONT scope: global, and therefore in us-east-1. */
const CLOUDFRONT_WEB_ACL_ARN_RE = /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]{1,128}\/[0-9a-f-]{36}$/;

/** Validates the security props of SpaWithLambdaApi: origin verification, authorizer, WAF, headers. */
export function validateSecurityProps(errors: PropErrors, props: SpaWithLambdaApiProps): void {
  const ov = props.api.originVerification;
  validateOriginVerificationOptions(errors, 'api.originVerification.', ov);
  if (ov?.enabled ?? true) {
    validateOriginVerifyEnvironment(errors, 'api.environment', props.api.environment ?? {});
    validateOriginVerifySecretKeys(errors, 'api.secrets', props.api.secrets ?? {});
  }

  if (props.api.authorizationScopes !== undefined && props.api.authorizer === undefined) {
    errors.add(`api.authorizationScopes is ${show(props.api.authorizationScopes)}, but api.authorizer is not set, and scopes are checked by `
      + 'the authorizer. Set api.authorizer (for example an HttpJwtAuthorizer), or remove api.authorizationScopes.');
  }

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
