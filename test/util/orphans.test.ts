import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive, orphanTemps, recoverInterruptedSaves } from '../../src/util/orphans.js';

const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

function fakeModel(dir: string, tag: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), tag);
  writeFileSync(join(dir, 'model.safetensors'), tag);
}

test('orphans: only temps of this name whose process is gone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-orphans-'));
  try {
    const dead = deadPid();
    assert.equal(isProcessAlive(dead), false);
    assert.equal(isProcessAlive(process.pid), true);
    for (const name of [`.lvh-tmp-m-${dead}-5`, `.lvh-tmp-m-${dead}-6-old`, `.lvh-tmp-m-${process.pid}-7`, `.lvh-tmp-m-1-${dead}-8`, `.lvh-tmp-mm-${dead}-9`]) mkdirSync(join(dir, name));
    assert.deepEqual(orphanTemps(dir, 'm').map((o) => [o.time, o.old]), [[5, false], [6, true]]);
    assert.deepEqual(orphanTemps(dir, 'm-1').map((o) => o.time), [8]);
    assert.deepEqual(orphanTemps(join(dir, 'missing'), 'm'), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('orphans: a model moved aside by a killed replace is put back when the target is missing, removed otherwise', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-orphans-'));
  try {
    const target = join(dir, 'm');
    const dead = deadPid();
    fakeModel(join(dir, `.lvh-tmp-m-${dead}-10-old`), 'old');
    fakeModel(join(dir, `.lvh-tmp-m-${dead}-10`), 'new');
    const notes = recoverInterruptedSaves(target);
    assert.equal(readFileSync(join(target, 'config.json'), 'utf8'), 'old', 'the previous model is back');
    assert.equal(notes.length, 2);
    assert.match(notes[0], /restored the previous model/);
    assert.match(notes[1], /removed .*\.lvh-tmp-m-\d+-10, left by a killed save/);
    assert.ok(!existsSync(join(dir, `.lvh-tmp-m-${dead}-10`)));

    // With the target present, a left-over old copy (a kill during its removal) is garbage.
    mkdirSync(join(dir, `.lvh-tmp-m-${dead}-11-old`));
    writeFileSync(join(dir, `.lvh-tmp-m-${dead}-11-old`, 'README.md'), 'half');
    assert.equal(recoverInterruptedSaves(target).length, 1);
    assert.equal(readFileSync(join(target, 'config.json'), 'utf8'), 'old');
    assert.deepEqual(recoverInterruptedSaves(target), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
