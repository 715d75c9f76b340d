import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync, appendFileSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/** Writes `data` to `path` through a temp file in the same folder and a rename, so readers never see half a file. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.lvh-tmp-${basename(path)}-${process.pid}-${Date.now()}`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Appends one complete line (newline added) to a JSONL file in a single write call. */
export function appendLine(path: string, line: string): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, line.endsWith('\n') ? line : `${line}\n`);
}
