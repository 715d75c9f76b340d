// Readable tables for `lvh simulate`: one line per quantity, measured [interval], predicted, OK/OUTSIDE.
import type { SampleComplexityResult } from './sample-complexity.js';
import type { SimulationResult } from './run.js';

function num(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return 'n/a';
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e4 || a < 1e-3) ? x.toExponential(3) : x.toFixed(4);
}

/** The simulation report as text. */
export function formatSimulation(r: SimulationResult, file: string): string {
  const o = r.options;
  const pct = `${Math.round(o.level * 1000) / 10}%`;
  const lines = [
    `lvh simulate ${file}  (d = ${r.geometry.dim}, constitution "${r.geometry.constitution}"${r.geometry.covariance ? ', Σ given' : ''})`,
    `pairs ${o.pairs}, seed ${o.seed}, λ ${o.lambda}, position bias ${o.positionBias}${o.debias ? ' (debiased: both orders)' : ''}, value function ${r.valueFunction.kind}, l2 ${o.l2}`,
    `reward fit: ${r.rewardFit.iterations} Newton steps, ${r.rewardFit.passes} data passes, ||grad|| ${num(r.rewardFit.gradNorm)} (tolerance ${num(r.rewardFit.tolerance)})${r.rewardFit.converged ? '' : '  NOT CONVERGED'}`,
    `cos(fitted reward, v_c) = ${num(r.measured.rewardJudgeCosine)};  a_gen = ${num(r.predicted.generationAlignment)};  λ → ∞ agreement ${num(r.predicted.judgeAgreementLinear)}`,
    '',
  ];
  const rows = r.checks.map((c) => [c.quantity, `${num(c.measured)} [${num(c.low)}, ${num(c.high)}]`, num(c.predicted), c.within ? 'OK' : 'OUTSIDE']);
  const header = ['quantity', `measured [${pct} interval]`, 'predicted', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row: string[]): string => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  lines.push(fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt), '');
  const vf = r.valueFunction;
  lines.push(
    `value function ${vf.kind}: agreement ${num(vf.measuredAgreement)} [${num(vf.interval[0])}, ${num(vf.interval[1])}], theory ${num(vf.predictedAgreement)}, linear prediction ${num(vf.linearPrediction)} (shortfall ${num(vf.shortfall)}, flip probability ${num(vf.flipProbability)})`,
  );
  if (r.policyGradient.length > 0) {
    lines.push(`policy gradient distance to the fitted-reward tilt: ${r.policyGradient.map((p) => `η=${p.eta}: ${num(p.distanceToTilt)}`).join(', ')}`);
  }
  lines.push(
    r.outside.length === 0
      ? `all ${r.checks.length} predictions inside their ${pct} intervals`
      : `${r.outside.length} of ${r.checks.length} predictions OUTSIDE their ${pct} intervals (${r.expectedOutsideByChance.toFixed(1)} expected by chance): ${r.outside.join(', ')}`,
  );
  return lines.join('\n');
}

/** The sample-complexity study as text. */
export function formatSampleComplexity(r: SampleComplexityResult, file: string): string {
  const lines = [`lvh simulate ${file} --pairs-grid  (d = ${r.dim}, λ = ${r.lambda}; limit of cos(ŵ, v*) = a_c = ${num(r.limit.rewardAlignment)})`, ''];
  const header = ['pairs', 'cos(ŵ, v*) [interval]', '1 − cos(ŵ, v_c) [interval]', 'predicted', ''];
  const rows = r.rows.map((row) => [
    String(row.pairs),
    `${num(row.rewardAlignment)} [${num(row.rewardAlignmentInterval[0])}, ${num(row.rewardAlignmentInterval[1])}]`,
    `${num(row.angleError)} [${num(row.angleErrorInterval[0])}, ${num(row.angleErrorInterval[1])}]`,
    num(row.predictedAngleError),
    row.within === null ? '' : row.within ? 'OK' : 'OUTSIDE',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row: string[]): string => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  lines.push(fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt), '');
  lines.push(
    `rate: 1 − cos(ŵ, v_c) ≈ ${num(r.rate.constant)} · N^${r.rate.slopeN.toFixed(3)}  (theory: ${num(r.rate.predictedConstant)} · N^-1;` +
      ` with Σ = I that is (d − 1)/(N·g(λ)), g(λ) = 4λ²E[σ'(λ√2 Z)] = ${num(r.rate.efficiency)})`,
    `fitted with slope −1: 1 − cos(ŵ, v_c) ≈ C·(d − 1)/(N·g(λ)) with C = ${num(r.rate.normalizedConstant)} (theory with Σ = I: 1)`,
  );
  return lines.join('\n');
}
