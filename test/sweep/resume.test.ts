import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { expandGrid, lineChecksum, runSweep, sweepPaths, type SweepSpec } from '../../src/simulate/sweep/index.js';
import { InputError } from '../../src/util/errors.js';
import { smallSpec, tempDir } from './helpers.js';

const quiet = { quiet: true, report: false } as const;

function lineKeys(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { key: string }).key);
}

/** The small spec run whole in `dir`/whole (its results.json bytes), and the folder `dir`/parts for a run in parts. */
async function wholeAndParts(dir: string) {
  const spec = smallSpec();
  const total = expandGrid(spec).length;
  await runSweep(spec, { out: join(dir, 'whole'), workers: 0, ...quiet });
  const expected = readFileSync(sweepPaths(join(dir, 'whole')).results, 'utf8');
  const out = join(dir, 'parts');
  return { spec, total, expected, out, paths: sweepPaths(out) };
}

test('same seed, same bytes: inline and two worker threads write identical results.json', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const spec = smallSpec();
    const a = await runSweep(spec, { out: join(dir, 'a'), workers: 0, ...quiet });
    const b = await runSweep(spec, { out: join(dir, 'b'), workers: 2, ...quiet });
    assert.equal(a.complete && b.complete, true);
    assert.equal(b.computed, expandGrid(spec).length);
    const bytesA = readFileSync(sweepPaths(join(dir, 'a')).results, 'utf8');
    assert.equal(readFileSync(sweepPaths(join(dir, 'b')).results, 'utf8'), bytesA);
    const parsed = JSON.parse(bytesA) as { cells: { key: string }[] };
    assert.deepEqual(parsed.cells.map((c) => c.key), expandGrid(spec).map((c) => c.key));
    // A different seed list changes the worlds, hence the bytes.
    await runSweep(smallSpec({ seeds: [5, 6] }), { out: join(dir, 'c'), workers: 0, ...quiet });
    assert.notEqual(readFileSync(sweepPaths(join(dir, 'c')).results, 'utf8'), bytesA);
  } finally {
    cleanup();
  }
});

test('an interrupted sweep (stopped after K cells, then a write cut mid-line) resumes to the same results.json', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { spec, total, expected, out, paths } = await wholeAndParts(dir);
    const first = await runSweep(spec, { out, workers: 2, maxCells: 10, ...quiet });
    assert.equal(first.complete, false);
    assert.equal(first.computed, 10);
    assert.equal(existsSync(paths.results), false);
    assert.equal(lineKeys(paths.cells).length, 10);
    // A kill during a write leaves the start of a line without its newline.
    const lastLine = readFileSync(paths.cells, 'utf8').trimEnd().split('\n').pop()!;
    appendFileSync(paths.cells, lastLine.slice(0, Math.floor(lastLine.length / 2)));
    const second = await runSweep(spec, { out, workers: 1, maxCells: 7, ...quiet });
    assert.deepEqual([second.resumed, second.computed, second.dropped, second.complete], [10, 7, 1, false]);
    const third = await runSweep(spec, { out, workers: 2, ...quiet });
    assert.deepEqual([third.resumed, third.computed, third.dropped, third.complete], [17, total - 17, 0, true]);
    assert.equal(readFileSync(paths.results, 'utf8'), expected);
    const keys = lineKeys(paths.cells);
    assert.equal(keys.length, total);
    assert.equal(new Set(keys).size, total, 'no cell is duplicated');
    // Running again computes nothing and leaves the same bytes.
    const again = await runSweep(spec, { out, workers: 2, ...quiet });
    assert.deepEqual([again.resumed, again.computed], [total, 0]);
    assert.equal(readFileSync(paths.results, 'utf8'), expected);
  } finally {
    cleanup();
  }
});

test('a sweep killed with SIGKILL resumes without redoing or duplicating a cell', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // Enough cheap cells that the kill lands mid-run.
    const raw = { name: 'kill', seeds: [1, 2, 3, 4], dims: [6, 8], capacity: { ladder: [1, 3, 10, 30, 100] }, harmful: { p: [0, 0.2, 0.4, 0.6, 0.8, 1] }, constitutions: ['pro-social', 'neutral', 'adversarial', { mixture: 0.3 }, { mixture: 0.7 }], eta: [0, 1, 2, 4, 8] };
    const specFile = join(dir, 'kill.json');
    writeFileSync(specFile, JSON.stringify(raw));
    const out = join(dir, 'out');
    const paths = sweepPaths(out);
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'sweep-child.ts'), 'sweep', specFile, '--out', out, '--workers', '2', '--no-report', '--json'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let killedAt = -1;
    while (child.exitCode === null) {
      const lines = existsSync(paths.cells) ? readFileSync(paths.cells, 'utf8').split('\n').length - 1 : 0;
      if (lines >= 40) {
        child.kill('SIGKILL');
        killedAt = lines;
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await exited;
    assert.ok(killedAt >= 40, 'the child was killed mid-run');
    const spec = (await import('../../src/simulate/sweep/index.js')).loadSweepSpec(specFile);
    const total = expandGrid(spec).length;
    assert.equal(existsSync(paths.results), false, 'no results.json before the grid is done');
    const resumed = await runSweep(spec, { out, workers: 2, specFile, ...quiet });
    assert.equal(resumed.complete, true);
    assert.ok(resumed.resumed >= 40 && resumed.resumed < total, `resumed ${resumed.resumed} of ${total}`);
    assert.equal(resumed.resumed + resumed.computed, total);
    const keys = lineKeys(paths.cells);
    assert.equal(new Set(keys).size, total);
    assert.equal(keys.length, total);
    await runSweep(spec, { out: join(dir, 'whole'), workers: 0, specFile, ...quiet });
    assert.equal(readFileSync(paths.results, 'utf8'), readFileSync(sweepPaths(join(dir, 'whole')).results, 'utf8'));
  } finally {
    cleanup();
  }
});

test('resuming with another spec is refused; --fresh starts over', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const out = join(dir, 'out');
    await runSweep(smallSpec(), { out, workers: 0, maxCells: 3, specFile: 'a.yaml', ...quiet });
    await assert.rejects(runSweep(smallSpec({ eta: [0, 2] }), { out, workers: 0, specFile: 'b.yaml', ...quiet }), (e: unknown) => e instanceof InputError && e.file === 'b.yaml');
    const fresh = await runSweep(smallSpec({ eta: [0, 2] }), { out, workers: 0, fresh: true, quiet: true });
    assert.deepEqual([fresh.resumed, fresh.complete], [0, true]);
    assert.equal(existsSync(sweepPaths(out).report), true);
    // Starting over removes the old report and plots, so a partial run never sits next to a stale report.
    const partial = await runSweep(smallSpec(), { out, workers: 0, fresh: true, maxCells: 2, ...quiet });
    assert.deepEqual([partial.resumed, partial.computed, partial.complete], [0, 2, false]);
    assert.equal(existsSync(sweepPaths(out).report) || existsSync(join(out, 'capacity.svg')) || existsSync(sweepPaths(out).results), false);
  } finally {
    cleanup();
  }
});

test('every cells.jsonl line carries a checksum; a tampered or unsigned line is recomputed, results.json unchanged', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { spec, total, expected, out, paths } = await wholeAndParts(dir);
    await runSweep(spec, { out, workers: 0, maxCells: 6, ...quiet });
    const lines = readFileSync(paths.cells, 'utf8').trimEnd().split('\n');
    for (const line of lines) {
      const match = /^(.*),"sum":"([0-9a-f]{16})"\}$/.exec(line);
      assert.ok(match, line.slice(-60));
      assert.equal(lineChecksum(`${match[1]}}`), match[2]);
    }
    // Line 1 edited but still valid JSON (the reliability finding's "rho":0. → "rho":9.); line 2 as an older
    // version wrote it, without a checksum. Before: both were taken as finished and results.json changed.
    assert.match(lines[0], /"rho":0\./);
    lines[0] = lines[0].replace('"rho":0.', '"rho":9.');
    lines[1] = lines[1].replace(/,"sum":"[0-9a-f]{16}"\}$/, '}');
    writeFileSync(paths.cells, `${lines.join('\n')}\n`);
    const errors: string[] = [];
    const original = console.error;
    console.error = (...xs: unknown[]) => errors.push(xs.map(String).join(' '));
    let resumed;
    try {
      resumed = await runSweep(spec, { out, workers: 2, report: false });
    } finally {
      console.error = original;
    }
    assert.deepEqual([resumed.resumed, resumed.tampered, resumed.computed, resumed.complete], [4, 2, total - 4, true]);
    assert.equal(errors.filter((e) => e.startsWith('lvh sweep: resumed 4, recomputed 2 tampered')).length, 1, errors.join('\n'));
    assert.equal(readFileSync(paths.results, 'utf8'), expected);
    assert.equal(new Set(lineKeys(paths.cells)).size, total);
  } finally {
    cleanup();
  }
});

test('a cell whose world the theory refuses ends the sweep with that InputError (exit 2), inline or in a worker', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // A spec object that skipped validateSweepSpec: ||g|| = 1e-308 makes gᵀg underflow in every cell.
    const spec = { ...smallSpec({ seeds: [1], harmful: { p: [0] } }), generation: { strength: 1e-308, cosine: 0.5 } } as SweepSpec;
    for (const workers of [0, 2]) {
      // Before: the worker's InputError came back wrapped in a plain Error (exit 1 with a stack).
      await assert.rejects(runSweep(spec, { out: join(dir, `w${workers}`), workers, ...quiet }), (e: unknown) => e instanceof InputError && /sweep cell d=8\|/.test(e.field) && !e.message.includes('\n'));
    }
  } finally {
    cleanup();
  }
});

test('lvh sweep --out: a file, a path under a file, /proc, or another command\'s folder are refused (exit 2) before any work', async () => {
  const { dir, cleanup } = tempDir();
  const stderr: string[] = [];
  const original = console.error;
  try {
    const spec = join(dir, 's.yaml');
    writeFileSync(spec, 'dims: [8]\ncapacity: {ladder: [1]}\n');
    const aFile = join(dir, 'afile');
    writeFileSync(aFile, 'x');
    const demo = join(dir, 'demo');
    mkdirSync(demo);
    writeFileSync(join(demo, 'demo.json'), '{}');
    writeFileSync(join(demo, 'report.html'), '<html></html>');
    console.error = (...xs: unknown[]) => stderr.push(xs.map(String).join(' '));
    const run = async (out: string, ...extra: string[]) => {
      stderr.length = 0;
      return { code: await main(['sweep', spec, '--out', out, '--no-report', '--workers', '0', ...extra]), stderr: stderr.join('\n') };
    };
    // Before: EEXIST and ENOTDIR stacks (exit 1), and an endless mkdir loop on /proc.
    for (const out of [aFile, join(aFile, 'sub'), '/proc/lvh-sweep-test']) {
      const r = await run(out);
      assert.equal(r.code, 2, `${out}: ${r.stderr}`);
      assert.match(r.stderr, /^lvh sweep: --out: /);
      assert.equal(r.stderr.split('\n').length, 1);
    }
    // Before: the sweep wrote its report.html over the demo's, next to the demo's unrelated demo.json.
    for (const extra of [[], ['--fresh']]) {
      const r = await run(demo, ...extra);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /holds demo\.json, not written by a sweep; choose another --out/);
    }
    assert.equal(readFileSync(join(demo, 'report.html'), 'utf8'), '<html></html>');
    // A sweep's own folder resumes as before.
    const own = join(dir, 'own');
    assert.equal((await run(own)).code, 0);
    assert.equal((await run(own)).code, 0);
  } finally {
    console.error = original;
    cleanup();
  }
});
