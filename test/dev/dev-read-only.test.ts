/**
 * The preview runs the app as Lambda does: the code folder is its working directory and read-only, and only a temp
 * folder of its own (TMPDIR, as /tmp in Lambda) is writable. The real CLI runs two small apps (no dependencies):
 * one that creates `local_assets/` next to its code at import, as a real project did (it worked in the preview,
 * then failed in Lambda with `[Errno 30] Read-only file system`), and one that writes where Lambda allows.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIXTURES, request, RunningDev, START_TIMEOUT, startDev } from './dev-util';

const SITE = path.join(FIXTURES, 'vite-build');
const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** An API folder with requirements.txt (nothing to install) and app/main.py. */
function app(mainPy: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-read-only-'));
  tmp.push(dir);
  fs.writeFileSync(path.join(dir, 'requirements.txt'), '');
  fs.mkdirSync(path.join(dir, 'app'));
  fs.writeFileSync(path.join(dir, 'app', '__init__.py'), '');
  fs.writeFileSync(path.join(dir, 'app', 'main.py'), mainPy);
  return dir;
}

const JSON_RESPONSE = 'def respond(body):\n    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}\n';

describe('an app that creates local_assets/ in its code folder at import', () => {
  let api: string;
  let dev: RunningDev;
  beforeAll(async () => {
    api = app('import json\nimport os\n\n'
      + 'ASSETS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "local_assets")\n'
      + 'os.makedirs(ASSETS, exist_ok=True)\n\n\n' + JSON_RESPONSE + '\n\ndef handler(event, context):\n    return respond({"ok": True})\n');
    dev = await startDev(['--api', api, '--handler', 'app.main.handler', '--site', SITE]);
  }, START_TIMEOUT);
  afterAll(async () => {
    await dev?.stop('SIGKILL');
  });

  test('fails in the preview as in Lambda, with a message that says the code folder is read-only and where to write', async () => {
    const reply = await request(dev.port, '/api/anything');
    expect(reply.status).toBe(500);
    const output = dev.output();
    expect(output).toContain('importing app.main.handler failed');
    expect(output).toContain('OSError: [Errno 30] Read-only file system: Lambda\'s code folder (/var/task) is read-only, and so is the API\'s '
      + 'folder in the preview. Write under /tmp instead (tempfile.gettempdir(): ');
    expect(output).toContain(`: '${fs.realpathSync(api)}/local_assets'`);
  });

  test('and leaves nothing behind in the code folder', () => {
    expect(fs.readdirSync(api).sort()).toEqual(['app', 'requirements.txt']);
    expect(fs.readdirSync(path.join(api, 'app')).sort()).toEqual(['__init__.py', 'main.py']);
  });
});

describe('an app that writes where Lambda allows', () => {
  let api: string;
  let dev: RunningDev;
  beforeAll(async () => {
    api = app('import json\nimport os\nimport tempfile\n\n\n' + JSON_RESPONSE + '\n\n'
      + 'def attempt(fn):\n    try:\n        fn()\n        return "ok"\n    except OSError as e:\n        return f"{e.errno} {e.strerror}"\n\n\n'
      + 'def handler(event, context):\n'
      + '    tmp = tempfile.gettempdir()\n'
      + '    with tempfile.NamedTemporaryFile("w", delete=False, suffix=".txt") as f:\n        f.write("x")\n'
      + '    return respond({\n'
      + '        "cwd": os.getcwd(), "tmp": tmp, "tempfile": f.name,\n'
      + '        "read_code": attempt(lambda: open("app/main.py").read()),\n'
      + '        "write_code": attempt(lambda: open("app/new.py", "w")),\n'
      + '        "append_code": attempt(lambda: open("requirements.txt", "a")),\n'
      + '        "os_open_code": attempt(lambda: os.open("x.txt", os.O_WRONLY | os.O_CREAT)),\n'
      + '        "rename_code": attempt(lambda: os.rename("requirements.txt", os.path.join(tmp, "r.txt"))),\n'
      + '        "remove_code": attempt(lambda: os.remove("requirements.txt")),\n'
      + '        "home": attempt(lambda: open(os.path.join(os.path.dirname(os.getcwd()), "outside.txt"), "w")),\n'
      + '        "devnull": attempt(lambda: open(os.devnull, "w").write("x")),\n'
      + '    })\n');
    dev = await startDev(['--api', api, '--handler', 'app.main.handler', '--site', SITE]);
  }, START_TIMEOUT);
  afterAll(async () => {
    await dev?.stop('SIGKILL');
  });

  test('the code folder is the working directory, a temp folder of the run is writable, everything else is not', async () => {
    const reply = await request(dev.port, '/api/x');
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.text);
    expect(fs.realpathSync(body.cwd)).toBe(fs.realpathSync(api));
    expect(path.basename(body.tmp)).toMatch(/^cdk-spa-dev-tmp-/);
    expect(fs.readFileSync(body.tempfile, 'utf8')).toBe('x');
    expect(body).toMatchObject({
      read_code: 'ok',
      devnull: 'ok',
      write_code: expect.stringMatching(/^30 Read-only file system: Lambda's code folder/),
      append_code: expect.stringMatching(/^30 Read-only file system: Lambda's code folder/),
      os_open_code: expect.stringMatching(/^30 /),
      rename_code: expect.stringMatching(/^30 /),
      remove_code: expect.stringMatching(/^30 /),
      home: expect.stringMatching(/^30 Read-only file system: in Lambda only \/tmp is writable/),
    });
    expect(fs.readdirSync(api).sort()).toEqual(['app', 'requirements.txt']);
    // the temp folder goes with the process
    await dev.stop('SIGINT');
    expect(fs.existsSync(body.tmp)).toBe(false);
  }, 60_000);
});
