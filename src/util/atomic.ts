import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError, fsReason, isFsError, outputError } from './errors.js';
import { describeStat } from './out-path.js';

/** One write call, with fs.writeSync's contract: writes up to `length` bytes of `buffer` from `offset`, returns how many. */
export type WriteFn = (fd: number, buffer: Uint8Array, offset: number, length: number) => number;

/** Options of writeFileAtomic and appendLine: `write` replaces fs.writeSync (tests inject short writes and ENOSPC). */
export interface WriteOptions {
  write?: WriteFn;
}

const fsWrite: WriteFn = (fd, buffer, offset, length) => writeSync(fd, buffer, offset, length);

/**
 * Writes `data` to `path` through a temp file in the same folder and a rename, so readers never see half a file.
 * Creates missing folders one at a time; refuses to replace anything but a regular file (symlink, device, FIFO,
 * folder); a short or failed write (disk full) removes the temp file and leaves `path` untouched. Every
 * file-system failure is an InputError naming the path.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: WriteOptions = {}): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  ensureDir(dirname(path));
  refuseSpecial(path, 'replace');
  const tmp = join(dirname(path), `.lvh-tmp-${basename(path)}-${process.pid}-${Date.now()}`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    writeAll(fd, bytes, opts.write ?? fsWrite);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeQuietly(fd);
    rmSync(tmp, { force: true });
    throw outputError(path, err);
  }
}

/** Appends one complete line (newline added) to a JSONL file; a failed or short write is undone (no half line). */
export function appendLine(path: string, line: string, opts: WriteOptions = {}): void {
  const bytes = Buffer.from(line.endsWith('\n') ? line : `${line}\n`, 'utf8');
  ensureDir(dirname(path));
  refuseSpecial(path, 'append to');
  let fd: number;
  try {
    // O_NOFOLLOW: a symlink put in place after the check above is refused, not followed.
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0), 0o666);
  } catch (err) {
    throw outputError(path, err, 'the line was not appended');
  }
  try {
    const before = fstatSync(fd).size;
    try {
      writeAll(fd, bytes, opts.write ?? fsWrite);
    } catch (err) {
      try {
        ftruncateSync(fd, before);
      } catch {
        // The truncate failing too leaves a cut last line, which the sweep's resume drops.
      }
      throw outputError(path, err, 'the line was not appended');
    }
  } finally {
    closeQuietly(fd);
  }
}

/**
 * Creates folder `dir` and its missing parents one at a time: never a recursive mkdir, which retries forever
 * where mkdir answers ENOENT (/proc). A file on the way or a refused mkdir is an InputError naming the folder.
 */
export function ensureDir(dir: string): void {
  const missing: string[] = [];
  for (let p = resolve(dir); ; ) {
    const stat = statOrNull(p);
    if (stat) {
      if (!stat.isDirectory()) throw new InputError(p, 'output', `expected a folder to write into, but this is ${describeStat(stat)}`);
      break;
    }
    const parent = dirname(p);
    if (parent === p) break;
    missing.push(p);
    p = parent;
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statOrNull(folder)?.isDirectory()) continue;
      if (!isFsError(err)) throw err;
      const code = err.code as string;
      // mkdir answers ENOENT on file systems that hold no folders (/proc), with the parent in place.
      const reason = code === 'ENOENT' ? 'this file system does not allow folders here' : fsReason(code);
      throw new InputError(folder, 'output', `cannot create this folder: ${reason} (${code}); nothing was written`);
    }
  }
}

/** Writes every byte of `bytes`; a write that makes no progress is a full disk. */
function writeAll(fd: number, bytes: Uint8Array, write: WriteFn): void {
  for (let offset = 0; offset < bytes.length; ) {
    const n = write(fd, bytes, offset, bytes.length - offset);
    if (!(n > 0)) throw Object.assign(new Error('write made no progress'), { code: 'ENOSPC', syscall: 'write' });
    offset += n;
  }
}

function refuseSpecial(path: string, verb: string): void {
  const stat = lstatOrNull(path);
  if (stat && !stat.isFile()) {
    throw new InputError(path, 'output', `refusing to ${verb} ${describeStat(stat)}; give the path of a regular file`);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already failing; the first error is the one to report.
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}
