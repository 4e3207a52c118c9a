import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ViewerHostFunction } from '../../src';
import { viewerHostFunctionCode } from '../../src/api/viewer-host-code';
import { CfEvent, CfRequest, CfValue, loadCloudFrontFunctionHandler, viewerRequestEvent } from '../cloudfront-function';

const SOURCE_PATH = path.join(__dirname, '..', '..', 'src', 'api', 'runtime', 'viewer-host.js');
const PYTHON_WRAPPER = path.join(__dirname, '..', '..', 'src', 'api', 'runtime', 'origin-verify-layer', 'python', 'cdk_spa_origin_check.py');

/** The function always answers with the request and its headers object. */
type ForwardedRequest = CfRequest & { headers: Record<string, CfValue> };
/** The function of a distribution whose custom domain is app.example.com (what the construct deploys with `domain`). */
const handler = loadCode(viewerHostFunctionCode(['app.example.com']));
/** The function of a distribution without a custom domain (the source file as it is). */
const withoutDomain = loadCloudFrontFunctionHandler<CfEvent, ForwardedRequest>(SOURCE_PATH);

function loadCode(code: string): (event: CfEvent) => ForwardedRequest {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'viewer-host-')), 'viewer-host.js');
  fs.writeFileSync(file, code);
  return loadCloudFrontFunctionHandler<CfEvent, ForwardedRequest>(file);
}

/**
 * A viewer-request event as CloudFront Functions receive it (event structure of the CloudFront Developer Guide:
 * version 1.0, context, viewer, request with lower-cased header names and `{ value }` objects).
 */
function viewerRequest(headers: Record<string, CfValue>, overrides: Partial<CfRequest> = {}): CfEvent {
  return viewerRequestEvent({
    method: 'GET',
    uri: '/api/items/',
    querystring: { limit: { value: '10' }, tag: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] } },
    headers: {
      'accept': { value: 'application/json' },
      'user-agent': { value: 'Mozilla/5.0' },
      ...headers,
    },
    cookies: { session: { value: 'abc' } },
    ...overrides,
  });
}

describe('viewer-host CloudFront Function, executed with viewer-request events', () => {
  test.each(['app.example.com', 'd111111abcdef8.cloudfront.net'])('copies the viewer Host %s into x-cdk-spa-viewer-host', (host) => {
    const request = handler(viewerRequest({ host: { value: host } }));
    expect(request.headers['x-cdk-spa-viewer-host']).toEqual({ value: host });
    expect(request.headers.host).toEqual({ value: host }); // CloudFront replaces Host with the origin's; left alone here
  });

  test('lower-cases the host, as DNS names are case-insensitive', () => {
    expect(handler(viewerRequest({ host: { value: 'App.Example.COM' } })).headers['x-cdk-spa-viewer-host']).toEqual({ value: 'app.example.com' });
  });

  test('overwrites every value a viewer sent for x-cdk-spa-viewer-host', () => {
    const request = handler(viewerRequest({
      'host': { value: 'app.example.com' },
      'x-cdk-spa-viewer-host': { value: 'evil.example', multiValue: [{ value: 'evil.example' }, { value: 'evil2.example' }] },
    }));
    expect(request.headers['x-cdk-spa-viewer-host']).toEqual({ value: 'app.example.com' });
  });

  test('removes the viewer\'s X-Forwarded-Host and Forwarded headers, every value of them', () => {
    const request = handler(viewerRequest({
      'host': { value: 'app.example.com' },
      'x-forwarded-host': { value: 'evil.example', multiValue: [{ value: 'evil.example' }, { value: 'other.example' }] },
      'forwarded': { value: 'for=192.0.2.60;proto=http;host=evil.example' },
    }));
    expect(request.headers['x-forwarded-host']).toBeUndefined();
    expect(request.headers.forwarded).toBeUndefined();
    expect(JSON.stringify(request)).not.toContain('evil');
  });

  test('changes nothing else: method, uri, query string, cookies and other headers pass as sent', () => {
    const event = viewerRequest({ 'host': { value: 'app.example.com' }, 'x-forwarded-proto': { value: 'https' } },
      { method: 'POST', uri: '/api/items' });
    const before = JSON.parse(JSON.stringify(event.request));
    const request = handler(event);
    const { 'x-cdk-spa-viewer-host': added, ...others } = request.headers;
    expect(added).toEqual({ value: 'app.example.com' });
    expect({ ...request, headers: others }).toEqual(before);
  });

  test('without a Host header the primary name is used: the custom domain, else the distribution\'s own domain name', () => {
    expect(handler(viewerRequest({})).headers['x-cdk-spa-viewer-host']).toEqual({ value: 'app.example.com' });
    expect(withoutDomain(viewerRequest({})).headers['x-cdk-spa-viewer-host']).toEqual({ value: 'd111111abcdef8.cloudfront.net' });
  });

  test('odd events never throw: no headers object, a Host without a string value', () => {
    const noHeaders = viewerRequest({});
    delete (noHeaders.request as Partial<CfRequest>).headers;
    expect(withoutDomain(noHeaders).headers).toEqual({ 'x-cdk-spa-viewer-host': { value: 'd111111abcdef8.cloudfront.net' } });
    const odd = viewerRequest({ host: {} as CfValue });
    expect(withoutDomain(odd).headers['x-cdk-spa-viewer-host']).toEqual({ value: 'd111111abcdef8.cloudfront.net' });
    expect(handler(viewerRequest({ host: {} as CfValue })).headers['x-cdk-spa-viewer-host']).toEqual({ value: 'app.example.com' });
  });

  test('fits the CloudFront Functions code size limit (10 KB) and uses no network or Node API', () => {
    const source = fs.readFileSync(SOURCE_PATH, 'utf-8');
    expect(Buffer.byteLength(source)).toBeLessThan(10 * 1024);
    expect(source).not.toMatch(/\brequire\(|\bfetch\(|\bimport\b|\bprocess\./);
  });

  test('the header name is the one the construct and the Python wrapper use', () => {
    const source = fs.readFileSync(SOURCE_PATH, 'utf-8');
    expect(source).toContain(`var VIEWER_HOST_HEADER = '${ViewerHostFunction.HEADER_NAME}';`);
    expect(fs.readFileSync(PYTHON_WRAPPER, 'utf-8')).toContain(`VIEWER_HOST_HEADER = "${ViewerHostFunction.HEADER_NAME}"\n`);
  });
});

describe('the app always sees one of the site\'s names in canonical form, never the execute-api host', () => {
  const idn = loadCode(viewerHostFunctionCode(['xn--bcher-kva.example', 'www.xn--bcher-kva.example']));
  const seen = (fn: (e: CfEvent) => ForwardedRequest, host?: string) =>
    fn(viewerRequest(host === undefined ? {} : { host: { value: host } })).headers['x-cdk-spa-viewer-host'].value;

  test.each([
    ['app.example.com', 'app.example.com'],
    ['app.example.com.', 'app.example.com'],
    ['APP.Example.Com..', 'app.example.com'],
    ['app.example.com:8443', 'app.example.com'],
    ['app.example.com.:443', 'app.example.com'],
    ['d111111abcdef8.cloudfront.net', 'd111111abcdef8.cloudfront.net'],
    ['D111111ABCDEF8.cloudfront.net.:8443', 'd111111abcdef8.cloudfront.net'],
    // anything else: the primary name
    ['app.example.com,evil.example', 'app.example.com'],
    ['evil.example', 'app.example.com'],
    ['a1b2c3d4e5.execute-api.us-east-1.amazonaws.com', 'app.example.com'],
    ['', 'app.example.com'],
    [undefined, 'app.example.com'],
    ['constructor', 'app.example.com'],
    ['__proto__', 'app.example.com'],
  ])('with a custom domain, Host %j -> %s', (host, expected) => {
    expect(seen(handler, host)).toBe(expected);
  });

  test.each([
    ['bücher.example', 'xn--bcher-kva.example'],
    ['BÜCHER.example.:8443', 'xn--bcher-kva.example'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['www.bücher.example', 'www.xn--bcher-kva.example'],
    ['bucher.example', 'xn--bcher-kva.example'],
  ])('an internationalised domain: Host %j -> %s (punycode)', (host, expected) => {
    expect(seen(idn, host)).toBe(expected);
  });

  test.each([
    ['d111111abcdef8.cloudfront.net', 'd111111abcdef8.cloudfront.net'],
    ['d111111abcdef8.cloudfront.net.:8443', 'd111111abcdef8.cloudfront.net'],
    ['app.example.com', 'd111111abcdef8.cloudfront.net'],
    ['x.cloudfront.net,d111111abcdef8.cloudfront.net', 'd111111abcdef8.cloudfront.net'],
    [undefined, 'd111111abcdef8.cloudfront.net'],
  ])('without a custom domain, Host %j -> %s', (host, expected) => {
    expect(seen(withoutDomain, host)).toBe(expected);
  });

  test('the code the construct deploys holds the names (ASCII only), and the unchanged file without a domain', () => {
    const code = viewerHostFunctionCode(['xn--bcher-kva.example']);
    expect(code).toContain('var SITE_NAMES = {"xn--bcher-kva.example":"xn--bcher-kva.example","b\\u00fccher.example":"xn--bcher-kva.example"};');
    expect(code).toContain('var PRIMARY_NAME = "xn--bcher-kva.example";');
    expect(/^[\x00-\x7f]*$/.test(code)).toBe(true);
    expect(Buffer.byteLength(code)).toBeLessThan(10 * 1024);
    expect(viewerHostFunctionCode([])).toBe(fs.readFileSync(SOURCE_PATH, 'utf-8'));
    const stack = new Stack();
    new ViewerHostFunction(stack, 'ViewerHost', { domainNames: ['app.example.com'] });
    const fns = Object.values(Template.fromStack(stack).findResources('AWS::CloudFront::Function'));
    expect(fns[0].Properties.FunctionCode).toBe(viewerHostFunctionCode(['app.example.com']));
    expect(fns[0].Properties.FunctionCode).toContain('var PRIMARY_NAME = "app.example.com";');
  });
});

describe('ViewerHostFunction', () => {
  test.each([
    ['https://app.example.com'], ['App.example.com'], ['app.example.com.'], ['app.example.com:8443'], ['bücher.example'], ['*.example.com'], ['localhost'],
  ])('fails when domainNames holds %j', (name) => {
    expect(() => new ViewerHostFunction(new Stack(), 'ViewerHost', { domainNames: ['ok.example.com', name] })).toThrow(new Error(
      `Invalid props for ViewerHostFunction 'ViewerHost':\n- domainNames[1] is ${JSON.stringify(name)}, but it must be a fully qualified host name in `
      + 'canonical form, such as "app.example.com": lower case, no scheme, path, port, trailing dot or wildcard, an internationalised name in punycode '
      + '("xn--bcher-kva.example"). Pass the names exactly as they are in the distribution\'s domainNames.'));
  });

  test('deploys exactly that file as a cloudfront-js-2.0 function', () => {
    const stack = new Stack();
    new ViewerHostFunction(stack, 'ViewerHost');
    const fns = Object.values(Template.fromStack(stack).findResources('AWS::CloudFront::Function'));
    expect(fns).toHaveLength(1);
    expect(fns[0].Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    expect(fns[0].Properties.FunctionCode).toBe(fs.readFileSync(SOURCE_PATH, 'utf-8'));
  });
});
