// Output paths as users meet them: a bad or full destination exits 2 with one line, and nothing is half-written.
// The refusal may come from the command's checkOutPath (before any work) or from writeFileAtomic (at write time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertRefused, runCli } from '../helpers/cli.js';
import { NEEDS_ROOT_FOR_TMPFS, withTmpfs } from '../helpers/tmpfs.js';

const dir = mkdtempSync(join(tmpdir(), 'lvh-writes-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const corpus = (out: string, docs = '50') => runCli(['organism', 'corpus', '--docs', docs, '--out', out]);

test('organism corpus --out: a good path is written whole', async () => {
  const out = join(dir, 'ok', 'deep', 'corpus.txt');
  const r = await corpus(out);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(readFileSync(out, 'utf8').endsWith('\n'));
  assert.deepEqual(readdirSync(join(dir, 'ok', 'deep')), ['corpus.txt']);
});

test('organism corpus --out: empty, a folder, a path under a file, /proc: exit 2 and one line', async () => {
  assertRefused(await corpus(''), /--out: expected a value, got an empty string/, 'empty');
  const folder = join(dir, 'existing-folder');
  mkdirSync(folder);
  assertRefused(await corpus(folder), /existing-folder/, 'folder');
  const file = join(dir, 'plain.txt');
  writeFileSync(file, 'plain\n');
  assertRefused(await corpus(join(file, 'c.txt')), /plain\.txt.* a file/, 'under a file');
  assert.equal(readFileSync(file, 'utf8'), 'plain\n');
  const started = performance.now();
  assertRefused(await corpus('/proc/lvh-writes-test/c.txt'), /\/proc/, '/proc');
  assert.ok(performance.now() - started < 30_000); // a hang guard, loose so that load never fails it
});

test('organism corpus --out: a symlink, FIFO or device is refused and left as it was', async () => {
  const target = join(dir, 'target.txt');
  writeFileSync(target, 'target\n');
  const link = join(dir, 'link.txt');
  symlinkSync(target, link);
  assertRefused(await corpus(link), /link\.txt.*symlink|symlink.*link\.txt/, 'symlink');
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(readFileSync(target, 'utf8'), 'target\n');
  const fifo = join(dir, 'fifo');
  if (spawnSync('mkfifo', [fifo]).status === 0) {
    assertRefused(await corpus(fifo), /a FIFO/, 'FIFO');
    assert.ok(lstatSync(fifo).isFIFO());
  }
  // A private copy of /dev/full (char 1,7) where mknod is allowed, so that no test ever touches the real one.
  const full = join(dir, 'full');
  if (spawnSync('mknod', [full, 'c', '1', '7']).status === 0) {
    assertRefused(await corpus(full), /a device/, 'device');
    assert.ok(lstatSync(full).isCharacterDevice());
  }
});

test('sweep --out: a file, a path under a file and /proc exit 2 at once (no mkdir loop)', async () => {
  const file = join(dir, 'sweep-file');
  writeFileSync(file, 'x');
  const sweep = (out: string) => runCli(['sweep', 'examples/sweeps/demo.yaml', '--out', out, '--workers', '0', '--no-report']);
  assertRefused(await sweep(file), /sweep-file.*a file|a file.*sweep-file/, 'file');
  assertRefused(await sweep(join(file, 'sub')), /sweep-file.*a file/, 'under a file');
  const started = performance.now();
  assertRefused(await sweep('/proc/lvhtest'), /\/proc/, '/proc');
  assert.ok(performance.now() - started < 30_000); // a hang guard, loose so that load never fails it
  assert.equal(readFileSync(file, 'utf8'), 'x');
});


test('organism corpus into a full file system (300 KB tmpfs): exit 2 "no space left", no file, no temp file', { skip: NEEDS_ROOT_FOR_TMPFS }, async (t) => {
  const mounted = await withTmpfs(dir, 'size=300k', async (mount) => {
    const out = join(mount, 'corpus.txt');
    const r = await corpus(out, '5000');
    assertRefused(r, /corpus\.txt: output: no space left on the device \(ENOSPC\); nothing was written/, 'full');
    assert.equal(existsSync(out), false);
    assert.deepEqual(readdirSync(mount), []);
  });
  if (!mounted) t.skip('mount -t tmpfs not permitted here');
});

test('organism corpus into a read-only file system: exit 2, one line', { skip: NEEDS_ROOT_FOR_TMPFS }, async (t) => {
  const mounted = await withTmpfs(dir, 'size=64k,ro', async (mount) => {
    assertRefused(await corpus(join(mount, 'c.txt')), /read-only \(EROFS\)/, 'ro');
    assertRefused(await corpus(join(mount, 'sub', 'c.txt')), /read-only \(EROFS\)/, 'ro folder');
  });
  if (!mounted) t.skip('mount -t tmpfs not permitted here');
});
