import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';

/** The SPA-routing CloudFront Function exactly as deployed. */
export const SPA_ROUTING_SOURCE_PATH = path.join(__dirname, '..', '..', 'src', 'routing', 'runtime', 'spa-routing.js');

/**
 * Evaluates a CloudFront Function's deployed source in a fresh context (no Node globals, as in the
 * cloudfront-js runtime) and returns its `handler`.
 */
export function loadCloudFrontFunctionHandler<E = unknown, R = unknown>(sourcePath: string): (event: E) => R {
  return vm.runInNewContext(`${fs.readFileSync(sourcePath, 'utf-8')}\n;handler`, {});
}

/** Evaluates the deployed SPA-routing source in a fresh context and returns its `handler`. */
export function loadSpaRoutingHandler<E = unknown, R = { uri: string }>(): (event: E) => R {
  return loadCloudFrontFunctionHandler<E, R>(SPA_ROUTING_SOURCE_PATH);
}
