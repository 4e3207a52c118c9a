import { Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { SpaDomainOptions } from './spa-domain-options';
import { PropErrors, show } from '../private/validation';


const US_EAST_1 = 'us-east-1';
const HOSTNAME_RE = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

/** Validates the facade's `domain` props: a host name inside the zone, and a certificate CloudFront can use. */
export function validateDomainOptions(errors: PropErrors, domain: SpaDomainOptions, stack: Stack): void {
  const name = domain.domainName;
  if (!Token.isUnresolved(name) && !HOSTNAME_RE.test(name)) {
    errors.add(`domain.domainName is ${show(name)}, but it must be a fully qualified lower-case host name such as "app.example.com" `
      + '(no scheme, path, port or wildcard).');
  }
  const zoneName = domain.hostedZone?.zoneName;
  if (zoneName && !Token.isUnresolved(zoneName) && !Token.isUnresolved(name)) {
    const zone = zoneName.replace(/\.$/, '');
    if (name !== zone && !name.endsWith(`.${zone}`)) {
      errors.add(`domain.domainName is ${show(name)}, but domain.hostedZone is ${show(zone)}, which cannot hold records for it. `
        + 'Pass the hosted zone of that domain, or a domain name inside the zone.');
    }
  }
  if (!domain.hostedZone && !domain.certificate) {
    errors.add(`domain has neither hostedZone nor certificate for ${show(name)}. `
      + 'Pass hostedZone (records and, in us-east-1, the certificate are created), or certificate (an ACM certificate in us-east-1) '
      + 'if your DNS is elsewhere, or both.');
  }
  if (domain.hostedZone && !domain.certificate && stack.region !== US_EAST_1) {
    const region = Token.isUnresolved(stack.region) ? 'unresolved (environment-agnostic stack)' : show(stack.region);
    errors.add(`domain.certificate is not set and the stack region is ${region}, but CloudFront only accepts certificates from us-east-1, `
      + 'so this construct can only create one when the stack is in us-east-1. Create the certificate in a us-east-1 stack and pass it: '
      + '`new acm.Certificate(certStack, \'Cert\', { domainName, validation: acm.CertificateValidation.fromDns(zone) })` with '
      + '`crossRegionReferences: true` on both stacks, or `acm.Certificate.fromCertificateArn(this, \'Cert\', \'arn:aws:acm:us-east-1:...\')`.');
  }
  const certRegion = domain.certificate ? certificateRegion(domain.certificate) : undefined;
  if (certRegion && certRegion !== US_EAST_1) {
    errors.add(`domain.certificate is in ${show(certRegion)}, but CloudFront only accepts ACM certificates from us-east-1. `
      + 'Request or import the certificate in us-east-1 and pass that one.');
  }
}

/** The region of a certificate, when known at synth time. */
function certificateRegion(cert: acm.ICertificate): string | undefined {
  const arn = cert.certificateArn;
  if (!Token.isUnresolved(arn)) {
    return arn.split(':')[3] || undefined;
  }
  const region = cert.env.region;
  return Token.isUnresolved(region) ? undefined : region;
}

/**
 * The domain's certificate: the one given, or a DNS-validated `Certificate` in `scope` when only a hosted zone is
 * (validation has made sure the stack is in us-east-1 then).
 */
export function domainCertificate(scope: Construct, domain: SpaDomainOptions | undefined): acm.ICertificate | undefined {
  if (!domain || domain.certificate || !domain.hostedZone) {
    return domain?.certificate;
  }
  return new acm.Certificate(scope, 'Certificate', {
    domainName: domain.domainName,
    validation: acm.CertificateValidation.fromDns(domain.hostedZone),
  });
}

/** A and AAAA alias records of the domain to the distribution, in `scope`, when the domain has a hosted zone. */
export function domainRecords(scope: Construct, domain: SpaDomainOptions | undefined, distribution: cloudfront.IDistribution): void {
  if (!domain?.hostedZone) {
    return;
  }
  const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(distribution));
  new route53.ARecord(scope, 'AliasRecord', { zone: domain.hostedZone, recordName: domain.domainName, target });
  new route53.AaaaRecord(scope, 'AliasRecordIpv6', { zone: domain.hostedZone, recordName: domain.domainName, target });
}
