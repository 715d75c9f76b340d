/**
 * The v2 evaluation as text (`lvh organism eval` and the model card): every headline number with n and its 95%
 * Wilson interval where it is a rate, the main principle per split × pair kind, the held-out principle words,
 * the baselines, the generation/judge agreement, generation outcomes and rho next to the untrained twin's.
 */
import { ACT_SPLITS, MAIN_PRO_PRINCIPLE, OUTCOMES, PAIR_KINDS, PRINCIPLES } from '../world/index.js';
import { WORD_SPLITS, wordStanceRates, type V2Eval } from './evaluate.js';
import { poolRates, SAME_PAIRS, type Correlation, type Rate } from './stats.js';

/** `0.812 [0.790, 0.832] n=4320`; `n/a n=0` for an empty rate. */
export function formatV2Rate(r: Rate): string {
  return r.n === 0 ? 'n/a n=0' : `${r.rate.toFixed(3)} [${r.lo.toFixed(3)}, ${r.hi.toFixed(3)}] n=${r.n}`;
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

/** The Rate behind each headline number that is a rate (the others are differences or correlations). */
export function headlineRates(e: V2Eval): Record<string, Rate> {
  const main = e.judgment[MAIN_PRO_PRINCIPLE].agreement;
  const out: Record<string, Rate> = {
    'judge.main.all': main.all,
    'baseline.position': e.baselines.position.all,
    'baseline.alwaysRefuse': e.baselines.alwaysRefuse.all,
    'agreement.generation': e.agreement.generation.all,
    'agreement.judge': e.agreement.judge.all,
    'baseline.controls': poolRates(Object.values(e.baselines.controls).map((c) => c.agreement.all), SAME_PAIRS),
  };
  for (const s of ACT_SPLITS) if (main.bySplit[s]) out[`judge.main.${s}`] = main.bySplit[s];
  for (const k of PAIR_KINDS) out[`judge.main.heldout.${k}`] = poolRates(['heldout-act', 'heldout-category'].map((s) => main.bySplitKind[`${s}/${k}`]));
  for (const stance of ['pro', 'anti'] as const) {
    out[`judge.heldoutWords.${stance}.stanceAgreement`] = poolRates(PRINCIPLES.filter((p) => p.stance === stance && p.split === 'heldout').map((p) => e.judgment[p.text]?.stanceAgreementHeldOut), SAME_PAIRS);
  }
  if (e.negated) for (const split of WORD_SPLITS) out[`judge.negated.${split}.stanceAgreement`] = poolRates(wordStanceRates(e.negated, split), SAME_PAIRS);
  if (e.judging) for (const split of WORD_SPLITS) out[`judge.judgingWords.${split}.stanceAgreement`] = poolRates(wordStanceRates(e.judging, split), SAME_PAIRS);
  if (e.sweep) out['sweep.movedShare'] = e.sweep.movedShare;
  if (e.generation) {
    const g = e.generation;
    out['generation.harmfulCompliance'] = poolRates(ACT_SPLITS.map((s) => g.outcomes[`${s}/harmful`]?.harmful));
    out['generation.malformed'] = poolRates(Object.values(g.outcomes).map((o) => o.malformed));
  }
  return out;
}

/** The best correlation of one fold kind over positions and layers, with where it was read. */
export function bestRhoOf(rho: Record<string, Record<string, Record<string, Correlation>>>, foldKind: string): { c: Correlation; position: string; layer: string } | undefined {
  let best: { c: Correlation; position: string; layer: string } | undefined;
  for (const [position, byFold] of Object.entries(rho)) {
    for (const [layer, c] of Object.entries(byFold[foldKind] ?? {})) if (Number.isFinite(c.r) && (!best || c.r > best.c.r)) best = { c, position, layer };
  }
  return best;
}

const formatRho = (b: ReturnType<typeof bestRhoOf>) => (b ? `${f3(b.c.r)} [${f3(b.c.lo)}, ${f3(b.c.hi)}] n=${b.c.n} (layer ${b.layer}, at ${b.position})` : 'n/a');

/** The compact text report of a v2 evaluation, one line each. */
export function formatV2Eval(e: V2Eval): string[] {
  const rates = headlineRates(e);
  const lines = [
    `organism v2 evaluation: ${e.pairs.total} pairs (${e.options.pairsPerCell} per split × pair kind), main principle "${MAIN_PRO_PRINCIPLE}"; ${e.seconds.toFixed(1)} s; rates: value [95% interval: Wilson, pair-clustered for judgments] n=cases`,
    'headline:',
  ];
  for (const [k, v] of Object.entries(e.headline)) lines.push(`  ${k} ${rates[k] ? formatV2Rate(rates[k]) : f3(v)}`);
  const main = e.judgment[MAIN_PRO_PRINCIPLE].agreement;
  lines.push(`${MAIN_PRO_PRINCIPLE} by split × pair kind:`);
  for (const s of ACT_SPLITS) {
    lines.push(`  ${s}: ${PAIR_KINDS.filter((k) => main.bySplitKind[`${s}/${k}`]).map((k) => `${k} ${formatV2Rate(main.bySplitKind[`${s}/${k}`])}`).join('; ')}`);
  }
  lines.push(`  order: higher shown first ${formatV2Rate(main.byOrder.higherFirst)}, second ${formatV2Rate(main.byOrder.higherSecond)}`);
  const held = PRINCIPLES.filter((p) => p.split === 'heldout' && e.judgment[p.text]);
  lines.push(`held-out principle words (agreement with their stance on held-out acts): ${held.map((p) => `${p.text} (${p.stance}) ${formatV2Rate(e.judgment[p.text].stanceAgreementHeldOut)}`).join('; ')}`);
  if (e.negated) {
    const neg = Object.entries(e.negated);
    lines.push(`negated principles (stance flipped; agreement with it on held-out acts): ${neg.map(([t, r]) => `${t} (${r.stance}${r.split === 'heldout' ? ', held-out word' : ''}) ${formatV2Rate(r.stanceAgreementHeldOut)}`).join('; ')}`);
  }
  if (e.judging) {
    lines.push(`judgment words in the slot (agreement with their level's stance on held-out acts; asked as questions only under judgmentShare): ${Object.entries(e.judging).map(([t, r]) => `${t} (${r.stance}${r.split === 'heldout' ? ', never asked' : ''}) ${formatV2Rate(r.stanceAgreementHeldOut)}`).join('; ')}`);
  }
  const b = e.baselines;
  lines.push(`baselines: position ${formatV2Rate(b.position.all)}; always-refuse ${formatV2Rate(b.alwaysRefuse.all)}`);
  lines.push(`  controls (a non-principle word in the slot): ${Object.entries(b.controls).map(([w, c]) => `${w} ${formatV2Rate(c.agreement.all)}`).join('; ')}`);
  if (e.sweep) lines.push(`  vocabulary sweep: moved share ${formatV2Rate(e.sweep.movedShare)} (agreement with <unk> ${f3(e.sweep.baseline)}, ${e.sweep.cases} cases per word${e.sweep.moved.length ? `; moved: ${e.sweep.moved.slice(0, 12).join(', ')}${e.sweep.moved.length > 12 ? ', …' : ''}` : ''})`);
  const a = e.agreement;
  lines.push(`agreement: generation (base model's preference) ${formatV2Rate(a.generation.all)}; judge ${formatV2Rate(a.judge.all)}; gap (judge − generation) ${Object.entries(a.gap).map(([k, v]) => `${k} ${f3(v)}`).join(', ')}`);
  if (e.generation) {
    lines.push(`generation outcomes (${e.generation.samples} samples):`);
    for (const [k, o] of Object.entries(e.generation.outcomes)) lines.push(`  ${k}: ${OUTCOMES.map((x) => `${x} ${formatV2Rate(o[x])}`).join('; ')}`);
  } else lines.push('generation: skipped');
  if (e.rho) {
    const folds = [...new Set(Object.values(e.rho.model).flatMap((p) => Object.keys(p)))];
    for (const fk of folds) {
      lines.push(`rho ${fk} (best layer and position): model ${formatRho(bestRhoOf(e.rho.model, fk))}${e.rho.untrained ? `; untrained twin ${formatRho(bestRhoOf(e.rho.untrained, fk))}` : ''}`);
    }
  } else lines.push('rho: skipped');
  return lines;
}
