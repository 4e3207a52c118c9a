import * as fs from 'fs';
import * as path from 'path';

/** The ELF `e_machine` of a file (183 = aarch64, 62 = x86_64), or undefined when it is not ELF. */
export function elfMachine(file: string): number | undefined {
  const header = Buffer.alloc(20);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, 20, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (header.readUInt32BE(0) !== 0x7f454c46) {
    return undefined;
  }
  // EI_DATA (byte 5): 1 = little endian, 2 = big endian
  return header[5] === 2 ? header.readUInt16BE(18) : header.readUInt16LE(18);
}

/** Every file below `dir` that satisfies `predicate`. */
export function findFiles(dir: string, predicate: (file: string) => boolean): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(...findFiles(full, predicate));
    } else if (predicate(full)) {
      out.push(full);
    }
  }
  return out;
}
