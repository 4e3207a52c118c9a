import * as fs from 'fs';
import * as path from 'path';
import * as url from 'url';
import { Token } from 'aws-cdk-lib';
import { PropErrors, show } from '../private/validation';

/** A fully qualified host name in canonical form: lower case, ASCII (punycode), no port, no trailing dot. */
const CANONICAL_HOST_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

/** Validates `ViewerHostFunction`'s `domainNames` (tokens are not checked). */
export function validateViewerHostDomainNames(errors: PropErrors, domainNames: readonly string[]): void {
  domainNames.forEach((name, i) => {
    if (!Token.isUnresolved(name) && !CANONICAL_HOST_NAME.test(name)) {
      errors.add(`domainNames[${i}] is ${show(name)}, but it must be a fully qualified host name in canonical form, such as "app.example.com": `
        + 'lower case, no scheme, path, port, trailing dot or wildcard, an internationalised name in punycode ("xn--bcher-kva.example"). '
        + 'Pass the names exactly as they are in the distribution\'s domainNames.');
    }
  });
}

/** The function's source file. */
export const VIEWER_HOST_SOURCE = path.join(__dirname, 'runtime', 'viewer-host.js');

/**
 * The function's code for a distribution with these custom domain names: `SITE_NAMES` maps each spelling a viewer
 * may send (the canonical name, and its Unicode form for an internationalised name) to the name, and
 * `PRIMARY_NAME` is the first. Without names, the code is the source file as it is.
 */
export function viewerHostFunctionCode(domainNames: readonly string[] = []): string {
  const source = fs.readFileSync(VIEWER_HOST_SOURCE, 'utf-8');
  if (domainNames.length === 0) return source;
  const names: Record<string, string> = {};
  for (const domainName of domainNames) {
    if (Token.isUnresolved(domainName)) {
      names[domainName] = domainName;
      continue;
    }
    const canonical = url.domainToASCII(domainName.toLowerCase().replace(/\.+$/, '')) || domainName.toLowerCase();
    names[canonical] = canonical;
    const unicode = url.domainToUnicode(canonical);
    if (unicode && unicode !== canonical) names[unicode] = canonical;
  }
  return source
    .replace(/^var SITE_NAMES = \{\};$/m, `var SITE_NAMES = ${asciiJson(names)};`)
    .replace(/^var PRIMARY_NAME = '';$/m, `var PRIMARY_NAME = ${asciiJson(Object.values(names)[0])};`);
}

/** JSON with every non-ASCII character escaped (`\u00fc`), so the function's code is plain ASCII. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
