/**
 * Relative asset links caught at synth (issue 23 item 5): Vite with `base: ''` writes `./assets/index-XXXX.js` into
 * index.html, which breaks every deep link. The facade warns, naming the links and the fix.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { SpaWithLambdaApi } from '../../src';
import { relativeAssetLinks } from '../../src/site/relative-asset-links';
import { minimalProps, newStack, testTempDir } from '../util';

function siteWith(head: string): string {
  const dir = testTempDir('relative-links-site-');
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'assets', 'index-AbC123.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'index.html'), `<!doctype html><html><head>${head}</head><body><div id="root"></div></body></html>`);
  return dir;
}

function warnings(source: string): string[] {
  const stack = newStack();
  new SpaWithLambdaApi(stack, 'App', minimalProps({ site: { source } }));
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('index\\.html loads')).map((w) => String(w.entry.data));
}

describe('relative asset links in index.html', () => {
  test('Vite with base: \'\' (./assets/..., assets/...): a warning that names the links and the fix', () => {
    const source = siteWith('<script type="module" crossorigin src="./assets/index-AbC123.js"></script>'
      + '<link rel="modulepreload" href="./assets/vendor-9f8e7d.js"><link rel="stylesheet" crossorigin href="assets/index-DeF456.css">');
    const found = warnings(source);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^site\\.source "${source.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}": index\\.html loads `
      + '"\\./assets/index-AbC123\\.js", "\\./assets/vendor-9f8e7d\\.js", "assets/index-DeF456\\.css" by a relative path\\. '
      + 'On a deep link such as /users/42 the browser asks for /users/assets/index-AbC123\\.js, gets index\\.html instead, and the app does not start\\. '
      + 'Build the site with absolute asset paths: in Vite set `base: \'/\'`'));
  });

  test('absolute paths, other origins and data URLs: no warning', () => {
    const source = siteWith('<script type="module" src="/assets/index-AbC123.js"></script><link rel="stylesheet" href="/assets/x.css">'
      + '<script src="https://cdn.example.com/lib.js"></script><link rel="stylesheet" href="//fonts.example.com/f.css">'
      + '<link rel="icon" href="favicon.svg"><script>var inline = "src=./x.js";</script>');
    expect(warnings(source)).toEqual([]);
  });

  test.each([
    ['<script src=assets/a.js></script>', ['assets/a.js']],
    ["<SCRIPT type='module' src='./a.js'></SCRIPT>", ['./a.js']],
    ['<link href="../s.css" rel="stylesheet">', ['../s.css']],
    ['<link rel="preload stylesheet" href="s.css">', ['s.css']],
    ['<link rel="canonical" href="page.html">', []],
  ])('reads %s', (html, expected) => {
    expect(relativeAssetLinks(html)).toEqual(expected);
  });
});
