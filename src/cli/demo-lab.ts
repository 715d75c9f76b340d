// Step 5 of `lvh demo`: the model lab (`lvh lab`, src/lab/pipeline.ts) on the default organism into DIR/lab, its
// headline numbers printed and put in demo.json, and a section of the demo's report linking the lab's own report.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabDataSizes } from '../lab/index.js';
import { escapeHtml, htmlTable } from '../report/index.js';
import type { DemoStep } from './demo-steps.js';
import { f3, intervalText, labSummary, labSummaryLines, rateText, spreadText } from './lab-summary.js';

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
