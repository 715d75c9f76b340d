import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { agreementPlot, adversarialPlot, capacityPlot, expandGrid, runSweep, sweepPaths, type SweepCellResult } from '../../src/simulate/sweep/index.js';
import { smallSpec, tempDir } from './helpers.js';

test('a finished sweep writes four SVG plots and a self-contained report.html with the data', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const spec = smallSpec({ harmful: { p: [0, 0.25, 0.5, 1] } });
    const summary = await runSweep(spec, { out: dir, workers: 0, quiet: true });
    assert.equal(summary.files.plots.length, 4);
    for (const f of ['alignment-vs-eta.svg', 'capacity.svg', 'agreement.svg', 'adversarial.svg']) assert.match(readFileSync(join(dir, f), 'utf8'), /^<svg /);
    const html = readFileSync(sweepPaths(dir).report, 'utf8');
    assert.equal(html.match(/<svg /g)!.length, 4);
    const data = JSON.parse(html.match(/<script type="application\/json" id="report-data">(.*?)<\/script>/s)![1]) as { rows: { key: string; rho: number }[] };
    assert.deepEqual(data.rows.map((r) => r.key), expandGrid(spec).map((c) => c.key));
    assert.equal(html.match(/<tr>/g)!.length, expandGrid(spec).length + 1, 'one table row per cell plus the header');
    assert.doesNotMatch(html, /(src|href)\s*=\s*"https?:/);
  } finally {
    cleanup();
  }
});

test('the plots carry the theory: ceiling rho(N) rises with N, the adversarial limit falls with p, agreement follows 1 − arccos(a)/π', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const spec = smallSpec({ harmful: { p: [0, 0.5, 1] }, seeds: [1] });
    await runSweep(spec, { out: dir, workers: 0, quiet: true, report: false });
    const results = (JSON.parse(readFileSync(sweepPaths(dir).results, 'utf8')) as { cells: SweepCellResult[] }).cells;
    const cap = capacityPlot(spec, results).data as { theory: { capacity: number; quantity: string; alignment: number }[] };
    const ceiling = cap.theory.filter((r) => r.quantity.startsWith('ceiling')).map((r) => r.alignment);
    assert.deepEqual(ceiling.map((c) => c.toFixed(6)), [1, 10, 100].map((n) => (1 / Math.sqrt(1 + 4 / n)).toFixed(6)));
    const adv = adversarialPlot(spec, results)!.data as { theory: { harmful: number; quantity: string; alignment: number }[] };
    const limits = adv.theory.filter((r) => r.quantity.startsWith('limit')).map((r) => r.alignment);
    assert.ok(limits[0] > limits[1] && limits[1] > limits[2], `limits ${limits}`);
    const agr = agreementPlot(results).data as { predicted: { alignment: number; agreement: number }[] };
    for (const p of agr.predicted) assert.ok(Math.abs(p.agreement - (1 - Math.acos(p.alignment) / Math.PI)) < 1e-9);
    assert.equal(existsSync(sweepPaths(dir).report), false, 'report: false writes no report');
  } finally {
    cleanup();
  }
});
