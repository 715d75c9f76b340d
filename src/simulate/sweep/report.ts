import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { htmlReport, htmlTable, renderSvg, type ReportSection, type VegaLiteSpec } from '../../report/index.js';
import { writeFileAtomic } from '../../util/atomic.js';
import type { SweepCellResult } from './cell.js';
import { readSimulation, type SimulationView } from './simulation-view.js';
import type { SweepSpec } from './spec.js';
import { SWEEP_PLOT_FILES, type SweepPaths } from './store.js';

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
  const simulated = inRef.flatMap((r) => {
    const sim = r.simulation === undefined ? null : readSimulation(r.simulation);
    return (sim?.path ?? []).map((p) => ({ constitution: r.cell.constitution, ...p }));
  });
  // Ticks at the grid's own η values (symlog's default ticks crowd at the top end), when there are few enough.
  const etas = [...new Set(theory.map((p) => p.eta))].sort((a, b) => a - b);
  const axis = etas.length <= 12 ? { values: etas, format: '~r' } : { format: '~r' };
  const x = { field: 'eta', type: 'quantitative', title: 'RLAIF strength η = κ/β', scale: { type: 'symlog' }, axis } as const;
  const color = { field: 'constitution', type: 'nominal', title: 'constitution' } as const;
  const layers: object[] = [
    { data: { values: theory }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y: { field: 'alignment', type: 'quantitative', title: 'alignment A(η) = cos(θ(η), v*)', scale: { domain: [-1, 1] } }, color } },
  ];
  if (simulated.length > 0) {
    layers.push(
      { data: { values: simulated }, mark: { type: 'rule' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
      { data: { values: simulated }, mark: { type: 'point', filled: true, size: 40 }, encoding: { x, y: { field: 'alignment', type: 'quantitative' }, color } },
    );
  }
  const title = { text: 'Alignment along the RLAIF path', subtitle: `d=${ref.dim}, N=${ref.capacity}, p=${ref.harmful}, seed ${ref.seed}; lines: theory, points: simulated (95% intervals)` };
  return { spec: { $schema: schema, title, ...size, layer: layers } as VegaLiteSpec, data: { reference: ref, theory, simulated } };
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
      { capacity: r.capacity, quantity: `theory A(η=${r.etaMax})`, alignment: r.achievedTheory },
      { capacity: r.capacity, quantity: 'generation a_gen', alignment: r.alignmentGeneration },
    ]);
  const simulated = rows.flatMap((r) => {
    const p = r.simulation?.path.find((q) => q.eta === r.etaMax);
    return p ? [{ capacity: r.capacity, seed: r.seed, quantity: `simulated A(η=${r.etaMax})`, ...p }] : [];
  });
  const x = { field: 'capacity', type: 'quantitative', title: 'capacity N', scale: { type: 'log' } } as const;
  const layers: object[] = [
    {
      data: { values: theory },
      mark: { type: 'line', point: true, strokeWidth: 2 },
      encoding: { x, y: { field: 'alignment', type: 'quantitative', title: 'alignment with v*', scale: { domainMax: 1, nice: false, clamp: true } }, color: { field: 'quantity', type: 'nominal', title: null }, strokeDash: { field: 'quantity', type: 'nominal', title: null } },
    },
  ];
  if (simulated.length > 0) {
    layers.push(
      { data: { values: simulated }, mark: { type: 'rule', color: 'black' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      { data: { values: simulated }, mark: { type: 'point', shape: 'diamond', filled: true, size: 60, color: 'black' }, encoding: { x, y: { field: 'alignment', type: 'quantitative' } } },
    );
  }
  const title = { text: 'Ceiling and achieved alignment against capacity', subtitle: [`d=${ref.dim}, p=${ref.harmful}, ${constitution}`, 'black diamonds: simulated A(η_max), all seeds (95% intervals)'] };
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
      { harmful: r.harmful, quantity: `theory A(η=${r.etaMax})`, alignment: r.achievedTheory },
      { harmful: r.harmful, quantity: 'generation a_gen', alignment: r.alignmentGeneration },
    ]);
  const simulated = rows.flatMap((r) => {
    const p = r.simulation?.path.find((q) => q.eta === r.etaMax);
    return p ? [{ harmful: r.harmful, seed: r.seed, ...p }] : [];
  });
  const x = { field: 'harmful', type: 'quantitative', title: 'harmful-data fraction p' } as const;
  const layers: object[] = [
    {
      data: { values: theory },
      mark: { type: 'line', point: true, strokeWidth: 2 },
      encoding: { x, y: { field: 'alignment', type: 'quantitative', title: 'alignment with v*', scale: { domain: [-1, 1] } }, color: { field: 'quantity', type: 'nominal', title: null }, strokeDash: { field: 'quantity', type: 'nominal', title: null } },
    },
  ];
  if (simulated.length > 0) {
    layers.push(
      { data: { values: simulated }, mark: { type: 'rule', color: 'black' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      { data: { values: simulated }, mark: { type: 'point', shape: 'diamond', filled: true, size: 60, color: 'black' }, encoding: { x, y: { field: 'alignment', type: 'quantitative' } } },
    );
  }
  const title = { text: 'Adversarial floor against harmful data', subtitle: [`d=${ref.dim}, N=${ref.capacity}, ${constitution}`, 'black diamonds: simulated A(η_max), all seeds (95% intervals)'] };
  return { spec: { $schema: schema, title, ...size, layer: layers } as VegaLiteSpec, data: { constitution, theory, simulated } };
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

/** The table of all cells for the report. */
export function cellsTable(results: SweepCellResult[]): string {
  const rows = results.map(sweepRow);
  const header = ['d', 'N', 'σ', 'p', 'constitution', 'seed', 'ρ', 'a_gen', 'a_c', 'gap', 'improves', 'A(η_max) theory', 'A(η_max) simulated', 'judge agreement measured'];
  return htmlTable(
    header,
    rows.map((r) => {
      const atMax = r.simulation?.path.find((q) => q.eta === r.etaMax);
      return [r.dim, r.capacity, r.sigma, r.harmful, r.constitution, r.seed, r.rho, r.alignmentGeneration, r.alignmentJudge, r.gap, r.improves, r.achievedTheory, atMax?.alignment ?? null, r.simulation?.judgeAgreement?.agreement ?? null];
    }),
  );
}

/** Renders the sweep's plots to SVG files in the output folder and writes `report.html`; returns the SVG paths. */
export async function writeSweepReport(paths: SweepPaths, spec: SweepSpec): Promise<string[]> {
  const results = (JSON.parse(readFileSync(paths.results, 'utf8')) as { cells: SweepCellResult[] }).cells;
  const plots: { file: string; heading: string; text: string; plot: { spec: VegaLiteSpec; data: object } | null }[] = [
    { file: SWEEP_PLOT_FILES[0], heading: 'Alignment along the RLAIF path', text: 'THEORY.md T1: A(η) moves from a_gen at η = 0 towards a_c; it may overshoot (peak) or dip first.', plot: alignmentVsEtaPlot(spec, results) },
    { file: SWEEP_PLOT_FILES[1], heading: 'Ceiling against capacity', text: 'T2 and the capacity law: the encoded value direction is v* + ε with ||ε|| = σ0·N^−α, so ρ(N) = 1/√(1 + σ(N)²) bounds what any constitution inside S can reach. With the pro-social constitution a_c = ρ and A(η) → a_c, so those lines coincide.', plot: capacityPlot(spec, results) },
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
  sections.push({ heading: `All cells (${results.length})`, text: 'One row per cell; the full numbers are in results.json and in the JSON embedded at the end of this page.', html: cellsTable(results) });
  const intro = `Sweep "${spec.name}": ${results.length} cells over d ∈ {${spec.dims.join(', ')}}, N ∈ {${spec.capacity.ladder.join(', ')}} (σ0 = ${spec.capacity.sigma0}, α = ${spec.capacity.alpha}), p ∈ {${spec.harmful.p.join(', ')}}, seeds {${spec.seeds.join(', ')}}. Theory from closed forms (THEORY.md, a reconstruction of Young 2026); simulation ${spec.simulate ? 'by Monte-Carlo RLAIF in every cell' : 'not run (no simulate: block)'}.`;
  // The page embeds the flattened rows (every number the plots and the table use); results.json keeps everything.
  writeFileAtomic(paths.report, htmlReport({ title: `lvh sweep: ${spec.name}`, intro, sections, data: { spec, rows: results.map(sweepRow) } }));
  return written;
}
