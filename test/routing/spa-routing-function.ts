import * as path from 'path';
import { loadCloudFrontFunctionHandler } from '../cloudfront-function';

/** The SPA-routing CloudFront Function exactly as deployed. */
export const SPA_ROUTING_SOURCE_PATH = path.join(__dirname, '..', '..', 'src', 'routing', 'runtime', 'spa-routing.js');

/** Evaluates the deployed SPA-routing source in a fresh context and returns its `handler`. */
export function loadSpaRoutingHandler<E = unknown, R = { uri: string }>(): (event: E) => R {
  return loadCloudFrontFunctionHandler<E, R>(SPA_ROUTING_SOURCE_PATH);
}
