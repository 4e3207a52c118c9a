/**
 * Glob matching with the semantics of `aws s3 sync --include/--exclude` (Python's `fnmatch`):
 * `*` matches any run of characters *including* `/`, `?` one character, `[seq]` and `[!seq]` a set
 * (a `]` right after `[` or `[!` is a member; `^` is not a negation; ranges such as `[a-z]`; an unclosed `[` is a
 * literal). BucketDeployment hands its include/exclude globs to `aws s3 sync`, and the release cleanup classifies
 * with Python's `fnmatch` too, so the construct classifies files at synth time with the same rules.
 *
 * A port of CPython's `fnmatch.translate` (3.11 to 3.13) to a JavaScript RegExp; the tests compare it with Python.
 */
export function fnmatchToRegExp(pattern: string): RegExp {
  let out = '';
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i++];
    if (c === '*') {
      while (i < n && pattern[i] === '*') {
        i++; // `**` is `*`
      }
      out += '.*';
    } else if (c === '?') {
      out += '.';
    } else if (c === '[') {
      let j = i;
      if (j < n && pattern[j] === '!') {
        j++;
      }
      if (j < n && pattern[j] === ']') {
        j++;
      }
      while (j < n && pattern[j] !== ']') {
        j++;
      }
      if (j >= n) {
        out += '\\[';
        continue;
      }
      let stuff: string;
      if (!pattern.slice(i, j).includes('-')) {
        stuff = pattern.slice(i, j).replace(/\\/g, '\\\\');
      } else {
        const chunks: string[] = [];
        let k = pattern[i] === '!' ? i + 2 : i + 1;
        for (;;) {
          k = pattern.indexOf('-', k);
          if (k < 0 || k >= j) {
            break;
          }
          chunks.push(pattern.slice(i, k));
          i = k + 1;
          k = k + 3;
        }
        const chunk = pattern.slice(i, j);
        if (chunk) {
          chunks.push(chunk);
        } else {
          chunks[chunks.length - 1] += '-';
        }
        // empty ranges such as z-a are removed, as Python does (they are invalid in a regular expression)
        for (let m = chunks.length - 1; m > 0; m--) {
          if (chunks[m - 1].slice(-1) > chunks[m][0]) {
            chunks[m - 1] = chunks[m - 1].slice(0, -1) + chunks[m].slice(1);
            chunks.splice(m, 1);
          }
        }
        stuff = chunks.map((s) => s.replace(/\\/g, '\\\\').replace(/-/g, '\\-')).join('-');
      }
      // JavaScript (unlike Python) ends a class at any unescaped `]`, even the first one
      stuff = stuff.replace(/\]/g, '\\]');
      i = j + 1;
      if (!stuff) {
        out += '(?!)'; // empty set: never matches
      } else if (stuff === '!') {
        out += '.'; // negated empty set: any character
      } else {
        if (stuff.startsWith('!')) {
          stuff = '^' + stuff.slice(1);
        } else if (stuff.startsWith('^') || stuff.startsWith('[')) {
          stuff = '\\' + stuff;
        }
        out += `[${stuff}]`;
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
