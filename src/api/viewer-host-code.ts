import * as fs from 'fs';
import * as path from 'path';
import * as url from 'url';
import { Token } from 'aws-cdk-lib';

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
