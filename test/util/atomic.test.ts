import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendLine, ensureDir, writeFileAtomic, type WriteFn } from '../../src/util/atomic.js';
import { fsInputError, isInputError, outputError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'lvh-atomic-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** A write call that writes at most `chunk` bytes per call, then (after `limit` bytes in all) does what `full` says. */
function faultyWrite(chunk: number, limit = Infinity, full: 'zero' | 'ENOSPC' | 'EDQUOT' = 'zero'): WriteFn & { calls: number } {
  let written = 0;
  const fn = ((fd: number, buffer: Uint8Array, offset: number, length: number) => {
    fn.calls++;
    const room = limit - written;
    if (room <= 0) {
      if (full === 'zero') return 0;
      throw Object.assign(new Error(`${full}: no space left on device, write`), { code: full, syscall: 'write', errno: -28 });
    }
    const n = writeSync(fd, buffer, offset, Math.min(length, chunk, room));
    written += n;
    return n;
  }) as WriteFn & { calls: number };
  fn.calls = 0;
  return fn;
}

const leftovers = (folder: string) => readdirSync(folder).filter((n) => n.startsWith('.lvh-'));

const inputErrorMatching = (pattern: RegExp) => (err: unknown) => isInputError(err) && pattern.test((err as Error).message) && !(err as Error).message.includes('\n');

test('writeFileAtomic: short writes continue until every byte is written', () => {
  const path = join(dir, 'short.txt');
  const text = 'x'.repeat(10_000) + 'é'.repeat(1000);
  const write = faultyWrite(7);
  writeFileAtomic(path, text, { write });
  assert.equal(readFileSync(path, 'utf8'), text);
  assert.ok(write.calls > 1000, `${write.calls} calls`);
  assert.deepEqual(leftovers(dir), []);
});

for (const full of ['zero', 'ENOSPC', 'EDQUOT'] as const) {
  test(`writeFileAtomic: a full disk (${full === 'zero' ? 'write returns 0' : full}) is an InputError naming the path; the temp file goes, the old file stays`, () => {
    const folder = mkdtempSync(join(dir, 'full-'));
    const path = join(folder, 'results.json');
    writeFileSync(path, 'old contents\n');
    assert.throws(() => writeFileAtomic(path, 'new '.repeat(5000), { write: faultyWrite(1000, 4096, full) }), inputErrorMatching(new RegExp(`^${path}: output: no space left.*\\((ENOSPC|EDQUOT)\\); nothing was written$`)));
    assert.equal(readFileSync(path, 'utf8'), 'old contents\n');
    assert.deepEqual(leftovers(folder), []);
  });
}

test('writeFileAtomic: never replaces a symlink, FIFO, device or folder', () => {
  const target = join(dir, 'target.txt');
  writeFileSync(target, 'target\n');
  const link = join(dir, 'link.txt');
  symlinkSync(target, link);
  assert.throws(() => writeFileAtomic(link, 'x'), inputErrorMatching(/link\.txt: output: refusing to replace a symlink/));
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(readFileSync(target, 'utf8'), 'target\n');
  const folder = join(dir, 'a-folder');
  mkdirSync(folder);
  assert.throws(() => writeFileAtomic(folder, 'x'), inputErrorMatching(/refusing to replace a folder/));
  assert.ok(lstatSync(folder).isDirectory());
  assert.throws(() => writeFileAtomic('/dev/null', 'x'), inputErrorMatching(/\/dev\/null: output: refusing to replace a device/));
  assert.ok(lstatSync('/dev/null').isCharacterDevice());
  const fifo = join(dir, 'fifo');
  if (spawnSync('mkfifo', [fifo]).status === 0) {
    assert.throws(() => writeFileAtomic(fifo, 'x'), inputErrorMatching(/refusing to replace a FIFO/));
    assert.ok(lstatSync(fifo).isFIFO());
  }
  assert.deepEqual(leftovers(dir), []);
});

test('writeFileAtomic: folders are created one at a time; a file on the way or /proc is an InputError, at once', () => {
  writeFileAtomic(join(dir, 'a', 'b', 'c', 'f.txt'), 'deep\n');
  assert.equal(readFileSync(join(dir, 'a', 'b', 'c', 'f.txt'), 'utf8'), 'deep\n');
  const file = join(dir, 'plain.txt');
  writeFileSync(file, 'plain\n');
  assert.throws(() => writeFileAtomic(join(file, 'sub', 'x.txt'), 'x'), inputErrorMatching(/plain\.txt: output: expected a folder to write into, but this is a file/));
  const started = performance.now();
  assert.throws(() => writeFileAtomic('/proc/lvh-test-no-such/x.json', 'x'), inputErrorMatching(/\/proc\/lvh-test-no-such: output: cannot create this folder/));
  assert.throws(() => ensureDir('/proc/lvh-test-a/b/c'), inputErrorMatching(/cannot create this folder/));
  assert.ok(performance.now() - started < 30_000, 'no endless mkdir loop'); // a hang guard, loose so that load never fails it
  assert.throws(() => writeFileAtomic('/proc/lvh-test.json', 'x'), (err: unknown) => isInputError(err));
});

test('writeFileAtomic: a folder without write permission is an InputError (non-root only)', { skip: process.getuid?.() === 0 ? 'root may write anywhere' : false }, () => {
  const folder = mkdtempSync(join(dir, 'ro-'));
  chmodSync(folder, 0o555);
  try {
    assert.throws(() => writeFileAtomic(join(folder, 'x.json'), 'x'), inputErrorMatching(/permission denied \(EACCES\)/));
  } finally {
    chmodSync(folder, 0o755);
  }
});

test('appendLine: short writes continue; a full disk undoes the partial line and is an InputError', () => {
  const path = join(dir, 'cells.jsonl');
  appendLine(path, '{"a":1}', { write: faultyWrite(2) });
  appendLine(path, '{"b":2}\n');
  assert.equal(readFileSync(path, 'utf8'), '{"a":1}\n{"b":2}\n');
  for (const full of ['zero', 'ENOSPC'] as const) {
    assert.throws(() => appendLine(path, `{"c":"${'z'.repeat(100)}"}`, { write: faultyWrite(10, 30, full) }), inputErrorMatching(/cells\.jsonl: output: no space left.*the line was not appended$/));
    assert.equal(readFileSync(path, 'utf8'), '{"a":1}\n{"b":2}\n');
  }
  const link = join(dir, 'cells-link.jsonl');
  symlinkSync(path, link);
  assert.throws(() => appendLine(link, '{}'), inputErrorMatching(/refusing to append to a symlink/));
  assert.equal(readFileSync(path, 'utf8'), '{"a":1}\n{"b":2}\n');
});

test('outputError and fsInputError: one line naming the path and the cause; other errors pass through', () => {
  const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', path: '/x/y' });
  assert.equal(outputError('/x/y', enospc).message, '/x/y: output: no space left on the device (ENOSPC); nothing was written');
  const erofs = Object.assign(new Error('EROFS'), { code: 'EROFS', syscall: 'mkdir', path: '/ro/d' });
  assert.equal(fsInputError(erofs).message, '/ro/d: mkdir: the file system is read-only (EROFS)');
  const bug = new TypeError('x is undefined');
  assert.equal(outputError('/x', bug), bug);
  assert.equal(outputError('/x', 'text').message, 'text');
});

/** Mounts a tmpfs of `size` at a fresh folder (root only), runs `fn`, unmounts; false when mounting is not permitted. */
function withTmpfs(options: string, fn: (mount: string) => void): boolean {
  const mount = mkdtempSync(join(dir, 'mnt-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mount], { stdio: 'ignore' }).status !== 0) return false;
  try {
    fn(mount);
  } finally {
    spawnSync('umount', [mount], { stdio: 'ignore' });
  }
  return true;
}

const canMount = (() => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  return withTmpfs('size=64k', () => undefined);
})();

test('writeFileAtomic and appendLine on a real full file system (300 KB tmpfs)', { skip: canMount ? false : 'mount -t tmpfs not permitted here' }, () => {
  withTmpfs('size=300k', (mount) => {
    const path = join(mount, 'out', 'corpus.txt');
    writeFileAtomic(path, 'small\n');
    assert.throws(() => writeFileAtomic(path, 'x'.repeat(1_000_000)), inputErrorMatching(/corpus\.txt: output: no space left on the device \(ENOSPC\); nothing was written/));
    assert.equal(readFileSync(path, 'utf8'), 'small\n');
    assert.deepEqual(leftovers(join(mount, 'out')), []);
    const cells = join(mount, 'cells.jsonl');
    const line = `{"cell":"${'c'.repeat(1000)}"}`;
    let appended = 0;
    assert.throws(() => {
      for (;;) {
        appendLine(cells, line);
        appended++;
      }
    }, inputErrorMatching(/cells\.jsonl: output: no space left/));
    const text = readFileSync(cells, 'utf8');
    assert.ok(appended > 100, `${appended} lines`);
    assert.equal(text, `${line}\n`.repeat(appended), 'only whole lines');
  });
});

test('writeFileAtomic on a read-only file system: an InputError, nothing written', { skip: canMount ? false : 'mount -t tmpfs not permitted here' }, () => {
  withTmpfs('size=64k,ro', (mount) => {
    assert.throws(() => writeFileAtomic(join(mount, 'x.json'), 'x'), inputErrorMatching(/x\.json: output: the file system is read-only \(EROFS\)/));
    assert.throws(() => writeFileAtomic(join(mount, 'sub', 'x.json'), 'x'), inputErrorMatching(/sub: output: cannot create this folder: the file system is read-only \(EROFS\)/));
    assert.throws(() => appendLine(join(mount, 'c.jsonl'), '{}'), inputErrorMatching(/read-only \(EROFS\); the line was not appended/));
    assert.deepEqual(readdirSync(mount), []);
  });
});
