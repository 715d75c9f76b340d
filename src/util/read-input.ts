import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from './errors.js';

/** Default size limits for input files, named in the errors that enforce them. */
export const INPUT_LIMITS = {
  /** Geometry files, sweep specs, config.json, tokenizer_config.json. */
  text: 64 * 1024 * 1024,
  /** tokenizer.json. */
  tokenizer: 256 * 1024 * 1024,
  /** One safetensors file. */
  weights: 4 * 1024 * 1024 * 1024,
} as const;

/** Options of `readInputFile`: what the file is (for the error) and the byte limit. */
export interface ReadInputOptions {
  /** What the file should be, in the error's expected form, e.g. "a geometry file (.json or .yaml)". */
  what: string;
  /** Largest accepted size in bytes. */
  maxBytes: number;
}

function describeLimit(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${+(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${+(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/**
 * Opens an input file for reading with a size limit: only regular files (symlinks to them are followed), never a
 * FIFO, device or directory (those would block or never end); refused before any byte is read when too big.
 * The caller reads from `fd` and must close it.
 */
export function openInputFile(path: string, options: ReadInputOptions): { fd: number; size: number } {
  let fd: number;
  try {
    // O_NONBLOCK keeps open() of a FIFO from blocking until a writer appears; we refuse it right after.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new InputError(path, '(file)', `expected ${options.what}, readable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const kind = stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : 'a special file';
      throw new InputError(path, '(file)', `expected ${options.what} as a regular file, got ${kind}`);
    }
    if (stat.size > options.maxBytes) {
      throw new InputError(path, '(file)', `expected ${options.what} of at most ${describeLimit(options.maxBytes)}, got ${describeLimit(stat.size)}`);
    }
    return { fd, size: stat.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Reads a whole input file with a size limit (see `openInputFile`: regular files only, size checked first). */
export function readInputFile(path: string, options: ReadInputOptions): Buffer {
  const { fd, size } = openInputFile(path, options);
  try {
    const buf = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const n = readSync(fd, buf, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    if (done !== size) throw new InputError(path, '(file)', `expected ${options.what}; it shrank while being read (${done} of ${size} bytes)`);
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** `readInputFile` decoded as UTF-8 text (a leading BOM dropped). */
export function readInputText(path: string, options: ReadInputOptions): string {
  const text = readInputFile(path, options).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
