import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderSvg } from '../../src/report/index.js';
import { agreementPlot, adversarialPlot, alignmentVsEtaPlot, capacityPlot, expandGrid, mergeCoinciding, runSweep, sweepPaths, type SweepCellResult } from '../../src/simulate/sweep/index.js';
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

/** The cell table of a report page: header cells and body rows as text. */
function cellTable(html: string): { header: string[]; rows: string[][] } {
  const table = html.slice(html.lastIndexOf('<table>'));
  const header = [...table.matchAll(/<th(?: class="t")?>(.*?)<\/th>/g)].map((m) => m[1]);
  const rows = [...table.matchAll(/<tr>(<td.*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]));
  return { header, rows };
}

test('the report header states the grid and the simulation settings; the cell table shows intervals, no float noise, p as written', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const spec = smallSpec({ seeds: [1], capacity: { sigma0: 2, alpha: 0.5, ladder: [1, 100] }, harmful: { p: [0, 0.25] }, constitutions: ['pro-social', 'neutral'], simulate: { pairs: 300, lambda: 3, bootstrap: 30, samples: 300 } });
    await runSweep(spec, { out: dir, workers: 0, quiet: true });
    const html = readFileSync(sweepPaths(dir).report, 'utf8');
    const intro = html.slice(html.indexOf('<h1>'), html.indexOf('<section'));
    for (const words of ['300 AI-labelled pairs per cell', 'λ = 3', 'constitutions {pro-social, neutral}', 'η grid {0, 1, 4, 16}', 'replicate seeds {1}', '30 bootstrap draws']) {
      assert.ok(intro.includes(words), `the header says "${words}"`);
    }
    const { header, rows } = cellTable(html);
    assert.equal(rows.length, expandGrid(spec).length);
    assert.ok(!header.includes('d') && !header.includes('σ'), 'a single d and the σ column are left out');
    assert.ok(header.includes('A(η_max) theory') && header.includes('A(η_max) simulated [95%]'), header.join(' | '));
    const col = (name: string): string[] => rows.map((r) => r[header.indexOf(name)]);
    assert.deepEqual([...new Set(col('p'))], ['0', '0.25'], 'p printed as written in the spec');
    for (const cell of col('A(η_max) simulated [95%]')) assert.match(cell, /^-?\d\.\d{3,4} \[-?\d\.\d{3,4}, -?\d\.\d{3,4}\]$/);
    assert.doesNotMatch(cellTable(html).rows.flat().join(' '), /e-1\d/, 'no float noise such as 4.077e-17');
    // Neutral cells have a_c = 0 up to rounding: printed as a plain zero, like any other column value.
    for (const [i, c] of col('constitution').entries()) if (c === 'neutral') assert.match(col('a_c')[i], /^0\.0+$/);
    assert.ok(html.includes('A(η_max) simulated, all seeds'), 'the plots use the same label as the table');
    assert.doesNotMatch(html, /A\(η=\d/, 'no second label for the same quantity');
  } finally {
    cleanup();
  }
});

test('plot 1: the theory lines are drawn on a fine η grid through the grid values, and every grid η is labelled', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const spec = smallSpec({ seeds: [1], eta: [0, 0.25, 0.5, 1, 2, 4, 8, 16, 32] });
    await runSweep(spec, { out: dir, workers: 0, quiet: true, report: false });
    const results = (JSON.parse(readFileSync(sweepPaths(dir).results, 'utf8')) as { cells: SweepCellResult[] }).cells;
    const plot = alignmentVsEtaPlot(spec, results);
    const data = plot.data as { theory: { constitution: string; eta: number; alignment: number }[]; curves: { constitution: string; eta: number; alignment: number }[] };
    const constitutions = new Set(data.theory.map((p) => p.constitution));
    for (const c of constitutions) {
      const curve = data.curves.filter((p) => p.constitution === c);
      assert.ok(curve.length >= 100, `${c}: ${curve.length} points`);
      for (const p of data.theory.filter((q) => q.constitution === c)) {
        const on = curve.find((q) => q.eta === p.eta);
        assert.ok(on && Math.abs(on.alignment - p.alignment) < 1e-12, `${c} passes through the grid value at η = ${p.eta}`);
      }
    }
    const x = (plot.spec as { layer: { encoding: { x: { scale: { constant: number }; axis: { values: number[]; labelOverlap: boolean } } } }[] }).layer[0].encoding.x;
    assert.deepEqual(x.axis.values, spec.eta);
    assert.equal(x.axis.labelOverlap, false, 'no tick label (η = 0.5) is dropped');
    assert.equal(x.scale.constant, 0.25);
    const svg = await renderSvg(plot.spec);
    for (const label of ['0.25', '0.5', '32']) assert.match(svg, new RegExp(`>${label.replace('.', '\\.')}</text>`), `tick ${label} labelled`);
  } finally {
    cleanup();
  }
});

test('coinciding lines share one legend entry; the others get distinct dash patterns', async () => {
  const rows = [1, 10, 100].flatMap((n) => {
    const rho = 1 / Math.sqrt(1 + 4 / n);
    return [
      { capacity: n, quantity: 'ceiling ρ(N)', alignment: rho },
      { capacity: n, quantity: 'judge a_c (pro-social)', alignment: rho + 1e-16 },
      { capacity: n, quantity: 'A(η_max) theory', alignment: rho - 3e-4 },
      { capacity: n, quantity: 'generation a_gen', alignment: rho / 2 },
    ];
  });
  const merged = mergeCoinciding(rows, 'capacity');
  assert.deepEqual(merged.series, ['ceiling ρ(N) = judge a_c (pro-social)', 'A(η_max) theory', 'generation a_gen']);
  assert.equal(merged.values.length, 9, 'the merged series is drawn once');
  const dash = (merged.encoding as { strokeDash: { scale: { range: number[][] } } }).strokeDash.scale.range;
  assert.equal(new Set(dash.map((d) => d.join(','))).size, 3);
  // In the sweep itself: the capacity plot's legend lists only lines the plot can show.
  const { dir, cleanup } = tempDir();
  try {
    const spec = smallSpec({ seeds: [1] });
    await runSweep(spec, { out: dir, workers: 0, quiet: true, report: false });
    const results = (JSON.parse(readFileSync(sweepPaths(dir).results, 'utf8')) as { cells: SweepCellResult[] }).cells;
    const cap = capacityPlot(spec, results).spec as { layer: { encoding: { color?: { scale: { domain: string[] } } } }[] };
    assert.deepEqual(cap.layer[0].encoding.color!.scale.domain, ['ceiling ρ(N) = judge a_c (pro-social)', 'A(η_max) theory', 'generation a_gen']);
  } finally {
    cleanup();
  }
});

test('a theory-only sweep has no empty simulation columns in its table', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await runSweep(smallSpec({ seeds: [1], dims: [6, 8] }), { out: dir, workers: 0, quiet: true });
    const { header } = cellTable(readFileSync(sweepPaths(dir).report, 'utf8'));
    assert.deepEqual(header, ['d', 'N', 'p', 'constitution', 'seed', 'ρ', 'a_gen', 'a_c', 'gap', 'helps', 'A(η_max) theory']);
  } finally {
    cleanup();
  }
});
