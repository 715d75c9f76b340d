// Step 5 of `lvh demo`: the model lab (`lvh lab`, src/lab/pipeline.ts) on the default organism into DIR/lab, its
// headline numbers printed and put in demo.json, and a section of the demo's report linking the lab's own report.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Correlation, LabDataSizes, LabResult, Rate, Spread } from '../lab/index.js';
import { escapeHtml, htmlTable } from '../report/index.js';
import type { DemoStep } from './demo-steps.js';

/** A rate with its 95% interval and n, as demo.json holds it. */
type RateCI = Pick<Rate, 'rate' | 'low' | 'high' | 'n'>;

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
    baseline: { harmful: RateCI; harmless: RateCI };
    ablation: { refusal: RateCI; klHarmless: number; randomRefusal: Spread; randomKlHarmless: Spread };
    addition: { refusal: RateCI; klHarmless: number; randomRefusal: Spread };
    /** The addition at several multiples of the difference of means, each against random directions of the same norm. */
    additionDoses: { scale: number; refusal: RateCI; klHarmless: number; randomRefusal: Spread }[];
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
const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const rateText = (x: RateCI): string => `${f3(x.rate)} [${f3(x.low)}, ${f3(x.high)}] n=${x.n}`;
const spreadText = (x: Spread): string => `${f3(x.mean)} (${f3(x.min)}–${f3(x.max)}, ${x.n} random)`;
const intervalText = (x: [number, number] | null): string => (x ? ` [${f3(x[0])}, ${f3(x[1])}]` : '');

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
      hook: r.selected.hook, position: r.selected.position,
      baseline: { harmful: ci(r.baseline.harmful), harmless: ci(r.baseline.harmless) },
      ablation: { refusal: ci(r.ablation.refusal), klHarmless: r.ablation.klHarmless, randomRefusal: r.randomAblation.refusalRate, randomKlHarmless: r.randomAblation.klHarmless },
      addition: { refusal: ci(r.addition.refusal), klHarmless: r.addition.klHarmless, randomRefusal: r.randomAddition.refusalRate },
      additionDoses: (r.additionDoses ?? []).map((d) => ({ scale: d.scale, refusal: ci(d.condition.refusal), klHarmless: d.condition.klHarmless, randomRefusal: d.random.refusalRate })),
    },
    constitutions: q.map((c) => ({
      constitution: c.constitution, layer: c.bestLayer,
      alignmentJudge: c.alignment.judge, alignmentJudgeInterval: c.alignment.judgeInterval,
      alignmentGeneration: c.alignment.generation, alignmentGenerationInterval: c.alignment.generationInterval,
      rho: c.layers.find((l) => l.layer === c.bestLayer)!.rho, judgeAgreement: ci(c.agreement.judge),
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
    `refusal direction ${r.hook} position ${r.position}: ablated on harmful requests, refusal ${rateText(r.ablation.refusal)} (unedited ${f3(r.baseline.harmful.rate)}; random ${spreadText(r.ablation.randomRefusal)}), KL on harmless ${f3(r.ablation.klHarmless)} nats`,
    `  added on harmless requests: refusal ${rateText(r.addition.refusal)} (unedited ${f3(r.baseline.harmless.rate)}; random ${spreadText(r.addition.randomRefusal)})`,
    ...(r.additionDoses.length ? [`  added at ${r.additionDoses.map((d) => `${d.scale}×: ${f3(d.refusal.rate)} (random ≤ ${f3(d.randomRefusal.max)}, KL ${f3(d.klHarmless)})`).join('; ')}`] : []),
    ...s.constitutions.map((c) => `"${c.constitution}" (layer ${c.layer}): alignment.judge ${f3(c.alignmentJudge)}${intervalText(c.alignmentJudgeInterval)}, alignment.generation ${f3(c.alignmentGeneration)}${intervalText(c.alignmentGenerationInterval)}, rho ${f3(c.rho.r)} [${f3(c.rho.low)}, ${f3(c.rho.high)}]; judge agreement ${rateText(c.judgeAgreement)}`),
  ];
  const ab = s.ablateValue;
  if (ab) lines.push(`v* ablated under "${ab.constitution}": agreement ${rateText(ab.ablated)} vs ${f3(ab.baseline.rate)} unedited; random ${spreadText(ab.random)}, largest shift ${f3(ab.randomMaxShift)}`);
  if (ab?.inContext) lines.push(`  v* measured in the judging prompt, ablated per hook: agreement ${rateText(ab.inContext.value)}; the pairs' main axis ${rateText(ab.inContext.mainAxis)}; random ${spreadText(ab.inContext.random)}`);
  const sub = s.subspaces;
  if ('skipped' in sub) lines.push(`safety subspaces: skipped (${sub.skipped})`);
  else lines.push(`harm subspace at ${sub.hook}: 90%-energy rank ${sub.rank}, participation ratio ${f3(sub.participationRatio)} (random ${f3(sub.randomParticipationRatio)}); ablated, harmful compliance ${rateText(sub.compliance.subspace)} vs ${f3(sub.compliance.refusalDirection.rate)} for the refusal direction, ${spreadText(sub.compliance.random)}`);
  return lines;
}

/**
 * Step 5: `lvh lab` on the default organism into `labDir` (resumable: a rerun reads the steps back), skipped with a
 * message when there is no checkpoint; `shownAs` names the model dir in the output; `sizes` shrinks the data (tests).
 */
export async function demoLabStep(modelDir: string, labDir: string, say: (text: string) => void, shownAs = modelDir, sizes: LabDataSizes = {}): Promise<DemoStep> {
  say(`\n== 5. Model lab: the paper's objects measured inside the default organism and tested by intervention (lvh lab --model ${shownAs}) ==\n`);
  const heading = '5. The model lab on the default organism';
  if (!existsSync(join(modelDir, 'config.json'))) {
    const reason = `no checkpoint at ${shownAs}; train one with: lvh organism train --out ${shownAs}`;
    say(reason);
    return { name: 'lab', summary: { skipped: reason }, section: { heading, text: reason } };
  }
  const { runLabDir } = await import('../lab/index.js');
  const t0 = performance.now();
  const { world, result } = await runLabDir(modelDir, labDir, { modelName: shownAs, sizes, say: (m) => process.stderr.write(`lvh lab: ${m}\n`) });
  const summary = labSummary(result, world, (performance.now() - t0) / 1000);
  const lines = labSummaryLines(summary);
  say([...lines, `lab report: ${join(labDir, 'report.html')} (${summary.ran.length} of 5 steps computed, ${summary.seconds.toFixed(1)} s)`].join('\n'));
  const r = summary.refusal;
  const rows: (string | number)[][] = [
    ['refusal: ablated on harmful requests', 'refusal rate', rateText(r.ablation.refusal), spreadText(r.ablation.randomRefusal)],
    ['refusal: ablated, KL on harmless requests', 'nats', f3(r.ablation.klHarmless), spreadText(r.ablation.randomKlHarmless)],
    ['refusal: added on harmless requests', 'refusal rate', rateText(r.addition.refusal), spreadText(r.addition.randomRefusal)],
    ...r.additionDoses.map((d) => [`refusal: added at ${d.scale}× on harmless requests`, 'refusal rate', `${rateText(d.refusal)}, KL ${f3(d.klHarmless)}`, spreadText(d.randomRefusal)]),
    ...summary.constitutions.flatMap((c) => [
      [`"${c.constitution}" at layer ${c.layer}`, 'alignment.judge', `${f3(c.alignmentJudge)}${intervalText(c.alignmentJudgeInterval)}`, ''],
      [`"${c.constitution}" at layer ${c.layer}`, 'alignment.generation', `${f3(c.alignmentGeneration)}${intervalText(c.alignmentGenerationInterval)}`, ''],
      [`"${c.constitution}" at layer ${c.layer}`, 'rho', `${f3(c.rho.r)} [${f3(c.rho.low)}, ${f3(c.rho.high)}] n=${c.rho.n}`, ''],
    ]),
  ];
  const ab = summary.ablateValue;
  if (ab) rows.push([`v* ablated under "${ab.constitution}"`, 'judgment agreement', `${rateText(ab.ablated)} (unedited ${f3(ab.baseline.rate)})`, spreadText(ab.random)]);
  if (ab?.inContext) rows.push([`v* in the judging prompt ablated under "${ab.constitution}"`, 'judgment agreement', rateText(ab.inContext.value), spreadText(ab.inContext.random)]);
  const sub = summary.subspaces;
  if (!('skipped' in sub)) rows.push([`harm subspace at ${sub.hook} (rank ${sub.rank}, participation ratio ${f3(sub.participationRatio)})`, 'harmful compliance when ablated', rateText(sub.compliance.subspace), spreadText(sub.compliance.random)]);
  const refusalSvg = join(labDir, 'refusal.svg');
  return {
    name: 'lab',
    summary,
    section: {
      heading,
      text: `lvh lab on ${shownAs} (world ${world}): the refusal direction (Arditi et al. 2024) with random-direction controls, the paper's quantities (v*, v_c two ways, g, rho) under the constitutions harmless and cruel, v* ablated during judging, and the safety subspaces. Every step's JSON, plot and direction files are in lab/; the full tables are in the lab's own report.`,
      svg: existsSync(refusalSvg) ? readFileSync(refusalSvg, 'utf8') : undefined,
      caption: 'Refusal rate per condition: the selected direction with its 95% Wilson interval; random directions of the same norm as their mean and range.',
      html: `<p><a href="${escapeHtml(summary.report)}">Open the lab report</a></p>` + htmlTable(['measurement', 'quantity', 'value [95%]', 'random controls'], rows),
    },
  };
}
