/** The one requirements-file parser of the bundler (src/bundling/requirements-file.ts). */
import * as fs from 'fs';
import * as path from 'path';
import { tmpDir } from './python-bundling-util';
import { localTargetPath, readRequirementsFile } from '../../src/bundling/requirements-file';

test('reads logical lines: includes, local paths (named, editable, file: URLs), options, comments, continuations', () => {
  const dir = tmpDir('requirements-file-');
  const file = path.join(dir, 'requirements.txt');
  fs.writeFileSync(file, [
    '# a comment',
    '-r base.txt',
    '--constraint=constraints.txt',
    '--index-url https://pypi.example.com/simple',
    'six==1.17.0 \\',
    '    --hash=sha256:abc  # pinned',
    '-e ./libs/shared',
    'localpkg[extra] @ file:///opt/pkgs/localpkg ; python_version >= "3.11"',
    '../wheels/x-1.0-py3-none-any.whl',
    'https://example.com/pkg.whl#sha256=1',
    '.',
  ].join('\n'));
  const lines = readRequirementsFile(file).map(({ number, text, include, local, option }) => ({ number, text, include, local, option }));
  expect(lines).toEqual([
    { number: 1, text: '', include: undefined, local: undefined, option: false },
    { number: 2, text: '-r base.txt', include: { option: '-r', target: 'base.txt', rest: '', requirements: true }, local: undefined, option: false },
    { number: 3, text: '--constraint=constraints.txt', include: { option: '--constraint', target: 'constraints.txt', rest: '', requirements: false }, local: undefined, option: false },
    { number: 4, text: '--index-url https://pypi.example.com/simple', include: undefined, local: undefined, option: true },
    { number: 5, text: 'six==1.17.0      --hash=sha256:abc', include: undefined, local: undefined, option: false },
    { number: 6, text: '-e ./libs/shared', include: undefined, local: { editable: true, named: '', target: './libs/shared', rest: '' }, option: false },
    {
      number: 7,
      text: 'localpkg[extra] @ file:///opt/pkgs/localpkg ; python_version >= "3.11"',
      include: undefined,
      option: false,
      local: { editable: false, named: 'localpkg[extra] @', target: 'file:///opt/pkgs/localpkg', rest: ' ; python_version >= "3.11"' },
    },
    { number: 8, text: '../wheels/x-1.0-py3-none-any.whl', include: undefined, local: { editable: false, named: '', target: '../wheels/x-1.0-py3-none-any.whl', rest: '' }, option: false },
    { number: 9, text: 'https://example.com/pkg.whl#sha256=1', include: undefined, local: undefined, option: false },
    { number: 10, text: '.', include: undefined, local: { editable: false, named: '', target: '.', rest: '' }, option: false },
  ]);
  expect(localTargetPath('file:///opt/pkgs/a%20b', dir)).toBe('/opt/pkgs/a b');
  expect(localTargetPath('./libs/shared', dir)).toBe(path.join(dir, 'libs', 'shared'));
});
