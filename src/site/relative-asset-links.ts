import * as fs from 'fs';
import * as path from 'path';
import { Annotations, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** `<script src="...">` and `<link rel="stylesheet|modulepreload|preload" href="...">` of an HTML page. */
const SCRIPT = /<script\b[^>]*?\ssrc\s*=\s*["']?([^"'\s>]+)/gi;
const LINK = /<link\b[^>]*>/gi;
const LINK_REL = /\srel\s*=\s*["']?([^"'>]+)/i;
const LINK_HREF = /\shref\s*=\s*["']?([^"'\s>]+)/i;

/** The scripts and styles that a page loads by a relative path (`./assets/x.js`, `assets/x.css`), in page order. */
export function relativeAssetLinks(html: string): string[] {
  const found: Array<{ at: number; url: string }> = [];
  for (const m of html.matchAll(SCRIPT)) found.push({ at: m.index ?? 0, url: m[1] });
  for (const m of html.matchAll(LINK)) {
    const rel = LINK_REL.exec(m[0])?.[1].toLowerCase().split(/\s+/) ?? [];
    const href = LINK_HREF.exec(m[0])?.[1];
    if (href && rel.some((r) => ['stylesheet', 'modulepreload', 'preload'].includes(r))) found.push({ at: m.index ?? 0, url: href });
  }
  // relative: not `/x`, not `//host/x`, not `https:`/`data:`/..., not `#x`, not a template placeholder
  return found.sort((a, b) => a.at - b.at).map((f) => f.url)
    .filter((url) => !/^(\/|[a-z][a-z0-9+.-]*:|#|\{\{|%)/i.test(url));
}

/**
 * Warns when the site's `index.html` (of a `site.source` folder) loads its scripts or styles by a relative path: on
 * a deep link such as `/users/42` the browser then asks for `/users/assets/...`, gets `index.html` (or a 404), and
 * the app never starts. Vite does this with `base: ''` or `base: './'`.
 */
export function warnOnRelativeAssetLinks(scope: Construct, source: string | undefined): void {
  if (source === undefined || Token.isUnresolved(source)) return;
  let html: string;
  try {
    html = fs.readFileSync(path.join(source, 'index.html'), 'utf8');
  } catch {
    return; // no index.html: the props validation reports it
  }
  const relative = relativeAssetLinks(html);
  if (relative.length === 0) return;
  const shown = relative.slice(0, 3).map((u) => JSON.stringify(u)).join(', ') + (relative.length > 3 ? ` and ${relative.length - 3} more` : '');
  Annotations.of(scope).addWarningV2('cdk-spa-with-lambda-api:relativeAssetLinks', `site.source "${source}": index.html loads ${shown} by a `
    + 'relative path. On a deep link such as /users/42 the browser asks for /users/' + relative[0].replace(/^\.\//, '')
    + ', gets index.html instead, and the app does not start. Build the site with absolute asset paths: in Vite set `base: \'/\'` '
    + '(vite.config), in Create React App `"homepage": "/"`, in Angular `--base-href /`.');
}
