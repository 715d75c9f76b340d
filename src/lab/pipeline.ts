/**
 * `lvh lab` as a list of named steps on a run folder: each step writes `<step>.json` (with the hash of its inputs)
 * and its artifacts; a step whose JSON exists with the same input hash is skipped, so a run resumes where it stopped.
 * The run ends in `report.html`. Steps now: `refusal` (the refusal-direction experiment) and `probes` (difference of
 * means, logistic probe and PCA of paired differences per layer, saved as safetensors), `quantities`, `ablate-value`
 * and `subspaces` (per-category harm directions decomposed, principal angles, subspace ablation; subspaces.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dims } from '../io/config.js';
import type { EngineModel } from '../nn/engine.js';
import { htmlReport, htmlTable, renderSvg, type ReportSection } from '../report/index.js';
import { writeFileAtomic } from '../util/atomic.js';
import { collectActivations } from './activations.js';
import { cosine, diffOfMeans, logisticProbe, pcaOfPairs, type Direction } from './directions.js';
import { controlVectorLayer, loadDirection, saveControlVector, saveDirection } from './files.js';
import { ablateValue, measureQuantities, type AblateValueResult, type QuantitiesData, type QuantitiesResult } from './quantities.js';
import { candidateHooks, refusalExperiment, type RefusalData, type RefusalResult } from './refusal.js';
import { subspaceExperiment, type CompliancePoint, type SubspaceData, type SubspacesResult } from './subspaces.js';

/** Bumped when a step's computation changes, so old results are recomputed. */
export const LAB_VERSION = 'lab-3';

/** What a run needs: the model, its name and weights hash, and the data. */
export interface LabInputs {
  model: EngineModel;
  modelName: string;
  /** sha256 of the model's config and weights (part of every step's input hash). */
  modelHash: string;
  data: RefusalData;
  seed: number;
  /** Data for the `quantities` and `ablate-value` steps (skipped when absent); the first constitution is the one ablated under. */
  quantities?: { data: QuantitiesData; constitutions: string[] };
  /** Per-category data for the `subspaces` step (recorded as skipped when absent: the data has no categories). */
  subspaces?: SubspaceData;
}

/** One step's record in its JSON file. */
export interface StepRecord<T> {
  step: string;
  inputsHash: string;
  seconds: number;
  result: T;
}

/** The result of `probes`: per layer, the three methods' directions and how they agree. */
export interface ProbeLayer {
  layer: number;
  hook: string;
  position: number;
  probeAccuracy: number;
  cosDiffProbe: number;
  cosDiffPca: number;
  pcaEnergy: number[];
  files: string[];
}

/** sha256 of the model directory's config.json and model.safetensors. */
export function modelDirHash(dir: string): string {
  const h = createHash('sha256');
  for (const f of ['config.json', 'model.safetensors']) h.update(readFileSync(join(dir, f)));
  return h.digest('hex');
}

function hashOf(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** Runs one step unless its JSON holds the same input hash; returns the record (fresh or read back) and whether it ran. */
export async function runStep<T>(runDir: string, step: string, inputsHash: string, compute: () => Promise<T>, say: (m: string) => void): Promise<{ record: StepRecord<T>; ran: boolean }> {
  const path = join(runDir, `${step}.json`);
  if (existsSync(path)) {
    try {
      const old = JSON.parse(readFileSync(path, 'utf8')) as StepRecord<T>;
      if (old.inputsHash === inputsHash && old.step === step) {
        say(`${step}: up to date, skipped`);
        return { record: old, ran: false };
      }
    } catch {
      // An unreadable record is recomputed.
    }
  }
  say(`${step}: running`);
  const t0 = performance.now();
  const result = await compute();
  const record: StepRecord<T> = { step, inputsHash, seconds: (performance.now() - t0) / 1000, result };
  writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`);
  say(`${step}: done in ${record.seconds.toFixed(1)} s`);
  return { record, ran: true };
}

async function refusalStep(runDir: string, inp: LabInputs, say: (m: string) => void): Promise<RefusalResult & { files: string[] }> {
  const { result, direction } = await refusalExperiment(inp.model, inp.data, { model: inp.modelName, seed: inp.seed, onProgress: (m) => say(`refusal: ${m}`) });
  const files = ['refusal-direction.safetensors'];
  saveDirection(join(runDir, files[0]), direction);
  const layers = dims(inp.model.config).layers;
  const cv = controlVectorLayer(direction.provenance.hook);
  if (cv !== null && cv >= 1 && cv < layers) {
    saveControlVector(join(runDir, 'refusal-direction.gguf'), [direction], { layers, modelHint: inp.model.config.model_type });
    files.push('refusal-direction.gguf');
  }
  const rows = [
    { condition: 'ablation (harmful)', what: 'selected', rate: result.ablation.refusal.rate, low: result.ablation.refusal.low, high: result.ablation.refusal.high },
    { condition: 'ablation (harmful)', what: 'random', rate: result.randomAblation.refusalRate.mean, low: result.randomAblation.refusalRate.min, high: result.randomAblation.refusalRate.max },
    { condition: 'addition (harmless)', what: 'selected', rate: result.addition.refusal.rate, low: result.addition.refusal.low, high: result.addition.refusal.high },
    { condition: 'addition (harmless)', what: 'random', rate: result.randomAddition.refusalRate.mean, low: result.randomAddition.refusalRate.min, high: result.randomAddition.refusalRate.max },
    { condition: 'baseline (harmful)', what: 'none', rate: result.baseline.harmful.rate, low: result.baseline.harmful.low, high: result.baseline.harmful.high },
    { condition: 'baseline (harmless)', what: 'none', rate: result.baseline.harmless.rate, low: result.baseline.harmless.low, high: result.baseline.harmless.high },
  ];
  const svg = await renderSvg({
    data: { values: rows },
    layer: [
      { mark: 'rule', encoding: { y: { field: 'condition', type: 'nominal' }, yOffset: { field: 'what' }, x: { field: 'low', type: 'quantitative', scale: { domain: [0, 1] } }, x2: { field: 'high' }, color: { field: 'what' } } },
      { mark: 'point', encoding: { y: { field: 'condition', type: 'nominal' }, yOffset: { field: 'what' }, x: { field: 'rate', type: 'quantitative', title: 'refusal rate' }, color: { field: 'what' } } },
    ],
  });
  writeFileAtomic(join(runDir, 'refusal.svg'), svg);
  files.push('refusal.svg');
  return { ...result, files };
}

async function probesStep(runDir: string, inp: LabInputs, say: (m: string) => void): Promise<{ layers: ProbeLayer[] }> {
  const cands = candidateHooks(dims(inp.model.config).layers);
  const hooks = cands.map((c) => c.hook);
  const position = inp.data.positions.at(-1)!;
  const n = Math.min(inp.data.harmfulTrain.length, inp.data.harmlessTrain.length);
  const harm = await collectActivations(inp.model, inp.data.harmfulTrain.slice(0, n), hooks, [position]);
  const safe = await collectActivations(inp.model, inp.data.harmlessTrain.slice(0, n), hooks, [position]);
  const out: ProbeLayer[] = [];
  for (const { layer, hook } of cands) {
    say(`probes: layer ${layer}`);
    const pos = harm.get(hook)![0];
    const neg = safe.get(hook)![0];
    const prov = (method: Direction['provenance']['method'], seed: number | null) => ({ model: inp.modelName, layer, hook, position, method, data: inp.data.description, seed });
    const diff = diffOfMeans(pos, neg);
    const probe = logisticProbe([...pos, ...neg], [...pos.map(() => 1), ...neg.map(() => 0)], { seed: inp.seed });
    const pca = pcaOfPairs(pos, neg, Math.min(3, diff.length));
    const files = [`diff-of-means.L${layer}.safetensors`, `probe.L${layer}.safetensors`, `pca.L${layer}.safetensors`];
    saveDirection(join(runDir, files[0]), { vector: diff, provenance: prov('diff-of-means', null) });
    saveDirection(join(runDir, files[1]), { vector: probe.weights, provenance: prov('logistic-probe', inp.seed) }, { accuracy: String(probe.accuracy) });
    saveDirection(join(runDir, files[2]), { basis: pca.basis, energy: pca.energy, provenance: prov('pca-pairs', null) });
    out.push({ layer, hook, position, probeAccuracy: probe.accuracy, cosDiffProbe: cosine(diff, probe.weights), cosDiffPca: cosine(diff, pca.basis[0]), pcaEnergy: pca.energy, files });
  }
  return { layers: out };
}

const svgIn = (runDir: string, f: string) => (existsSync(join(runDir, f)) ? readFileSync(join(runDir, f), 'utf8') : undefined);

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

/** The lab's steps in order. */
export const LAB_STEPS = ['refusal', 'probes', 'quantities', 'ablate-value', 'subspaces'] as const;

/** What `runLab` returns: each step's record (fresh or read back) and the steps that ran this time. */
export interface LabResult {
  refusal: StepRecord<RefusalResult & { files: string[] }>;
  probes: StepRecord<{ layers: ProbeLayer[] }>;
  quantities?: StepRecord<QuantitiesResult>;
  ablateValue?: StepRecord<AblateValueResult>;
  subspaces: StepRecord<SubspacesResult & { files: string[] }>;
  ran: string[];
}

/** Runs every step into `runDir` (resumable) and writes `report.html`; returns the step records. */
export async function runLab(runDir: string, inp: LabInputs, say: (m: string) => void = () => {}): Promise<LabResult> {
  const base = [LAB_VERSION, inp.modelHash, inp.data, inp.seed];
  const qBase = inp.quantities ? [LAB_VERSION, inp.modelHash, inp.quantities.data.description, inp.quantities.constitutions, inp.seed] : null;
  const ran: string[] = [];
  const refusal = await runStep(runDir, 'refusal', hashOf('refusal', ...base), () => refusalStep(runDir, inp, say), say);
  if (refusal.ran) ran.push('refusal');
  const probes = await runStep(runDir, 'probes', hashOf('probes', ...base), () => probesStep(runDir, inp, say), say);
  if (probes.ran) ran.push('probes');
  let quantities: StepRecord<QuantitiesResult> | undefined;
  let ablated: StepRecord<AblateValueResult> | undefined;
  if (inp.quantities && qBase) {
    const q = inp.quantities;
    const qs = await runStep(runDir, 'quantities', hashOf('quantities', ...qBase), async () => {
      const result = await measureQuantities(inp.model, q.data, q.constitutions, inp.seed, (m) => say(`quantities: ${m}`));
      writeFileAtomic(join(runDir, 'quantities.svg'), await quantitiesSvg(result));
      return result;
    }, say);
    if (qs.ran) ran.push('quantities');
    quantities = qs.record;
    const ab = await runStep(runDir, 'ablate-value', hashOf('ablate-value', ...qBase), async () => {
      const result = await ablateValue(inp.model, q.data, q.constitutions[0], inp.seed, 10, say);
      writeFileAtomic(join(runDir, 'ablate-value.svg'), await ablateSvg(result));
      return result;
    }, say);
    if (ab.ran) ran.push('ablate-value');
    ablated = ab.record;
  }
  const sub = await runStep(runDir, 'subspaces', hashOf('subspaces', ...base, inp.subspaces ?? null, refusal.record.inputsHash), () => subspacesStep(runDir, inp, say), say);
  // Like `quantities` without its data, a step recorded as skipped (no categories) is not listed as run.
  if (sub.ran && !sub.record.result.skipped) ran.push('subspaces');
  const r = refusal.record.result;
  const rateCell = (x: { rate: number; low: number; high: number; n: number }) => `${f3(x.rate)} [${f3(x.low)}, ${f3(x.high)}] n=${x.n}`;
  const spreadCell = (x: { mean: number; min: number; max: number; n: number }) => `${f3(x.mean)} (range ${f3(x.min)}–${f3(x.max)}, ${x.n} dirs)`;
  const sections: ReportSection[] = [
    {
      heading: 'Refusal direction (Arditi et al. 2024)',
      text: `Selected ${r.selected.hook} at position ${r.selected.position} (norm ${f3(r.selected.norm)})${r.selected.relaxed.length ? `; relaxed: ${r.selected.relaxed.join(', ')}` : ''}.\n\n${r.layerRule}.\n\nRefusal: ${r.refusalDefinition}.`,
      svg: existsSync(join(runDir, 'refusal.svg')) ? readFileSync(join(runDir, 'refusal.svg'), 'utf8') : undefined,
      caption: 'Refusal rate per condition: the selected direction with its 95% Wilson interval; random directions of the same norm as their mean and range.',
      html: htmlTable(['condition', 'refusal rate (greedy first token)', 'P(refusal token)', 'KL on harmless (nats)', 'random: refusal', 'random: KL'], [
        ['ablation, harmful test', rateCell(r.ablation.refusal), f3(r.ablation.refusalProbability), f3(r.ablation.klHarmless), spreadCell(r.randomAblation.refusalRate), spreadCell(r.randomAblation.klHarmless)],
        ['addition, harmless test', rateCell(r.addition.refusal), f3(r.addition.refusalProbability), f3(r.addition.klHarmless), spreadCell(r.randomAddition.refusalRate), spreadCell(r.randomAddition.klHarmless)],
        ['baseline, harmful test', rateCell(r.baseline.harmful), f3(r.baseline.harmfulRefusalProbability), '0', '', ''],
        ['baseline, harmless test', rateCell(r.baseline.harmless), f3(r.baseline.harmlessRefusalProbability), '0', '', ''],
      ]) + htmlTable(['layer', 'position', 'norm', 'ablation score', 'addition score', 'KL', 'filtered'], r.candidates.map((c) => [c.layer, c.position, f3(c.norm), f3(c.ablationScore), f3(c.additionScore), f3(c.kl), c.filtered.join('; ')])),
      data: r,
    },
    {
      heading: 'Addition strength (dose-response on the harmless test requests)',
      text: `The selected direction times each strength added at ${r.selected.hook} on the prompt positions, against random directions of the same norm (greedy: ${r.randomAddition.refusalRate.n} per strength; sampled: the first few). Strength 1 is the addition above.`,
      html: htmlTable(['strength', 'refused (greedy)', 'P(refusal)', 'KL on harmless', 'random: refused (greedy)', 'sampled: refused', 'sampled: malformed', 'random sampled: refused', 'random sampled: malformed'], (r.additionDoses ?? []).map((d) => [
        d.scale, rateCell(d.condition.refusal), f3(d.condition.refusalProbability), f3(d.condition.klHarmless), spreadCell(d.random.refusalRate),
        d.sampled ? rateCell(d.sampled.refused) : '', d.sampled ? rateCell(d.sampled.malformed) : '',
        d.sampledRandom ? spreadCell(d.sampledRandom.refused) : '', d.sampledRandom ? spreadCell(d.sampledRandom.malformed) : '',
      ])),
    },
    ...(r.responses ? [{
      heading: 'Whole responses (sampled, one per held-out request)',
      text: 'One response per request at temperature 1 (seed·1000 + i), classified by the world: the ablation everywhere on harmful requests, the addition on the prompt positions only (not on generated tokens) on harmless ones. No random controls here yet.',
      html: htmlTable(['condition', 'refused', 'complied (harmful steps)', 'helped', 'other (partial, beside the point)', 'malformed'], ([
        ['harmful, unedited', r.responses.harmfulBase], ['harmful, direction ablated', r.responses.harmfulAblated],
        ['harmless, unedited', r.responses.harmlessBase], ['harmless, direction added on the prompt', r.responses.harmlessAddedOnPrompt],
      ] as const).map(([name, x]) => [name, rateCell(x.refused), rateCell(x.complied), rateCell(x.helped), x.other ? rateCell(x.other) : '', rateCell(x.malformed)])),
    }] : []),
    {
      heading: 'Directions per layer (difference of means, logistic probe, PCA of pairs)',
      html: htmlTable(['layer', 'hook', 'probe accuracy (train)', 'cos(diff, probe)', 'cos(diff, PC1)', 'files'], probes.record.result.layers.map((l) => [l.layer, l.hook, f3(l.probeAccuracy), f3(l.cosDiffProbe), f3(l.cosDiffPca), l.files.join(', ')])),
      data: probes.record.result,
    },
    ...(quantities ? [quantitiesSection(quantities.result, svgIn(runDir, 'quantities.svg'))] : []),
    ...(ablated ? [ablateSection(ablated.result, svgIn(runDir, 'ablate-value.svg'))] : []),
    subspacesSection(sub.record.result, svgIn(runDir, 'subspaces.svg')),
  ];
  writeFileAtomic(join(runDir, 'report.html'), htmlReport({ title: `lvh lab: ${inp.modelName}`, intro: inp.data.description, sections }));
  say('report.html written');
  return { refusal: refusal.record, probes: probes.record, ...(quantities ? { quantities } : {}), ...(ablated ? { ablateValue: ablated } : {}), subspaces: sub.record, ran };
}

const rateText = (x: { rate: number; low: number; high: number; n: number }) => `${f3(x.rate)} [${f3(x.low)}, ${f3(x.high)}] n=${x.n}`;

/** Cosines per layer, one point per (constitution, measure), with the random baseline's 95th percentile as rules at ±. */
async function quantitiesSvg(q: QuantitiesResult): Promise<string> {
  const rows = q.constitutions.flatMap((c) => c.layers.flatMap((l) => [
    { constitution: c.constitution, layer: l.layer, measure: 'cos(v_c readout, v*)', cos: l.cos.vcReadoutValue },
    { constitution: c.constitution, layer: l.layer, measure: 'cos(v_c means, v*)', cos: l.cos.vcMeansValue },
    { constitution: c.constitution, layer: l.layer, measure: 'cos(v_c means, v_c readout)', cos: l.cos.vcMeansVcReadout },
    { constitution: c.constitution, layer: l.layer, measure: 'cos(g, v*)', cos: l.cos.generationValue },
    { constitution: c.constitution, layer: l.layer, measure: 'rho', cos: l.rho.r },
  ]));
  return renderSvg({
    data: { values: rows },
    layer: [
      { mark: 'point', encoding: { x: { field: 'layer', type: 'ordinal' }, xOffset: { field: 'constitution' }, y: { field: 'cos', type: 'quantitative', scale: { domain: [-1, 1] }, title: 'cosine / rho' }, color: { field: 'measure' }, shape: { field: 'constitution' } } },
      { data: { values: [{ y: q.baseline.q95Abs }, { y: -q.baseline.q95Abs }] }, mark: { type: 'rule', strokeDash: [4, 4] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
    ],
  });
}

/** Agreement with its interval: unedited, v* ablated, and each random direction. */
async function ablateSvg(a: AblateValueResult): Promise<string> {
  const rows = [
    { condition: 'unedited', ...a.baseline }, { condition: 'v* ablated', ...a.ablated },
    ...a.randomRates.map((r, i) => ({ condition: `random ${i + 1}`, ...r })),
    ...(a.inContext ? [
      { condition: 'v* in the judging context ablated', ...a.inContext.value }, { condition: "the pairs' main axis ablated", ...a.inContext.mainAxis },
      ...a.inContext.randomRates.map((r, i) => ({ condition: `random per-hook set ${i + 1}`, ...r })),
    ] : []),
  ];
  return renderSvg({
    data: { values: rows },
    layer: [
      { mark: 'rule', encoding: { y: { field: 'condition', type: 'nominal', sort: null }, x: { field: 'low', type: 'quantitative', scale: { domain: [0, 1] } }, x2: { field: 'high' } } },
      { mark: 'point', encoding: { y: { field: 'condition', type: 'nominal', sort: null }, x: { field: 'rate', type: 'quantitative', title: 'judgment agreement with the truth' } } },
    ],
  });
}

function quantitiesSection(q: QuantitiesResult, svg?: string): ReportSection {
  return {
    heading: "The paper's quantities (v*, v_c two ways, g, rho)",
    svg,
    caption: 'Cosines and rho per layer; dashed: the 95th percentile of |cos| for random directions (±).',
    text: `${q.data}. Random-direction baseline in d = ${q.baseline.d}: |cos| mean ${f3(q.baseline.meanAbs)}, 95th percentile ${f3(q.baseline.q95Abs)} (${q.baseline.samples} pairs). Alignments at the layer of largest held-out rho, with percentile-bootstrap 95% intervals (${q.bootstrap} resamples of the judged train pairs); the theory columns are the engine's report on the measured (v*, g, v_c, anti-social direction).`,
    html: htmlTable(['constitution', 'layer', 'rho [95%]', 'cos(v_c means, v_c readout)', 'cos(v_c means, v*)', 'alignment.judge = cos(v_c readout, v*)', 'alignment.generation = cos(g, v*)', 'cos(v_c, anti)', 'judge agreement', 'generation agreement', 'theory: improves, limit, peak'],
      q.constitutions.flatMap((c) => c.layers.map((l) => [c.constitution, l.layer, `${f3(l.rho.r)} [${f3(l.rho.low)}, ${f3(l.rho.high)}] n=${l.rho.n}`, f3(l.cos.vcMeansVcReadout), f3(l.cos.vcMeansValue), f3(l.cos.vcReadoutValue) + (l.layer === c.bestLayer && c.alignment.judgeInterval ? ` [${f3(c.alignment.judgeInterval[0])}, ${f3(c.alignment.judgeInterval[1])}]` : ''), f3(l.cos.generationValue) + (l.layer === c.bestLayer && c.alignment.generationInterval ? ` [${f3(c.alignment.generationInterval[0])}, ${f3(c.alignment.generationInterval[1])}]` : ''), l.cos.vcReadoutAnti === null ? '' : f3(l.cos.vcReadoutAnti),
        l.layer === c.bestLayer ? rateText(c.agreement.judge) : '', l.layer === c.bestLayer ? rateText(c.agreement.generation) : '',
        l.layer === c.bestLayer ? `${c.theory.improves}, ${f3(c.theory.limit)}, ${f3(c.theory.peak.alignment)} at η=${c.theory.peak.eta ?? '∞'}` : '']))),
    data: q,
  };
}

function ablateSection(a: AblateValueResult, svg?: string): ReportSection {
  return {
    heading: 'Ablating v* during judging',
    svg,
    caption: 'Agreement with its 95% Wilson interval.',
    text: `Under "${a.constitution}", v* from ${a.hook} (unit) projected out of the whole residual stream; held-out judgment agreement with the truth.${a.inContext ? ' In the judging context: directions measured at the two responses\' last tokens inside the judging prompt (train pairs, both orders), one per hook (every block\'s input and middle, the last output), each projected out at its hook at every position.' : ''}`,
    html: htmlTable(['condition', 'agreement'], [
      ['unedited', rateText(a.baseline)], ['v* ablated', rateText(a.ablated)],
      [`random directions (${a.random.n})`, `${f3(a.random.mean)} (range ${f3(a.random.min)}–${f3(a.random.max)}); largest shift ${f3(a.randomMaxShift)}`],
      ...(a.inContext ? [
        ['v* in the judging context, each hook its own', rateText(a.inContext.value)],
        ["the pairs' main axis (top principal axis of better − worse), each hook its own", rateText(a.inContext.mainAxis)],
        [`random per-hook sets (${a.inContext.random.n})`, `${f3(a.inContext.random.mean)} (range ${f3(a.inContext.random.min)}–${f3(a.inContext.random.max)}); largest shift ${f3(a.inContext.randomMaxShift)}`],
      ] : []),
    ]) + (a.inContext ? htmlTable(['hook', 'cos(v* in context, main axis)', 'rho in context [95%]'], a.inContext.perHook.map((h) => [h.hook, f3(h.cosValueMainAxis), `${f3(h.rho.r)} [${f3(h.rho.low)}, ${f3(h.rho.high)}] n=${h.rho.n}`])) : ''),
    data: a,
  };
}

async function subspacesStep(runDir: string, inp: LabInputs, say: (m: string) => void): Promise<SubspacesResult & { files: string[] }> {
  if (!inp.subspaces) return { skipped: 'the data has no categories (no per-category requests were given)', files: [] };
  const dir = loadDirection(join(runDir, 'refusal-direction.safetensors'));
  if (!('vector' in dir)) throw new Error('subspaces: refusal-direction.safetensors holds a subspace, expected one direction');
  const { result, bases } = await subspaceExperiment(inp.model, inp.subspaces, inp.data, { vector: dir.vector, hook: dir.provenance.hook }, inp.modelName, { seed: inp.seed, onProgress: (m) => say(`subspaces: ${m}`) });
  const files: string[] = [];
  for (const b of bases) {
    for (const [kind, s] of [['harm', b.harm], ['pro-social', b.pro]] as const) {
      if (s.basis.length === 0) continue;
      const f = `${kind}-subspace.L${s.provenance.layer}.safetensors`;
      saveDirection(join(runDir, f), s, { categories: (kind === 'harm' ? result.categories!.harm : result.categories!.benign).join(',') });
      files.push(f);
    }
  }
  writeFileAtomic(join(runDir, 'subspaces.svg'), await subspacesSvg(result));
  files.push('subspaces.svg');
  return { ...result, files };
}

/** Effective rank per layer (participation ratio and 90%-energy rank), the harm subspace against random directions of the same norms. */
async function subspacesSvg(r: SubspacesResult): Promise<string> {
  const rows = (r.layers ?? []).flatMap((l) => [
    { layer: l.layer, series: 'harm: participation ratio', rank: l.participationRatio },
    { layer: l.layer, series: 'harm: 90%-energy rank', rank: l.energyRank90 },
    { layer: l.layer, series: 'random: participation ratio', rank: l.random.participationRatio },
    { layer: l.layer, series: 'random: 90%-energy rank', rank: l.random.energyRank90 },
  ]);
  return renderSvg({
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: { x: { field: 'layer', type: 'ordinal' }, y: { field: 'rank', type: 'quantitative', title: 'effective rank' }, color: { field: 'series' } },
  });
}

function subspacesSection(r: SubspacesResult & { files: string[] }, svg?: string): ReportSection {
  if (r.skipped) return { heading: 'Safety subspaces', text: `Skipped: ${r.skipped}.`, data: r };
  const a = r.ablation!;
  const cell = (p: CompliancePoint) => [p.condition, p.rank, rateText(p.compliance), f3(p.klHarmless)];
  const cos = (xs: number[]) => xs.map(f3).join(', ');
  return {
    heading: 'Safety subspaces',
    svg,
    caption: 'Effective rank per layer of the stacked per-category harm directions, against random directions of the same norms (mean of 10 seeded draws).',
    text: `${r.data}. Harm categories: ${r.categories!.harm.join(', ')}; benign: ${r.categories!.benign.join(', ')}. Harm direction of a category: its requests' mean residual minus the mean of all harmless requests, at position −1; pro-social: ${r.proSocialDefinition}. Ablation at ${a.hook} (the refusal direction's layer): the top ${a.rank} right singular vectors (90%-energy rank) projected out of the whole residual stream, on held-out requests. |cos(refusal direction, top singular vector)| = ${f3(a.refusalVsSubspace.cosTop)}; fraction of the refusal direction outside the rank-${a.rank} subspace: ${f3(a.refusalVsSubspace.residualFraction)}.`,
    html: htmlTable(['condition', 'rank', 'compliance on harmful (1 − refusal) [95%]', 'KL on harmless (nats)'], [
      cell(a.baseline), cell(a.subspace), cell(a.fullSubspace), cell(a.refusalDirection),
      [`random subspaces (${a.random.compliance.n})`, a.rank, `${f3(a.random.compliance.mean)} (range ${f3(a.random.compliance.min)}–${f3(a.random.compliance.max)})`, `${f3(a.random.klHarmless.mean)} (range ${f3(a.random.klHarmless.min)}–${f3(a.random.klHarmless.max)})`],
    ]) + htmlTable(['layer', 'hook', 'singular values', 'participation ratio (random)', '90% rank (random)', 'cos(harm, pro-social) (random)', 'cos(harm L, harm L+1) (random)'], r.layers!.map((l) => [
      l.layer, l.hook, cos(l.singularValues), `${f3(l.participationRatio)} (${f3(l.random.participationRatio)})`, `${l.energyRank90} (${f3(l.random.energyRank90)})`,
      `${cos(l.harmVsProSocial.cosines)} (${cos(l.harmVsProSocial.random)})`, l.harmVsNextLayer ? `${cos(l.harmVsNextLayer.cosines)} (${cos(l.harmVsNextLayer.random)})` : '',
    ])),
    data: r,
  };
}
