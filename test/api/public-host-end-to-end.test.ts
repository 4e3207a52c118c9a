/**
 * The public host end to end: the viewer-request function the construct deploys (its code taken from the
 * synthesized template, run in the vm harness with CloudFront viewer-request events) and the origin-verifying
 * Python wrapper in front of the example FastAPI backend (a real Python process, Mangum included). For each Host a
 * viewer may send, the redirect FastAPI answers `GET /api/items/` with names the host the app saw: always one of
 * the site's names in canonical form, never the execute-api host.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { SpaWithLambdaApi } from '../../src';
import { CfEvent, CfRequest, CfValue, loadCloudFrontFunctionHandler, viewerRequestEvent } from '../cloudfront-function';
import { minimalProps, newStack } from '../util';

const ROOT_DIR = path.join(__dirname, '..', '..');
const WRAPPER_DIR = path.join(ROOT_DIR, 'src', 'api', 'runtime', 'origin-verify-layer', 'python');
const BACKEND = path.join(ROOT_DIR, 'example', 'backend');
const EVENT = path.join(ROOT_DIR, 'test', 'fixtures', 'apigw-events', 'get-query-string.json');
const EXECUTE_API_HOST = 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com';

type Forwarded = CfRequest & { headers: Record<string, CfValue> };

/** The viewer-host function's code as the construct deploys it, with and without a custom domain. */
function deployedFunction(domainName?: string): (event: CfEvent) => Forwarded {
  const stack = newStack();
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
  new SpaWithLambdaApi(stack, 'App', minimalProps(domainName ? { domain: { domainName, certificate } } : {}));
  const template = Template.fromStack(stack);
  const fns = Object.values(template.findResources('AWS::CloudFront::Function', {
    Properties: { FunctionConfig: { Comment: 'Viewer host: passes the viewer Host to the API origin in x-cdk-spa-viewer-host' } },
  }));
  expect(fns).toHaveLength(1);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'viewer-host-e2e-')), 'viewer-host.js');
  fs.writeFileSync(file, fns[0].Properties.FunctionCode);
  return loadCloudFrontFunctionHandler<CfEvent, Forwarded>(file);
}

/** The x-cdk-spa-viewer-host value the function sends for a viewer Host (undefined: no Host header). */
function viewerHostHeader(fn: (event: CfEvent) => Forwarded, host: string | undefined): string {
  const request = fn(viewerRequestEvent({
    method: 'GET', uri: '/api/items/', querystring: {}, cookies: {}, headers: host === undefined ? {} : { host: { value: host } },
  }));
  return request.headers['x-cdk-spa-viewer-host'].value;
}

const PY = `
import json, sys
sys.path[0:0] = [${JSON.stringify(WRAPPER_DIR)}, ${JSON.stringify(BACKEND)}]
import cdk_spa_origin_verify as ov

class Secret:
    def matches(self, given):
        return given == "the-secret"

verify = ov.OriginVerifier("x-origin-verify", Secret(), "app.main.handler", trust_viewer_host=True, function_name="fn",
                           metrics_out=sys.stderr)
template = json.load(open(${JSON.stringify(EVENT)}))
out = []
for viewer_host in json.load(sys.stdin):
    event = json.loads(json.dumps(template))
    event["rawPath"] = "/api/items/"
    event["requestContext"]["http"]["path"] = "/api/items/"
    event["rawQueryString"] = ""
    event.pop("queryStringParameters", None)
    event["requestContext"]["domainName"] = ${JSON.stringify(EXECUTE_API_HOST)}
    event["headers"] = {**event["headers"], "host": ${JSON.stringify(EXECUTE_API_HOST)}, "x-origin-verify": "the-secret",
                        "x-cdk-spa-viewer-host": viewer_host}
    response = verify(event, None)
    out.append({"status": response["statusCode"], "location": response.get("headers", {}).get("location")})
print(json.dumps(out))
`;

/** What the app behind the wrapper answers for each viewer-host header value. */
function appAnswers(headerValues: string[]): Array<{ status: number; location?: string }> {
  const result = spawnSync(process.env.CDK_SPA_TEST_PYTHON ?? 'python3', ['-c', PY], {
    input: JSON.stringify(headerValues), encoding: 'utf8', env: { ...process.env, CORS_ALLOW_ORIGINS: 'http://localhost:5173' },
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

const HOSTS: Array<string | undefined> = [
  'app.example.com', 'app.example.com.', 'app.example.com:8443', 'APP.EXAMPLE.COM.:8443', 'bücher.example',
  'app.example.com,evil.example', undefined, '', 'evil.example', EXECUTE_API_HOST, 'd111111abcdef8.cloudfront.net',
  'd111111abcdef8.cloudfront.net.:443',
];

test.each([
  ['with a custom domain', 'app.example.com', ['app.example.com', 'd111111abcdef8.cloudfront.net']],
  ['with an internationalised custom domain', 'xn--bcher-kva.example', ['xn--bcher-kva.example', 'd111111abcdef8.cloudfront.net']],
  ['without a custom domain', undefined, ['d111111abcdef8.cloudfront.net']],
])('%s, the app sees only the site\'s names, in canonical form', (_, domainName, siteNames) => {
  const fn = deployedFunction(domainName);
  const headerValues = HOSTS.map((host) => viewerHostHeader(fn, host));
  const answers = appAnswers(headerValues);
  const primary = siteNames[0];
  const seen = answers.map((a) => {
    expect(a.status).toBe(307);
    return /^https:\/\/([^/]+)\/api\/items$/.exec(a.location!)![1];
  });
  const expected = HOSTS.map((host) => {
    const canonical = (host ?? '').toLowerCase().replace(/:\d*$/, '').replace(/\.+$/, '').replace('bücher.example', 'xn--bcher-kva.example');
    return siteNames.includes(canonical) ? canonical : primary;
  });
  expect(HOSTS.map((host, i) => [host, seen[i]])).toEqual(HOSTS.map((host, i) => [host, expected[i]]));
  for (const host of seen) {
    expect(siteNames).toContain(host);
    expect(host).not.toContain('execute-api');
  }
});
