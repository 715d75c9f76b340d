// A small tmpfs for the tests of full and read-only file systems (root on Linux only; skipped elsewhere).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';

/** The `skip` of a test that mounts a tmpfs: false as root on Linux, else the reason. */
export const NEEDS_ROOT_FOR_TMPFS: false | string = process.platform === 'linux' && process.getuid?.() === 0 ? false : 'needs root on Linux to mount a tmpfs';

/** Mounts a tmpfs with `options` at a fresh folder under `parent`, runs `fn`, unmounts; false when mounting is not permitted. */
export async function withTmpfs(parent: string, options: string, fn: (mount: string) => Promise<void>): Promise<boolean> {
  const mount = mkdtempSync(join(parent, 'mnt-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mount], { stdio: 'ignore' }).status !== 0) return false;
  try {
    await fn(mount);
  } finally {
    spawnSync('umount', [mount], { stdio: 'ignore' });
  }
  return true;
}
