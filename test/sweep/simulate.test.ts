import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { agreementPlot, capacityPlot, cellLine, expandGrid, runSweep, sweepPaths, type SweepCellResult } from '../../src/simulate/sweep/index.js';
import { smallSpec, tempDir } from './helpers.js';

const simulate = { pairs: 600, bootstrap: 60, samples: 600 };

test('with a simulate: block every cell carries a seeded Monte-Carlo run, identical inline and on workers', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const spec = smallSpec({ seeds: [1], capacity: { sigma0: 2, alpha: 0.5, ladder: [1, 1000] }, harmful: { p: [0.5] }, simulate });
    await runSweep(spec, { out: join(dir, 'a'), workers: 0, quiet: true, report: false });
    await runSweep(spec, { out: join(dir, 'b'), workers: 2, quiet: true, report: false });
    const text = readFileSync(sweepPaths(join(dir, 'a')).results, 'utf8');
    assert.equal(readFileSync(sweepPaths(join(dir, 'b')).results, 'utf8'), text);
    const cells = (JSON.parse(text) as { cells: SweepCellResult[] }).cells;
    assert.equal(cells.length, expandGrid(spec).length);
    let inside = 0;
    for (const c of cells) {
      const sim = c.simulation!;
      assert.equal(sim.options.pairs, 600);
      assert.deepEqual(sim.options.optimizers, ['tilt']);
      assert.deepEqual(sim.path.map((p) => p.eta), spec.eta);
      assert.equal('weights' in sim.rewardFit, false, 'the d-dimensional weights are left out');
      const [low, high] = sim.intervals.judgeAgreement;
      if (low <= sim.predicted.judgeAgreement && sim.predicted.judgeAgreement <= high) inside++;
    }
    // 95% intervals: with 8 cells, more than two misses would be a 1-in-100 event.
    assert.ok(inside >= cells.length - 2, `${inside}/${cells.length} judge agreements within their intervals`);
    const agreement = agreementPlot(cells).data as { measured: unknown[]; predicted: unknown[] };
    assert.equal(agreement.measured.length, cells.length);
    const capacity = capacityPlot(spec, cells).data as { simulated: { capacity: number; lo: number; hi: number; alignment: number }[] };
    assert.deepEqual(capacity.simulated.map((s) => s.capacity), [1, 1000]);
    for (const s of capacity.simulated) assert.ok(s.lo <= s.alignment && s.alignment <= s.hi);
  } finally {
    cleanup();
  }
});

test("a cell's line does not depend on the grid around it (its simulation is seeded by its key)", () => {
  const a = smallSpec({ seeds: [3], capacity: { sigma0: 2, alpha: 0.5, ladder: [10] }, harmful: { p: [0.5] }, constitutions: ['pro-social'], simulate });
  const b = smallSpec({ seeds: [3, 4], capacity: { sigma0: 2, alpha: 0.5, ladder: [1, 10] }, harmful: { p: [0, 0.5] }, constitutions: ['neutral', 'pro-social'], simulate });
  const cellA = expandGrid(a)[0];
  const cellB = expandGrid(b).find((c) => c.key === cellA.key)!;
  assert.notEqual(cellB.index, cellA.index);
  assert.equal(cellLine(b, cellB), cellLine(a, cellA));
});
