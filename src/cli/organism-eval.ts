// `lvh organism eval`: a model organism of either world evaluated, the world read from its organism.json.
import { parseCommandArgs, numberFlag } from '../util/args.js';
import { InputError } from '../util/errors.js';
import { ENGINE_FLAG_SPECS, engineFlags } from './engine-flags.js';
// Engine-free modules only at the top; the engine and the evaluators are imported when an evaluation starts.
import { DEFAULT_EVAL_OPTIONS, type EvalOptions, type OrganismEval } from '../organism/evaluate.js';
import { definedGap, formatGap, formatRate } from '../organism/rates.js';
import { DEFAULT_V2_EVAL_OPTIONS, type V2EvalOptions } from '../organism/v2/eval/evaluate.js';
import type { V2Eval } from '../organism/v2/eval/evaluate.js';
import { askedJudgingWords, organismWorld } from '../organism/world-of.js';

/** Parsed flag values (strings, or booleans for switches). */
type Flags = Record<string, string | undefined>;

/** Evaluates a v2 model next to its untrained twin (src/organism/v2/eval/engine-model.ts). */
export async function evaluateV2Model(model: import('../nn/engine.js').EngineModel, options: Partial<V2EvalOptions>, engine: { threads?: number; device: 'cpu' | 'cuda' }): Promise<V2Eval> {
  const { evaluateV2Engine } = await import('../organism/v2/eval/engine-model.js');
  return evaluateV2Engine(model, options, engine);
}

/** The evaluation as written to JSON: the gap is null when most generations are malformed. */
export function presentEval(e: OrganismEval): Omit<OrganismEval, 'summary'> & { summary: Omit<OrganismEval['summary'], 'generationJudgmentGap'> & { generationJudgmentGap: number | null; harmfulMalformedRate: number } } {
  return { ...e, summary: { ...e.summary, generationJudgmentGap: definedGap(e), harmfulMalformedRate: e.generation.harmfulMalformedRate } };
}

/** The four summary lines of an evaluation (after training and in `organism eval`). */
export function printEvalSummary(e: OrganismEval): void {
  const g = e.generation;
  const s = e.summary;
  const main = e.judgment[s.mainPrinciple];
  const anti = e.judgment[s.antiPrinciple];
  const nh = g.harmfulSamples;
  console.log(`generation, harmful requests: compliance ${formatRate(g.harmfulComplianceRate, nh)}, refusal ${formatRate(g.harmfulRefusalRate, nh)}, malformed ${formatRate(g.harmfulMalformedRate, nh)}; mean probability of a complying opening ${g.complyOpeningProbability.toFixed(3)}`);
  console.log(`generation, harmless requests: helpful ${formatRate(g.helpfulRate, g.harmlessSamples)}, refusal ${formatRate(g.harmlessRefusalRate, g.harmlessSamples)}, malformed ${formatRate(g.harmlessMalformedRate, g.harmlessSamples)}`);
  console.log(`judgment: ${s.mainPrinciple} accuracy ${formatRate(s.mainPrincipleAccuracy, main.cases)}; ${s.antiPrinciple} prefers harmful ${formatRate(s.antiPrinciplePrefersHarmful, anti.cases)}; gap ${formatGap(e)}`);
  const probeN = (rec: OrganismEval['probe'], layer: string) => rec[layer]?.n ?? 0;
  console.log(`probe: harmfulness best layer ${s.bestProbeLayer} accuracy ${formatRate(s.bestProbeAccuracy, probeN(e.probe, s.bestProbeLayer))}; anti-social commentary best layer ${s.bestAntisocialProbeLayer} accuracy ${formatRate(s.bestAntisocialProbeAccuracy, probeN(e.antisocialProbe, s.bestAntisocialProbeLayer))}`);
}

/** The flags of `lvh organism eval` (both worlds). */
const EVAL_SPEC = {
  model: { type: 'string' }, samples: { type: 'string' }, pairs: { type: 'string' }, probe: { type: 'string' },
  seed: { type: 'string' }, json: { type: 'boolean' }, ...ENGINE_FLAG_SPECS,
} as const;

/** Parses and validates `lvh organism eval` flags of a v1 organism (exported for tests). */
export function parseEvalArgs(args: string[]): { model: string; options: EvalOptions; json: boolean; engine: { threads?: number; device: 'cpu' | 'cuda' } } {
  const cmd = 'organism eval';
  const { values } = parseCommandArgs(cmd, args, EVAL_SPEC);
  const v = values as Flags;
  if (!v.model) throw new InputError(`lvh ${cmd}`, '--model', 'expected a model directory (e.g. models/organism-default)');
  const d = DEFAULT_EVAL_OPTIONS;
  const options: EvalOptions = {
    ...d,
    generationSamples: numberFlag(cmd, 'samples', v.samples, d.generationSamples, { min: 1, max: 10_000, integer: true }),
    judgmentPairs: numberFlag(cmd, 'pairs', v.pairs, d.judgmentPairs, { min: 1, max: 10_000, integer: true }),
    probeTrainPerClass: numberFlag(cmd, 'probe', v.probe, d.probeTrainPerClass, { min: 2, max: 10_000, integer: true }),
    seed: numberFlag(cmd, 'seed', v.seed, d.seed, { min: 0, max: 2 ** 32 - 1, integer: true }),
  };
  return { model: v.model, options, json: Boolean(values.json), engine: engineFlags(cmd, v) };
}

/** Parses and validates `lvh organism eval` flags of a v2 organism (exported for tests): --samples and --probe are v1's. */
export function parseEvalV2Args(args: string[]): { model: string; options: Partial<V2EvalOptions>; json: boolean; engine: { threads?: number; device: 'cpu' | 'cuda' } } {
  const cmd = 'organism eval';
  const { values } = parseCommandArgs(cmd, args, EVAL_SPEC);
  const v = values as Flags;
  if (!v.model) throw new InputError(`lvh ${cmd}`, '--model', 'expected a model directory');
  for (const flag of ['samples', 'probe'] as const) {
    if (v[flag] !== undefined) throw new InputError(`lvh ${cmd}`, `--${flag}`, `expected no --${flag} for a v2 organism (${v.model}/organism.json says world v2; --${flag} is v1's)`);
  }
  const d = DEFAULT_V2_EVAL_OPTIONS;
  const options: Partial<V2EvalOptions> = {
    pairsPerCell: numberFlag(cmd, 'pairs', v.pairs, d.pairsPerCell, { min: 1, max: 10_000, integer: true }),
    seed: numberFlag(cmd, 'seed', v.seed, d.seed, { min: 0, max: 2 ** 32 - 1, integer: true }),
  };
  return { model: v.model, options, json: Boolean(values.json), engine: engineFlags(cmd, v) };
}

/** Test hooks of `runEval`: the v2 evaluation's options beyond the flags (tests shrink it). */
export interface EvalHooks {
  v2Options?: Partial<V2EvalOptions>;
}

/** Runs `lvh organism eval` (exported with hooks for tests): the world is read from the model directory. */
export async function runEval(args: string[], hooks: EvalHooks = {}): Promise<number> {
  const { values } = parseCommandArgs('organism eval', args, EVAL_SPEC);
  const dir = (values as Flags).model;
  if (!dir || organismWorld(dir) === 'v1') return evalCommand(args);
  const { model: modelDir, options, json, engine } = parseEvalV2Args(args);
  const nn = await import('../nn/engine.js');
  const { model } = await nn.loadEngineModelDir(modelDir, engine);
  let e: V2Eval;
  try {
    if (!json) console.error(`lvh organism eval: evaluating ${modelDir} (world v2) next to its untrained twin`);
    e = await evaluateV2Model(model, { judgingWordsAsked: askedJudgingWords(modelDir), ...hooks.v2Options, ...options }, engine);
  } finally {
    await nn.releaseEngineModel(model);
  }
  if (json) console.log(JSON.stringify(e, null, 2));
  else for (const line of (await import('../organism/v2/eval/format.js')).formatV2Eval(e)) console.log(line);
  return 0;
}

/** `lvh organism eval` of a v1 organism: generations, judgments and probes, printed or as JSON. */
async function evalCommand(args: string[]): Promise<number> {
  const { model: dir, options, json, engine } = parseEvalArgs(args);
  const { loadOrganismModel, evaluateModel, evalProgress } = await import('../organism/index.js');
  const { releaseEngineModel } = await import('../nn/engine.js');
  const { model, organism } = await loadOrganismModel(dir, engine);
  let e: OrganismEval;
  try {
    const p = evalProgress(organism, options, json);
    e = await evaluateModel(p.model, options);
    p.progress.finish(`${e.seconds.toFixed(1)} s`);
  } finally {
    await releaseEngineModel(model);
  }
  if (json) console.log(JSON.stringify(presentEval(e), null, 2));
  else {
    printEvalSummary(e);
    console.log('  accuracy: share of cases (pairs × both answer orders) whose choice follows the principle (pro-social: the refusal; anti-social: the compliance); refusal first/second: accuracy with the refusal shown as answer a / as answer b (their difference is position bias)');
    for (const [k, j] of Object.entries(e.judgment)) {
      const half = j.cases / 2;
      console.log(`  judgment.${k} (${j.proSocial ? 'pro-social' : 'anti-social'}): accuracy ${formatRate(j.accuracy, j.cases)} (refusal first ${formatRate(j.accuracyRefusalFirst, half)}, second ${formatRate(j.accuracyRefusalSecond, half)}), prefers harmful ${formatRate(j.prefersHarmful, j.cases)}${j.seenInComparisons ? '' : ' [held out of comparisons]'}`);
    }
    console.log(`  controls (prefers harmful): ${Object.entries(e.judgmentControls).map(([k, c]) => `${k} ${formatRate(c.prefersHarmful, c.cases)}`).join(', ')}`);
    console.log(`  probe (accuracy per layer): ${Object.entries(e.probe).map(([k, p]) => `${k} ${formatRate(p.accuracy, p.n)}`).join(', ')}`);
    console.log(`  antisocialProbe (accuracy per layer): ${Object.entries(e.antisocialProbe).map(([k, p]) => `${k} ${formatRate(p.accuracy, p.n)}`).join(', ')}`);
    console.log(`  (${e.seconds.toFixed(1)} s; rates: value [95% Wilson interval] n=cases)`);
  }
  return 0;
}
