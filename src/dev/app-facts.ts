import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DEV_FACTS_VERSION, DEV_METADATA_TYPE, DevFacts } from './facts';
import { DevError } from './process';

/** The facts of one SpaWithLambdaApi, with its paths made absolute. */
export interface AppFacts {
  /** The construct path, for example `/MyStack/App`. */
  readonly constructPath: string;
  readonly facts: DevFacts;
  /** `facts.site` and `facts.api.source`, resolved. */
  readonly site?: string;
  readonly apiSource: string;
}

/**
 * The dev facts every SpaWithLambdaApi of a cloud assembly recorded (nested assemblies of stages included),
 * read with aws-cdk-lib's cx-api.
 */
export function readAssembly(dir: string): AppFacts[] {
  // aws-cdk-lib is the construct library's peer dependency: the app that was synthesized has it
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cxapi: typeof import('aws-cdk-lib/cx-api') = require('aws-cdk-lib/cx-api');
  let assembly: InstanceType<typeof cxapi.CloudAssembly>;
  try {
    assembly = new cxapi.CloudAssembly(dir);
  } catch (e) {
    throw new DevError(`${dir} is not a cloud assembly that this aws-cdk-lib can read (${(e as Error).message.split('\n')[0]}). `
      + 'Synthesize the app again (`cdk synth`), or point --app at the CDK app folder (the one with cdk.json).');
  }
  const found: AppFacts[] = [];
  for (const stack of assembly.stacksRecursively) {
    for (const entry of stack.findMetadataByType(DEV_METADATA_TYPE)) {
      const facts = entry.data as unknown as DevFacts;
      if (facts?.version !== DEV_FACTS_VERSION) continue;
      const base = stack.assembly.directory;
      found.push({
        constructPath: entry.path,
        facts,
        site: facts.site !== undefined ? path.resolve(base, facts.site) : undefined,
        apiSource: path.resolve(base, facts.api.source),
      });
    }
  }
  return found;
}

/** Picks the construct to serve: the only one, or the one `--construct` names. */
export function chooseConstruct(all: AppFacts[], where: string, construct?: string): AppFacts {
  const candidates = construct ? all.filter((a) => a.constructPath === construct || a.constructPath.replace(/^\//, '') === construct.replace(/^\//, '')) : all;
  if (candidates.length === 1) return candidates[0];
  if (all.length === 0) {
    throw new DevError(`${where} has no SpaWithLambdaApi (or it was synthesized with a version of cdk-spa-with-lambda-api that does not record `
      + 'what the dev server needs). Synthesize it with this version, or give the facts as flags: --api <folder> --handler <module.attr> and --site <folder> or --vite <folder>.');
  }
  const list = all.map((a) => `  ${a.constructPath}`).join('\n');
  throw new DevError(construct
    ? `${where} has no SpaWithLambdaApi at --construct ${construct}. It has:\n${list}`
    : `${where} has ${all.length} SpaWithLambdaApi constructs; choose one with --construct <path>:\n${list}`);
}

/**
 * Runs a CDK app as the CDK CLI does (its `app` command with `CDK_OUTDIR` and `CDK_CONTEXT_JSON`), with bundling
 * skipped for every stack (`aws:cdk:bundling-stacks` empty): the dev server needs only the recorded facts, not the
 * Lambda bundle. Returns the cloud assembly folder.
 */
export async function synthesize(appDir: string, command: string | undefined, outdir: string, log: (line: string) => void): Promise<string> {
  const cdkJson = path.join(appDir, 'cdk.json');
  const config = fs.existsSync(cdkJson) ? JSON.parse(fs.readFileSync(cdkJson, 'utf8')) as { app?: string; context?: Record<string, unknown> } : {};
  const app = command ?? config.app;
  if (!app) throw new DevError(`${cdkJson} has no "app" command. Pass --app with a cloud assembly folder or an app command.`);
  const contextFile = path.join(appDir, 'cdk.context.json');
  const context = {
    ...config.context,
    ...(fs.existsSync(contextFile) ? JSON.parse(fs.readFileSync(contextFile, 'utf8')) : {}),
    'aws:cdk:bundling-stacks': [],
  };
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  log(`synthesizing ${app} (without bundling) to read the SpaWithLambdaApi settings`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(app, { cwd: appDir, shell: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) } });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', (e) => reject(new DevError(`Could not run the CDK app '${app}': ${e.message}`)));
    child.on('close', (code) => code === 0 ? resolve() : reject(new DevError(`Synthesizing the CDK app failed ('${app}' in ${appDir} exited with code ${code}):\n`
      + `${output.trim().split('\n').slice(-30).join('\n')}\nFix the app, or give the facts as flags (--api, --handler, --site or --vite).`)));
  });
  log(`synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return outdir;
}
