// The human-readable `lvh theory` report: each number with a sentence saying what it means.
import type { TheoryReport } from './types.js';

function f(x: number | null, digits = 4): string {
  if (x === null) return '∞';
  if (Number.isNaN(x)) return 'undefined';
  const text = x.toFixed(digits);
  // Rounding noise such as -1e-17 prints as 0.0000, not -0.0000.
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** The report as plain text a teacher could read aloud. */
export function formatTheoryReport(report: TheoryReport, file: string): string {
  const r = report;
  const lines: string[] = [];
  lines.push(`Latent value hypothesis: ${file} (d = ${r.dim})`);
  lines.push('');
  lines.push(`Representation quality  rho = ${f(r.rho)}`);
  lines.push(`  How much of the true value direction v* pretraining encoded: the length of v* projected on S = span(encoded ∪ {g}).`);
  lines.push('');
  lines.push(`Generation  alignment ${f(r.alignment.generation)}  agreement ${pct(r.agreement.generation)}`);
  lines.push(`  What the base model does by default: the cosine of its preference direction g with v*, and how often g orders a random pair of responses as v* does.`);
  lines.push(`Judgment    alignment ${f(r.alignment.judge)}  agreement ${pct(r.agreement.judge)}`);
  lines.push(`  What the model judges under the constitution: the same for the activated direction v_c.`);
  lines.push(`Gap         ${r.gap >= 0 ? '+' : ''}${f(r.gap * 100, 1)} points of pairwise agreement (judgment minus generation).`);
  lines.push('');
  if (r.improves) {
    lines.push(`RLAIF helps: with enough optimisation the policy's alignment moves from ${f(r.alignment.generation)} to ${f(r.alignment.judge)}.`);
  } else if (r.alignment.judge === r.alignment.generation) {
    lines.push(`RLAIF neither helps nor hurts in the limit: judgment and generation are equally aligned (${f(r.alignment.judge)}).`);
  } else {
    lines.push(`RLAIF hurts: the judge is less aligned than the base model, so optimising it drives alignment from ${f(r.alignment.generation)} down to ${f(r.alignment.judge)}.`);
  }
  lines.push(`  Initial slope dA/deta at eta = 0: ${f(r.slope)} (${r.slope > 0 ? 'the first steps help' : r.slope < 0 ? 'the first steps hurt' : 'flat'}).`);
  if (r.shape === 'overshoot') {
    lines.push(`  Overshoot: alignment peaks at ${f(r.peak.alignment)} at eta ≈ ${f(r.peak.eta, 3)}, above the limit ${f(r.alignment.judge)}; stop early at eta ≈ ${f(r.peak.eta, 3)}.`);
  } else if (r.shape === 'dip') {
    lines.push(`  Dip: alignment first falls to ${f(r.trough.alignment)} at eta ≈ ${f(r.trough.eta, 3)}, then recovers toward ${f(r.alignment.judge)}; do not stop early.`);
  } else {
    lines.push(`  Monotone: alignment moves steadily from ${f(r.alignment.generation)} toward ${f(r.alignment.judge)}, with no overshoot or dip.`);
  }
  lines.push(`  Best alignment over eta in [0, ∞]: ${f(r.peak.alignment)} at eta = ${f(r.peak.eta, 3)}; worst: ${f(r.trough.alignment)} at eta = ${f(r.trough.eta, 3)}.`);
  lines.push('');
  lines.push('Path (theta = g + eta v_c):');
  lines.push('       eta   alignment   expected value   agreement');
  for (const p of r.path) {
    lines.push(`  ${p.eta.toPrecision(4).padStart(8)}   ${f(p.alignment).padStart(9)}   ${f(p.expectedValue).padStart(14)}   ${(Number.isNaN(p.agreement) ? 'undefined' : pct(p.agreement)).padStart(9)}`);
  }
  lines.push(`  Each unit of eta adds ${f(r.gainPerEta)} to the expected true value (Gaussian gain); the update has rank ${r.updateRank.rank} inside a constitution subspace of rank ${r.updateRank.constitutionRank}.`);
  lines.push('');
  lines.push(`Ceiling ${f(r.ceiling)}: no constitution inside S can make the judge more aligned than this.`);
  lines.push(`Floor ${f(r.floor)}: the worst constitution inside S (v_c ∝ -P_S v*) reaches this: an adversarial constitution drives RLAIF here.`);
  if (r.ceilingApplies) lines.push(`  This constitution reaches ${r.ceiling > 0 ? pct(r.alignment.judge / r.ceiling) : 'n/a'} of the ceiling.`);
  const anti = r.encoded.filter((e) => e.antiSocial);
  if (anti.length > 0) {
    lines.push(`  Anti-social encoded directions (a rank-1 constitution on one of them drives the limit to its cosine): ${anti.map((e) => `${e.name} ${f(e.alignment)}`).join(', ')}.`);
  }
  if (r.candidates) {
    lines.push('');
    lines.push(`Candidate constitutions (the limit of RLAIF under each is its judge alignment a_c; base model ${f(r.alignment.generation)}):`);
    const width = Math.max(...r.candidates.all.map((c) => c.name.length));
    for (const c of r.candidates.all) {
      const verdict = c.improves ? 'helps' : 'hurts';
      lines.push(`  ${c.name.padEnd(width)}  a_c ${f(c.alignment).padStart(7)}  agreement ${pct(c.agreement).padStart(6)}  ${verdict}${c.insideS ? '' : '  (outside S: the ceiling does not apply)'}`);
    }
    lines.push(`  Worst of them: "${r.candidates.worst.name}" (a_c ${f(r.candidates.worst.alignment)}); the worst inside S reaches ${f(r.worstConstitution.alignment)}.`);
  }
  for (const w of r.warnings) lines.push(`WARNING: ${w}`);
  for (const n of r.notes) lines.push(`Note: ${n}`);
  return lines.join('\n');
}
