import * as fs from 'fs';
import * as path from 'path';

/** One logical line of a requirements file (pip's format), as the bundler reads it. */
export interface RequirementsLine {
  /** 1-based number of the logical line (backslash continuations joined). */
  readonly number: number;
  /** The logical line as written (comments kept), for copies that change nothing else. */
  readonly raw: string;
  /** The line without its comment (`# ...` at the start or after whitespace), trimmed; `''` for none. */
  readonly text: string;
  /** `-r file` / `-c file` (also `--requirement`, `--constraint`, with `=`): the option, the path as written, the rest. */
  readonly include?: { readonly option: string; readonly target: string; readonly rest: string; readonly requirements: boolean };
  /**
   * A requirement installed from a local path: `./lib`, `../x.whl`, `/abs`, `file:///...`, `name[extra] @ file:...`,
   * optionally `-e`: whether it is editable, the `name @ ` part (or `''`), the path as written, and the rest
   * (markers, `--hash` options).
   */
  readonly local?: { readonly editable: boolean; readonly named: string; readonly target: string; readonly rest: string };
  /** An option line other than an include or an editable requirement (`--index-url`, ...). */
  readonly option: boolean;
}

const INCLUDE = /^(-r|--requirement|-c|--constraint)(?:\s*=?\s*)(\S+)(.*)$/;
const LOCAL = /^((?:-e|--editable)(?:\s*=?\s*))?((?:[A-Za-z0-9._-]+(?:\[[^\]]*\])?\s*@\s*)?)(file:\S+|\.{1,2}(?=[\\/]|$|\s|;)\S*|\/\S*)(.*)$/;

/**
 * Reads a requirements file into logical lines: the one parser of requirements files in the bundler (the
 * inputs that decide the asset hash, and the copy that the installers get with local paths isolated).
 */
export function readRequirementsFile(file: string): RequirementsLine[] {
  return fs.readFileSync(file, 'utf8').replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((raw, index) => {
    const text = raw.replace(/(^|\s)#.*$/, '').trim();
    const include = INCLUDE.exec(text);
    if (include) {
      return {
        number: index + 1,
        raw,
        text,
        option: false,
        include: { option: include[1], target: include[2], rest: include[3], requirements: /^(-r|--requirement)$/.test(include[1]) },
      };
    }
    const local = LOCAL.exec(text);
    if (local) {
      const [, editable, named, target, rest] = local;
      return { number: index + 1, raw, text, option: false, local: { editable: !!editable, named: named.trim(), target, rest } };
    }
    return { number: index + 1, raw, text, option: text.startsWith('-') && !/^(?:-e|--editable)\b/.test(text) };
  });
}

/** The absolute path of a local requirement's target (`./lib`, `file:///abs`, `file:rel`), relative to `base`. */
export function localTargetPath(target: string, base: string): string {
  if (target.startsWith('file:')) {
    return path.resolve(base, decodeURIComponent(target.replace(/^file:(\/\/)?/, '').replace(/^localhost\//, '/')));
  }
  return path.resolve(base, target);
}
