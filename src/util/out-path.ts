import { accessSync, constants, lstatSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from './errors.js';

/** What an `--out` must be: a file to be written (replaced if a regular file) or a folder. */
export type OutKind = 'file' | 'dir';

/**
 * Checks, before any work is done, that `path` can be written as `kind`: not empty, never a symlink, device,
 * FIFO or other special file; a file not over a directory and a folder not over a file; the nearest existing
 * ancestor a writable directory. Throws an InputError naming `flag` of `lvh <command>`; returns the resolved path.
 */
export function checkOutPath(command: string, flag: string, path: string, kind: OutKind): string {
  const fail = (expected: string): never => {
    throw new InputError(`lvh ${command}`, flag, expected);
  };
  if (path.trim() === '') fail(`expected a ${kind === 'file' ? 'file' : 'folder'} path, got ""`);
  const full = resolve(path);
  const existing = lstatOrNull(full);
  if (existing) {
    if (existing.isSymbolicLink()) fail(`expected a path that is not a symlink (${path} is one; give its target or another path)`);
    if (kind === 'file' && existing.isDirectory()) fail(`expected a file path, got the existing folder ${path}`);
    if (kind === 'dir' && !existing.isDirectory()) fail(`expected a folder path, got ${describe(existing)} ${path}`);
    if (kind === 'file' && !existing.isFile()) fail(`expected a regular file path, got ${describe(existing)} ${path}`);
  }
  // Walk up to the nearest ancestor that exists: it must be a writable directory.
  let ancestor = existing?.isDirectory() ? full : dirname(full);
  for (;;) {
    const stat = statOrNull(ancestor);
    if (stat) {
      if (!stat.isDirectory()) fail(`expected a path under a folder, but ${ancestor} is ${describe(stat)}`);
      try {
        accessSync(ancestor, constants.W_OK);
      } catch {
        fail(`expected a writable location, but ${ancestor} is not writable`);
      }
      break;
    }
    const parent = dirname(ancestor);
    if (parent === ancestor) fail(`expected a path whose folders can be created, got ${path}`);
    ancestor = parent;
  }
  return full;
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

function describe(stat: Stats): string {
  if (stat.isFile()) return 'a file';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSymbolicLink()) return 'a symlink';
  return 'a special file';
}
