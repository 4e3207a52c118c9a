import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';

/** The SPA-routing CloudFront Function's source; the construct deploys it with the route table written in. */
export const SPA_ROUTING_SOURCE = path.join(__dirname, 'runtime', 'spa-routing.js');

/**
 * The size limit of a CloudFront Function's code: 10 KB.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-functions
 */
export const CLOUDFRONT_FUNCTION_MAX_BYTES = 10 * 1024;

/** Route flags, as in the function: `<path>.html` exists, `<path>/index.html` exists, `<path>` is a file. */
export const ROUTE_HTML = 1;
export const ROUTE_DIR_INDEX = 2;
export const ROUTE_FILE = 4;

/** A path (no leading or trailing `/`) to its route flags. */
export type RouteTable = Record<string, number>;

/**
 * The route table of a build's file list (paths relative to the site folder, `/`-separated): every `x.html` gives
 * `x` the HTML flag, every `x/index.html` gives `x` the DIR_INDEX flag (the root `index.html` is the shell, served
 * for `/` anyway), and every file that the SPA rule alone would answer with the shell on a browser navigation
 * (no extension, such as `.well-known/apple-app-site-association`, or an extension that is not a static file's)
 * gets the FILE flag, so it is served as itself. Paths under the API prefix are left out: CloudFront sends them to
 * the API, never to the bucket.
 *
 * @param apiPrefix the API's path prefix, for example `/api`
 */
export function routeTable(files: string[], apiPrefix: string): RouteTable {
  const table = new Map<string, number>(); // not an object: a page may be named `constructor` or `toString`
  const shellRule = spaRuleAlone();
  const add = (key: string, flag: number) => {
    const p = `/${key}`;
    if (key === '' || p === apiPrefix || p.startsWith(`${apiPrefix}/`)) return;
    const flags = table.get(key) ?? 0;
    table.set(key, Math.floor(flags / flag) % 2 === 1 ? flags : flags + flag); // the bit, once
  };
  for (const file of files) {
    if (file === 'index.html') continue;
    if (file.endsWith('/index.html')) {
      add(file.substring(0, file.length - '/index.html'.length), ROUTE_DIR_INDEX);
    } else if (file.endsWith('.html')) {
      add(file.substring(0, file.length - '.html'.length), ROUTE_HTML);
    } else if (!shellRule.staticFile(file) && shellRule.route(`/${file}`) !== `/${file}`) {
      add(file, ROUTE_FILE);
    }
  }
  return Object.fromEntries([...table.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The function's code as deployed: the runtime file without its comment lines and indentation, with `ROUTES` and
 * `NOT_FOUND` written in. The same code runs in the tests and in the local preview.
 *
 * @param notFoundPage the static site's 404 page (for example `404.html`), or undefined for the SPA shell
 */
export function routingFunctionCode(routes: RouteTable, notFoundPage?: string): string {
  const source = fs.readFileSync(SPA_ROUTING_SOURCE, 'utf8');
  // comment lines, blank lines and indentation go: they count against the 10 KB limit (no line holds a string that spans lines)
  const lines = source.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('//'));
  const replace = (prefix: string, value: string) => {
    const i = lines.findIndex((l) => l.startsWith(prefix));
    if (i === -1) throw new Error(`${SPA_ROUTING_SOURCE} has no line starting with ${prefix}`);
    lines[i] = `${prefix}${value};`;
  };
  // U+2028 and U+2029 end a line in ES5 string literals (the cloudfront-js runtime's base): written as escapes
  replace('var ROUTES = ', JSON.stringify(routes).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029'));
  replace('var NOT_FOUND = ', JSON.stringify(notFoundPage === undefined ? '' : `/${notFoundPage}`));
  return `${lines.join('\n')}\n`;
}

/** The code's size in bytes, as CloudFront counts it (UTF-8). */
export function codeBytes(code: string): number {
  return Buffer.byteLength(code, 'utf8');
}

/** Evaluates function code in a fresh context (no Node globals, as the cloudfront-js runtime) and returns its handler. */
export function evaluateFunction(code: string, filename = 'spa-routing.js'): (event: unknown) => unknown {
  return vm.runInNewContext(`${code}\n;handler`, {}, { filename });
}

interface SpaRule {
  /** The uri the SPA rule alone (no route table) gives a browser navigation to `uri`. */
  readonly route: (uri: string) => string;
  /** A fast answer for most files: the last segment's extension is one the function always passes (its own list). */
  readonly staticFile: (file: string) => boolean;
}

let spaRule: SpaRule | undefined;

function spaRuleAlone(): SpaRule {
  if (!spaRule) {
    const code = routingFunctionCode({});
    const handler = evaluateFunction(code);
    const known = new Set(vm.runInNewContext(`${code}\n;KNOWN_STATIC_EXTENSIONS`, {}) as string[]);
    spaRule = {
      route: (uri: string) => (handler({
        version: '1.0',
        context: { eventType: 'viewer-request' },
        viewer: { ip: '127.0.0.1' },
        request: { method: 'GET', uri, querystring: {}, headers: { accept: { value: 'text/html' } }, cookies: {} },
      }) as { uri: string }).uri,
      staticFile: (file: string) => {
        const segment = file.substring(file.lastIndexOf('/') + 1);
        const dot = segment.lastIndexOf('.');
        return dot > 0 && known.has(segment.substring(dot + 1).toLowerCase());
      },
    };
  }
  return spaRule;
}
