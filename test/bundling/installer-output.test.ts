/**
 * Installer output read without colour (issue 23 item 1): the environment the installers run in turns colour off
 * (the CDK CLI's FORCE_COLOR=0 makes pip's rich console colour its output), and what they print is parsed without
 * ANSI codes. The end-to-end proof through `cdk synth` is cdk-cli.test.ts.
 */
import * as os from 'os';
import { withEnv } from './python-bundling-util';
import { installerEnv, run } from '../../src/bundling/installers';

describe('installers run without colour', () => {
  test('FORCE_COLOR, CLICOLOR_FORCE and PY_COLORS are removed; NO_COLOR and PIP_NO_COLOR are set', () => {
    const env = withEnv({ FORCE_COLOR: '0', CLICOLOR_FORCE: '1', PY_COLORS: '1', NO_COLOR: undefined }, () => installerEnv());
    expect(env.FORCE_COLOR).toBeUndefined();
    expect(env.CLICOLOR_FORCE).toBeUndefined();
    expect(env.PY_COLORS).toBeUndefined();
    expect(env).toMatchObject({ NO_COLOR: '1', PIP_NO_COLOR: '1' });
  });

  test('what an installer prints comes back without ANSI codes', () => {
    const script = 'printf "\\033[31mERROR: No matching distribution found for aiohttp==3.11.11\\033[0m\\033[31m\\n" >&2; printf "\\033[1mok\\033[0m"';
    const result = run('sh', ['-c', script], os.tmpdir());
    expect(result.stderr).toBe('ERROR: No matching distribution found for aiohttp==3.11.11\n');
    expect(result.stdout).toBe('ok');
  });
});
