/**
 * What the dev command says when something is missing: each case runs the real CLI and asserts its exact message
 * and exit code.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { FIXTURES, runCli } from './dev-util';

const SITE = path.join(FIXTURES, 'vite-build');
const BACKEND = path.join(FIXTURES, 'dev-echo-backend');
const PREFIX = 'cdk-spa-with-lambda-api dev: ';

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-errors-'));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function occupiedPort(): Promise<net.Server> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

test('fails when the port is in use (--port)', async () => {
  const server = await occupiedPort();
  const port = (server.address() as net.AddressInfo).port;
  try {
    const { code, output } = await runCli(['dev', '--api', BACKEND, '--site', SITE, '--port', String(port)]);
    expect(code).toBe(1);
    expect(output.trim()).toBe(`${PREFIX}Port ${port} on 127.0.0.1 is in use by another process. `
      + 'Stop it, or choose another port with --port <n> or the PORT environment variable (--port 0 picks a free one).');
  } finally {
    server.close();
  }
}, 60_000);

test('fails when the port from PORT is in use', async () => {
  const server = await occupiedPort();
  const port = (server.address() as net.AddressInfo).port;
  try {
    const { code, output } = await runCli(['dev', '--api', BACKEND, '--site', SITE], { env: { PORT: String(port) } });
    expect(code).toBe(1);
    expect(output).toContain(`${PREFIX}Port ${port} on 127.0.0.1 is in use by another process.`);
  } finally {
    server.close();
  }
}, 60_000);

test('fails when PORT is not a number', async () => {
  const { code, output } = await runCli(['dev', '--api', BACKEND, '--site', SITE], { env: { PORT: 'eighty' } });
  expect(code).toBe(1);
  expect(output.trim()).toBe(`${PREFIX}The port is 'eighty' (from PORT), but it must be a number from 0 to 65535.`);
}, 60_000);

test('fails when the API folder has no dependency file', async () => {
  const api = path.join(scratch, 'no-deps');
  fs.mkdirSync(path.join(api, 'app'), { recursive: true });
  fs.writeFileSync(path.join(api, 'app', 'main.py'), 'handler = None\n');
  const { code, output } = await runCli(['dev', '--api', api, '--site', SITE, '--port', '0', '--cache-dir', path.join(scratch, 'cache')]);
  expect(code).toBe(1);
  expect(output).toContain(`${PREFIX}The API's dependencies: the project folder ${api} has no requirements.txt and no pyproject.toml. `
    + 'List the function\'s dependencies in one of: requirements.txt, uv.lock (also at a uv workspace root above it), poetry.lock + pyproject.toml, '
    + 'or pyproject.toml with [project] dependencies. An empty requirements.txt is fine for a function without dependencies.');
}, 60_000);

test('fails when the Python interpreter does not exist', async () => {
  const { code, output } = await runCli(['dev', '--api', BACKEND, '--site', SITE, '--port', '0', '--python', '/nonexistent/python3', '--cache-dir', path.join(scratch, 'cache')]);
  expect(code).toBe(1);
  expect(output).toContain(`${PREFIX}The Python interpreter '/nonexistent/python3' was not found. `
    + 'Pass --python <path> (or set CDK_SPA_PYTHON) to a Python 3 interpreter, or install Python 3.');
}, 60_000);

test('fails when there is no Python on PATH', async () => {
  const env = { PATH: path.join(scratch, 'empty-path'), CDK_SPA_PYTHON: '' };
  fs.mkdirSync(env.PATH, { recursive: true });
  const { code, output } = await runCli(['dev', '--api', BACKEND, '--site', SITE, '--port', '0', '--cache-dir', path.join(scratch, 'cache')], { env });
  expect(code).toBe(1);
  expect(output).toContain(`${PREFIX}No Python found: the dev server runs the API in a host virtualenv, so it needs a Python 3 interpreter. `
    + 'Install Python 3 (ideally the version of the Lambda runtime), put `python3` on PATH, or pass --python <path> (or set CDK_SPA_PYTHON).');
}, 60_000);

test('fails when the site folder has no index.html', async () => {
  const { code, output } = await runCli(['dev', '--api', BACKEND, '--site', scratch]);
  expect(code).toBe(1);
  expect(output.trim()).toBe(`${PREFIX}The site folder ${scratch} has no index.html. Build the SPA first (for example \`npm run build\`), `
    + 'or serve it through Vite with --vite <frontend folder>.');
}, 60_000);

test('fails when there is neither a CDK app nor --api', async () => {
  const { code, output } = await runCli(['dev'], { cwd: scratch });
  expect(code).toBe(1);
  expect(output.trim()).toBe(`${PREFIX}There is no cdk.json in this folder, and --api is not given. Run the command in your CDK app folder, `
    + 'point --app at it (or at its cdk.out), or give the facts as flags: --api <folder> --handler <module.attr> and --site <folder> or --vite <folder>.');
}, 60_000);

test('fails when the cache folder is inside the API folder (the virtualenv would be bundled)', async () => {
  const api = path.join(scratch, 'backend');
  fs.cpSync(BACKEND, api, { recursive: true });
  const { code, output } = await runCli(['dev', '--site', SITE, '--api', '.'], { cwd: api });
  expect(code).toBe(1);
  expect(output.trim()).toBe(`${PREFIX}The cache folder ${path.join(api, '.cdk-spa-dev')} is inside the API folder ${api}, so the virtualenv would end up `
    + 'in the Lambda bundle. Run the command from the CDK app folder, or pass --cache-dir <a folder outside the API folder>.');
}, 60_000);

test('fails when the handler is not module.attribute', async () => {
  const { code, output } = await runCli(['dev', '--api', BACKEND, '--site', SITE, '--handler', 'handler']);
  expect(code).toBe(1);
  expect(output.trim()).toBe(`${PREFIX}The handler is 'handler', but it must be module.attribute, for example app.main.handler.`);
}, 60_000);
