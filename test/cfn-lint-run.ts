/** cfn-lint as the tests run it: the version pinned in requirements-dev.txt, the ignored checks and their reasons. */
import { spawnSync, SpawnSyncReturns } from 'child_process';

/** cfn-lint checks that are ignored, and why. Nothing else is. */
export const IGNORED_CHECKS: Record<string, string> = {
  W3005: 'aws-cdk-lib gives every Lambda function a DependsOn on its role (and the role\'s default policy) next to the '
    + 'GetAtt of the role ARN, so that the policy exists before the function runs; the redundant edge is harmless and '
    + 'is aws-cdk-lib\'s, not something this library can change without escape hatches.',
};

export function cfnLint(args: string[]): SpawnSyncReturns<string> {
  return spawnSync('cfn-lint', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** Lints the templates in one run, ignoring only IGNORED_CHECKS; returns the findings, one a line. */
export function cfnLintFindings(templates: string[]): string[] {
  const run = cfnLint(['--format', 'parseable', '--ignore-checks', ...Object.keys(IGNORED_CHECKS), '--', ...templates]);
  if (run.error) {
    throw new Error(`cfn-lint could not run: ${run.error.message}. Install the test tools into the project virtualenv: \`python3 -m venv .venv && . .venv/bin/activate && pip install -r requirements-dev.txt\`.`);
  }
  if (run.stderr !== '') {
    throw new Error(`cfn-lint failed: ${run.stderr}`);
  }
  const findings = run.stdout.split('\n').filter(Boolean);
  if (findings.length === 0 && run.status !== 0) {
    throw new Error(`cfn-lint exited with ${run.status} and printed no finding`);
  }
  return findings;
}
