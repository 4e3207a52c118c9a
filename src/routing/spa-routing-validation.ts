import * as fs from 'fs';
import * as path from 'path';
import { Token } from 'aws-cdk-lib';
import { CLOUDFRONT_FUNCTION_MAX_BYTES, codeBytes, routeTable, routingFunctionCode, RouteTable } from './route-table';
import { SpaRouting } from './spa-routing';
import { linksLeaving, listFiles } from '../private/files';
import { PropErrors, show } from '../private/validation';
import type { SpaSiteOptions } from '../site/spa-site-options';

const PAGE_RE = /^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[^?#\\]+\.html$/;

/** What the SPA-routing function is built from: the route table and the not-found page. */
export interface RoutingData {
  readonly routes: RouteTable;
  readonly notFoundPage?: string;
}

/**
 * The route data of `site` for its routing: the route table of `site.source` (the same listing as the upload,
 * links followed), none with `sourceAsset` or `prerenderedRoutes: false`.
 *
 * @param apiPrefix the API's path prefix: its paths never enter the table
 */
export function routingData(site: SpaSiteOptions, apiPrefix: string): RoutingData {
  const routing = site.routing ?? SpaRouting.viewerRequestFunction();
  const routes = routing.prerenderedRoutes && site.source !== undefined && !Token.isUnresolved(site.source)
    ? routeTable(listFiles(site.source, { followSymlinks: true }), apiPrefix)
    : {};
  return { routes, notFoundPage: routing.fallback.page };
}

/** Validates `site.routing`: the not-found page exists in `site.source`, and the route table fits the function. */
export function validateRouting(errors: PropErrors, site: SpaSiteOptions, apiPrefix: string): void {
  const routing = site.routing ?? SpaRouting.viewerRequestFunction();
  if (routing.mode !== 'viewer-request-function') return;
  const page = routing.fallback.page;
  let pageOk = true;
  if (page !== undefined) {
    if (!PAGE_RE.test(page)) {
      errors.add(`site.routing's fallback is SpaRoutingFallback.notFoundPage(${show(page)}), but the page must be an .html file's path in `
        + 'the site, relative to it (no leading "/", no "." or ".." segments). Use for example SpaRoutingFallback.notFoundPage("404.html").');
      pageOk = false;
    } else if (site.sourceAsset !== undefined) {
      errors.add(`site.routing's fallback is SpaRoutingFallback.notFoundPage(${show(page)}) and site.sourceAsset is set, but a prebuilt source `
        + 'cannot be listed at synth time, so the page cannot be checked. Use site.source (the built folder), or SpaRoutingFallback.spaShell().');
      pageOk = false;
    } else if (site.source !== undefined && !Token.isUnresolved(site.source) && fs.existsSync(site.source)
      && !fs.existsSync(path.join(site.source, page))) {
      errors.add(`site.routing's fallback is SpaRoutingFallback.notFoundPage(${show(page)}), but site.source (${show(site.source)}) has no ${page}, `
        + 'so unknown paths would get S3\'s error instead of your page. Build the site\'s not-found page (Astro: src/pages/404.astro; SvelteKit: '
        + 'adapter-static fallback "404.html"; Next.js export writes 404.html), pass the page\'s path, or use SpaRoutingFallback.spaShell().');
      pageOk = false;
    }
  }
  if (!pageOk || site.source === undefined || Token.isUnresolved(site.source) || !fs.existsSync(site.source)
    || !fs.statSync(site.source).isDirectory() || linksLeaving(site.source).length > 0) {
    return; // links out of the folder are refused with the site's own error: the table would list what they reach
  }
  const data = routingData(site, apiPrefix);
  const bytes = codeBytes(routingFunctionCode(data.routes, data.notFoundPage));
  if (bytes > CLOUDFRONT_FUNCTION_MAX_BYTES) {
    errors.add(`site.routing routes the prerendered pages of site.source (${show(site.source)}): ${Object.keys(data.routes).length} paths, `
      + `which make the routing function ${bytes} bytes, but a CloudFront Function's code is limited to ${CLOUDFRONT_FUNCTION_MAX_BYTES} bytes. `
      + 'Set site.routing to SpaRouting.viewerRequestFunction({ prerenderedRoutes: false }) (every extension-less path gets the SPA shell, '
      + 'links to pages must then name their .html files), or SpaRouting.none() for a static site whose links name its files; see docs/routing.md.');
  }
}
