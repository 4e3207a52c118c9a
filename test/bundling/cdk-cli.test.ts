/**
 * Bundling as users run it (issue 23 item 1): through the real CDK CLI (`cdk synth`, the aws-cdk devDependency), which
 * runs the app with FORCE_COLOR=0 in its environment. pip reads that as "force a terminal" and colours its output;
 * the bundler must still name the package that needs compiling, not `'netifaces==0.11.0\x1b[0m'` as missing from
 * the index. Offline: the wheelhouse, no telemetry, no instance metadata.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { FIXTURES, INSTALL_TIMEOUT, pipPython, ROOT, tmpDir, useWheelhouseAndFreshCache, WHEELHOUSE } from './python-bundling-util';

useWheelhouseAndFreshCache();

/** A CDK app (JavaScript, loading the library's TypeScript sources with ts-node) with one FastApiFunction. */
function writeApp(installer: 'PIP' | 'UV'): string {
  const dir = tmpDir('cdk-cli-app-');
  const lib = (p: string) => JSON.stringify(path.join(ROOT, p));
  fs.writeFileSync(path.join(dir, 'app.js'), [
    `require(${lib('node_modules/ts-node')}).register({ transpileOnly: true, project: ${lib('tsconfig.dev.json')} });`,
    `const { App, Stack } = require(${lib('node_modules/aws-cdk-lib')});`,
    `const { FastApiFunction, PythonInstaller } = require(${lib('src')});`,
    'const app = new App();',
    "const stack = new Stack(app, 'CliStack');",
    `new FastApiFunction(stack, 'Api', { source: ${JSON.stringify(path.join(FIXTURES, 'python-no-wheel'))}, handler: 'app.main.handler',`,
    `  bundling: { installer: PythonInstaller.${installer}, cache: false } });`,
    'app.synth();',
  ].join('\n'));
  return dir;
}

function cdkSynth(dir: string): { status: number | null; output: string } {
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), [
    'synth', '--app', 'node app.js', '--output', path.join(dir, 'cdk.out'), '--no-notices', '--no-version-reporting', '--quiet',
  ], {
    cwd: dir,
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT,
    env: {
      ...process.env,
      FORCE_COLOR: '0',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_SPA_PYTHON: pipPython(),
      PIP_NO_INDEX: '1',
      PIP_FIND_LINKS: WHEELHOUSE,
      NO_COLOR: undefined,
    },
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe('cdk synth (the real CLI, FORCE_COLOR=0)', () => {
  test.each(['PIP', 'UV'] as const)('a package with no aarch64/cp314 wheel is named as needing compiling, with %s', (installer) => {
    const { status, output } = cdkSynth(writeApp(installer));
    expect(status).not.toBe(0);
    expect(output).toContain("Python bundling: 'netifaces==0.11.0' (from ");
    expect(output).toContain('has no wheel for CPython 3.14 on linux aarch64 (manylinux_2_34 .. manylinux2014) and needs compiling: ');
    expect(output).toContain('bundle in Docker: `bundling: { dockerFallback: true }`');
    expect(output).not.toContain('exists on the package index');
    // no colour codes reach the message
    const message = output.slice(output.indexOf('Python bundling:'));
    expect(message).not.toMatch(/\x1b\[/); // eslint-disable-line no-control-regex
  }, INSTALL_TIMEOUT);
});
