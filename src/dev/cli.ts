#!/usr/bin/env node
/**
 * `cdk-spa-with-lambda-api dev`: the site and the API on one local port, routed as the distribution routes them.
 * Run `cdk-spa-with-lambda-api dev --help` for the options.
 */
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { parseArgs } from 'util';
import { AppFacts, chooseConstruct, readAssembly, synthesize } from './app-facts';
import { HostCheck } from './host-check';
import { DevError, freePort, hasExited, killAllGroupsNow, killGroup, spawnGroup } from './process';
import { PythonApi } from './python-api';
import { DevServer, responseHeadersFor } from './server';
import { StaticSite, ViteOrigin } from './site';
import { StreamingApi, streamingFromFacts } from './streaming';
import { ensureVenv } from './venv';
import { watchTree } from './watch';
import { DEFAULT_CONTENT_SECURITY_POLICY } from '../distribution/security-headers';

const USAGE = `Usage: cdk-spa-with-lambda-api dev [options]

Serves the SPA and its FastAPI API on one local port, routed as the CloudFront distribution routes them:
<prefix>/* goes to the Mangum handler (API Gateway payload 2.0 events), everything else through the
SPA-routing CloudFront Function to the site, with the security headers on every response.

The settings come from the SpaWithLambdaApi in the CDK app (synthesized without bundling); flags override.

  --app <dir|command>  a cloud assembly (cdk.out), a CDK app folder (with cdk.json), or an app command
                       (default: the CDK app in the current folder, when it has a cdk.json)
  --construct <path>   which SpaWithLambdaApi, when the app has several (e.g. /MyStack/App)
  --site <dir>         serve this built SPA folder, read on every request (pair with \`vite build --watch\`)
  --vite <dir>         start the Vite dev server in <dir> and serve the site through it (hot reload)
  --vite-url <url>     serve the site through a Vite dev server that is already running
                       (the last of --site, --vite and --vite-url wins)
  --api <dir>          the FastAPI project folder (api.source)
  --handler <m.attr>   the Lambda handler (api.handler; default app.main.handler)
  --prefix <path>      the API prefix (api.prefix; default /api)
  --port <n>           the port (default: $PORT, else 3000; 0 picks a free one)
  --host <address>     the address to listen on (default 127.0.0.1)
  --allowed-host <name>  answer requests for this Host too (repeatable; a leading dot allows subdomains). Only
                       localhost names, IP addresses and --host are answered otherwise: any other Host gets a 403,
                       so a web page cannot reach the local API through DNS rebinding
  --python <path>      the Python 3 to build the API's virtualenv with; it must satisfy requires-python (default:
                       $CDK_SPA_PYTHON, else the runtime's Python, else the nearest version that satisfies
                       requires-python, on PATH or found by uv)
  --cache-dir <dir>    where the virtualenv and the synthesized app are kept (default .cdk-spa-dev)
  --poll               watch the API folder by polling (network drives, some containers)
  --streaming          serve the API as api.streaming does: uvicorn on the ASGI app, responses streamed
                       (default: what the app sets; needs uvicorn in the API's dependencies)
  -h, --help           this text
`;

interface Flags {
  'app'?: string;
  'construct'?: string;
  'site'?: string;
  'vite'?: string;
  'vite-url'?: string;
  'api'?: string;
  'handler'?: string;
  'prefix'?: string;
  'port'?: string;
  'host'?: string;
  'allowed-host'?: string[];
  'python'?: string;
  'cache-dir'?: string;
  'poll'?: boolean;
  'streaming'?: boolean;
  'help'?: boolean;
}

const log = (line: string): void => console.log(`[dev] ${line}`);

async function main(argv: string[]): Promise<void> {
  let parsed: { values: Flags; positionals: string[]; tokens?: Array<{ kind: string; name?: string }> };
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      tokens: true,
      options: {
        'app': { type: 'string' },
        'construct': { type: 'string' },
        'site': { type: 'string' },
        'vite': { type: 'string' },
        'vite-url': { type: 'string' },
        'api': { type: 'string' },
        'handler': { type: 'string' },
        'prefix': { type: 'string' },
        'port': { type: 'string' },
        'host': { type: 'string' },
        'allowed-host': { type: 'string', multiple: true },
        'python': { type: 'string' },
        'cache-dir': { type: 'string' },
        'poll': { type: 'boolean' },
        'streaming': { type: 'boolean' },
        'help': { type: 'boolean', short: 'h' },
      },
    }) as typeof parsed;
  } catch (e) {
    throw new DevError(`${(e as Error).message}\n\n${USAGE}`);
  }
  const flags = parsed.values;
  if (flags.help || parsed.positionals.length === 0) {
    process.stdout.write(USAGE);
    return;
  }
  if (parsed.positionals[0] !== 'dev' || parsed.positionals.length > 1) {
    throw new DevError(`Unknown command '${parsed.positionals.join(' ')}'. The command is \`cdk-spa-with-lambda-api dev\`.\n\n${USAGE}`);
  }
  // the site is a built folder or a Vite dev server: the last of --site, --vite and --vite-url given wins
  // (so `npx projen example:dev --site frontend/dist` overrides the task's --vite)
  const siteFlags = ['site', 'vite', 'vite-url'] as const;
  const lastSiteFlag = [...(parsed.tokens ?? [])].reverse().find((t) => t.kind === 'option' && siteFlags.includes(t.name as typeof siteFlags[number]));
  for (const name of siteFlags) {
    if (lastSiteFlag && name !== lastSiteFlag.name) delete flags[name];
  }

  const cacheDir = path.resolve(flags['cache-dir'] ?? '.cdk-spa-dev');
  const portText = flags.port ?? process.env.PORT ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new DevError(`The port is '${portText}' (from ${flags.port ? '--port' : 'PORT'}), but it must be a number from 0 to 65535.`);

  // ---- the facts: from the CDK app, then the flags ----
  const haveAllFlags = flags.api !== undefined && (flags.site ?? flags.vite ?? flags['vite-url']) !== undefined;
  let app: AppFacts | undefined;
  if (flags.app !== undefined || (!haveAllFlags && fs.existsSync('cdk.json'))) {
    app = await appFacts(flags.app ?? '.', cacheDir, flags.construct);
    log(`using ${app.constructPath} of the CDK app`);
  } else if (!haveAllFlags && flags.api === undefined) {
    throw new DevError('There is no cdk.json in this folder, and --api is not given. Run the command in your CDK app folder, '
      + 'point --app at it (or at its cdk.out), or give the facts as flags: --api <folder> --handler <module.attr> and --site <folder> or --vite <folder>.');
  }
  const facts = app?.facts;
  const apiSource = path.resolve(flags.api ?? app!.apiSource);
  const handler = flags.handler ?? facts?.api.handler ?? 'app.main.handler';
  const prefix = (flags.prefix ?? facts?.api.prefix ?? '/api').replace(/\/+$/, '');
  const routing = facts?.routing ?? 'viewer-request-function';
  if (!fs.existsSync(apiSource) || !fs.statSync(apiSource).isDirectory()) {
    throw new DevError(`The API folder ${apiSource} does not exist. ${flags.api ? 'Fix --api.' : 'Fix api.source in the app, or pass --api.'}`);
  }
  if ((cacheDir + path.sep).startsWith(apiSource + path.sep)) {
    throw new DevError(`The cache folder ${cacheDir} is inside the API folder ${apiSource}, so the virtualenv would end up in the Lambda bundle. `
      + 'Run the command from the CDK app folder, or pass --cache-dir <a folder outside the API folder>.');
  }
  if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/.test(handler)) {
    throw new DevError(`The handler is '${handler}', but it must be module.attribute, for example app.main.handler.`);
  }
  if (!/^\/[^*?]*[^/*?]$/.test(prefix)) {
    throw new DevError(`The API prefix is '${prefix}', but it must start with / and name a path, for example /api.`);
  }

  let site: StaticSite | undefined;
  let viteUrl = flags['vite-url'];
  const viteDir = flags.vite;
  if (viteDir === undefined && viteUrl === undefined) {
    const siteDir = flags.site ?? app?.site;
    if (siteDir === undefined) {
      throw new DevError('The app sets site.sourceAsset, so the site folder is not known: pass --site <built folder> or --vite <frontend folder>.');
    }
    if (!fs.existsSync(path.join(siteDir, 'index.html'))) {
      throw new DevError(`The site folder ${path.resolve(siteDir)} has no index.html. Build the SPA first (for example \`npm run build\`), `
        + 'or serve it through Vite with --vite <frontend folder>.');
    }
    site = new StaticSite(siteDir, facts?.hashedAssetGlobs, routing === 'viewer-request-function'
      ? { apiPrefix: prefix, prerenderedRoutes: facts?.prerenderedRoutes ?? true, notFoundPage: facts?.notFoundPage }
      : undefined);
  }

  let responseHeaders: Record<string, string> = responseHeadersFor(facts?.contentSecurityPolicy ?? DEFAULT_CONTENT_SECURITY_POLICY);
  if (facts?.customResponseHeadersPolicy) {
    responseHeaders = {};
    log('warning: the app uses its own responseHeadersPolicy, whose headers are not known before deployment; no security headers are added locally.');
  }
  for (const name of facts?.api.secrets ?? []) {
    if (process.env[name] === undefined) {
      log(`note: api.secrets has ${name}; in Lambda it holds the secret's ARN or parameter name. Set ${name} in your shell to what your code expects locally.`);
    }
  }

  // ---- start: the port first (a port in use fails fast), then Vite and the API ----
  const children: ChildProcess[] = [];
  let stopWatching: (() => void) | undefined;
  let server: DevServer | undefined;
  let api: PythonApi | undefined;
  let streaming: StreamingApi | undefined;
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log('stopping');
    stopWatching?.();
    await Promise.all([server?.close(), api?.stop(), streaming?.stop(), ...children.map((c) => killGroup(c))]);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(130));
  process.on('SIGTERM', () => void stop(143));
  process.on('SIGHUP', () => void stop(129));

  const apiOptions = {
    source: apiSource,
    handler,
    environment: facts?.api.environment ?? {},
    timeoutSeconds: facts?.api.timeoutSeconds ?? 15,
    python: () => ensureVenv({ apiSource, runtime: facts?.api.runtime ?? 'python3.14', cacheDir, python: flags.python, log: (l) => log(`[api] ${l}`) }),
    log: (l: string) => log(`[api] ${l}`),
  };
  api = new PythonApi(apiOptions);

  if (flags.streaming ?? streamingFromFacts(facts?.api)) {
    streaming = new StreamingApi(apiOptions);
  }

  if (viteDir !== undefined) {
    const vite = await startVite(viteDir);
    children.push(vite.child);
    viteUrl = vite.url;
  }
  server = new DevServer({
    port,
    host: flags.host ?? '127.0.0.1',
    prefix,
    routing,
    responseHeaders,
    site,
    vite: viteUrl ? new ViteOrigin(viteUrl) : undefined,
    api,
    streaming,
    hostCheck: new HostCheck(flags.host ?? '127.0.0.1', flags['allowed-host'] ?? []),
    log,
  });
  let actualPort: number;
  try {
    actualPort = await server.listen();
  } catch (e) {
    await Promise.all(children.map((c) => killGroup(c)));
    throw e;
  }
  const served = streaming ?? api;
  await served.start();
  stopWatching = watchTree(apiSource, (files) => {
    log(`[api] ${files.slice(0, 3).join(', ')}${files.length > 3 ? ', ...' : ''} changed: reloading`);
    served.restart().catch((e: Error) => log(`[api] reload failed: ${e.message}`));
  }, { poll: flags.poll });

  const host = flags.host && flags.host !== '127.0.0.1' ? flags.host : 'localhost';
  log(`site: ${site ? `${path.relative(process.cwd(), path.resolve(flags.site ?? app!.site!)) || '.'} (built folder)` : `Vite dev server ${viteUrl}`}; `
    + `routing: ${routing}; API: ${prefix}/* -> ${handler}${streaming ? ' under uvicorn (streaming)' : ''} in ${path.relative(process.cwd(), apiSource) || '.'} (origin verification skipped locally)`);
  log(`ready on http://${host}:${actualPort}`);
}

async function appFacts(app: string, cacheDir: string, construct: string | undefined): Promise<AppFacts> {
  let assemblyDir: string;
  if (fs.existsSync(path.join(app, 'manifest.json'))) {
    assemblyDir = app;
  } else if (fs.existsSync(path.join(app, 'cdk.json'))) {
    assemblyDir = await synthesize(path.resolve(app), undefined, path.join(cacheDir, 'cdk.out'), log);
  } else if (fs.existsSync(app) && fs.statSync(app).isDirectory()) {
    throw new DevError(`--app ${app} is a folder without manifest.json (a cloud assembly) or cdk.json (a CDK app).`);
  } else {
    assemblyDir = await synthesize(process.cwd(), app, path.join(cacheDir, 'cdk.out'), log);
  }
  return chooseConstruct(readAssembly(assemblyDir), app === '.' ? 'The CDK app' : `--app ${app}`, construct);
}

/** Starts `vite` in its folder on a free port, in its own process group; resolves when it answers. */
async function startVite(dir: string): Promise<{ child: ChildProcess; url: string }> {
  if (!fs.existsSync(dir)) throw new DevError(`--vite ${dir} does not exist.`);
  const bin = findBin(path.resolve(dir), 'vite');
  if (!bin) throw new DevError(`Vite is not installed for ${dir} (no node_modules/.bin/vite in it or above it). Run \`npm install\` there, or use --vite-url or --site.`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnGroup(bin, ['--port', String(port), '--strictPort', '--host', '127.0.0.1'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (data: Buffer): void => {
    for (const line of data.toString().split('\n')) if (line.trim() !== '') console.log(`[vite] ${line}`);
  };
  child.stdout!.on('data', prefix);
  child.stderr!.on('data', prefix);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (hasExited(child)) throw new DevError(`The Vite dev server in ${dir} exited with code ${child.exitCode} (its output is above).`);
    if (await answers(`${url}/@vite/client`)) return { child, url };
    await new Promise((r) => setTimeout(r, 200));
  }
  await killGroup(child);
  throw new DevError(`The Vite dev server in ${dir} did not answer on ${url} within 60 seconds.`);
}

function findBin(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', '.bin', name);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}


function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}

process.on('exit', killAllGroupsNow);
main(process.argv.slice(2)).catch((e: Error) => {
  killAllGroupsNow();
  console.error(e instanceof DevError ? `cdk-spa-with-lambda-api dev: ${e.message}` : e.stack);
  process.exit(1);
});
