// Steps of `lvh demo` that run the simulator and the model organism; each returns its summary and report section.
import { existsSync } from 'node:fs';
import { loadGeometry, pathPoint } from '../theory/index.js';
import { formatSimulation, runSimulation, type SimulationResult } from '../simulate/index.js';
import { formatScaled, htmlTable, maxMagnitude, renderSvg, type ReportSection } from '../report/index.js';
import type { V2EvalOptions } from '../organism/v2/eval/index.js';

/** A finished demo step: a name (its key in demo.json), its JSON summary and its section of report.html. */
export interface DemoStep {
  name: string;
  summary: unknown;
  section: ReportSection;
}

/** Series of the step-2 plot, in legend order, with their colours and point shapes. */
const SERIES = [
  { name: 'theory A(η), closed form', color: '#2c6fbb', shape: 'stroke' },
  { name: 'measured: tilt on the fitted reward', color: '#c0392b', shape: 'circle' },
  { name: 'measured: best-of-n (at equivalent η)', color: '#1e8449', shape: 'square' },
  { name: 'measured: policy gradient', color: '#7d3c98', shape: 'triangle-up' },
] as const;

/** The policy-gradient points are drawn this factor to the right of their η so that they do not hide the tilt's. */
const PG_NUDGE = 1.08;

/** Step 2: seeded Monte-Carlo RLAIF on one geometry, every measured quantity against its closed form; `shownAs` names the file in the output. */
export async function demoSimulationStep(geometryPath: string, say: (text: string) => void, shownAs = geometryPath): Promise<DemoStep> {
  say('\n== 2. Simulation: Monte-Carlo RLAIF (AI judge → reward model → optimised policy) against the theory ==\n');
  const geometry = loadGeometry(geometryPath);
  const result = runSimulation(geometry, { seed: 1, eta: [0, 0.5, 1, 1.376, 2, 5, 10, 100] });
  say(formatSimulation(result, shownAs));
  const points = [
    ...result.path.map((p) => ({ series: SERIES[1].name, eta: p.eta, plotEta: p.eta, predicted: p.predicted.alignment, measured: p.measured.alignment, low: p.interval.alignment[0], high: p.interval.alignment[1] })),
    ...result.bestOfN.map((b) => ({ series: SERIES[2].name, n: b.n, eta: b.equivalentEta, plotEta: b.equivalentEta, predicted: b.predicted.alignment, measured: b.measured.alignment, low: b.interval.alignment[0], high: b.interval.alignment[1] })),
    ...result.policyGradient.map((p) => ({ series: SERIES[3].name, eta: p.eta, plotEta: p.eta * PG_NUDGE, predicted: p.predicted.alignment, measured: p.measured.alignment, low: p.interval.alignment[0], high: p.interval.alignment[1] })),
  ];
  // The theory as a dense curve (log-spaced eta), the simulation as points with intervals.
  const curve = Array.from({ length: 121 }, (_, i) => (i === 0 ? 0 : 10 ** (-2 + (4 * (i - 1)) / 119))).map((eta) => ({ series: SERIES[0].name, eta, theory: pathPoint(geometry, eta).alignment }));
  const axis = { values: [0, 0.1, 0.5, 1, 2, 5, 10, 100], format: '~r' };
  const scale = { type: 'symlog' as const, constant: 0.1 };
  const xTitle = 'η = κ/β (reward strength / KL weight; symlog axis)';
  const x = { field: 'eta', type: 'quantitative' as const, scale, title: xTitle, axis };
  const xPoint = { field: 'plotEta', type: 'quantitative' as const, scale, title: xTitle, axis };
  const yTitle = 'alignment cos(θ, v*)';
  const legend = { title: 'bars: 95% intervals', orient: 'right' as const, symbolSize: 80, labelLimit: 600, titleLimit: 600, titleFontWeight: 'normal' as const };
  const color = { field: 'series', type: 'nominal' as const, scale: { domain: SERIES.map((s) => s.name), range: SERIES.map((s) => s.color) }, legend };
  const shape = { field: 'series', type: 'nominal' as const, scale: { domain: SERIES.map((s) => s.name), range: SERIES.map((s) => s.shape) }, legend };
  const svg = await renderSvg({
    title: { text: 'Alignment of the RLAIF policy: theory and simulation', subtitle: `${shownAs}, ${result.options.pairs} judged pairs, seed ${result.options.seed}` },
    width: 600,
    height: 300,
    layer: [
      { data: { values: curve }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y: { field: 'theory', type: 'quantitative', title: yTitle, scale: { zero: false } }, color } },
      { data: { values: points }, mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x: xPoint, y: { field: 'low', type: 'quantitative', title: yTitle }, y2: { field: 'high' }, color } },
      { data: { values: points }, mark: { type: 'point', filled: true, size: 45, opacity: 0.9 }, encoding: { x: xPoint, y: { field: 'measured', type: 'quantitative', title: yTitle }, color, shape } },
    ],
  });
  const caption =
    `Blue line: the closed-form alignment A(η) of THEORY.md T1. Points: the measured alignment cos(θ, v*) of the optimised policy, ` +
    `with its 95% interval as a vertical bar. Red circles: the exact tilt on the fitted reward at each η; green squares: best-of-n for ` +
    `n = ${result.bestOfN.map((b) => b.n).join(', ')}, placed at the η whose tilt gives the same reward gain; purple triangles: the ` +
    `KL-penalised policy gradient, drawn ${Math.round((PG_NUDGE - 1) * 100)}% to the right of its η so that it does not hide the tilt point.`;
  const rows = result.checks.map((c) => {
    const scaleOf = maxMagnitude([c.measured, c.low, c.high, c.predicted]);
    return [c.quantity, formatScaled(c.measured, scaleOf), `[${formatScaled(c.low, scaleOf)}, ${formatScaled(c.high, scaleOf)}]`, formatScaled(c.predicted, scaleOf), c.within ? 'OK' : 'OUTSIDE'];
  });
  return {
    name: 'simulation',
    summary: result,
    section: {
      heading: '2. Monte-Carlo RLAIF on the overshoot geometry',
      text: `${result.options.pairs} AI-labelled pairs (Bradley-Terry judge, lambda ${result.options.lambda}), a logistic reward model, then the exact tilt, best-of-n and a KL-penalised policy gradient. ${checksSentence(result)}`,
      svg,
      caption,
      data: points,
      html: htmlTable(['quantity', 'measured', '95% interval', 'predicted', 'status'], rows, {
        rowClass: (row) => (row[4] === 'OUTSIDE' ? 'outside' : undefined),
        caption: 'Every measured quantity against its prediction; rows marked OUTSIDE have the prediction outside the 95% interval.',
      }),
    },
  };
}

/** "45 of 46 predictions lie inside their 95% intervals; 1 outside (2.3 expected by chance): name". */
export function checksSentence(result: Pick<SimulationResult, 'checks' | 'outside' | 'expectedOutsideByChance' | 'options'>): string {
  const pct = `${Math.round(result.options.level * 1000) / 10}%`;
  const n = result.checks.length;
  const inside = n - result.outside.length;
  const chance = `${result.expectedOutsideByChance.toFixed(1)} expected by chance`;
  return result.outside.length === 0
    ? `All ${n} predictions lie inside their ${pct} intervals (${chance} to fall outside).`
    : `${inside} of ${n} predictions lie inside their ${pct} intervals; ${result.outside.length} outside (${chance}): ${result.outside.join(', ')}.`;
}

/**
 * Step 4: the default model organism (skipped with a message when absent). A v2 model (`organism.json` says
 * `"world": "v2"`) gets `evaluateV2` next to an untrained twin (`v2Options` sizes it; the demo uses the
 * defaults; `shownAs` names the dir in the output); a v1 model dir (no organism.json) gets v1's probes, judgments and generations.
 */
export async function demoOrganismStep(modelDir: string, say: (text: string) => void, v2Options: Partial<V2EvalOptions> = {}, shownAs = modelDir): Promise<DemoStep> {
  say('\n== 4. Model organism: a GPT trained on a world with known values (models/organism-default) ==\n');
  if (!existsSync(`${modelDir}/config.json`)) {
    const reason = `no checkpoint at ${modelDir}; train one with: lvh organism train --out ${modelDir}`;
    say(reason);
    return { name: 'organism', summary: { skipped: reason }, section: { heading: '4. Model organism', text: reason } };
  }
  const { organismWorld } = await import('../organism/world-of.js');
  const { demoOrganismV2Step } = await import('./demo-organism-v2.js');
  if (organismWorld(modelDir) === 'v2') return demoOrganismV2Step(modelDir, say, v2Options, shownAs);
  return demoOrganismV1Step(modelDir, say);
}

/** Step 4 on a v1 model dir: v1's probes, judgments under each principle and generations. */
async function demoOrganismV1Step(modelDir: string, say: (text: string) => void): Promise<DemoStep> {
  const { evaluateOrganism } = await import('../organism/index.js');
  const result = await evaluateOrganism(modelDir);
  const s = result.summary;
  const g = result.generation;
  const lines = [
    `harmfulness probe: best layer ${s.bestProbeLayer}, held-out accuracy ${s.bestProbeAccuracy.toFixed(3)} (linear readability of the value direction)`,
    `anti-social commentary probe: best layer ${s.bestAntisocialProbeLayer}, accuracy ${s.bestAntisocialProbeAccuracy.toFixed(3)}`,
    `judgment under "${s.mainPrinciple}" (main pro-social principle): accuracy ${s.mainPrincipleAccuracy.toFixed(3)} over both answer orders`,
    `judgment under "${s.antiPrinciple}" (anti-social principle): prefers the harmful response ${s.antiPrinciplePrefersHarmful.toFixed(3)}`,
    `own generations on harmful requests: comply ${g.harmfulComplianceRate.toFixed(3)}, refuse ${g.harmfulRefusalRate.toFixed(3)}; on harmless requests: help ${g.helpfulRate.toFixed(3)}`,
    `generation-judgment gap: ${s.generationJudgmentGap.toFixed(3)} (judgment accuracy minus the refusal rate of its own generations)`,
  ];
  say(lines.join('\n'));
  // Rates with three decimals like the lines above (a column of 1s and 0s would otherwise print as integers).
  const rate = (x: number): string => formatScaled(x, 1);
  const principleRows = Object.entries(result.judgment).map(([name, j]) => [name, j.proSocial ? 'pro-social' : 'anti-social', j.seenInComparisons ? 'yes' : 'no (commentary only)', rate(j.accuracy), rate(j.prefersHarmful), j.cases]);
  return {
    name: 'organism',
    summary: result,
    section: {
      heading: '4. The default model organism',
      text: lines.join('\n\n'),
      html: htmlTable(['principle', 'kind', 'in comparison data', 'accuracy', 'prefers harmful', 'cases'], principleRows),
    },
  };
}
