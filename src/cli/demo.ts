// `lvh demo`: the main job end to end on the shipped defaults: theory on the example geometries, a seeded
// Monte-Carlo RLAIF run against its closed forms, a short sweep with plots, the default model organism's
// judgments and generation-judgment gap (v2: src/cli/demo-organism-v2.ts), and the model lab on it
// (src/cli/demo-lab.ts). Everything lands in one run folder with a report.html.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, formatTheoryReport, loadGeometry, type TheoryReport } from '../theory/index.js';
import { runDemoSweep, type SweepSummary } from '../simulate/sweep/index.js';
import { escapeHtml, formatNumber, htmlReport, htmlTable, naturalCompare, type ReportSection, type TableCell } from '../report/index.js';
import { numberFlag, parseCommandArgs } from '../util/args.js';
import { writeFileAtomic } from '../util/atomic.js';
import { checkOutPath } from '../util/out-path.js';
import { demoLabStep } from './demo-lab.js';
import { demoOrganismStep, demoSimulationStep, type DemoStep } from './demo-steps.js';
import { textTable } from './text-table.js';

export { textTable };

const HELP = `usage: lvh demo [--out DIR] [--workers N] [--no-organism] [--no-lab] [--quiet] [--json]

Runs the whole pipeline on the shipped defaults and writes DIR/report.html (default runs/demo):
  1. theory   the closed forms of THEORY.md on every geometry in examples/geometries
  2. simulate Monte-Carlo RLAIF on the overshoot geometry, measured against theory
  3. sweep    examples/sweeps/demo.yaml (capacity, harmful data, constitutions), with plots
  4. organism the default model organism (models/organism-default): a v2 model (organism.json) gets the v2
              evaluation next to an untrained twin and the baselines; a v1 model probes, judgments, generations
  5. lab      lvh lab on the same model into DIR/lab: the refusal direction, v*, v_c, g and rho under two
              constitutions, v* ablated, the safety subspaces (docs/lab.md)
Rerunning resumes the sweep and the lab; every other step is recomputed (seeded: same numbers every time).

  --out DIR       run folder (default runs/demo)
  --workers N     sweep worker threads (default 2)
  --no-organism   skip steps 4 and 5
  --no-lab        skip step 5
  --quiet         no progress bars (the sweep's); the step reports are still printed
  --json          print the demo summary as one JSON object (progress goes to stderr)`;

/** The repository root (works from src/cli under tsx and from dist/cli). */
export function packageRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url));
}

/** Every geometry file under `dir`, recursively, in natural order (`N-1e6` before `N-1e10`). */
function geometryFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort(naturalCompare)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...geometryFiles(path));
    else if (/\.(json|ya?ml)$/i.test(name)) out.push(path);
  }
  return out;
}

const fmt = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : formatNumber(x));

/** One row of the theory summary: the quantities a reader compares across geometries. */
function theoryRow(name: string, r: TheoryReport): TableCell[] {
  const peak = r.shape === 'overshoot' ? `peak ${fmt(r.peak.alignment)} at eta ${fmt(r.peak.eta)}` : r.shape === 'dip' ? `dip ${fmt(r.trough.alignment)} at eta ${fmt(r.trough.eta)}` : 'monotone';
  return [name, r.rho, r.alignment.generation, r.alignment.judge, r.gap, r.improves ? 'yes' : 'no', peak, r.ceiling, r.floor];
}

/** Runs `lvh demo`. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('demo', args, {
    out: { type: 'string' },
    workers: { type: 'string' },
    'no-organism': { type: 'boolean' },
    'no-lab': { type: 'boolean' },
    quiet: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const out = (values.out as string | undefined) ?? 'runs/demo';
  // Before any work: an --out that cannot be written fails now, not after the first steps have run.
  checkOutPath('demo', '--out', out, 'dir');
  const workers = numberFlag('demo', 'workers', values.workers as string | undefined, 2, { min: 0, max: 64, integer: true });
  const json = Boolean(values.json);
  const quiet = Boolean(values.quiet);
  // Human text goes to stdout, or to stderr under --json so that stdout holds only the JSON object.
  const say = (text: string): void => (json ? console.error(text) : console.log(text));
  const root = packageRoot();
  const started = Date.now();
  const sections: ReportSection[] = [];

  // 1. Theory on every example geometry.
  say('== 1. Theory: the closed forms of the latent value hypothesis on the example geometries ==\n');
  const geometryDir = join(root, 'examples', 'geometries');
  const theory = geometryFiles(geometryDir).map((path) => {
    const name = relative(geometryDir, path);
    return { name, path, report: analyze(loadGeometry(path)) };
  });
  const overshoot = theory.find((t) => t.name === 'overshoot.json');
  if (overshoot) say(formatTheoryReport(overshoot.report, relative(root, overshoot.path)));
  const header = ['geometry', 'rho', 'a_gen', 'a_c', 'gap', 'helps', 'path', 'ceiling', 'floor'];
  const rows = theory.map((t) => theoryRow(t.name, t.report));
  say(`\nAll example geometries:\n${textTable(header, rows)}\n`);
  sections.push({
    heading: '1. Theory on the example geometries',
    text:
      'rho: how much of the true value direction v* the representations encode; a_gen, a_c: alignment of the base policy and of the constitution-activated judge with v*; gap: judge minus generation pairwise agreement; path: overshoot (stop early), dip (RLAIF first hurts) or monotone; ceiling and floor: the best and worst any constitution inside S can do.',
    html: htmlTable(header, rows),
    data: theory.map((t) => ({ geometry: t.name, report: t.report })),
  });

  // 2. Monte-Carlo RLAIF against the closed forms.
  const steps: DemoStep[] = [];
  if (overshoot) steps.push(await demoSimulationStep(overshoot.path, say, relative(root, overshoot.path)));

  // 3. The demo sweep.
  say('\n== 3. Sweep: capacity, harmful-data fraction and constitution families (examples/sweeps/demo.yaml) ==\n');
  const sweep: SweepSummary = await runDemoSweep(join(out, 'sweep'), { workers, quiet });
  say(`sweep: ${sweep.cells} cells (${sweep.computed} computed, ${sweep.resumed} resumed) in ${sweep.seconds.toFixed(1)} s; report ${sweep.files.report ?? '(none)'}`);
  const sweepLink = sweep.files.report ? relative(out, sweep.files.report) : null;
  steps.push({
    name: 'sweep',
    summary: sweep,
    section: {
      heading: '3. Sweep over capacity, harmful data and constitutions',
      text: `${sweep.cells} cells from examples/sweeps/demo.yaml. The plots (alignment against eta, ceiling against capacity, judge agreement against a_c, the adversarial floor against p) are in the sweep's own report.`,
      html: sweepLink ? `<p><a href="${escapeHtml(sweepLink)}">Open the sweep report</a></p>` : undefined,
    },
  });

  // 4. The default model organism.
  const organismDir = join(root, 'models', 'organism-default');
  if (!values['no-organism']) steps.push(await demoOrganismStep(organismDir, say, {}, 'models/organism-default'));

  // 5. The model lab on the same organism (resumable in DIR/lab).
  if (!values['no-organism'] && !values['no-lab']) steps.push(await demoLabStep(organismDir, join(out, 'lab'), say, 'models/organism-default'));

  for (const step of steps) sections.push(step.section);
  const seconds = (Date.now() - started) / 1000;
  const summary = {
    out,
    seconds,
    theory: Object.fromEntries(theory.map((t) => [t.name, t.report])),
    ...Object.fromEntries(steps.map((s) => [s.name, s.summary])),
  };
  const reportPath = join(out, 'report.html');
  writeFileAtomic(
    reportPath,
    htmlReport({
      title: 'latent-values demo',
      intro: `The latent value hypothesis of RLAIF, computed, simulated and measured on the shipped defaults (${seconds.toFixed(0)} s). Reproduce with: npm run demo.`,
      sections,
      data: summary,
    }),
  );
  writeFileAtomic(join(out, 'demo.json'), `${JSON.stringify(summary, jsonNumbers, 2)}\n`);
  say(`\nDemo finished in ${seconds.toFixed(1)} s. Report: ${reportPath}  Data: ${join(out, 'demo.json')}`);
  if (json) console.log(JSON.stringify(summary, jsonNumbers, 2));
  return 0;
}

/** JSON replacer: non-finite numbers become null. */
function jsonNumbers(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}
