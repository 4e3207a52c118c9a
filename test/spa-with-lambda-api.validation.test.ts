import * as path from 'path';
import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BACKEND, FIXTURES, minimalProps, newStack, SITE } from './util';
import { FastApiFunction, SpaApiOptions, SpaMonitoring, SpaWithLambdaApi, SpaWithLambdaApiProps } from '../src';
import * as functionValidation from '../src/api/function-validation';
import * as monitoringValidation from '../src/monitoring/monitoring-validation';

/** Asserts the exact error thrown for props with exactly one problem. */
function expectError(props: SpaWithLambdaApiProps, message: string, stack: Stack = newStack()): void {
  expect(() => new SpaWithLambdaApi(stack, 'App', props)).toThrow(
    new Error(`Invalid props for SpaWithLambdaApi 'App':\n- ${message}`),
  );
}

function withApi(api: Partial<SpaApiOptions>): SpaWithLambdaApiProps {
  return minimalProps({ api: { source: BACKEND, ...api } });
}

const MISSING = path.join(FIXTURES, 'does-not-exist');

describe('bad input fails at synth time with one message per problem', () => {
  test('fails when site.source does not exist', () => {
    expectError(minimalProps({ site: { source: MISSING } }),
      `site.source is ${JSON.stringify(MISSING)}, but that path does not exist (resolved to ${JSON.stringify(MISSING)}). `
      + 'It must be the built SPA folder, for example frontend/dist. Check the path, which is relative to the directory you run cdk from, or pass an absolute path.');
  });

  test('fails when site.source is a file', () => {
    const file = path.join(SITE, 'index.html');
    expectError(minimalProps({ site: { source: file } }),
      `site.source is ${JSON.stringify(file)}, but that is a file, not a folder. It must be the built SPA folder, for example frontend/dist.`);
  });

  test('fails when site.source has no index.html', () => {
    const dir = path.join(FIXTURES, 'site-without-index');
    expectError(minimalProps({ site: { source: dir } }),
      `site.source is ${JSON.stringify(dir)}, but it has no index.html. It must be the output folder of your SPA build `
      + '(for example frontend/dist after `npm run build`). Build the SPA first, or point at the folder that holds index.html.');
  });

  test('fails when site.hashedAssetGlobs is empty or "*"', () => {
    const msg = (v: string[]) => `site.hashedAssetGlobs is ${JSON.stringify(v)}, but it must list at least one glob and none may be empty or "*" `
      + '(that would cache index.html for a year). List the folders or name patterns of content-hashed files, for example ["assets/*"].';
    expectError(minimalProps({ site: { source: SITE, hashedAssetGlobs: [] } }), msg([]));
    expectError(minimalProps({ site: { source: SITE, hashedAssetGlobs: ['assets/*', '*'] } }), msg(['assets/*', '*']));
  });

  test('fails when api.source does not exist', () => {
    expectError(withApi({ source: MISSING }),
      `api.source is ${JSON.stringify(MISSING)}, but that path does not exist (resolved to ${JSON.stringify(MISSING)}). `
      + 'It must be the folder of your FastAPI project, which holds requirements.txt or pyproject.toml and the handler module. '
      + 'Check the path, which is relative to the directory you run cdk from, or pass an absolute path.');
  });

  test('fails when api.source has neither requirements.txt nor pyproject.toml', () => {
    const dir = path.join(FIXTURES, 'backend-without-requirements');
    expectError(withApi({ source: dir }),
      `api.source is ${JSON.stringify(dir)}, but it has neither requirements.txt nor pyproject.toml. `
      + "The bundler installs the function's dependencies from one of them (with uv.lock or poetry.lock when present). "
      + 'Add a requirements.txt (it may be empty) listing fastapi and mangum, for example `pip freeze > requirements.txt` in your virtualenv.');
  });

  test.each(['app/main.handler', 'handler', 'app.main.', 'app.main:handler', 'app-main.handler'])('fails when api.handler is not module.attribute (%s)', (handler) => {
    expectError(withApi({ handler }),
      `api.handler is ${JSON.stringify(handler)}, but it must be \`module.attribute\` in Python import syntax, `
      + 'for example "app.main.handler" for `handler = Mangum(app)` in app/main.py. Use dots, not slashes, and no ".py".');
  });

  test('fails when the api.handler module does not exist in api.source', () => {
    const dir = path.join(FIXTURES, 'backend-without-handler');
    expectError(withApi({ source: dir }),
      `api.handler is "app.main.handler", but neither "app/main.py" nor "app/main/__init__.py" exists in api.source ${JSON.stringify(dir)}. `
      + 'Point the handler at the module that defines it, relative to the source folder.');
  });

  test('fails when api.runtime is not Python', () => {
    expectError(withApi({ runtime: lambda.Runtime.NODEJS_22_X }),
      'api.runtime is "nodejs22.x", but a FastAPI function needs a Python runtime. Use lambda.Runtime.PYTHON_3_12 or newer, or leave it unset for the default.');
  });

  test('fails when api.timeout is over 30 seconds', () => {
    expectError(withApi({ timeout: Duration.seconds(45) }),
      'api.timeout is 45 seconds, but an HTTP API integration times out after 30 seconds. '
      + 'Use a timeout of at most 30 seconds, or set api.streaming to true (a Function URL behind CloudFront, up to 15 minutes; '
      + 'see docs/streaming.md), or move longer work to a queue or Step Functions.');
  });

  test('fails when api.timeout is under 1 second', () => {
    expectError(withApi({ timeout: Duration.millis(500) }),
      'api.timeout is 500 millis, but Lambda timeouts are whole seconds from 1 to 30 here. Use at least Duration.seconds(1).');
  });

  test.each([64, 10241, 256.5])('fails when api.memorySize is %p', (memorySize) => {
    expectError(withApi({ memorySize }),
      `api.memorySize is ${memorySize}, but Lambda allows whole megabytes from 128 to 10240. Use a value in that range, for example 256 or 512.`);
  });

  test('fails when api.environment sets a name Lambda reserves', () => {
    expectError(withApi({ environment: { AWS_REGION: 'eu-west-1' } }),
      'api.environment sets "AWS_REGION", but Lambda reserves that name and rejects the function at deploy time. '
      + 'Rename the variable (for example with your app\'s prefix).');
  });

  test.each(['api', '/', '/api/', '/api/*', '//api', '/a b'])('fails when api.prefix is %p', (prefix) => {
    expectError(withApi({ prefix }),
      `api.prefix is ${JSON.stringify(prefix)}, but it must start with "/", name at least one path segment and not end with "/" `
      + '(letters, digits and . _ ~ - only), for example "/api" or "/backend/v1". The SPA owns "/".');
  });

  test('fails when api.throttlingRateLimit is negative', () => {
    expectError(withApi({ throttlingRateLimit: -1 }),
      'api.throttlingRateLimit is -1, but it must be a number of at least 0. '
      + 'Set it to the requests per second you want the API to accept, or leave it unset for the default.');
  });

  test('fails when api.throttlingBurstLimit is negative or fractional', () => {
    for (const v of [-5, 2.5]) {
      expectError(withApi({ throttlingBurstLimit: v }),
        `api.throttlingBurstLimit is ${v}, but it must be a whole number of at least 0. `
        + 'Set it to the burst size in requests you want the API to accept, or leave it unset for the default.');
    }
  });

  test('fails once, listing every problem', () => {
    const stack = newStack();
    expect(() => new SpaWithLambdaApi(stack, 'App', {
      site: { source: MISSING },
      api: { source: BACKEND, prefix: 'api', timeout: Duration.seconds(60), memorySize: 1 },
    })).toThrow(/^Invalid props for SpaWithLambdaApi 'App':\n- site\.source is .*\n- api\.timeout is .*\n- api\.memorySize is .*\n- api\.prefix is [^\n]*$/);
  });

  test('token values are not validated', () => {
    const stack = newStack();
    expect(() => new SpaWithLambdaApi(stack, 'App', withApi({
      memorySize: Lazy.number({ produce: () => 1 }),
      throttlingRateLimit: Lazy.number({ produce: () => -1 }),
      timeout: Duration.seconds(Lazy.number({ produce: () => 99 })),
    }))).not.toThrow();
  });
});

describe('FastApiFunction on its own', () => {
  test('fails when timeout is over 30 seconds, naming its own prop', () => {
    const stack = newStack();
    expect(() => new FastApiFunction(stack, 'Fn', { source: BACKEND, timeout: Duration.minutes(1) })).toThrow(new Error(
      "Invalid props for FastApiFunction 'Fn':\n- timeout is 1 minute, but an HTTP API integration times out after 30 seconds. "
      + 'Use a timeout of at most 30 seconds, or set streaming to true (a Function URL behind CloudFront, up to 15 minutes; '
      + 'see docs/streaming.md), or move longer work to a queue or Step Functions.'));
  });

  test('builds a JSON-logging ARM64 function with its own log group', () => {
    const stack = newStack();
    const fn = new FastApiFunction(stack, 'Fn', { source: BACKEND });
    expect(fn.function.architecture).toBe(lambda.Architecture.ARM_64);
    expect(fn.function.runtime).toBe(lambda.Runtime.PYTHON_3_14);
    expect(fn.grantPrincipal).toBe(fn.function.grantPrincipal);
    expect(fn.logGroup.node.id).toBe('LogGroup');
  });
});

describe('bad security input fails at synth time with one message per problem', () => {
  const OV = 'api.originVerification.';

  test.each(['x origin', '1-header', 'x_origin_verify', 'x-ö'])('fails when api.originVerification.headerName is not a header name (%p)', (headerName) => {
    expectError(withApi({ originVerification: { headerName } }),
      `${OV}headerName is ${JSON.stringify(headerName)}, but a header name must start with a letter and hold only letters, digits and hyphens `
      + '(at most 128 characters). Use a name such as "x-origin-verify", or leave it unset.');
  });

  test.each([
    ['Host', 'that header is written to logs (the API access log records the User-Agent it receives; web servers, frameworks and app request '
      + 'logs commonly record User-Agent, Referer, Host, Cookie and X-Forwarded-For), so the secret would be stored in the logs in plain text'],
    ['authorization', 'API Gateway HTTP APIs reserve that header (they set, strip or interpret it)'],
    ['X-Amz-Date', 'CloudFront cannot add that header to origin requests, or sets or rewrites it itself'],
  ])('fails when api.originVerification.headerName is reserved (%p)', (headerName, why) => {
    expectError(withApi({ originVerification: { headerName } }),
      `${OV}headerName is ${JSON.stringify(headerName)}, but ${why}. The header carries the origin secret, so it must be a name of its own that `
      + 'nothing else sets, reads or logs (not Host, User-Agent, Referer, Origin, Content-Type, Authorization, Cookie, Via, X-Forwarded-*, X-Amz-*, '
      + 'X-Amzn-*, CloudFront-*, X-Edge-*, ...). Use a custom name such as "x-origin-verify".');
  });

  test.each([
    { cacheTtl: Duration.seconds(0), shown: '0 seconds' }, { cacheTtl: Duration.hours(2), shown: '2 hours' },
    { cacheTtl: Duration.millis(1500), shown: '1 second 500 millis' },
  ])('fails when api.originVerification.cacheTtl is $shown', ({ cacheTtl, shown }) => {
    expectError(withApi({ originVerification: { cacheTtl } }),
      `${OV}cacheTtl is ${shown}, but it must be whole seconds from 1 second to 1 hour. `
      + 'A shorter time makes a removed secret version stop working sooner; a longer one reads Secrets Manager less often. Leave it unset for 5 minutes.');
  });

  test('fails when api.originVerification.secretVersionId is not a version id', () => {
    expectError(withApi({ originVerification: { secretVersionId: 'AWSPREVIOUS' } }),
      `${OV}secretVersionId is "AWSPREVIOUS", but a Secrets Manager version id is 32 to 64 letters, digits and hyphens `
      + '(a UUID such as "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"). Use the VersionId that `aws secretsmanager put-secret-value` printed, '
      + 'or leave it unset for the current version.');
  });

  test('fails when api.originVerification is off but configured', () => {
    expectError(withApi({ originVerification: { enabled: false, headerName: 'x-check', cacheTtl: Duration.minutes(1) } }),
      `${OV}enabled is false, but ${OV}headerName, ${OV}cacheTtl are set, which only apply while origin verification is on. `
      + 'Remove them, or remove enabled: false.');
  });

  test('fails when api.environment sets a name origin verification uses', () => {
    expectError(withApi({ environment: { CDK_SPA_ORIGIN_VERIFY_HANDLER: 'other.handler' } }),
      'api.environment sets "CDK_SPA_ORIGIN_VERIFY_HANDLER", but names starting with "CDK_SPA_ORIGIN_VERIFY_" configure origin verification '
      + 'and are set by this construct. Rename the variable.');
  });

  test('fails when api.authorizationScopes is set without api.authorizer', () => {
    expectError(withApi({ authorizationScopes: ['api/read'] }),
      'api.authorizationScopes is ["api/read"], but api.authorizer is not set, and scopes are checked by the authorizer. '
      + 'Set api.authorizer (for example an HttpJwtAuthorizer), or remove api.authorizationScopes.');
  });

  const wafMessage = (arn: string, regional: boolean) => `webAclArn is ${JSON.stringify(arn)}, but CloudFront only accepts an AWS WAF (v2) web ACL `
    + 'with the CLOUDFRONT scope, whose ARN is "arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>"'
    + (regional ? ' (this one has the REGIONAL scope, for API Gateway, ALB or AppSync)' : '')
    + '. Create the web ACL with scope CLOUDFRONT in us-east-1 and pass its ARN (not its name or id).';

  test('fails when webAclArn is a REGIONAL web ACL', () => {
    const arn = 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/api-acl/a1b2c3d4-5678-90ab-cdef-111111111111';
    expectError(minimalProps({ webAclArn: arn }), wafMessage(arn, true));
  });

  test.each([
    'site-acl',
    'a1b2c3d4-5678-90ab-cdef-111111111111',
    'arn:aws:wafv2:eu-west-1:111111111111:global/webacl/site-acl/a1b2c3d4-5678-90ab-cdef-111111111111',
    'arn:aws:waf::111111111111:webacl/a1b2c3d4-5678-90ab-cdef-111111111111',
  ])('fails when webAclArn is not a CLOUDFRONT-scope WAFv2 ARN (%p)', (arn) => {
    expectError(minimalProps({ webAclArn: arn }), wafMessage(arn, false));
  });

  test('fails when contentSecurityPolicy and responseHeadersPolicy are both set', () => {
    expectError(minimalProps({ contentSecurityPolicy: "default-src 'self'", responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS }),
      'contentSecurityPolicy and responseHeadersPolicy are both set, but responseHeadersPolicy replaces the construct\'s security headers, '
      + 'CSP included. Put the Content-Security-Policy in your response headers policy, or remove responseHeadersPolicy.');
  });

  test.each([
    ['', '""'],
    ["default-src 'self';\nscript-src 'self'", JSON.stringify("default-src 'self';\nscript-src 'self'")],
    [`script-src ${"'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' ".repeat(33)}`, null],
  ])('fails when contentSecurityPolicy is empty, multi-line or too long (%#)', (csp, shown) => {
    const value = shown ?? `${JSON.stringify(csp.slice(0, 80))}... (${csp.length} characters)`;
    expectError(minimalProps({ contentSecurityPolicy: csp }),
      `contentSecurityPolicy is ${value}, but CloudFront needs a non-empty value of at most 1783 characters on one line. `
      + 'Shorten it (for example move hashes to \'strict-dynamic\'), or leave it unset for the default; '
      + 'to send no Content-Security-Policy at all, pass your own responseHeadersPolicy.');
  });

  test('fails when FastApiFunction originVerification has a bad header name and cache time, naming its own props', () => {
    const stack = newStack();
    const secret = { secretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:s-AbCdEf' } as any;
    expect(() => new FastApiFunction(stack, 'Fn', {
      source: BACKEND,
      originVerification: { secret, headerName: 'Via', cacheTtl: Duration.days(1) },
    })).toThrow(new Error("Invalid props for FastApiFunction 'Fn':\n"
      + '- originVerification.headerName is "Via", but CloudFront cannot add that header to origin requests, or sets or rewrites it itself. '
      + 'The header carries the origin secret, so it must be a name of its own that nothing else sets, reads or logs (not Host, User-Agent, '
      + 'Referer, Origin, Content-Type, Authorization, Cookie, Via, X-Forwarded-*, X-Amz-*, X-Amzn-*, CloudFront-*, X-Edge-*, ...). '
      + 'Use a custom name such as "x-origin-verify".\n'
      + '- originVerification.cacheTtl is 1 day, but it must be whole seconds from 1 second to 1 hour. '
      + 'A shorter time makes a removed secret version stop working sooner; a longer one reads Secrets Manager less often. Leave it unset for 5 minutes.'));
  });

  test('security token values are not validated', () => {
    expect(() => new SpaWithLambdaApi(newStack(), 'App', {
      ...withApi({
        originVerification: { headerName: Lazy.string({ produce: () => 'Host' }), secretVersionId: Lazy.string({ produce: () => 'x' }) },
      }),
      webAclArn: Lazy.string({ produce: () => 'nope' }),
      contentSecurityPolicy: Lazy.string({ produce: () => '' }),
    })).not.toThrow();
  });

  test('a user authorizer with scopes is accepted', () => {
    expect(() => new SpaWithLambdaApi(newStack(), 'App', withApi({
      authorizer: new authorizers.HttpJwtAuthorizer('Jwt', 'https://issuer.example.com', { jwtAudience: ['a'] }),
      authorizationScopes: ['api/read'],
    }))).not.toThrow();
  });
});

describe('validation runs once', () => {
  afterEach(() => jest.restoreAllMocks());

  test('the facade validates the function and monitoring props, and the parts it builds do not validate them again', () => {
    const fn = jest.spyOn(functionValidation, 'validateFunctionOptions');
    const monitoring = jest.spyOn(monitoringValidation, 'validateMonitoringSettings');
    new SpaWithLambdaApi(newStack(), 'App', minimalProps({ monitoring: { functionErrorsThreshold: 2 } }));
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn.mock.calls[0][2]).toBe('api.');
    expect(monitoring).toHaveBeenCalledTimes(1);
    expect(monitoring.mock.calls[0][2]).toBe('monitoring.');
  });

  test('FastApiFunction and SpaMonitoring on their own still validate their props', () => {
    const fn = jest.spyOn(functionValidation, 'validateFunctionOptions');
    const monitoring = jest.spyOn(monitoringValidation, 'validateMonitoringSettings');
    const stack = newStack();
    const api = new FastApiFunction(stack, 'Fn', { source: BACKEND });
    new SpaMonitoring(stack, 'Monitoring', { function: api.function });
    expect(fn.mock.calls.map((c) => c[2])).toEqual(['']);
    expect(monitoring.mock.calls.map((c) => c[2])).toEqual(['']);
  });

  test('problems of every part are reported in one error, in request-path order', () => {
    const stack = newStack('eu-west-1');
    expect(() => new SpaWithLambdaApi(stack, 'App', {
      site: { source: SITE, keepReleases: 1 },
      api: { source: BACKEND, throttlingBurstLimit: -1 },
      monitoring: { functionErrorsThreshold: 0 },
      webAclArn: 'my-acl',
      domain: { domainName: 'app.example.com' },
    })).toThrow(/^Invalid props for SpaWithLambdaApi 'App':\n- site\.keepReleases is 1, .*\n- api\.throttlingBurstLimit is -1, .*\n- monitoring\.functionErrorsThreshold is 0, .*\n- webAclArn is "my-acl", .*\n- domain has neither hostedZone nor certificate [^\n]*$/);
  });
});
