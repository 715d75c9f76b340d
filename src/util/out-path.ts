import { accessSync, closeSync, constants, lstatSync, mkdirSync, openSync, rmdirSync, statSync, unlinkSync, statfsSync, type Stats } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { InputError, fsReason } from './errors.js';

/** What an `--out` must be: a file to be written (replaced if a regular file) or a folder. */
export type OutKind = 'file' | 'dir';

/**
 * Checks, before any work is done, that `path` can be written as `kind`: not empty, never a symlink, device,
 * FIFO or other special file; a file not over a directory and a folder not over a file; the nearest existing
 * ancestor a writable directory, tried for real (a folder made and removed, or an empty file created and
 * deleted: /proc and read-only mounts pass access checks as root). Throws an InputError naming `flag` of
 * `lvh <command>`; returns the resolved path. Leaves nothing behind.
 */
export function checkOutPath(command: string, flag: string, path: string, kind: OutKind): string {
  const fail = (expected: string): never => {
    throw new InputError(`lvh ${command}`, flag, expected);
  };
  if (path.trim() === '') fail(`expected a ${kind === 'file' ? 'file' : 'folder'} path, got ""`);
  if (path.includes('\0')) fail('expected a path without NUL characters');
  const full = resolve(path);
  const existing = lstatOrNull(full);
  if (existing) {
    if (existing.isSymbolicLink()) fail(`expected a path that is not a symlink (${path} is one; give its target or another path)`);
    if (kind === 'file' && existing.isDirectory()) fail(`expected a file path, got the existing folder ${path}`);
    if (kind === 'dir' && !existing.isDirectory()) fail(`expected a folder path, got ${describeStat(existing)} ${path}`);
    if (kind === 'file' && !existing.isFile()) fail(`expected a regular file path, got ${describeStat(existing)} ${path}`);
  }
  // Walk up to the nearest ancestor that exists: it must be a writable directory.
  let ancestor = existing?.isDirectory() ? full : dirname(full);
  // The first folder that a run would create: made and removed below to see that it can be.
  let firstMissing: string | null = kind === 'dir' && !existing ? full : null;
  for (;;) {
    const stat = statOrNull(ancestor);
    if (stat) {
      if (!stat.isDirectory()) fail(`expected a path under a folder, but ${ancestor} is ${describeStat(stat)}`);
      try {
        accessSync(ancestor, constants.W_OK);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'EACCES';
        fail(`expected a writable location, but ${ancestor} cannot be written: ${fsReason(code)} (${code})`);
      }
      const refused = tryWrite(ancestor, firstMissing);
      if (refused) fail(`expected a writable location, but ${firstMissing ?? ancestor} cannot be written: ${refused}`);
      break;
    }
    const parent = dirname(ancestor);
    if (parent === ancestor) fail(`expected a path whose folders can be created, got ${path}`);
    firstMissing = ancestor;
    ancestor = parent;
  }
  return full;
}

/** Makes and removes `firstMissing` (a folder) or, when nothing is missing, an empty file in `dir`; the reason on failure. */
function tryWrite(dir: string, firstMissing: string | null): string | null {
  try {
    if (firstMissing) {
      mkdirSync(firstMissing);
      rmdirSync(firstMissing);
    } else {
      const probe = join(dir, `.lvh-probe-${process.pid}-${Date.now()}`);
      closeSync(openSync(probe, 'wx'));
      unlinkSync(probe);
    }
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
    if (code === 'EEXIST') return null; // made meanwhile by someone else: the location takes writes
    // mkdir and open answer ENOENT where the parent exists but holds no new entries (/proc).
    return `${code === 'ENOENT' ? 'this file system does not allow new files here' : fsReason(code)} (${code})`;
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** "a file", "a folder", "a FIFO", "a device", "a symlink" or "a special file", for messages. */
export function describeStat(stat: Stats): string {
  if (stat.isFile()) return 'a file';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSymbolicLink()) return 'a symlink';
  return 'a special file';
}

/**
 * Refuses (InputError naming `flag`) when the file system that will hold `path` has less than `bytes` free, so
 * that a long run fails before its work rather than at its save; a file system that cannot say is let through.
 */
export function checkFreeSpace(command: string, flag: string, path: string, bytes: number, what: string): void {
  let at = resolve(path);
  while (!statOrNull(at)) {
    const parent = dirname(at);
    if (parent === at) return;
    at = parent;
  }
  let free: number;
  try {
    const fs = statfsSync(at);
    free = fs.bavail * fs.bsize;
  } catch {
    return;
  }
  if (free < bytes) {
    const mib = (n: number) => `${(n / 1024 ** 2).toFixed(1)} MiB`;
    throw new InputError(`lvh ${command}`, flag, `expected room for ${what} (about ${mib(bytes)}), but ${at} has ${mib(free)} free`);
  }
}

/** A path as shown to the user: relative to the working folder when inside it, else as given. */
export function shownPath(path: string): string {
  const r = relative(process.cwd(), path) || '.';
  return r.startsWith('..') ? path : r;
}
