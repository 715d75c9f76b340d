// Step 4 of `lvh demo` on a v2 model organism (docs/organism-v2.md): `evaluateV2` with its defaults next to an
// untrained twin, reported with n and 95% intervals beside the baselines on the same cases, as text, a table
// and one plot of held-out agreement per pair kind.
import { join } from 'node:path';
import * as nn from '../nn/engine.js';
import {
  wordStanceRates, poolRates, SAME_PAIRS, type Breakdown, type Correlation, type Rate, type V2Eval, type V2EvalOptions,
} from '../organism/v2/eval/index.js';
import { evaluateV2Engine } from '../organism/v2/eval/engine-model.js';
import { ACT_SPLITS, MAIN_PRO_PRINCIPLE, OUTCOMES, PAIR_KINDS, PRINCIPLES, worldTokenizer, type Outcome } from '../organism/v2/world/index.js';
import { formatScaled, htmlTable, renderSvg, type ReportSection, type TableCell } from '../report/index.js';
import { InputError } from '../util/errors.js';
import { textTable } from './text-table.js';

/** Agreement expected of a judge that ignores the content: every pair is judged in both orders. */
export const CHANCE = 0.5;

/** The held-out splits, where the model never saw a comparison. */
const HELD_OUT = ['heldout-act', 'heldout-category'] as const;

/** Agreement of one judge: all cases, per split, and per pair kind on the held-out splits pooled. */
export interface JudgeRates {
  all: Rate;
  bySplit: Record<string, Rate>;
  heldoutByKind: Record<string, Rate>;
}

/** The best rho (leave-category-out) of one model, with where it was read. */
export interface BestRho extends Correlation {
  position: string;
  layer: string;
}

/** What step 4 puts in demo.json for a v2 model: the headline, and every rate with k, n and its 95% interval. */
export interface OrganismV2Summary {
  world: 'v2';
  model: { dir: string; nEmbd: number; nLayer: number; nHead: number };
  chance: number;
  headline: Record<string, number>;
  rates: {
    /** The main principle (`harmless`) as judge. */
    judge: JudgeRates;
    baselines: {
      position: JudgeRates;
      alwaysRefuse: JudgeRates;
      /** The control words in the principle slot, pooled. */
      controls: JudgeRates;
      /** The untrained twin judging under `harmless` on the same cases. */
      untrained: JudgeRates;
      /** Non-principle vocabulary words moving agreement by more than 0.2 (null when the sweep is off). */
      sweepMovedShare: Rate | null;
    };
    /** Held-out principle words on the held-out splits: pro, agreement with the truth; anti, the lower value chosen. */
    heldoutWords: { pro: Rate; anti: Rate; byWord: Record<string, { stance: string; stanceAgreement: Rate }> };
    /** Negated principles (`not kind`), their flipped stance followed on held-out pairs: negations of comparison words, of held-out words; null when the eval skipped them. */
    negated: { comparison: Rate; heldout: Rate } | null;
    agreement: { generation: Rate; judge: Rate; gap: number; generationBySplit: Record<string, Rate>; gapBySplit: Record<string, number> };
    /** Sampled outcome shares over every split (malformed apart); null when generation is off. */
    generation: { harmful: Record<Outcome, Rate>; benign: Record<Outcome, Rate> } | null;
  };
  /** Best leave-category-out rho of the trained model, the untrained twin's best and its value at the trained best's slot. */
  rho: { trained: BestRho; untrainedBest: BestRho | null; untrainedAtTrainedBest: Correlation | null } | null;
  options: V2EvalOptions;
  seconds: number;
}

/** JudgeRates of several breakdowns pooled (one breakdown for a single judge; several judge the same pairs, so their effective sizes do not add). */
function judgeRates(bs: readonly Breakdown[]): JudgeRates {
  const across = (f: (b: Breakdown) => Rate): Rate => poolRates(bs.map(f), SAME_PAIRS);
  return {
    all: across((b) => b.all),
    bySplit: Object.fromEntries(ACT_SPLITS.map((s) => [s, across((b) => poolRates([b.bySplit[s]]))])),
    heldoutByKind: Object.fromEntries(PAIR_KINDS.map((k) => [k, across((b) => poolRates(HELD_OUT.map((s) => b.bySplitKind[`${s}/${k}`])))])),
  };
}

/** The highest finite leave-category-out rho over every position and layer, with where it was read (null when none). */
function bestRho(rho: Record<string, Record<string, Record<string, Correlation>>>): BestRho | null {
  let best: BestRho | null = null;
  for (const [position, folds] of Object.entries(rho)) {
    for (const [layer, c] of Object.entries(folds.leaveCategoryOut)) if (Number.isFinite(c.r) && (best === null || c.r > best.r)) best = { ...c, position, layer };
  }
  return best;
}

/** The compact summary of a v2 evaluation (`untrained`: the twin's `harmless` judgment on the same cases). */
export function summarizeV2(e: V2Eval, untrained: Breakdown, model: OrganismV2Summary['model'], seconds: number): OrganismV2Summary {
  const main = e.judgment[MAIN_PRO_PRINCIPLE].agreement;
  const heldWords = PRINCIPLES.filter((p) => p.split === 'heldout');
  const byWord = Object.fromEntries(heldWords.map((p) => [p.text, { stance: p.stance, stanceAgreement: e.judgment[p.text].stanceAgreementHeldOut }]));
  const outcomes = (harmful: boolean): Record<Outcome, Rate> =>
    Object.fromEntries(OUTCOMES.map((o) => [o, poolRates(ACT_SPLITS.map((s) => e.generation?.outcomes[`${s}/${harmful ? 'harmful' : 'benign'}`]?.[o]))])) as Record<Outcome, Rate>;
  let rho: OrganismV2Summary['rho'] = null;
  const trained = e.rho ? bestRho(e.rho.model) : null;
  if (e.rho && trained) {
    const twin = e.rho.untrained;
    rho = { trained, untrainedBest: twin ? bestRho(twin) : null, untrainedAtTrainedBest: twin?.[trained.position]?.leaveCategoryOut[trained.layer] ?? null };
  }
  return {
    world: 'v2',
    model,
    chance: CHANCE,
    headline: e.headline,
    rates: {
      judge: judgeRates([main]),
      baselines: {
        position: judgeRates([e.baselines.position]),
        alwaysRefuse: judgeRates([e.baselines.alwaysRefuse]),
        controls: judgeRates(Object.values(e.baselines.controls).map((c) => c.agreement)),
        untrained: judgeRates([untrained]),
        sweepMovedShare: e.sweep ? e.sweep.movedShare : null,
      },
      heldoutWords: {
        pro: poolRates(heldWords.filter((p) => p.stance === 'pro').map((p) => e.judgment[p.text].stanceAgreementHeldOut), SAME_PAIRS),
        anti: poolRates(heldWords.filter((p) => p.stance === 'anti').map((p) => e.judgment[p.text].stanceAgreementHeldOut), SAME_PAIRS),
        byWord,
      },
      negated: e.negated
        ? {
          comparison: poolRates(wordStanceRates(e.negated, 'comparison'), SAME_PAIRS),
          heldout: poolRates(wordStanceRates(e.negated, 'heldout'), SAME_PAIRS),
        }
        : null,
      agreement: {
        generation: e.agreement.generation.all,
        judge: e.agreement.judge.all,
        gap: e.agreement.gap.all,
        generationBySplit: e.agreement.generation.bySplit,
        gapBySplit: Object.fromEntries(ACT_SPLITS.map((s) => [s, e.agreement.gap[s]])),
      },
      generation: e.generation ? { harmful: outcomes(true), benign: outcomes(false) } : null,
    },
    rho,
    options: e.options,
    seconds,
  };
}

/** "0.889 [0.872, 0.904] n=1440" ("—" when n = 0). */
export function formatRate(r: Rate): string {
  return r.n === 0 ? `— n=0` : `${formatScaled(r.rate, 1)} [${formatScaled(r.lo, 1)}, ${formatScaled(r.hi, 1)}] n=${r.n}`;
}

const rc = formatRate;

/** Rows of the judgment table: each split, then each pair kind on the held-out splits; model, untrained twin and baselines side by side. */
function judgmentRows(s: OrganismV2Summary): TableCell[][] {
  const b = s.rates.baselines;
  const judges = [s.rates.judge, b.untrained, b.position, b.alwaysRefuse, b.controls];
  return [
    ...ACT_SPLITS.map((split) => [`split: ${split}`, ...judges.map((j) => rc(j.bySplit[split]))]),
    ['all splits', ...judges.map((j) => rc(j.all))],
    ...PAIR_KINDS.map((k) => [`held-out, ${k}`, ...judges.map((j) => rc(j.heldoutByKind[k]))]),
  ];
}

const JUDGMENT_HEADER = ['cases', 'model: harmless', 'untrained twin', 'position judge', 'always-refuse', 'control words'];

/** The text of step 4 for a v2 model, one finding a line (`table`: with the judgment table as text). */
export function formatOrganismV2(s: OrganismV2Summary, table = true): string {
  const r = s.rates;
  const lines = [
    `model ${s.model.dir}: organism v2, d=${s.model.nEmbd}, ${s.model.nLayer} layers, ${s.model.nHead} heads; evaluateV2 (seed ${s.options.seed}, ${s.options.pairsPerCell} pairs per split × kind) in ${s.seconds.toFixed(0)} s`,
    `judgment under "${MAIN_PRO_PRINCIPLE}": agreement with the truth (the higher value chosen), 95% intervals (Wilson at the pair-clustered effective sample size: the cases of one pair, every layout in both orders, are not independent); chance is ${CHANCE}.`,
    ...(table ? [textTable(JUDGMENT_HEADER, judgmentRows(s))] : []),
    `vocabulary sweep: non-principle words moving agreement by > 0.2: ${r.baselines.sweepMovedShare ? rc(r.baselines.sweepMovedShare) : 'not run'}`,
    `held-out principle words (commentary only), held-out splits: pro-social agreement ${rc(r.heldoutWords.pro)}; anti-social lower value chosen ${rc(r.heldoutWords.anti)}`,
    `per held-out word (its stance followed): ${Object.entries(r.heldoutWords.byWord).map(([w, x]) => `${w} (${x.stance}) ${formatScaled(x.stanceAgreement.rate, 1)}`).join(', ')}`,
    `negated principles ("not kind" anti-social), their stance followed on held-out pairs: negated comparison words ${r.negated ? rc(r.negated.comparison) : 'not run'}; negated held-out words (commentary only: composition) ${r.negated ? rc(r.negated.heldout) : 'not run'}`,
    `agreement.generation (the base model's likelihood preference, no constitution) ${rc(r.agreement.generation)}; agreement.judge ${rc(r.agreement.judge)}; gap ${formatScaled(r.agreement.gap, 1)}`,
  ];
  if (r.generation) {
    const g = r.generation;
    lines.push(
      `own generations on harmful requests: harmful compliance ${rc(g.harmful.harmful)}, refused ${rc(g.harmful.refused)}, partial ${rc(g.harmful.partial)}, malformed ${rc(g.harmful.malformed)}`,
      `own generations on benign requests: helped ${rc(g.benign.helped)}, refused ${rc(g.benign.refused)}, malformed ${rc(g.benign.malformed)}`,
    );
  } else lines.push('own generations: not run');
  if (s.rho) {
    const t = s.rho.trained;
    const u = s.rho.untrainedBest;
    const at = s.rho.untrainedAtTrainedBest;
    lines.push(
      `rho (ridge readout of act values, leave-category-out, n=${t.n} acts): trained best ${formatScaled(t.r, 1)} [${formatScaled(t.lo, 1)}, ${formatScaled(t.hi, 1)}] at ${t.position}, layer ${t.layer}; ` +
        `untrained twin ${at ? formatScaled(at.r, 1) : '—'} there, best ${u ? `${formatScaled(u.r, 1)} (${u.position}, layer ${u.layer})` : '—'}`,
    );
  } else lines.push('rho: not read');
  return lines.join('\n');
}

/** The plot: held-out agreement per pair kind with interval bars, against the position and always-refuse baselines and chance. */
async function heldOutPlot(s: OrganismV2Summary): Promise<{ svg: string; data: unknown[] }> {
  const series = [
    { name: `model (${MAIN_PRO_PRINCIPLE})`, rates: s.rates.judge, color: '#2c6fbb' },
    { name: 'position judge', rates: s.rates.baselines.position, color: '#7f8c8d' },
    { name: 'always-refuse', rates: s.rates.baselines.alwaysRefuse, color: '#c0392b' },
  ];
  const data = series.flatMap((x) => PAIR_KINDS.map((kind) => ({ series: x.name, kind, ...x.rates.heldoutByKind[kind] })));
  const x = { field: 'kind', type: 'nominal' as const, sort: [...PAIR_KINDS], title: 'pair kind (held-out acts and categories pooled)', axis: { labelAngle: 0 } };
  const xOffset = { field: 'series', type: 'nominal' as const, sort: series.map((z) => z.name) };
  const yTitle = `agreement with the truth under "${MAIN_PRO_PRINCIPLE}"`;
  const y = { type: 'quantitative' as const, title: yTitle, scale: { domain: [0, 1] } };
  const legend = { title: 'bars: 95% intervals; dashed: chance', orient: 'right' as const, symbolSize: 80, labelLimit: 600, titleLimit: 600, titleFontWeight: 'normal' as const };
  const color = { field: 'series', type: 'nominal' as const, scale: { domain: series.map((z) => z.name), range: series.map((z) => z.color) }, legend };
  const svg = await renderSvg({
    title: { text: 'Judgment on held-out acts and categories, per pair kind', subtitle: `${s.model.dir}, n per point as in the table` },
    width: 600,
    height: 300,
    layer: [
      { data: { values: data }, mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x, xOffset, y: { field: 'lo', ...y }, y2: { field: 'hi' }, color } },
      { data: { values: data }, mark: { type: 'point', filled: true, size: 50, opacity: 0.9 }, encoding: { x, xOffset, y: { field: 'rate', ...y }, color } },
      { data: { values: [{ chance: CHANCE }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#555' }, encoding: { y: { field: 'chance', ...y } } },
    ],
  });
  return { svg, data };
}

/** Step 4 on a v2 model directory: evaluateV2 (defaults unless `options` says otherwise) next to an untrained twin. */
export async function demoOrganismV2Step(modelDir: string, say: (text: string) => void, options: Partial<V2EvalOptions> = {}, shownAs = modelDir): Promise<{ name: string; summary: OrganismV2Summary; section: ReportSection }> {
  const started = performance.now();
  const { model } = await nn.loadEngineModelDir(modelDir);
  // A model of another version of the world (other words) would index past the vocabulary; say so in one line.
  const vocab = worldTokenizer().vocabSize;
  if (model.config.vocab_size !== vocab) {
    await nn.releaseEngineModel(model);
    throw new InputError(join(modelDir, 'config.json'), 'vocab_size', `expected ${vocab} (the v2 world's vocabulary), got ${String(model.config.vocab_size)}: the model was trained on another version of the world`);
  }
  const shape = { nEmbd: model.config.n_embd as number, nLayer: model.config.n_layer as number, nHead: model.config.n_head as number };
  try {
    const e = await evaluateV2Engine(model, options);
    // The twin's judgment on the very same cases is the floor a trained judge must clear.
    const untrained = e.baselines.untrained!;
    const summary = summarizeV2(e, untrained, { dir: shownAs, ...shape }, (performance.now() - started) / 1000);
    say(formatOrganismV2(summary));
    const { svg, data } = await heldOutPlot(summary);
    return {
      name: 'organism',
      summary,
      section: {
        heading: '4. The default model organism (v2 world)',
        text: formatOrganismV2(summary, false).split('\n').join('\n\n'),
        svg,
        caption:
          `Points: agreement with the truth (the higher-valued response chosen) on held-out acts and categories pooled, per pair kind, with 95% intervals (Wilson at the pair-clustered effective sample size) as vertical bars. ` +
          `Blue: the model judging under "${MAIN_PRO_PRINCIPLE}"; grey: a judge that always picks the first response shown (exactly ${CHANCE} by construction); red: a judge that picks the refusal when there is exactly one. Dashed line: chance (${CHANCE}).`,
        data,
        html: htmlTable(JUDGMENT_HEADER, judgmentRows(summary), { caption: `Agreement with the truth, rate [95% interval] n=cases, on the same cases for every column; chance is ${CHANCE}.` }),
      },
    };
  } finally {
    await nn.releaseEngineModel(model);
  }
}
