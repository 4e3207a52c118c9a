import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { originVerifyFunctionSettings } from '../../src/api/origin-verification-layer';
import { STREAMING_EXEC_WRAPPER } from '../../src/api/streaming-runtime';

const ROOT = path.join(__dirname, '..', '..');
const LAYER_SRC = path.join(ROOT, 'src', 'api', 'runtime', 'origin-verify-layer');
// where the exec wrapper lands in the layer: /opt/<path inside the layer asset>
const WRAPPER_IN_LAYER = path.relative('/opt', STREAMING_EXEC_WRAPPER);

/** Executable by owner, group and others (r-x in each of the three permission digits). */
function isExecutable(file: string): boolean {
  const perms = (fs.statSync(file).mode % 0o1000).toString(8).padStart(3, '0');
  return [...perms].every((digit) => Number(digit) % 2 === 1);
}

describe('the streaming exec wrapper ships executable', () => {
  test('the contract path names the wrapper in the origin-verify layer, and it is executable in src/', () => {
    expect(WRAPPER_IN_LAYER).toBe('cdk-spa-streaming/bootstrap');
    const wrapper = path.join(LAYER_SRC, WRAPPER_IN_LAYER);
    expect(fs.readFileSync(wrapper, 'utf-8')).toMatch(/^#!\/bin\/sh\n/);
    expect(isExecutable(wrapper)).toBe(true);
  });

  test('the compile step copies it into lib/ with its exec bit', () => {
    execFileSync(process.execPath, [path.join(ROOT, 'projenrc', 'copy-runtime.js')], { cwd: ROOT, stdio: 'pipe' });
    const copied = path.join(ROOT, 'lib', 'api', 'runtime', 'origin-verify-layer', WRAPPER_IN_LAYER);
    expect(isExecutable(copied)).toBe(true);
    expect(fs.readFileSync(copied)).toEqual(fs.readFileSync(path.join(LAYER_SRC, WRAPPER_IN_LAYER)));
  });

  test('the layer asset staged by synth keeps the exec bit (the CLI zips files with the mode it stats)', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'streaming-layer-'));
    try {
      const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
      const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'us-east-1' } });
      const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Secret',
        'arn:aws:secretsmanager:us-east-1:111111111111:secret:origin-AbCdEf');
      originVerifyFunctionSettings(stack, { secret }, 'app.main.handler', lambda.Runtime.PYTHON_3_14, lambda.Architecture.ARM_64);
      const assembly = app.synth();
      const layer = assembly.getStackByName('Stack').template.Resources;
      const [, resource] = Object.entries<any>(layer).find(([, r]) => r.Type === 'AWS::Lambda::LayerVersion')!;
      const assetDir = path.join(outdir, resource.Metadata['aws:asset:path']);
      const staged = path.join(assetDir, WRAPPER_IN_LAYER);
      expect(isExecutable(staged)).toBe(true);
      expect(fs.existsSync(path.join(assetDir, 'python', 'cdk_spa_streaming.py'))).toBe(true);
      expect(fs.existsSync(path.join(assetDir, 'python', 'cdk_spa_origin_check.py'))).toBe(true);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
