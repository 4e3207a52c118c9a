import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { SpaWithLambdaApi, SpaWithLambdaApiProps } from '../../src';
import { distributionConfig, logicalIdOf, minimalProps, newStack } from '../util';

const ZONE = { hostedZoneId: 'Z0123456789', zoneName: 'example.com' };

/** Asserts the exact error thrown for props with exactly one problem. */
function expectError(props: SpaWithLambdaApiProps, message: string, stack: Stack = newStack()): void {
  expect(() => new SpaWithLambdaApi(stack, 'App', props)).toThrow(
    new Error(`Invalid props for SpaWithLambdaApi 'App':\n- ${message}`),
  );
}

describe('custom domain', () => {
  test('in us-east-1 with a hosted zone: DNS-validated certificate, TLSv1.2_2021, A and AAAA aliases', () => {
    const stack = newStack('us-east-1');
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', ZONE);
    new SpaWithLambdaApi(stack, 'App', minimalProps({ domain: { domainName: 'app.example.com', hostedZone } }));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'app.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'app.example.com', HostedZoneId: 'Z0123456789' }],
    });
    const config = distributionConfig(template);
    expect(config.Aliases).toEqual(['app.example.com']);
    expect(config.ViewerCertificate).toEqual({
      AcmCertificateArn: { Ref: logicalIdOf(template, 'AWS::CertificateManager::Certificate') },
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    for (const type of ['A', 'AAAA']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'app.example.com.',
        Type: type,
        HostedZoneId: 'Z0123456789',
        AliasTarget: Match.objectLike({ DNSName: { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::CloudFront::Distribution'), 'DomainName'] } }),
      });
    }
    template.hasOutput('*', { Value: 'https://app.example.com' });
  });

  test('a certificate without a hosted zone (external DNS) sets the alias and creates no records', () => {
    const stack = newStack('eu-west-1');
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
    new SpaWithLambdaApi(stack, 'App', minimalProps({ domain: { domainName: 'app.example.com', certificate } }));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    expect(distributionConfig(template).ViewerCertificate.AcmCertificateArn).toBe('arn:aws:acm:us-east-1:111111111111:certificate/abc');
  });
});

describe('bad domain input fails at synth time', () => {
  test('fails when domain has neither a hosted zone nor a certificate', () => {
    expectError(minimalProps({ domain: { domainName: 'app.example.com' } }),
      'domain has neither hostedZone nor certificate for "app.example.com". Pass hostedZone (records and, in us-east-1, the certificate are created), '
      + 'or certificate (an ACM certificate in us-east-1) if your DNS is elsewhere, or both.');
  });

  test('fails when domain.domainName is not a host name', () => {
    const stack = newStack('us-east-1');
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
    expectError(minimalProps({ domain: { domainName: 'https://app.example.com/', certificate } }),
      'domain.domainName is "https://app.example.com/", but it must be a fully qualified lower-case host name such as "app.example.com" (no scheme, path, port or wildcard).',
      stack);
  });

  test('fails when domain.domainName is outside domain.hostedZone', () => {
    const stack = newStack('us-east-1');
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', ZONE);
    expectError(minimalProps({ domain: { domainName: 'app.example.org', hostedZone } }),
      'domain.domainName is "app.example.org", but domain.hostedZone is "example.com", which cannot hold records for it. '
      + 'Pass the hosted zone of that domain, or a domain name inside the zone.', stack);
  });

  const howToPassCert = 'so this construct can only create one when the stack is in us-east-1. Create the certificate in a us-east-1 stack and pass it: '
    + '`new acm.Certificate(certStack, \'Cert\', { domainName, validation: acm.CertificateValidation.fromDns(zone) })` with '
    + '`crossRegionReferences: true` on both stacks, or `acm.Certificate.fromCertificateArn(this, \'Cert\', \'arn:aws:acm:us-east-1:...\')`.';

  test('fails when a hosted zone without a certificate is used outside us-east-1', () => {
    const stack = newStack('eu-west-1');
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', ZONE);
    expectError(minimalProps({ domain: { domainName: 'app.example.com', hostedZone } }),
      'domain.certificate is not set and the stack region is "eu-west-1", but CloudFront only accepts certificates from us-east-1, ' + howToPassCert, stack);
  });

  test('fails when a hosted zone without a certificate is used in an environment-agnostic stack', () => {
    const stack = newStack();
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', ZONE);
    expectError(minimalProps({ domain: { domainName: 'app.example.com', hostedZone } }),
      'domain.certificate is not set and the stack region is unresolved (environment-agnostic stack), but CloudFront only accepts certificates from us-east-1, '
      + howToPassCert, stack);
  });

  test('fails when domain.certificate is outside us-east-1', () => {
    const stack = newStack('eu-west-1');
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/abc');
    expectError(minimalProps({ domain: { domainName: 'app.example.com', certificate } }),
      'domain.certificate is in "eu-west-1", but CloudFront only accepts ACM certificates from us-east-1. Request or import the certificate in us-east-1 and pass that one.',
      stack);
  });
});
