import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkOutPath } from '../../src/util/out-path.js';
import { isInputError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'lvh-outpath-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const refused = (path: string, kind: 'file' | 'dir', pattern: RegExp) => {
  assert.throws(() => checkOutPath('organism corpus', '--out', path, kind), (err: unknown) => {
    const message = (err as Error).message;
    return isInputError(err) && message.startsWith('lvh organism corpus: --out: ') && pattern.test(message) && !message.includes('\n');
  }, `${kind} ${JSON.stringify(path)}`);
};

test('checkOutPath: good paths resolve, and checking leaves nothing behind', () => {
  mkdirSync(join(dir, 'good'));
  writeFileSync(join(dir, 'good', 'old.txt'), 'old');
  assert.equal(checkOutPath('x', '--out', join(dir, 'good', 'old.txt'), 'file'), resolve(dir, 'good', 'old.txt'));
  assert.equal(checkOutPath('x', '--out', join(dir, 'good', 'new', 'deeper', 'c.txt'), 'file'), resolve(dir, 'good', 'new', 'deeper', 'c.txt'));
  assert.equal(checkOutPath('x', '--out', join(dir, 'good'), 'dir'), resolve(dir, 'good'));
  assert.equal(checkOutPath('x', '--out', join(dir, 'fresh-run'), 'dir'), resolve(dir, 'fresh-run'));
  assert.deepEqual(readdirSync(dir).sort(), ['good']);
  assert.deepEqual(readdirSync(join(dir, 'good')), ['old.txt']);
});

test('checkOutPath: empty paths, NUL bytes, devices, symlinks and FIFOs are refused', () => {
  refused('', 'file', /expected a file path, got ""/);
  refused('   ', 'dir', /expected a folder path, got ""/);
  refused('a\0b', 'file', /without NUL/);
  refused('/dev/full', 'file', /expected a regular file path, got a device \/dev\/full/);
  refused('/dev/null', 'dir', /expected a folder path, got a device/);
  const link = join(dir, 'link');
  symlinkSync(join(dir, 'missing-target'), link);
  refused(link, 'file', /not a symlink/);
  refused(link, 'dir', /not a symlink/);
  const fifo = join(dir, 'fifo');
  if (spawnSync('mkfifo', [fifo]).status === 0) refused(fifo, 'file', /got a FIFO/);
});

test('checkOutPath: a file where a folder goes, a folder where a file goes, and paths under a file are refused', () => {
  const file = join(dir, 'plain.txt');
  writeFileSync(file, 'x');
  const folder = join(dir, 'a-folder');
  mkdirSync(folder, { recursive: true });
  refused(file, 'dir', /expected a folder path, got a file/);
  refused(folder, 'file', /expected a file path, got the existing folder/);
  refused(join(file, 'sub'), 'dir', /expected a path under a folder, but .*plain\.txt is a file/);
  refused(join(file, 'sub', 'deeper', 'c.txt'), 'file', /plain\.txt is a file/);
});

test('checkOutPath: /proc and /sys take no new files even as root, and the check returns at once', () => {
  const started = performance.now();
  refused('/proc/lvhtest', 'dir', /expected a writable location, but \/proc/);
  refused('/proc/lvhtest/a/b/results.json', 'file', /expected a writable location, but \/proc/);
  refused('/proc/lvh.txt', 'file', /expected a writable location/);
  refused('/sys/lvhtest', 'dir', /expected a writable location/);
  assert.ok(performance.now() - started < 30_000, 'no endless mkdir loop'); // a hang guard, loose so that load never fails it
});

test('checkOutPath: a read-only mount is refused (root only: a 64 KB tmpfs mounted ro)', { skip: process.platform !== 'linux' || process.getuid?.() !== 0 ? 'needs root on Linux' : false }, (t) => {
  const mount = mkdtempSync(join(dir, 'ro-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', mount], { stdio: 'ignore' }).status !== 0) {
    t.skip('mount -t tmpfs not permitted here');
    return;
  }
  try {
    refused(join(mount, 'x.json'), 'file', /cannot be written: the file system is read-only \(EROFS\)/);
    refused(join(mount, 'run'), 'dir', /read-only \(EROFS\)/);
  } finally {
    spawnSync('umount', [mount], { stdio: 'ignore' });
  }
});
