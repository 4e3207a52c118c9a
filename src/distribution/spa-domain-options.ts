import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';

/**
 * A custom domain for the distribution.
 */
export interface SpaDomainOptions {
  /**
   * The fully qualified domain name, for example `app.example.com`.
   */
  readonly domainName: string;

  /**
   * The Route53 hosted zone of `domainName`. When given, A and AAAA alias records are created, and if no
   * `certificate` is given a DNS-validated one is created (only possible when the stack is in us-east-1).
   *
   * @default - no DNS records; point your DNS at the distribution yourself
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * An ACM certificate in us-east-1 that covers `domainName` (CloudFront only uses us-east-1 certificates).
   *
   * @default - created with DNS validation in `hostedZone` when the stack is in us-east-1
   */
  readonly certificate?: acm.ICertificate;
}
