/**
 * The TypeScript examples in docs/*.md compile, as jsii-rosetta (strict) checks the README's: each ```ts block is
 * put into the fixture its info string names (rosetta/default.ts-fixture, `fixture=with-imports`, or `nofixture`)
 * and all of them are type-checked together, with `cdk-spa-with-lambda-api` resolved to src/.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const DOCS = path.join(ROOT, 'docs');

interface Snippet {
  readonly file: string;
  readonly line: number;
  readonly info: string;
  readonly code: string;
}

function snippets(): Snippet[] {
  const found: Snippet[] = [];
  for (const name of fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')).sort()) {
    const lines = fs.readFileSync(path.join(DOCS, name), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const open = /^```(ts|typescript)\b(.*)$/.exec(lines[i]);
      if (!open) {
        continue;
      }
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) {
        body.push(lines[i]);
      }
      found.push({ file: `docs/${name}`, line: start + 1, info: open[2].trim(), code: body.join('\n') });
    }
  }
  return found;
}

/** The snippet as rosetta compiles it: inside its fixture, with its own imports hoisted above. */
function inFixture(snippet: Snippet): string {
  if (/\bnofixture\b/.test(snippet.info)) {
    return snippet.code;
  }
  const fixtureName = /\bfixture=([\w-]+)/.exec(snippet.info)?.[1] ?? 'default';
  const fixture = fs.readFileSync(path.join(ROOT, 'rosetta', `${fixtureName}.ts-fixture`), 'utf8');
  const imports = snippet.code.match(/^import[\s\S]*?from\s+'[^']+';[^\n]*$/gm) ?? [];
  let body = snippet.code;
  for (const i of imports) {
    body = body.replace(i, '');
  }
  return `${imports.join('\n')}\n${fixture.replace('/// here', body)}`;
}

describe('TypeScript examples in docs/', () => {
  const all = snippets();

  test('there are examples to check', () => {
    expect(all.length).toBeGreaterThan(3);
  });

  test('every example compiles', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-examples-'));
    const files = all.map((s, n) => {
      const file = path.join(dir, `example${n}.ts`);
      fs.writeFileSync(file, inFixture(s));
      return file;
    });
    const program = ts.createProgram(files, {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: false,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      baseUrl: ROOT,
      paths: { 'cdk-spa-with-lambda-api': ['src/index.ts'], '*': ['node_modules/*'] },
    });
    const problems = ts.getPreEmitDiagnostics(program)
      .filter((d) => d.file && files.includes(path.resolve(d.file.fileName)))
      .map((d) => {
        const n = files.indexOf(path.resolve(d.file!.fileName));
        return `${all[n].file}:${all[n].line} (\`\`\`${['ts', all[n].info].join(' ').trim()}): `
          + ts.flattenDiagnosticMessageText(d.messageText, '\n');
      });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(problems).toEqual([]);
  }, 120_000);
});
