/**
 * Glob matching with the semantics of `aws s3 sync --include/--exclude` (Python's `fnmatch`):
 * `*` matches any run of characters *including* `/`, `?` one character, `[seq]` and `[!seq]` a set.
 * BucketDeployment hands its include/exclude globs to `aws s3 sync`, so the construct classifies files
 * at synth time with the same rules the deploy-time upload applies.
 */
export function fnmatchToRegExp(pattern: string): RegExp {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i++];
    if (c === '*') {
      out += '.*';
    } else if (c === '?') {
      out += '.';
    } else if (c === '[') {
      const close = pattern.indexOf(']', pattern[i] === '!' || pattern[i] === ']' ? i + 2 : i + 1);
      if (close === -1) {
        out += '\\[';
      } else {
        let body = pattern.slice(i, close);
        i = close + 1;
        if (body.startsWith('!')) {
          body = '^' + body.slice(1);
        }
        out += '[' + body.replace(/\\/g, '\\\\') + ']';
      }
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`, 's');
}

/** Whether a forward-slash relative path matches any of the fnmatch globs. */
export function matchesAny(relativePath: string, patterns: string[]): boolean {
  return patterns.some((p) => fnmatchToRegExp(p).test(relativePath));
}
