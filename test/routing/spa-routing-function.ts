import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';

/** The SPA-routing CloudFront Function exactly as deployed. */
export const SPA_ROUTING_SOURCE_PATH = path.join(__dirname, '..', '..', 'src', 'routing', 'runtime', 'spa-routing.js');

/** Evaluates the deployed source in a fresh context and returns its `handler`. */
export function loadSpaRoutingHandler<E = unknown, R = { uri: string }>(): (event: E) => R {
  return vm.runInNewContext(`${fs.readFileSync(SPA_ROUTING_SOURCE_PATH, 'utf-8')}\n;handler`, {});
}
