import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { DependencySource } from './inputs';
import { InstallRequest, resolveRequirements } from './installers';
import { PythonTarget } from './target';

/** The requirements file the Docker bundling command installs (written into the output folder before Docker runs). */
const DOCKER_REQUIREMENTS = '.cdk-spa-requirements.txt';
/** The pip configuration (index URLs of this machine) for the Docker bundling command, deleted by it. */
const DOCKER_PIP_CONFIG = '.cdk-spa-pip.conf';

/** What the Docker bundling options depend on (they are hashed into the asset hash by CDK: nothing machine-specific). */
export interface DockerBundlingSettings {
  readonly target: PythonTarget;
  readonly precompile: boolean;
  readonly extraArgs: string[];
}

/**
 * CDK bundling options: the local bundler first; Docker (the SAM build image of the runtime, for the
 * function's architecture) runs only when the local bundler declines, that is with
 * `installer: DOCKER`, or with `dockerFallback` when a dependency needs compiling.
 */
export function dockerBundlingOptions(s: DockerBundlingSettings, local?: cdk.ILocalBundling): cdk.BundlingOptions {
  // No index URLs here: CDK hashes these options into the asset hash. They reach the container in a pip
  // config file that the local step writes into the output folder, and the command deletes.
  const environment: { [key: string]: string } = {
    HOME: '/tmp',
    PIP_CACHE_DIR: '/tmp/pip-cache',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    CDK_SPA_PRECOMPILE: s.precompile ? '1' : '0',
  };
  return {
    image: cdk.DockerImage.fromRegistry(`public.ecr.aws/sam/build-${s.target.runtimeName}`),
    platform: s.target.machine === 'aarch64' ? 'linux/arm64' : 'linux/amd64',
    command: ['bash', '-c', DOCKER_SCRIPT, 'bundle', ...s.extraArgs],
    environment,
    outputType: cdk.BundlingOutput.NOT_ARCHIVED,
    local,
  };
}

/**
 * The command run in the SAM build image. The local bundler has already copied the project (minus
 * excludes) and the resolved requirements into /asset-output.
 */
const DOCKER_SCRIPT = [
  'set -euo pipefail',
  'cd /asset-output',
  `req=/asset-output/${DOCKER_REQUIREMENTS}`,
  `if [ -f /asset-output/${DOCKER_PIP_CONFIG} ]; then export PIP_CONFIG_FILE=/asset-output/${DOCKER_PIP_CONFIG}; fi`,
  'site=$(mktemp -d)',
  'if [ -s "$req" ]; then python3 -m pip install --no-compile --no-input -r "$req" --target "$site" "$@"; fi',
  `rm -f "$req" /asset-output/${DOCKER_PIP_CONFIG}`,
  'rm -rf "$site/bin"',
  'find "$site" -depth -type d \\( -name __pycache__ -o -name tests -o -name test \\) -exec rm -rf {} +',
  'find "$site" -type f \\( -name "*.pyi" -o -name "*.pyc" -o -path "*.dist-info/direct_url.json" -o -path "*.dist-info/INSTALLER" -o -path "*.dist-info/REQUESTED" \\) -delete',
  'cp -rn "$site"/. /asset-output/',
  'rm -rf "$site"',
  'if [ "${CDK_SPA_PRECOMPILE:-1}" = 1 ]; then python3 -m compileall -q -j 0 --invalidation-mode unchecked-hash -s /asset-output -p /var/task /asset-output || true; fi',
].join('\n');

/**
 * Writes what the Docker command installs next to the project copy in `outputDir`: the resolved requirements,
 * and this machine's index settings in a pip config file (not in the bundling options, which CDK hashes).
 */
export function writeDockerInputs(outputDir: string, source: DependencySource, request: Omit<InstallRequest, 'site' | 'work'>): void {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-spa-docker-'));
  try {
    const requirements = resolveRequirements(source, { ...request, site: scratch, work: scratch }, true);
    fs.writeFileSync(path.join(outputDir, DOCKER_REQUIREMENTS), requirements ? fs.readFileSync(requirements) : '');
    const pipConfig = [['index-url', 'PIP_INDEX_URL'], ['extra-index-url', 'PIP_EXTRA_INDEX_URL'], ['trusted-host', 'PIP_TRUSTED_HOST']]
      .filter(([, name]) => process.env[name])
      .map(([key, name]) => `${key} = ${process.env[name]}`);
    if (pipConfig.length > 0) {
      fs.writeFileSync(path.join(outputDir, DOCKER_PIP_CONFIG), ['[global]', ...pipConfig, ''].join('\n'), { mode: 0o600 });
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
