import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatColumns, formatNumber, formatScaled, htmlReport, maxMagnitude, htmlTable, renderSvg, type ReportSection, type VegaLiteSpec } from '../../report/index.js';
import { pathPoint } from '../../theory/index.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { defaultSimulateOptions } from '../run.js';
import type { SweepCellResult } from './cell.js';
import { readSimulation, type SimulationView } from './simulation-view.js';
import type { SweepSpec } from './spec.js';
import { SWEEP_PLOT_FILES, type SweepPaths } from './store.js';
import { cellGeometry } from './worlds.js';

/** One cell flattened for plots and the table: its parameters, the theory's numbers and the measured ones. */
export interface SweepRow {
  key: string;
  dim: number;
  capacity: number;
  sigma: number;
  harmful: number;
  constitution: string;
  seed: number;
  rho: number;
  floor: number;
  alignmentGeneration: number;
  alignmentJudge: number;
  agreementJudge: number;
  gap: number;
  improves: boolean;
  /** The largest eta of the spec, and the theory's A there. */
  etaMax: number;
  achievedTheory: number;
  simulation: SimulationView | null;
}

/** Flattens a finished cell into a row. */
export function sweepRow(r: SweepCellResult): SweepRow {
  const t = r.theory;
  const last = t.path.reduce((a, b) => (b.eta > a.eta ? b : a), t.path[0]);
  return {
    key: r.key,
    dim: r.cell.dim,
    capacity: r.cell.capacity,
    sigma: r.cell.sigma,
    harmful: r.cell.harmful,
    constitution: r.cell.constitution,
    seed: r.cell.seed,
    rho: t.rho,
    floor: t.floor,
    alignmentGeneration: t.alignment.generation,
    alignmentJudge: t.alignment.judge,
    agreementJudge: t.agreement.judge,
    gap: t.gap,
    improves: t.improves,
    etaMax: last.eta,
    achievedTheory: last.alignment,
    simulation: r.simulation === undefined ? null : readSimulation(r.simulation),
  };
}

const schema = 'https://vega.github.io/schema/vega-lite/v6.json';
const size = { width: 520, height: 300 };

/** The reference world the one-dimensional plots slice through: the largest d, the largest N, the smallest p, the first seed. */
export function referenceWorld(spec: SweepSpec): { dim: number; capacity: number; harmful: number; seed: number } {
  return { dim: Math.max(...spec.dims), capacity: Math.max(...spec.capacity.ladder), harmful: Math.min(...spec.harmful.p), seed: spec.seeds[0] };
}

/** Alignment A(eta) of the reference world (with the median p): the theory's path per constitution (lines) and the simulated points with 95% intervals. */
export function alignmentVsEtaPlot(spec: SweepSpec, results: SweepCellResult[]): { spec: VegaLiteSpec; data: object } {
  // The median harmful fraction, so that the adversarial constitution has something to activate.
  const ps = [...new Set(spec.harmful.p)].sort((a, b) => a - b);
  const ref = { ...referenceWorld(spec), harmful: ps[Math.floor((ps.length - 1) / 2)] };
  const inRef = results.filter((r) => r.cell.dim === ref.dim && r.cell.capacity === ref.capacity && r.cell.harmful === ref.harmful && r.cell.seed === ref.seed);
  const theory = inRef.flatMap((r) => r.theory.path.map((p) => ({ constitution: r.cell.constitution, eta: p.eta, alignment: p.alignment })));
  // The lines: the closed form on a fine η grid (the grid's own η values are too few for a smooth curve).
  const fine = fineEtaGrid(spec.eta);
  const curves = inRef.flatMap((r) => {
    const geometry = cellGeometry(spec, { ...r.cell, key: r.key, index: 0 });
    return fine.map((eta) => ({ constitution: r.cell.constitution, eta, alignment: pathPoint(geometry, eta).alignment }));
  });
  const simulated = inRef.flatMap((r) => {
    const sim = r.simulation === undefined ? null : readSimulation(r.simulation);
    return (sim?.path ?? []).map((p) => ({ constitution: r.cell.constitution, ...p }));
  });
  // Ticks at the grid's own η values (symlog's default ticks crowd at the top end), when there are few enough.
  const etas = [...new Set(theory.map((p) => p.eta))].sort((a, b) => a - b);
  const axis = etas.length <= 12 ? { values: etas, format: '~r', labelOverlap: false } : { format: '~r' };
  // symlog is linear below its constant and logarithmic above: the smallest positive η spreads a geometric grid evenly.
  const constant = Math.min(1, ...etas.filter((e) => e > 0));
  const x = { field: 'eta', type: 'quantitative', title: 'RLAIF strength η = κ/β (symlog axis)', scale: { type: 'symlog', constant }, axis } as const;
  const color = { field: 'constitution', type: 'nominal', title: 'constitution' } as const;
  const layers: object[] = [
    { data: { values: curves }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y: { field: 'alignment', type: 'quantitative', title: 'alignment A(η) = cos(θ(η), v*)', scale: { domain: [-1, 1] } }, color } },
  ];
  if (simulated.length > 0) {
    layers.push(
      { data: { values: simulated }, mark: { type: 'rule' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
      { data: { values: simulated }, mark: { type: 'point', filled: true, size: 40 }, encoding: { x, y: { field: 'alignment', type: 'quantitative' }, color } },
    );
  }
  const title = { text: 'Alignment along the RLAIF path', subtitle: `d=${ref.dim}, N=${ref.capacity}, p=${ref.harmful}, seed ${ref.seed}; lines: theory, points: simulated (95% intervals)` };
  return { spec: { $schema: schema, title, ...size, layer: layers } as VegaLiteSpec, data: { reference: ref, theory, curves, simulated } };
}

/** η values for a smooth theory line over [0, max grid η]: 0, then 120 log-spaced points from a tenth of the smallest positive η, plus the grid's own. */
export function fineEtaGrid(grid: readonly number[]): number[] {
  const positive = grid.filter((e) => e > 0);
  if (positive.length === 0) return [...new Set(grid)].sort((a, b) => a - b);
  const lo = Math.log10(Math.min(...positive) / 10);
  const hi = Math.log10(Math.max(...positive));
  const steps = 120;
  const etas = [0, ...Array.from({ length: steps + 1 }, (_, i) => 10 ** (lo + ((hi - lo) * i) / steps)), ...grid];
  return [...new Set(etas)].sort((a, b) => a - b);
}

/** The ceiling rho(N), the judge's alignment and the achieved alignment at the largest eta against capacity N (log axis). */
export function capacityPlot(spec: SweepSpec, results: SweepCellResult[]): { spec: VegaLiteSpec; data: object } {
  const ref = referenceWorld(spec);
  const constitution = pickConstitution(results, ['pro-social']);
  const rows = results.filter((r) => r.cell.dim === ref.dim && r.cell.harmful === ref.harmful && r.cell.constitution === constitution).map(sweepRow);
  const theory = rows
    .filter((r) => r.seed === ref.seed)
    .flatMap((r) => [
      { capacity: r.capacity, quantity: 'ceiling ρ(N)', alignment: r.rho },
      { capacity: r.capacity, quantity: `judge a_c (${constitution})`, alignment: r.alignmentJudge },
      { capacity: r.capacity, quantity: ACHIEVED_THEORY, alignment: r.achievedTheory },
      { capacity: r.capacity, quantity: 'generation a_gen', alignment: r.alignmentGeneration },
    ]);
  const simulated = rows.flatMap((r) => {
    const p = r.simulation?.path.find((q) => q.eta === r.etaMax);
    return p ? [{ capacity: r.capacity, seed: r.seed, quantity: ACHIEVED_SIMULATED, ...p }] : [];
  });
  const lines = mergeCoinciding(theory, 'capacity');
  const x = { field: 'capacity', type: 'quantitative', title: 'capacity N', scale: { type: 'log' } } as const;
  const layers: object[] = [
    {
      data: { values: lines.values },
      mark: { type: 'line', point: true },
      encoding: { x, y: { field: 'alignment', type: 'quantitative', title: 'alignment with v*', scale: { domainMax: 1, nice: false, clamp: true } }, ...lines.encoding },
    },
  ];
  if (simulated.length > 0) {
    layers.push(
      { data: { values: simulated }, mark: { type: 'rule', color: 'black' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      { data: { values: simulated }, mark: { type: 'point', shape: 'diamond', filled: true, size: 60, color: 'black' }, encoding: { x, y: { field: 'alignment', type: 'quantitative' } } },
    );
  }
  const title = { text: 'Ceiling and achieved alignment against capacity', subtitle: [`d=${ref.dim}, p=${ref.harmful}, ${constitution}; η_max = ${formatNumber(Math.max(...spec.eta))}`, `black diamonds: ${ACHIEVED_SIMULATED}, all seeds (95% intervals)`] };
  return { spec: { $schema: schema, title, ...size, layer: layers } as VegaLiteSpec, data: { constitution, theory, simulated } };
}

/** Judge agreement against the judge's alignment a_c: the curve 1 − arccos(a)/π and every cell's measured (or predicted) agreement. */
export function agreementPlot(results: SweepCellResult[]): { spec: VegaLiteSpec; data: object } {
  const curve = Array.from({ length: 101 }, (_, i) => {
    const a = -1 + i / 50;
    return { alignment: a, agreement: 1 - Math.acos(a) / Math.PI };
  });
  const rows = results.map(sweepRow);
  const measured = rows.flatMap((r) =>
    r.simulation ? [{ key: r.key, constitution: r.constitution, alignment: r.alignmentJudge, ...r.simulation.judgeAgreement }] : [],
  );
  const predicted = measured.length > 0 ? [] : rows.map((r) => ({ key: r.key, constitution: r.constitution, alignment: r.alignmentJudge, agreement: r.agreementJudge }));
  const x = { field: 'alignment', type: 'quantitative', title: 'judge alignment a_c = cos(v_c, v*)', scale: { domain: [-1, 1] } } as const;
  const y = { field: 'agreement', type: 'quantitative', title: 'judge agreement with v*', scale: { domain: [0, 1] } } as const;
  const color = { field: 'constitution', type: 'nominal', title: 'constitution' } as const;
  const layers: object[] = [{ data: { values: curve }, mark: { type: 'line', color: '#888', strokeWidth: 2 }, encoding: { x, y } }];
  if (measured.length > 0) {
    layers.push(
      { data: { values: measured }, mark: { type: 'point', shape: 'diamond', filled: false, size: 70, color: 'black', strokeWidth: 1 }, encoding: { x, y: { field: 'predicted', type: 'quantitative' } } },
      { data: { values: measured }, mark: { type: 'rule' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
      { data: { values: measured }, mark: { type: 'point', filled: true, size: 40 }, encoding: { x, y, color } },
    );
  } else {
    layers.push({ data: { values: predicted }, mark: { type: 'point', filled: true, size: 40 }, encoding: { x, y, color } });
  }
  const title = { text: 'Judge agreement against judge alignment a_c', subtitle: ['grey: 1 − arccos(a)/π (λ → ∞)', measured.length > 0 ? 'points: measured on labelled pairs (95% intervals); black diamonds: predicted at the judge\'s finite λ' : 'points: predicted per cell'] };
  return { spec: { $schema: schema, title, ...size, layer: layers } as VegaLiteSpec, data: { curve, measured, predicted } };
}

/** The adversarial floor −rho and the adversarial constitution's limit and achieved alignment against the harmful fraction p. */
export function adversarialPlot(spec: SweepSpec, results: SweepCellResult[]): { spec: VegaLiteSpec; data: object } | null {
  const ref = referenceWorld(spec);
  const constitution = pickConstitution(results, ['adversarial'], true);
  if (constitution === null) return null;
  const rows = results.filter((r) => r.cell.dim === ref.dim && r.cell.capacity === ref.capacity && r.cell.constitution === constitution).map(sweepRow);
  const theory = rows
    .filter((r) => r.seed === ref.seed)
    .flatMap((r) => [
      { harmful: r.harmful, quantity: 'floor −ρ', alignment: r.floor },
      { harmful: r.harmful, quantity: `limit a_c (${constitution})`, alignment: r.alignmentJudge },
      { harmful: r.harmful, quantity: ACHIEVED_THEORY, alignment: r.achievedTheory },
      { harmful: r.harmful, quantity: 'generation a_gen', alignment: r.alignmentGeneration },
    ]);
  const lines = mergeCoinciding(theory, 'harmful');
  const simulated = rows.flatMap((r) => {
    const p = r.simulation?.path.find((q) => q.eta === r.etaMax);
    return p ? [{ harmful: r.harmful, seed: r.seed, ...p }] : [];
  });
  const x = { field: 'harmful', type: 'quantitative', title: 'harmful-data fraction p' } as const;
  const layers: object[] = [
    {
      data: { values: lines.values },
      mark: { type: 'line', point: true },
      encoding: { x, y: { field: 'alignment', type: 'quantitative', title: 'alignment with v*', scale: { domain: [-1, 1] } }, ...lines.encoding },
    },
  ];
  if (simulated.length > 0) {
    layers.push(
      { data: { values: simulated }, mark: { type: 'rule', color: 'black' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      { data: { values: simulated }, mark: { type: 'point', shape: 'diamond', filled: true, size: 60, color: 'black' }, encoding: { x, y: { field: 'alignment', type: 'quantitative' } } },
    );
  }
  const title = { text: 'Adversarial floor against harmful data', subtitle: [`d=${ref.dim}, N=${ref.capacity}, ${constitution}; η_max = ${formatNumber(Math.max(...spec.eta))}`, `black diamonds: ${ACHIEVED_SIMULATED}, all seeds (95% intervals)`] };
  return { spec: { $schema: schema, title, ...size, layer: layers } as VegaLiteSpec, data: { constitution, theory, simulated } };
}

/** The label of the theory's alignment at the largest η of the grid, the same in every plot, legend and table. */
export const ACHIEVED_THEORY = 'A(η_max) theory';
/** The label of the simulated alignment at the largest η. */
export const ACHIEVED_SIMULATED = 'A(η_max) simulated';

/** Line styles in series order: solid and thick first, then dash patterns a reader tells apart. */
const LINE_STYLES = [
  { color: '#1f77b4', dash: [1, 0], width: 3.5 },
  { color: '#d62728', dash: [7, 4], width: 2 },
  { color: '#2ca02c', dash: [2, 3], width: 2 },
  { color: '#9467bd', dash: [10, 3, 2, 3], width: 2 },
  { color: '#ff7f0e', dash: [4, 2], width: 2 },
  { color: '#8c564b', dash: [1, 2], width: 2 },
] as const;

/**
 * Merges series that coincide (within 1e-9 at every x) into one legend entry, "ceiling ρ(N) = judge a_c", so the
 * legend never lists a colour the plot cannot show; the rest get distinct colours, dash patterns and widths.
 * Returns the rows with a `series` field and the encoding (colour, dash, width) that draws them.
 */
export function mergeCoinciding<X extends string>(rows: ({ quantity: string; alignment: number } & Record<X, number>)[], xField: X): { values: object[]; series: string[]; encoding: object } {
  const quantities = [...new Set(rows.map((r) => r.quantity))];
  const valuesOf = (q: string): Map<number, number> => new Map(rows.filter((r) => r.quantity === q).map((r) => [r[xField], r.alignment]));
  const same = (a: Map<number, number>, b: Map<number, number>): boolean =>
    a.size === b.size && [...a].every(([x, v]) => b.has(x) && Math.abs(v - b.get(x)!) <= 1e-9 * Math.max(1, Math.abs(v)));
  const groups: string[][] = [];
  for (const q of quantities) {
    const group = groups.find((g) => same(valuesOf(g[0]), valuesOf(q)));
    if (group) group.push(q);
    else groups.push([q]);
  }
  const labelOf = new Map(groups.flatMap((g) => g.map((q) => [q, g.join(' = ')] as const)));
  const series = groups.map((g) => g.join(' = '));
  const firsts = new Set(groups.map((g) => g[0]));
  const values = rows.filter((r) => firsts.has(r.quantity)).map((r) => ({ ...r, series: labelOf.get(r.quantity) }));
  const styles = series.map((_, i) => LINE_STYLES[i % LINE_STYLES.length]);
  const legend = { title: null, orient: 'bottom', direction: 'vertical', labelLimit: 600, symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolSize: 600 };
  const encoding = {
    color: { field: 'series', type: 'nominal', scale: { domain: series, range: styles.map((s) => s.color) }, legend },
    strokeDash: { field: 'series', type: 'nominal', scale: { domain: series, range: styles.map((s) => s.dash) }, legend },
    // The first series thick (drawn underneath), the rest thinner; a conditional value needs no legend of its own.
    strokeWidth: { condition: { test: `datum.series === ${JSON.stringify(series[0])}`, value: styles[0].width }, value: styles[1 % styles.length].width },
  };
  return { values, series, encoding };
}

/** The first of `preferred` present in the results; else (unless `strict`) the first constitution; with `strict`, the mixture with the largest weight or null. */
function pickConstitution(results: SweepCellResult[], preferred: string[], strict: true): string | null;
function pickConstitution(results: SweepCellResult[], preferred: string[]): string;
function pickConstitution(results: SweepCellResult[], preferred: string[], strict = false): string | null {
  const present = [...new Set(results.map((r) => r.cell.constitution))];
  for (const p of preferred) if (present.includes(p)) return p;
  if (!strict) return present[0];
  const mixtures = results.filter((r) => r.cell.constitution.startsWith('mixture:') && (r.cell.adversarialWeight ?? 0) > 0);
  if (mixtures.length === 0) return null;
  return mixtures.reduce((a, b) => ((b.cell.adversarialWeight ?? 0) > (a.cell.adversarialWeight ?? 0) ? b : a)).cell.constitution;
}

/**
 * The table of all cells for the report: parameters that vary (d only when the spec has several), the theory's
 * numbers, and (when the sweep simulated) the simulated values with their 95% intervals. Parameters print as written
 * in the spec (shortest form).
 */
export function cellsTable(results: SweepCellResult[]): string {
  const rows = results.map(sweepRow);
  const severalDims = new Set(rows.map((r) => r.dim)).size > 1;
  const simulated = rows.some((r) => r.simulation !== null);
  const header = [
    ...(severalDims ? ['d'] : []),
    ...['N', 'p', 'constitution', 'seed', 'ρ', 'a_gen', 'a_c', 'gap', 'helps', ACHIEVED_THEORY],
    ...(simulated ? [`${ACHIEVED_SIMULATED} [95%]`, 'judge agreement measured [95%]', 'judge agreement predicted'] : []),
  ];
  // Theory columns formatted together (one set of decimals each, noise as 0); interval columns per cell.
  const theory = formatColumns(rows.map((r) => [r.rho, r.alignmentGeneration, r.alignmentJudge, r.gap, r.achievedTheory, r.simulation?.judgeAgreement.predicted ?? null]));
  // Each interval column with one set of decimals (from its largest magnitude), like the numeric columns.
  const simulatedAt = rows.map((r) => r.simulation?.path.find((q) => q.eta === r.etaMax));
  const agreements = rows.map((r) => (r.simulation ? { alignment: r.simulation.judgeAgreement.agreement, lo: r.simulation.judgeAgreement.lo, hi: r.simulation.judgeAgreement.hi } : undefined));
  const intervalColumn = (ms: ({ alignment: number; lo: number; hi: number } | undefined)[]): string[] => {
    const scale = maxMagnitude(ms.flatMap((m) => (m ? [m.alignment, m.lo, m.hi] : [])));
    return ms.map((m) => (m ? `${formatScaled(m.alignment, scale)} [${formatScaled(m.lo, scale)}, ${formatScaled(m.hi, scale)}]` : '—'));
  };
  const simulatedText = intervalColumn(simulatedAt);
  const agreementText = intervalColumn(agreements);
  return htmlTable(
    header,
    rows.map((r, i) => {
      const [rho, aGen, aC, gap, achieved, predicted] = theory[i];
      return [
        ...(severalDims ? [String(r.dim)] : []),
        String(r.capacity),
        String(r.harmful),
        r.constitution,
        String(r.seed),
        rho,
        aGen,
        aC,
        gap,
        r.improves ? 'yes' : 'no',
        achieved,
        ...(simulated ? [simulatedText[i], agreementText[i], predicted] : []),
      ];
    }),
  );
}

/** The simulation settings of a spec in words: pairs per cell, λ, optimisers, samples, bootstrap draws. */
export function simulationSettings(spec: SweepSpec): string {
  if (!spec.simulate) return 'Simulation: not run (the spec has no simulate: block); every number is the closed-form theory.';
  const s = spec.simulate;
  const d = defaultSimulateOptions;
  return (
    `Simulation: Monte-Carlo RLAIF in every cell with ${s.pairs ?? d.pairs} AI-labelled pairs per cell, judge sharpness λ = ${s.lambda ?? d.lambda}, ` +
    `optimisers ${s.optimizers.join(', ')}, ${s.samples ?? d.policySamples} responses sampled per optimised policy and ${s.bootstrap ?? d.bootstrap} bootstrap draws ` +
    `behind each 95% interval; each cell's seed is derived from its replicate seed and its key.`
  );
}

/** Renders the sweep's plots to SVG files in the output folder and writes `report.html`; returns the SVG paths. */
export async function writeSweepReport(paths: SweepPaths, spec: SweepSpec): Promise<string[]> {
  const results = (JSON.parse(readFileSync(paths.results, 'utf8')) as { cells: SweepCellResult[] }).cells;
  const plots: { file: string; heading: string; text: string; plot: { spec: VegaLiteSpec; data: object } | null }[] = [
    { file: SWEEP_PLOT_FILES[0], heading: 'Alignment along the RLAIF path', text: 'THEORY.md T1: A(η) moves from a_gen at η = 0 towards a_c; it may overshoot (peak) or dip first.', plot: alignmentVsEtaPlot(spec, results) },
    { file: SWEEP_PLOT_FILES[1], heading: 'Ceiling against capacity', text: 'T2 and the capacity law: the encoded value direction is v* + ε with ||ε|| = σ0·N^−α, so ρ(N) = 1/√(1 + σ(N)²) bounds what any constitution inside S can reach. With the pro-social constitution a_c = ρ exactly, so the two share one line and one legend entry; A(η) → a_c, so A(η_max) (dashed) lies just below that line.', plot: capacityPlot(spec, results) },
    { file: SWEEP_PLOT_FILES[2], heading: 'Judge agreement against the judge alignment', text: 'The chance that the judge orders a random pair as v* does is 1 − arccos(a_c)/π (Gaussian pair differences, λ → ∞).', plot: agreementPlot(results) },
    { file: SWEEP_PLOT_FILES[3], heading: 'Adversarial floor against harmful data', text: 'T3: no constitution goes below −ρ; the adversarial constitution reads the harmful-data direction h(p) = p·u + (1 − p)·n_h, whose alignment with v* worsens as p grows.', plot: adversarialPlot(spec, results) },
  ];
  const written: string[] = [];
  const sections: ReportSection[] = [];
  for (const p of plots) {
    if (!p.plot) continue;
    const svg = await renderSvg(p.plot.spec);
    const file = join(paths.dir, p.file);
    writeFileAtomic(file, svg);
    written.push(file);
    sections.push({ heading: p.heading, text: p.text, svg, data: p.plot.data });
  }
  const dims = [...new Set(results.map((r) => r.cell.dim))];
  sections.push({
    heading: `All cells (${results.length})`,
    text: `One row per cell${dims.length === 1 ? ` (d = ${dims[0]} in every cell)` : ''}; ρ = 1/√(1 + σ(N)²) with σ(N) = σ0·N^−α. ${ACHIEVED_THEORY} and ${ACHIEVED_SIMULATED} are the alignment at η_max = ${formatNumber(Math.max(...spec.eta))}. The full numbers are in results.json and in the JSON embedded at the end of this page.`,
    html: cellsTable(results),
  });
  const constitutions = [...new Set(results.map((r) => r.cell.constitution))];
  const intro = [
    `Sweep "${spec.name}": ${results.length} cells over d ∈ {${spec.dims.join(', ')}}, capacity N ∈ {${spec.capacity.ladder.join(', ')}} (σ0 = ${spec.capacity.sigma0}, α = ${spec.capacity.alpha}), harmful-data fraction p ∈ {${spec.harmful.p.join(', ')}}, constitutions {${constitutions.join(', ')}}, replicate seeds {${spec.seeds.join(', ')}}; η grid {${spec.eta.join(', ')}}.`,
    `Theory from closed forms (THEORY.md, a reconstruction of Young 2026). ${simulationSettings(spec)}`,
  ].join('\n\n');
  // The page embeds the flattened rows (every number the plots and the table use); results.json keeps everything.
  writeFileAtomic(paths.report, htmlReport({ title: `Sweep "${spec.name}": theory and simulation (lvh sweep)`, intro, sections, data: { spec, rows: results.map(sweepRow) } }));
  return written;
}
