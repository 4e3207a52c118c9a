/**
 * The SPA-routing CloudFront Function's code size: before prerendered routes (the runtime file as deployed until
 * then, read from git in the same run), the template alone now, with the route table of each real build
 * (test/fixtures/real-builds), and how many pages fit the 10 KB limit by path length. Prints Markdown tables.
 *
 * Run: npx ts-node --project tsconfig.dev.json scripts/routing-size.ts [<git revision of the baseline>]
 */
import { execFileSync } from 'child_process';
import { readFileList } from './hash-detection';
import { CLOUDFRONT_FUNCTION_MAX_BYTES, codeBytes, routeTable, routingFunctionCode } from '../src/routing/route-table';

/** The last commit before the route table: its function file was deployed as it is. */
const BASELINE_REVISION = process.argv[2] ?? '671bc01';

function baselineBytes(): number | undefined {
  try {
    return Buffer.byteLength(execFileSync('git', ['show', `${BASELINE_REVISION}:src/routing/runtime/spa-routing.js`], { encoding: 'utf8' }));
  } catch {
    return undefined;
  }
}

/** The most pages of paths `length` characters long (`a/b/...`, no extension) whose table fits the limit. */
export function capacity(length: number): number {
  const page = (i: number) => `${'p'.repeat(Math.max(0, length - 6))}${String(i).padStart(6, '0')}`.slice(-length);
  const fits = (n: number) => codeBytes(routingFunctionCode(routeTable(
    Array.from({ length: n }, (_, i) => `${page(i)}.html`), '/api'))) <= CLOUDFRONT_FUNCTION_MAX_BYTES;
  let lo = 0;
  let hi = 4096;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid; else hi = mid - 1;
  }
  return lo;
}

if (require.main === module) {
  const base = baselineBytes();
  const template = codeBytes(routingFunctionCode({}));
  const rows = [
    '| function code | bytes | ratio to before |',
    '|---|---|---|',
    `| before (\`${BASELINE_REVISION}\`: the runtime file as deployed, comments included) | ${base ?? 'n/a'} | 1.00× |`,
    `| now, no route table (SPA rule alone: plain SPAs, \`sourceAsset\`, \`prerenderedRoutes: false\`) | ${template} | ${base ? (template / base).toFixed(2) : 'n/a'}× |`,
  ];
  for (const name of ['astro', 'sveltekit', 'next-default', 'next-trailing']) {
    const table = routeTable(readFileList(name), '/api');
    const bytes = codeBytes(routingFunctionCode(table));
    rows.push(`| now, ${name} build (${Object.keys(table).length} routes) | ${bytes} | ${base ? (bytes / base).toFixed(2) : 'n/a'}× |`);
  }
  console.log(rows.join('\n'));
  console.log('');
  console.log(`| page path length (characters) | pages that fit ${CLOUDFRONT_FUNCTION_MAX_BYTES} bytes |`);
  console.log('|---|---|');
  for (const length of [8, 15, 30, 60]) console.log(`| ${length} | ${capacity(length)} |`);
}
