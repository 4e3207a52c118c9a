/**
 * Streaming mode needs uvicorn in the bundle: the bundler checks for it after bundling (fresh builds and cache hits)
 * and fails the synth with a message that says what to add. Real bundling of a project with no dependencies.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { INSTALL_TIMEOUT, tmpDir, useWheelhouseAndFreshCache } from './python-bundling-util';
import { FastApiFunction } from '../../src';
import { missingModules } from '../../src/bundling/postprocess';

beforeAll(() => useWheelhouseAndFreshCache());

/** A FastAPI-shaped project with an empty requirements.txt (nothing to install), and optionally a `uvicorn` package of its own. */
function project(withUvicorn: boolean): string {
  const dir = tmpDir('streaming-project-');
  fs.mkdirSync(path.join(dir, 'app'));
  fs.writeFileSync(path.join(dir, 'requirements.txt'), '');
  fs.writeFileSync(path.join(dir, 'app', '__init__.py'), '');
  fs.writeFileSync(path.join(dir, 'app', 'main.py'), 'app = object()\nhandler = app\n');
  if (withUvicorn) {
    fs.mkdirSync(path.join(dir, 'uvicorn'));
    fs.writeFileSync(path.join(dir, 'uvicorn', '__init__.py'), '');
  }
  return dir;
}

function synthStreamingFunction(source: string): void {
  const app = new App({ outdir: tmpDir('cdk.out-required-') });
  const stack = new Stack(app, 'S');
  const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:origin-AbCdEf');
  new FastApiFunction(stack, 'Fn', { source, streaming: true, originVerification: { secret }, bundling: { precompile: false } });
}

test('missingModules finds neither a package folder nor a module file', () => {
  const bundle = tmpDir('bundle-');
  fs.mkdirSync(path.join(bundle, 'uvicorn'));
  fs.writeFileSync(path.join(bundle, 'h11.py'), '');
  const required = [{ name: 'uvicorn', reason: 'a' }, { name: 'h11', reason: 'b' }, { name: 'anyio', reason: 'c' }];
  expect(missingModules(bundle, required).map((m) => m.name)).toEqual(['anyio']);
});

test('fails when a streaming function\'s bundle has no uvicorn, on a fresh build and on a cache hit', () => {
  const source = project(false);
  const message = `Python bundling: the bundle of ${source} has no \`uvicorn\` module, but streaming mode runs the app under uvicorn behind `
    + 'the Lambda Web Adapter. Add uvicorn to the project\'s dependencies (requirements.txt, or pyproject.toml and its lock), pinned, and synth again.';
  expect(() => synthStreamingFunction(source)).toThrow(message);
  expect(() => synthStreamingFunction(source)).toThrow(message); // the bundle is cached by now: checked all the same
}, INSTALL_TIMEOUT);

test('a bundle with uvicorn passes', () => {
  expect(() => synthStreamingFunction(project(true))).not.toThrow();
}, INSTALL_TIMEOUT);
