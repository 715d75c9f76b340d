// The headline numbers of a model-lab run (`lvh lab` and step 5 of `lvh demo`): one summary, one set of lines.
import type { Correlation, LabResult, Rate, Spread } from '../lab/index.js';

/** A rate with its 95% interval and n, as demo.json holds it. */
export type RateCI = Pick<Rate, 'rate' | 'low' | 'high' | 'n'>;

/** One constitution's headline: the two alignments with their intervals, and rho, at the layer of largest held-out rho. */
export interface LabConstitutionSummary {
  constitution: string;
  layer: number;
  alignmentJudge: number;
  alignmentJudgeInterval: [number, number] | null;
  alignmentGeneration: number;
  alignmentGenerationInterval: [number, number] | null;
  rho: Correlation;
  judgeAgreement: RateCI;
  /** The theory engine's verdict on RLAIF under this constitution (improves at small eta). */
  theoryImproves: boolean;
}

/** What step 5 puts in demo.json: the lab's headline numbers, where its run folder is, and what ran. */
export interface LabDemoSummary {
  world: string;
  /** The lab's run folder and report, relative to the demo's folder. */
  dir: string;
  report: string;
  /** Steps computed this time (a rerun resumes: none). */
  ran: string[];
  seconds: number;
  refusal: {
    hook: string;
    position: number;
    /** Selection rules relaxed to find a direction (empty: none). */
    relaxed: string[];
    baseline: { harmful: RateCI; harmless: RateCI };
    ablation: { refusal: RateCI; klHarmless: number; randomRefusal: Spread; randomKlHarmless: Spread };
    addition: { refusal: RateCI; klHarmless: number; randomRefusal: Spread };
    /** The addition at several multiples of the difference of means, each against random directions of the same norm. */
    additionDoses: { scale: number; refusal: RateCI; klHarmless: number; randomRefusal: Spread; sampledRefused: RateCI | null; sampledRandomRefused: Spread | null }[];
    /** Sampled whole responses (world v2): harmful compliance unedited and ablated, harmless refusals unedited and added. */
    responses: { harmfulComplied: RateCI; harmfulAblatedComplied: RateCI; harmlessRefused: RateCI; harmlessAddedRefused: RateCI } | null;
  };
  constitutions: LabConstitutionSummary[];
  ablateValue: {
    constitution: string;
    hook: string;
    baseline: RateCI;
    ablated: RateCI;
    random: Spread;
    randomMaxShift: number;
    /** v* (and the pairs' main axis) measured inside the judging prompt, one direction per hook, ablated there. */
    inContext: { value: RateCI; mainAxis: RateCI; random: Spread } | null;
  } | null;
  subspaces:
    | { skipped: string }
    | { hook: string; rank: number; participationRatio: number; randomParticipationRatio: number; compliance: { baseline: RateCI; subspace: RateCI; refusalDirection: RateCI; random: Spread } };
}

const ci = (x: RateCI): RateCI => ({ rate: x.rate, low: x.low, high: x.high, n: x.n });
export const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
export const rateText = (x: RateCI): string => `${f3(x.rate)} [${f3(x.low)}, ${f3(x.high)}] n=${x.n}`;
export const spreadText = (x: Spread): string => `${f3(x.mean)} (${f3(x.min)}–${f3(x.max)}, ${x.n} random)`;
export const intervalText = (x: [number, number] | null): string => (x ? ` [${f3(x[0])}, ${f3(x[1])}]` : '');

/** The headline numbers of a lab run. */
export function labSummary(result: LabResult, world: string, seconds: number): LabDemoSummary {
  const r = result.refusal.result;
  const q = result.quantities?.result.constitutions ?? [];
  const ab = result.ablateValue?.result;
  const s = result.subspaces.result;
  const subLayer = s.ablation ? s.layers?.find((l) => l.layer === s.ablation!.layer) : undefined;
  return {
    world, dir: 'lab', report: 'lab/report.html', ran: result.ran, seconds,
    refusal: {
      hook: r.selected.hook, position: r.selected.position, relaxed: r.selected.relaxed,
      baseline: { harmful: ci(r.baseline.harmful), harmless: ci(r.baseline.harmless) },
      ablation: { refusal: ci(r.ablation.refusal), klHarmless: r.ablation.klHarmless, randomRefusal: r.randomAblation.refusalRate, randomKlHarmless: r.randomAblation.klHarmless },
      addition: { refusal: ci(r.addition.refusal), klHarmless: r.addition.klHarmless, randomRefusal: r.randomAddition.refusalRate },
      additionDoses: (r.additionDoses ?? []).map((d) => ({
        scale: d.scale, refusal: ci(d.condition.refusal), klHarmless: d.condition.klHarmless, randomRefusal: d.random.refusalRate,
        sampledRefused: d.sampled ? ci(d.sampled.refused) : null, sampledRandomRefused: d.sampledRandom ? d.sampledRandom.refused : null,
      })),
      responses: r.responses ? {
        harmfulComplied: ci(r.responses.harmfulBase.complied), harmfulAblatedComplied: ci(r.responses.harmfulAblated.complied),
        harmlessRefused: ci(r.responses.harmlessBase.refused), harmlessAddedRefused: ci(r.responses.harmlessAddedOnPrompt.refused),
      } : null,
    },
    constitutions: q.map((c) => ({
      constitution: c.constitution, layer: c.bestLayer,
      alignmentJudge: c.alignment.judge, alignmentJudgeInterval: c.alignment.judgeInterval,
      alignmentGeneration: c.alignment.generation, alignmentGenerationInterval: c.alignment.generationInterval,
      rho: c.layers.find((l) => l.layer === c.bestLayer)!.rho, judgeAgreement: ci(c.agreement.judge), theoryImproves: c.theory.improves,
    })),
    ablateValue: ab ? {
      constitution: ab.constitution, hook: ab.hook, baseline: ci(ab.baseline), ablated: ci(ab.ablated), random: ab.random, randomMaxShift: ab.randomMaxShift,
      inContext: ab.inContext ? { value: ci(ab.inContext.value), mainAxis: ci(ab.inContext.mainAxis), random: ab.inContext.random } : null,
    } : null,
    subspaces: s.skipped || !s.ablation || !subLayer ? { skipped: s.skipped ?? 'no subspace ablation recorded' } : {
      hook: s.ablation.hook, rank: s.ablation.rank, participationRatio: subLayer.participationRatio, randomParticipationRatio: subLayer.random.participationRatio,
      compliance: { baseline: ci(s.ablation.baseline.compliance), subspace: ci(s.ablation.subspace.compliance), refusalDirection: ci(s.ablation.refusalDirection.compliance), random: s.ablation.random.compliance },
    },
  };
}

/** The summary as the lines step 5 prints (one per lab step). */
export function labSummaryLines(s: LabDemoSummary): string[] {
  const r = s.refusal;
  const lines = [
    `refusal direction ${r.hook} position ${r.position}${r.relaxed.length ? ` (relaxed: ${r.relaxed.join(', ')})` : ''}: ablated on harmful requests, refusal ${rateText(r.ablation.refusal)} (unedited ${f3(r.baseline.harmful.rate)}; random ${spreadText(r.ablation.randomRefusal)}), KL on harmless ${f3(r.ablation.klHarmless)} nats`,
    `  added on harmless requests: refusal ${rateText(r.addition.refusal)} (unedited ${f3(r.baseline.harmless.rate)}; random ${spreadText(r.addition.randomRefusal)})`,
    ...(r.additionDoses.length ? [`  added at ${r.additionDoses.map((d) => `${d.scale}×: ${f3(d.refusal.rate)} (random ≤ ${f3(d.randomRefusal.max)}, KL ${f3(d.klHarmless)})`).join('; ')}`] : []),
    ...(r.additionDoses.some((d) => d.sampledRefused) ? [`  sampled responses refused when added at ${r.additionDoses.filter((d) => d.sampledRefused).map((d) => `${d.scale}×: ${f3(d.sampledRefused!.rate)} (random ≤ ${f3(d.sampledRandomRefused?.max ?? NaN)})`).join('; ')}`] : []),
    ...(r.responses ? [`  sampled responses: harmful compliance ${rateText(r.responses.harmfulComplied)} unedited, ${rateText(r.responses.harmfulAblatedComplied)} ablated; harmless refused ${rateText(r.responses.harmlessRefused)} unedited, ${rateText(r.responses.harmlessAddedRefused)} added on the prompt`] : []),
    ...s.constitutions.map((c) => `"${c.constitution}" (layer ${c.layer}): alignment.judge ${f3(c.alignmentJudge)}${intervalText(c.alignmentJudgeInterval)}, alignment.generation ${f3(c.alignmentGeneration)}${intervalText(c.alignmentGenerationInterval)}, rho ${f3(c.rho.r)} [${f3(c.rho.low)}, ${f3(c.rho.high)}]; judge agreement ${rateText(c.judgeAgreement)}; theory: RLAIF ${c.theoryImproves ? 'improves' : 'does not improve'} alignment`),
  ];
  const ab = s.ablateValue;
  if (ab) lines.push(`v* ablated under "${ab.constitution}": agreement ${rateText(ab.ablated)} vs ${f3(ab.baseline.rate)} unedited; random ${spreadText(ab.random)}, largest shift ${f3(ab.randomMaxShift)}`);
  if (ab?.inContext) lines.push(`  v* measured in the judging prompt, ablated per hook: agreement ${rateText(ab.inContext.value)}; the pairs' main axis ${rateText(ab.inContext.mainAxis)}; random ${spreadText(ab.inContext.random)}`);
  const sub = s.subspaces;
  if ('skipped' in sub) lines.push(`safety subspaces: skipped (${sub.skipped})`);
  else lines.push(`harm subspace at ${sub.hook}: 90%-energy rank ${sub.rank}, participation ratio ${f3(sub.participationRatio)} (random ${f3(sub.randomParticipationRatio)}); ablated, harmful compliance ${rateText(sub.compliance.subspace)} vs ${f3(sub.compliance.refusalDirection.rate)} for the refusal direction, ${spreadText(sub.compliance.random)}`);
  return lines;
}

