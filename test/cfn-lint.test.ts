/**
 * cfn-lint (pinned in requirements-dev.txt) over every template this project synthesizes: the example app and
 * the facade variants of verification-stacks.ts, the integ test apps synthesized afresh, and the committed integ
 * snapshots. One cfn-lint run; no error or warning may be reported, except the checks ignored in cfn-lint-run.ts, each
 * with its reason.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cfnLint, cfnLintFindings } from './cfn-lint-run';
import { buildVerificationApp, integTestFiles, synthIntegApp, testStackTemplates } from './verification-stacks';

const ROOT = path.join(__dirname, '..');

test('cfn-lint is the version pinned in requirements-dev.txt', () => {
  const pinned = /^cfn-lint==([^\s\\;]+)/m.exec(fs.readFileSync(path.join(ROOT, 'requirements-dev.txt'), 'utf8'))?.[1];
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

    expect(cfnLintFindings(templates)).toEqual([]);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
