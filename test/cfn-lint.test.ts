/**
 * cfn-lint (pinned in requirements-dev.txt) over every template this project synthesizes: the example app and
 * the facade variants of verification-stacks.ts, the integ test apps synthesized afresh, and the committed integ
 * snapshots. One cfn-lint run; no error or warning may be reported, except the checks ignored below, each
 * with its reason.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildVerificationApp, integTestFiles, synthIntegApp, testStackTemplates } from './verification-stacks';

const ROOT = path.join(__dirname, '..');

/** cfn-lint checks that are ignored, and why. Nothing else is. */
const IGNORED_CHECKS: Record<string, string> = {
  W3005: 'aws-cdk-lib gives every Lambda function a DependsOn on its role (and the role\'s default policy) next to the '
    + 'GetAtt of the role ARN, so that the policy exists before the function runs; the redundant edge is harmless and '
    + 'is aws-cdk-lib\'s, not something this library can change without escape hatches.',
};

function cfnLint(args: string[]) {
  return spawnSync('cfn-lint', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

test('cfn-lint is the version pinned in requirements-dev.txt', () => {
  const pinned = /^cfn-lint==(\S+)$/m.exec(fs.readFileSync(path.join(ROOT, 'requirements-dev.txt'), 'utf8'))?.[1];
  expect(pinned).toBeDefined();
  const run = cfnLint(['--version']);
  if (run.error) {
    throw new Error(`cfn-lint is not installed: install the test tools into the project virtualenv: \`python3 -m venv .venv && . .venv/bin/activate && pip install -r requirements-dev.txt\` (${run.error.message})`);
  }
  expect(run.stdout.trim()).toBe(`cfn-lint ${pinned}`);
});

test('cfn-lint reports nothing for any synthesized template', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
  try {
    const variants = path.join(out, 'variants');
    buildVerificationApp(variants).app.synth();
    const templates = [
      ...testStackTemplates(variants),
      ...integTestFiles().flatMap((f) => synthIntegApp(f, path.join(out, path.basename(f)))),
      // the committed snapshots, assertion stacks included
      ...fs.readdirSync(__dirname).filter((d) => d.endsWith('.snapshot')).flatMap((d) =>
        fs.readdirSync(path.join(__dirname, d)).filter((f) => f.endsWith('.template.json')).map((f) => path.join(__dirname, d, f))),
    ];
    expect(templates.length).toBeGreaterThanOrEqual(10);

    const run = cfnLint(['--format', 'parseable', '--ignore-checks', ...Object.keys(IGNORED_CHECKS), '--', ...templates]);
    if (run.error) {
      throw new Error(`cfn-lint could not run: ${run.error.message}. Install the test tools into the project virtualenv: \`python3 -m venv .venv && . .venv/bin/activate && pip install -r requirements-dev.txt\`.`);
    }
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([]);
    expect(run.status).toBe(0);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
