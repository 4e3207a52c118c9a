import * as path from 'path';
import { Annotations, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SpaApiOptions } from '../api/spa-api-options';
import { SpaSiteOptions } from '../site/spa-site-options';

/**
 * The API's options with the site left out of the function's bundle when `site.source` is a folder inside
 * `api.source` (a Vite `outDir` such as `../backend/app/frontend`): CloudFront serves the site from the bucket, and in
 * the function it would only weigh (88 MB on a real project). A warning says so. Otherwise the options unchanged.
 */
export function apiWithoutSite(scope: Construct, site: SpaSiteOptions, api: SpaApiOptions): SpaApiOptions {
  if (site.source === undefined || Token.isUnresolved(site.source) || Token.isUnresolved(api.source)) return api;
  const relative = path.relative(path.resolve(api.source), path.resolve(site.source));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return api;
  const folder = relative.split(path.sep).join('/');
  Annotations.of(scope).addWarningV2('cdk-spa-with-lambda-api:siteInsideApiSource', `site.source "${site.source}" is inside api.source `
    + `"${api.source}" (as "${folder}/"), so the built site is left out of the function's bundle: CloudFront serves it from the bucket. `
    + 'Build the site outside the API\'s folder (Vite: `build.outDir`) to silence this, or add `bundling: { exclude: [...] }` '
    + 'patterns of your own if the app reads other files from there.');
  const exclude = `/${folder.replace(/[\\*?[\]]/g, '\\$&')}/`;
  return { ...api, bundling: { ...api.bundling, exclude: [...(api.bundling?.exclude ?? []), exclude] } };
}
