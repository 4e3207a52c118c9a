import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ViewerHostFunction } from '../../src';
import { CfEvent, CfRequest, CfValue, loadCloudFrontFunctionHandler, viewerRequestEvent } from '../cloudfront-function';

const SOURCE_PATH = path.join(__dirname, '..', '..', 'src', 'api', 'runtime', 'viewer-host.js');
const PYTHON_WRAPPER = path.join(__dirname, '..', '..', 'src', 'api', 'runtime', 'origin-verify-layer', 'python', 'cdk_spa_origin_check.py');

/** The function always answers with the request and its headers object. */
type ForwardedRequest = CfRequest & { headers: Record<string, CfValue> };
const handler = loadCloudFrontFunctionHandler<CfEvent, ForwardedRequest>(SOURCE_PATH);

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

  test('without a Host header the distribution\'s own domain name is used', () => {
    expect(handler(viewerRequest({})).headers['x-cdk-spa-viewer-host']).toEqual({ value: 'd111111abcdef8.cloudfront.net' });
  });

  test('odd events never throw: no headers object, a Host without a string value', () => {
    const noHeaders = viewerRequest({});
    delete (noHeaders.request as Partial<CfRequest>).headers;
    expect(handler(noHeaders).headers).toEqual({ 'x-cdk-spa-viewer-host': { value: 'd111111abcdef8.cloudfront.net' } });
    const odd = viewerRequest({ host: {} as CfValue });
    expect(handler(odd).headers['x-cdk-spa-viewer-host']).toEqual({ value: 'd111111abcdef8.cloudfront.net' });
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

describe('ViewerHostFunction', () => {
  test('deploys exactly that file as a cloudfront-js-2.0 function', () => {
    const stack = new Stack();
    new ViewerHostFunction(stack, 'ViewerHost');
    const fns = Object.values(Template.fromStack(stack).findResources('AWS::CloudFront::Function'));
    expect(fns).toHaveLength(1);
    expect(fns[0].Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    expect(fns[0].Properties.FunctionCode).toBe(fs.readFileSync(SOURCE_PATH, 'utf-8'));
  });
});
