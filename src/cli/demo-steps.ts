// Steps of `lvh demo` that run the simulator and the model organism; each returns its summary and report section.
import { existsSync } from 'node:fs';
import { loadGeometry, pathPoint } from '../theory/index.js';
import { formatSimulation, runSimulation } from '../simulate/index.js';
import { htmlTable, renderSvg, type ReportSection } from '../report/index.js';

/** A finished demo step: a name (its key in demo.json), its JSON summary and its section of report.html. */
export interface DemoStep {
  name: string;
  summary: unknown;
  section: ReportSection;
}

/** Step 2: seeded Monte-Carlo RLAIF on one geometry, every measured quantity against its closed form. */
export async function demoSimulationStep(geometryPath: string, say: (text: string) => void): Promise<DemoStep> {
  say('\n== 2. Simulation: Monte-Carlo RLAIF (AI judge → reward model → optimised policy) against the theory ==\n');
  const geometry = loadGeometry(geometryPath);
  const result = runSimulation(geometry, { seed: 1, eta: [0, 0.5, 1, 1.376, 2, 5, 10, 100] });
  say(formatSimulation(result, geometryPath));
  const points = result.path.map((p) => ({
    eta: p.eta,
    predicted: p.predicted.alignment,
    measured: p.measured.alignment,
    low: p.interval.alignment[0],
    high: p.interval.alignment[1],
  }));
  // The theory as a dense curve (log-spaced eta), the simulation as points with intervals.
  const curve = Array.from({ length: 121 }, (_, i) => (i === 0 ? 0 : 10 ** (-2 + (4 * (i - 1)) / 119))).map((eta) => ({ eta, theory: pathPoint(geometry, eta).alignment }));
  const x = { field: 'eta', type: 'quantitative' as const, scale: { type: 'symlog' as const, constant: 0.1 }, title: 'eta (reward strength / KL weight)', axis: { values: [0, 0.1, 0.5, 1, 2, 5, 10, 100], format: '~r' } };
  const yTitle = 'alignment cos(theta, v*)';
  const svg = await renderSvg({
    title: 'Alignment of the RLAIF policy: theory and simulation',
    width: 520,
    height: 260,
    layer: [
      { data: { values: curve }, mark: { type: 'line' }, encoding: { x, y: { field: 'theory', type: 'quantitative', title: yTitle, scale: { zero: false } } } },
      { data: { values: points }, mark: { type: 'errorbar' }, encoding: { x, y: { field: 'low', type: 'quantitative', title: yTitle }, y2: { field: 'high' } } },
      { data: { values: points }, mark: { type: 'point', filled: true, color: '#c0392b' }, encoding: { x, y: { field: 'measured', type: 'quantitative', title: yTitle } } },
    ],
  });
  const rows = result.checks.map((c) => [c.quantity, c.measured, `[${c.low.toFixed(4)}, ${c.high.toFixed(4)}]`, c.predicted, c.within ? 'OK' : 'OUTSIDE']);
  return {
    name: 'simulation',
    summary: result,
    section: {
      heading: '2. Monte-Carlo RLAIF on the overshoot geometry',
      text: `${result.options.pairs} AI-labelled pairs (Bradley-Terry judge, lambda ${result.options.lambda}), a logistic reward model, then the exact tilt, best-of-n and a KL-penalised policy gradient. ${result.checks.length - result.outside.length} of ${result.checks.length} predictions lie inside their 95% intervals.`,
      svg,
      data: points,
      html: htmlTable(['quantity', 'measured', '95% interval', 'predicted', ''], rows),
    },
  };
}

/** Step 4: the default model organism's probes, judgments and generations (skipped with a message when absent). */
export async function demoOrganismStep(modelDir: string, say: (text: string) => void): Promise<DemoStep> {
  say('\n== 4. Model organism: a GPT trained on a world with known values (models/organism-default) ==\n');
  if (!existsSync(`${modelDir}/config.json`)) {
    const reason = `no checkpoint at ${modelDir}; train one with: lvh organism train --out ${modelDir}`;
    say(reason);
    return { name: 'organism', summary: { skipped: reason }, section: { heading: '4. Model organism', text: reason } };
  }
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
  const principleRows = Object.entries(result.judgment).map(([name, j]) => [name, j.proSocial ? 'pro-social' : 'anti-social', j.seenInComparisons ? 'yes' : 'no (commentary only)', j.accuracy, j.prefersHarmful, j.cases]);
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
