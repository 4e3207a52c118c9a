/**
 * The package's public surface is what jsii publishes (classes, interfaces, enums) to every language: no
 * internal helper (a validator, a props resolver) may leak into the npm package's exports.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as index from '../src';

test('every export of the package is a type jsii publishes', () => {
  // written by the compile step, which the build runs before the tests
  const assembly = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.jsii'), 'utf8'));
  const published = new Set(Object.values(assembly.types as Record<string, { name: string }>).map((t) => t.name));
  expect(Object.keys(index).filter((name) => !published.has(name))).toEqual([]);
});
