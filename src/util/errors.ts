/** Errors a user can cause: bad files, fields or flags. The CLI prints them in one line and exits 2. */
export class InputError extends Error {
  /** The file (or `argument`) at fault, the field inside it, and the form that was expected. */
  constructor(
    readonly file: string,
    readonly field: string,
    readonly expected: string,
  ) {
    super(`${file}: ${field}: ${expected}`);
    this.name = 'InputError';
  }
}

/** True when `err` is an InputError (also across module copies). */
export function isInputError(err: unknown): err is InputError {
  return err instanceof InputError || (err instanceof Error && err.name === 'InputError');
}

// What each file-system error code means for someone who asked to write a file there.
const FS_REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'no space left (disk quota exceeded)',
  EFBIG: 'the file is too large for this file system',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a folder on the path is a file',
  EISDIR: 'it is a folder',
  EEXIST: 'something is already there',
  ENOENT: 'no such file or folder',
  ELOOP: 'too many symlinks on the path',
  ENAMETOOLONG: 'the name is too long',
  EMLINK: 'too many links',
  EIO: 'input/output error',
  EBUSY: 'the file is busy',
  ETXTBSY: 'the file is busy',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EINVAL: 'the file system refused the name',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
};

/** A short reason for a file-system error code ("no space left on the device" for ENOSPC). */
export function fsReason(code: string): string {
  return Object.hasOwn(FS_REASONS, code) ? FS_REASONS[code] : `file-system error ${code}`;
}

/** True when `err` is a Node file-system error with a code this module can explain (ENOSPC, EROFS, ...). */
export function isFsError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return err instanceof Error && typeof code === 'string' && Object.hasOwn(FS_REASONS, code) && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

/**
 * The InputError for a failed write of `path` ("<path>: output: no space left on the device (ENOSPC); nothing
 * was written", `note` after the semicolon); an InputError passes through, and anything that is not a
 * file-system error is returned as is (a programming error).
 */
export function outputError(path: string, err: unknown, note = 'nothing was written'): Error {
  if (isInputError(err)) return err;
  if (!isFsError(err)) return err instanceof Error ? err : new Error(String(err));
  const code = err.code as string;
  return new InputError(path, 'output', `${fsReason(code)} (${code})${note ? `; ${note}` : ''}`);
}

/** The InputError for a file-system error that reached the CLI's edge: "<path>: mkdir: a folder on the path is a file (ENOTDIR)". */
export function fsInputError(err: NodeJS.ErrnoException): InputError {
  const code = err.code ?? 'unknown';
  return new InputError(err.path ?? 'file system', err.syscall ?? 'file', `${fsReason(code)} (${code})`);
}
