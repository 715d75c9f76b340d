/**
 * THEORY.md's objects measured inside a model: the value direction v*, the constitution-activated direction v_c
 * (two ways), the generation direction g, rho per layer, the alignments, and the theory engine's prediction from
 * the measured vectors; plus the causal test (ablating v* during judging against random directions).
 * Definitions are in docs/lab.md ("The paper's quantities").
 */
import { createRng, deriveSeed } from '../linalg/index.js';
import type { EngineModel } from '../nn/engine.js';
import { engineForward } from '../nn/engine.js';
import { engineContinuationLogProbs } from '../nn/onnx/score.js';
import type { Intervention } from '../nn/onnx/forward.js';
import { dims } from '../io/config.js';
import { InputError } from '../util/errors.js';
import { fisherInterval, pearsonR } from '../util/intervals.js';
import { analyze } from '../theory/analyze.js';
import { validateGeometry } from '../theory/schema.js';
import { ablateEverywhere, collectActivations, everywhereHooks, LAB_BATCH, leftPadded, logSoftmax } from './activations.js';
import { cosine, diffOfMeans, logisticProbe, norm, pcaOfPairs, randomDirections, unitVector } from './directions.js';
import { rate, spread, type Rate, type Spread } from './refusal.js';

/** Two responses to one request: the truly better one and the worse one, as token ids. */
export interface ValuePair {
  /** The whole dialogue document with each response; the residual at its last token represents the response. */
  betterDoc: number[];
  worseDoc: number[];
  /** The dialogue prompt, and each response as its continuation (for the model's own likelihood). */
  prompt: number[];
  better: number[];
  worse: number[];
  /** True values of the two responses (better > worse). */
  betterValue: number;
  worseValue: number;
  /** The judging prompt for this pair under a constitution, the better response shown first or second; null when the pair is not judged. */
  judge: ((constitution: string, betterFirst: boolean) => number[]) | null;
  /** Indices in `judge(...)`'s ids of the first and of the second response's last token; optional (enables the in-context ablations). */
  judgeEnds?: (constitution: string, betterFirst: boolean) => [number, number];
}

/** What the quantities need: train pairs (directions are fitted here), held-out test pairs (rates are measured here). */
export interface QuantitiesData {
  train: ValuePair[];
  test: ValuePair[];
  /** The answer tokens of the judging prompt: [first response, second response]. */
  answerTokens: [number, number];
  /** The neutral wording v_c (a) is measured against. */
  neutral: string;
  /** Activations of anti-social and pro-social text (last token), for the anti-social direction; optional. */
  antiSocial?: { anti: number[][]; pro: number[][] };
  description: string;
}

/** A correlation with its Fisher-z 95% interval. */
export interface Correlation {
  r: number;
  low: number;
  high: number;
  n: number;
}

/** Per layer: the directions' cosines and rho. */
export interface QuantityLayer {
  layer: number;
  hook: string;
  /** Held-out correlation between a probe's score (fitted on train responses) and the true value. */
  rho: Correlation;
  cos: { vcMeansVcReadout: number; vcMeansValue: number; vcReadoutValue: number; generationValue: number; generationVcReadout: number; antiValue: number | null; vcReadoutAnti: number | null };
}

/** One constitution's measurements. */
export interface ConstitutionQuantities {
  constitution: string;
  layers: QuantityLayer[];
  bestLayer: number;
  /** Held-out judgment agreement with the truth, and the model's own likelihood preference's agreement. */
  agreement: { judge: Rate; generation: Rate };
  /** Alignments: geometric (cosines at the best layer) and behavioural (cos(π(1 − agreement)), THEORY's agreement formula inverted, with the interval's ends mapped). */
  alignment: {
    judge: number;
    generation: number;
    /** Percentile-bootstrap 95% intervals of the two cosines over the judged train pairs (null when not asked). */
    judgeInterval: [number, number] | null;
    generationInterval: [number, number] | null;
    judgeFromAgreement: { value: number; low: number; high: number };
    generationFromAgreement: { value: number; low: number; high: number };
  };
  /** The theory engine on the measured geometry (v*, g, v_c from the readout) at the best layer. */
  theory: { rho: number; alignmentJudge: number; alignmentGeneration: number; improves: boolean; limit: number; peak: { eta: number | null; alignment: number }; ceiling: number; shape: string };
}

/** |cos| of random direction pairs in d dimensions (the baseline every cosine is read against). */
export interface CosineBaseline {
  d: number;
  samples: number;
  meanAbs: number;
  q95Abs: number;
}

/** The result of the `quantities` step. */
export interface QuantitiesResult {
  data: string;
  nTrain: number;
  nTest: number;
  nJudgedTest: number;
  baseline: CosineBaseline;
  /** Bootstrap resamples behind the alignment intervals. */
  bootstrap: number;
  constitutions: ConstitutionQuantities[];
}

/** The block-output hooks `blocks.L.hook_resid_post` the quantities are read at. */
export function quantityHooks(model: EngineModel): string[] {
  return Array.from({ length: dims(model.config).layers }, (_, l) => `blocks.${l}.hook_resid_post`);
}

/** Pearson correlation with its Fisher-z 95% interval (NaN ends when n ≤ 3 or a side is constant). */
export function correlation(xs: number[], ys: number[]): Correlation {
  const n = xs.length;
  const raw = pearsonR(xs, ys);
  const r = Number.isFinite(raw) ? Math.max(-1, Math.min(1, raw)) : NaN;
  if (!(n > 3) || !Number.isFinite(r)) return { r, low: NaN, high: NaN, n };
  const [low, high] = fisherInterval(r, n);
  return { r, low, high, n };
}

/** The |cos| distribution of seeded random Gaussian direction pairs in d dimensions: mean and 95th percentile. */
export function randomCosineBaseline(d: number, samples = 2000, seed = 0): CosineBaseline {
  const rng = createRng(deriveSeed(seed, 71));
  const xs: number[] = [];
  for (let i = 0; i < samples; i++) xs.push(Math.abs(cosine(rng.normals(d), rng.normals(d))));
  xs.sort((a, b) => a - b);
  return { d, samples, meanAbs: xs.reduce((s, x) => s + x, 0) / samples, q95Abs: xs[Math.min(samples - 1, Math.floor(0.95 * samples))] };
}

/** THEORY's agreement formula inverted: the alignment a with 1 − arccos(a)/π = agreement. */
export function alignmentFromAgreement(agreement: number): number {
  return Math.cos(Math.PI * (1 - Math.max(0, Math.min(1, agreement))));
}

/** Last-position log-probabilities and last-position activations at `hooks` for left-padded prompts. */
export async function forwardLast(model: EngineModel, prompts: number[][], hooks: string[], interventions: Intervention[] = []): Promise<{ logProbs: Float64Array[]; acts: Map<string, Float64Array[]> }> {
  const logProbs: Float64Array[] = [];
  const acts = new Map(hooks.map((h) => [h, [] as Float64Array[]]));
  for (let i = 0; i < prompts.length; i += LAB_BATCH) {
    const chunk = prompts.slice(i, i + LAB_BATCH);
    const { ids, mask: attentionMask } = leftPadded(chunk);
    const { logits, cache } = await engineForward(model, ids, { attentionMask, names: hooks, interventions, lastOnly: true });
    const V = logits.shape[2];
    for (let b = 0; b < chunk.length; b++) logProbs.push(logSoftmax(logits.data.subarray(b * V, (b + 1) * V)));
    for (const h of hooks) {
      const t = cache.get(h)!;
      const d = t.shape[2];
      for (let b = 0; b < chunk.length; b++) {
        const offset = (b * t.shape[1] + t.shape[1] - 1) * d;
        acts.get(h)!.push(Float64Array.from(t.data.subarray(offset, offset + d)));
      }
    }
  }
  return { logProbs, acts };
}

/**
 * The judge's verdicts under `constitution` on judged pairs whose judging prompts fit the model's context:
 * prefers-better per kept pair, `kept` (indices among the judged pairs), and the answer-position activations (both orders).
 */
export async function judgePairs(model: EngineModel, data: QuantitiesData, pairs: ValuePair[], constitution: string, hooks: string[], interventions: Intervention[] = []): Promise<{ prefersBetter: boolean[]; kept: number[]; acts: Map<string, Float64Array[]> }> {
  const judged = pairs.filter((p) => p.judge !== null);
  const context = dims(model.config).maxPositions ?? Infinity;
  const both = judged.map((p) => [p.judge!(constitution, true), p.judge!(constitution, false)]);
  const kept = both.map((b, i) => (Math.max(b[0].length, b[1].length) <= context ? i : -1)).filter((i) => i >= 0);
  if (judged.length > 0 && kept.length === 0) {
    throw new InputError('constitution', JSON.stringify(constitution), `a wording short enough that some judging prompt fits the model's context of ${context} tokens`);
  }
  const prompts = kept.flatMap((i) => both[i]);
  const { logProbs, acts } = await forwardLast(model, prompts, hooks, interventions);
  const [a, b] = data.answerTokens;
  const prefersBetter = kept.map((_, i) => {
    const first = logProbs[2 * i];
    const second = logProbs[2 * i + 1];
    return first[a] - first[b] + (second[b] - second[a]) > 0;
  });
  return { prefersBetter, kept, acts };
}

/** Whether the model's own likelihood prefers the better response of each judged pair (summed log-probabilities). */
export async function likelihoodPrefersBetter(model: EngineModel, pairs: ValuePair[]): Promise<boolean[]> {
  const judged = pairs.filter((p) => p.judge !== null);
  const scores = await engineContinuationLogProbs(model, judged.flatMap((p) => [{ prompt: p.prompt, continuation: p.better }, { prompt: p.prompt, continuation: p.worse }]), { batchSize: 32 });
  return judged.map((_, i) => scores[2 * i] > scores[2 * i + 1]);
}

/** A logistic readout of preferences from residual differences (each pair shown both ways, so no bias is learned). */
export function preferenceReadout(better: Float64Array[], worse: Float64Array[], prefersBetter: boolean[], seed: number): Float64Array {
  const xs: Float64Array[] = [];
  const ys: number[] = [];
  better.forEach((b, i) => {
    const diff = b.map((x, j) => x - worse[i][j]);
    xs.push(diff, diff.map((x) => -x));
    ys.push(prefersBetter[i] ? 1 : 0, prefersBetter[i] ? 0 : 1);
  });
  return logisticProbe(xs, ys, { seed }).weights;
}

/** What every constitution shares: response residuals per hook, v*, g, rho, the anti-social direction. */
export interface ValueBase {
  hooks: string[];
  d: number;
  /** Per hook: v* (difference of means of better minus worse responses of the judged train pairs). */
  value: Map<string, Float64Array>;
  generation: Map<string, Float64Array>;
  anti: Map<string, Float64Array> | null;
  rho: Map<string, Correlation>;
  /** Judged train pairs' response residuals per hook. */
  judgedBetter: Map<string, Float64Array[]>;
  judgedWorse: Map<string, Float64Array[]>;
  /** Neutral-wording answer-position activations per hook (train). */
  neutralActs: Map<string, Float64Array[]>;
  generationAgreement: Rate;
  /** The likelihood preference (prefers better) of each judged train pair. */
  trainLikelihood: boolean[];
  /** The layer index with the largest held-out rho. */
  bestLayer: number;
}

/** Measures what every constitution shares (one pass over the data). */
export async function valueBase(model: EngineModel, data: QuantitiesData, seed: number): Promise<ValueBase> {
  const hooks = quantityHooks(model);
  const res = async (docs: number[][]) => {
    const m = await collectActivations(model, docs, hooks, [-1]);
    return new Map(hooks.map((h) => [h, m.get(h)![0]]));
  };
  const trB = await res(data.train.map((p) => p.betterDoc));
  const trW = await res(data.train.map((p) => p.worseDoc));
  const teB = await res(data.test.map((p) => p.betterDoc));
  const teW = await res(data.test.map((p) => p.worseDoc));
  const judgedTrain = data.train.map((p, i) => (p.judge ? i : -1)).filter((i) => i >= 0);
  const trainLik = await likelihoodPrefersBetter(model, data.train);
  const testLik = await likelihoodPrefersBetter(model, data.test);
  const neutral = await judgePairs(model, data, data.train, data.neutral, hooks);
  const antiActs = data.antiSocial ? { anti: await res(data.antiSocial.anti), pro: await res(data.antiSocial.pro) } : null;
  const value = new Map<string, Float64Array>();
  const generation = new Map<string, Float64Array>();
  const anti = antiActs ? new Map<string, Float64Array>() : null;
  const rho = new Map<string, Correlation>();
  const judgedBetter = new Map<string, Float64Array[]>();
  const judgedWorse = new Map<string, Float64Array[]>();
  const neutralActs = new Map<string, Float64Array[]>();
  let bestLayer = 0;
  hooks.forEach((h, l) => {
    judgedBetter.set(h, judgedTrain.map((i) => trB.get(h)![i]));
    judgedWorse.set(h, judgedTrain.map((i) => trW.get(h)![i]));
    // v*: better minus worse responses of the judged pairs (on the world: refusals minus harmful compliance).
    value.set(h, diffOfMeans(judgedBetter.get(h)!, judgedWorse.get(h)!));
    generation.set(h, preferenceReadout(judgedBetter.get(h)!, judgedWorse.get(h)!, trainLik, deriveSeed(seed, 3, l)));
    if (anti && antiActs) anti.set(h, diffOfMeans(antiActs.anti.get(h)!, antiActs.pro.get(h)!));
    // rho: a probe of better-vs-worse fitted on train responses, scored on held-out responses against their true values.
    const probe = logisticProbe([...trB.get(h)!, ...trW.get(h)!], [...data.train.map(() => 1), ...data.train.map(() => 0)], { seed: deriveSeed(seed, 4, l) });
    const score = (x: Float64Array) => x.reduce((s, v, j) => s + v * probe.weights[j], probe.bias);
    const xs = [...teB.get(h)!.map(score), ...teW.get(h)!.map(score)];
    const ys = [...data.test.map((p) => p.betterValue), ...data.test.map((p) => p.worseValue)];
    rho.set(h, correlation(xs, ys));
    const split = neutral.acts.get(h)!;
    neutralActs.set(h, split);
    const r = rho.get(h)!.r;
    const top = rho.get(hooks[bestLayer])!.r;
    if (Number.isFinite(r) && (!Number.isFinite(top) || r > top)) bestLayer = l;
  });
  return {
    hooks, d: value.get(hooks[0])!.length, value, generation, anti, rho, judgedBetter, judgedWorse, neutralActs,
    generationAgreement: rate(testLik.filter(Boolean).length, testLik.length), trainLikelihood: trainLik, bestLayer,
  };
}

function mapped(r: Rate): { value: number; low: number; high: number } {
  return { value: alignmentFromAgreement(r.rate), low: alignmentFromAgreement(r.low), high: alignmentFromAgreement(r.high) };
}

/** Percentile-bootstrap 95% intervals of cos(v_c readout, v*) and cos(g, v*), resampling the kept judged train pairs. */
export function bootstrapAlignments(better: Float64Array[], worse: Float64Array[], judge: boolean[], likelihood: boolean[], reps: number, seed: number): { judge: [number, number]; generation: [number, number] } {
  const rng = createRng(deriveSeed(seed, 17));
  const js: number[] = [];
  const gs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const idx = better.map(() => rng.int(better.length));
    const b = idx.map((i) => better[i]);
    const w = idx.map((i) => worse[i]);
    const v = diffOfMeans(b, w);
    js.push(cosine(preferenceReadout(b, w, idx.map((i) => judge[i]), deriveSeed(seed, 18, r)), v));
    gs.push(cosine(preferenceReadout(b, w, idx.map((i) => likelihood[i]), deriveSeed(seed, 19, r)), v));
  }
  const q = (xs: number[]): [number, number] => {
    const s = [...xs].filter(Number.isFinite).sort((a, c) => a - c);
    return s.length === 0 ? [NaN, NaN] : [s[Math.floor(0.025 * (s.length - 1))], s[Math.ceil(0.975 * (s.length - 1))]];
  };
  return { judge: q(js), generation: q(gs) };
}

/** Measures one constitution against the shared base (`bootstrap` resamples for the alignments' intervals; 0: none). */
export async function measureConstitution(model: EngineModel, data: QuantitiesData, base: ValueBase, constitution: string, seed: number, bootstrap = 0): Promise<ConstitutionQuantities> {
  const train = await judgePairs(model, data, data.train, constitution, base.hooks);
  const test = await judgePairs(model, data, data.test, constitution, [], []);
  const layers: QuantityLayer[] = base.hooks.map((h, l) => {
    const vcMeans = diffOfMeans(train.acts.get(h)!, base.neutralActs.get(h)!);
    const vcReadout = preferenceReadout(train.kept.map((i) => base.judgedBetter.get(h)![i]), train.kept.map((i) => base.judgedWorse.get(h)![i]), train.prefersBetter, deriveSeed(seed, 5, l));
    const v = base.value.get(h)!;
    const g = base.generation.get(h)!;
    const anti = base.anti?.get(h) ?? null;
    return {
      layer: l, hook: h, rho: base.rho.get(h)!,
      cos: {
        vcMeansVcReadout: cosine(vcMeans, vcReadout), vcMeansValue: cosine(vcMeans, v), vcReadoutValue: cosine(vcReadout, v),
        generationValue: cosine(g, v), generationVcReadout: cosine(g, vcReadout),
        antiValue: anti ? cosine(anti, v) : null, vcReadoutAnti: anti ? cosine(vcReadout, anti) : null,
      },
      vcReadout,
    } as QuantityLayer & { vcReadout: Float64Array };
  });
  const best = base.bestLayer;
  const h = base.hooks[best];
  const vc = (layers[best] as QuantityLayer & { vcReadout: Float64Array }).vcReadout;
  const judgeAgreement = rate(test.prefersBetter.filter(Boolean).length, test.prefersBetter.length);
  const theory = theoryOf(base.value.get(h)!, base.generation.get(h)!, vc, base.anti?.get(h) ?? null, constitution);
  const boot = bootstrap > 0 && train.kept.length > 1
    ? bootstrapAlignments(train.kept.map((i) => base.judgedBetter.get(h)![i]), train.kept.map((i) => base.judgedWorse.get(h)![i]), train.prefersBetter, train.kept.map((i) => base.trainLikelihood[i]), bootstrap, seed)
    : null;
  return {
    constitution,
    layers: layers.map(({ layer, hook, rho, cos }) => ({ layer, hook, rho, cos })),
    bestLayer: best,
    agreement: { judge: judgeAgreement, generation: base.generationAgreement },
    alignment: {
      judge: layers[best].cos.vcReadoutValue, generation: layers[best].cos.generationValue,
      judgeInterval: boot?.judge ?? null, generationInterval: boot?.generation ?? null,
      judgeFromAgreement: mapped(judgeAgreement), generationFromAgreement: mapped(base.generationAgreement) },
    theory,
  };
}

/** The theory engine on a measured geometry: v*, g, the constitution v_c (rank 1), the anti-social direction as the one encoded direction. */
export function theoryOf(value: Float64Array, generation: Float64Array, vc: Float64Array, anti: Float64Array | null, name: string): ConstitutionQuantities['theory'] {
  const arr = (x: Float64Array) => Array.from(x);
  // S = span(anti-social direction, g): v* itself is not given to the engine, so its rho is ||P_S v*||.
  const encoded = anti && norm(anti) > 0 ? [{ name: 'anti-social', vector: arr(anti) }] : [];
  const geometry = validateGeometry({ dim: value.length, trueValue: arr(value), generation: arr(generation), encoded, constitution: { name, basis: [arr(vc)], readout: arr(vc) } }, 'measured geometry');
  const r = analyze(geometry, 'measured geometry');
  return { rho: r.rho, alignmentJudge: r.alignment.judge, alignmentGeneration: r.alignment.generation, improves: r.improves, limit: r.alignment.judge, peak: r.peak, ceiling: r.ceiling, shape: r.shape };
}

/** Bootstrap resamples of the `quantities` step's alignment intervals. */
export const QUANTITY_BOOTSTRAP = 40;

/** The `quantities` step: the shared base, then each constitution. */
export async function measureQuantities(model: EngineModel, data: QuantitiesData, constitutions: string[], seed: number, say: (m: string) => void = () => {}, bootstrap = QUANTITY_BOOTSTRAP): Promise<QuantitiesResult> {
  say('value base (v*, g, rho)');
  const base = await valueBase(model, data, seed);
  const out: ConstitutionQuantities[] = [];
  for (const c of constitutions) {
    say(`constitution "${c}"`);
    out.push(await measureConstitution(model, data, base, c, seed, bootstrap));
  }
  return {
    data: data.description, nTrain: data.train.length, nTest: data.test.length, nJudgedTest: data.test.filter((p) => p.judge).length,
    baseline: randomCosineBaseline(base.d, 2000, seed), bootstrap, constitutions: out,
  };
}

/** The result of `ablate-value`. */
export interface AblateValueResult {
  constitution: string;
  layer: number;
  hook: string;
  baseline: Rate;
  ablated: Rate;
  random: Spread;
  randomRates: Rate[];
  /** The largest |random − baseline| agreement change. */
  randomMaxShift: number;
  /** Directions measured inside the judging prompt, each hook its own, ablated where they were measured; null without `judgeEnds`. */
  inContext: InContextAblation | null;
}

/** Ablations of directions measured at the responses' last tokens inside the judging prompt (one direction per hook). */
export interface InContextAblation {
  /** The hooks ablated (every block's input and middle, the last block's output, except where the responses never differ), each with its own direction. */
  hooks: string[];
  /** Agreement with v* in the judging context ablated: mean residual of the better response minus the worse one. */
  value: Rate;
  /** Agreement with the pairs' main axis ablated: the top principal axis of the paired differences (uncentred). */
  mainAxis: Rate;
  /** Per ablated hook: cos(v* in context, main axis), and the held-out rho of a better-vs-worse probe there (n responses). */
  perHook: { hook: string; cosValueMainAxis: number; rho: Correlation }[];
  /** Seeded random unit directions, one per hook, `n` sets. */
  random: Spread;
  randomRates: Rate[];
  randomMaxShift: number;
}

/** Ablates v* (unit, from the best-rho layer) everywhere during judging, against `controls` random unit directions. */
export async function ablateValue(model: EngineModel, data: QuantitiesData, constitution: string, seed: number, controls = 10, say: (m: string) => void = () => {}): Promise<AblateValueResult> {
  const base = await valueBase(model, data, seed);
  const h = base.hooks[base.bestLayer];
  const v = base.value.get(h)!;
  const unit = unitVector(v);
  const agree = async (interventions: Intervention[]) => {
    const { prefersBetter } = await judgePairs(model, data, data.test, constitution, [], interventions);
    return rate(prefersBetter.filter(Boolean).length, prefersBetter.length);
  };
  say('ablate-value: baseline');
  const baseline = await agree([]);
  say('ablate-value: v* ablated');
  const ablated = await agree(ablateEverywhere(model, [unit]));
  const directions = randomDirections(base.d, controls, 1, deriveSeed(seed, 9));
  const randomControls = await controlRates(controls, baseline, (i) => {
    say(`ablate-value: random ${i + 1}/${controls}`);
    return agree(ablateEverywhere(model, [directions[i]]));
  });
  const inContext = await inContextAblation(model, data, constitution, seed, controls, baseline, agree, say);
  return { constitution, layer: base.bestLayer, hook: h, baseline, ablated, ...randomControls, inContext };
}

/** The agreement under `controls` random interventions (`run(i)`): their spread, rates and largest shift from `baseline`. */
async function controlRates(controls: number, baseline: Rate, run: (i: number) => Promise<Rate>): Promise<{ random: Spread; randomRates: Rate[]; randomMaxShift: number }> {
  const randomRates: Rate[] = [];
  for (let i = 0; i < controls; i++) randomRates.push(await run(i));
  return { random: spread(randomRates.map((r) => r.rate)), randomRates, randomMaxShift: Math.max(...randomRates.map((r) => Math.abs(r.rate - baseline.rate))) };
}

/** Residuals at each response's last token inside the judging prompts of `pairs` (both orders), better and worse, per hook. */
async function responseEndResiduals(model: EngineModel, pairs: ValuePair[], constitution: string, hooks: string[]): Promise<{ better: Map<string, Float64Array[]>; worse: Map<string, Float64Array[]>; betterValues: number[]; worseValues: number[] }> {
  const prefixes: number[][] = [];
  const isBetter: boolean[] = [];
  const betterValues: number[] = [];
  const worseValues: number[] = [];
  for (const p of pairs) {
    if (!p.judge || !p.judgeEnds) continue;
    for (const betterFirst of [true, false]) {
      const ids = p.judge(constitution, betterFirst);
      const [first, second] = p.judgeEnds(constitution, betterFirst);
      // The model is causal: the residual at a position of the whole prompt is the last one of its prefix.
      prefixes.push(ids.slice(0, first + 1), ids.slice(0, second + 1));
      isBetter.push(betterFirst, !betterFirst);
      betterValues.push(p.betterValue);
      worseValues.push(p.worseValue);
    }
  }
  const acts = await collectActivations(model, prefixes, hooks, [-1]);
  const better = new Map(hooks.map((h) => [h, acts.get(h)![0].filter((_, i) => isBetter[i])]));
  const worse = new Map(hooks.map((h) => [h, acts.get(h)![0].filter((_, i) => !isBetter[i])]));
  return { better, worse, betterValues, worseValues };
}

/**
 * Where the judge reads values: v* and the pairs' main axis measured at the responses' last tokens inside the
 * judging prompt (train pairs), each hook its own direction, projected out at that hook; random per-hook sets as control.
 */
async function inContextAblation(model: EngineModel, data: QuantitiesData, constitution: string, seed: number, controls: number, baseline: Rate, agree: (iv: Intervention[]) => Promise<Rate>, say: (m: string) => void): Promise<InContextAblation | null> {
  if (!data.train.some((p) => p.judge && p.judgeEnds) || !data.test.some((p) => p.judge && p.judgeEnds)) return null;
  const hooks = everywhereHooks(model);
  const train = await responseEndResiduals(model, data.train, constitution, hooks);
  const test = await responseEndResiduals(model, data.test, constitution, hooks);
  const value = hooks.map((h) => unitVector(diffOfMeans(train.better.get(h)!, train.worse.get(h)!)));
  const axis = hooks.map((h) => pcaOfPairs(train.better.get(h)!, train.worse.get(h)!, 1).basis[0]);
  // A hook where the two responses never differ (a Llama block input at a shared last token) has no direction: not ablated.
  const differs = hooks.map((h) => train.better.get(h)!.some((b, i) => b.some((x, k) => x !== train.worse.get(h)![i][k])));
  const perHook = hooks.map((h, j) => {
    const probe = logisticProbe([...train.better.get(h)!, ...train.worse.get(h)!], [...train.better.get(h)!.map(() => 1), ...train.worse.get(h)!.map(() => 0)], { seed: deriveSeed(seed, 12, j) });
    const score = (x: Float64Array) => x.reduce((s, v, i) => s + v * probe.weights[i], probe.bias);
    const rho = correlation([...test.better.get(h)!.map(score), ...test.worse.get(h)!.map(score)], [...test.betterValues, ...test.worseValues]);
    return { hook: h, cosValueMainAxis: cosine(value[j], axis[j]), rho };
  }).filter((_, j) => differs[j]);
  const perHookAblation = (dirs: ArrayLike<number>[]): Intervention[] => hooks.flatMap((hook, j) => (differs[j] ? [{ kind: 'ablate' as const, hook, basis: [dirs[j]] }] : []));
  say('ablate-value: v* in the judging context ablated');
  const valueRate = await agree(perHookAblation(value));
  say('ablate-value: the pairs\' main axis ablated');
  const mainAxis = await agree(perHookAblation(axis));
  const d = value[0].length;
  const randomControls = await controlRates(controls, baseline, (i) => {
    say(`ablate-value: random per-hook set ${i + 1}/${controls}`);
    return agree(perHookAblation(randomDirections(d, hooks.length, 1, deriveSeed(seed, 13, i))));
  });
  return { hooks: hooks.filter((_, j) => differs[j]), value: valueRate, mainAxis, perHook, ...randomControls };
}
