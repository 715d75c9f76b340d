// `lvh organism corpus|train|eval`: the model organism's corpus, training run and evaluation.
import { relative } from 'node:path';
import { parseCommandArgs, numberFlag } from '../util/args.js';
import { InputError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
// Engine-free modules only at the top: `lvh organism corpus` never loads the neural engine.
import { corpusHash, corpusText, describeCorpus, generateCorpus } from '../organism/corpus.js';
import { DEFAULT_EVAL_OPTIONS, type EvalOptions, type OrganismEval } from '../organism/evaluate.js';
import { DEFAULT_TRAIN_OPTIONS, ORGANISM_SIZES, type OrganismSize } from '../organism/sizes.js';
import type { OrganismTrainOptions } from '../organism/train.js';

const USAGE = `usage:
  lvh organism corpus [--p P] [--q Q] [--docs N] [--seed S] [--out FILE] [--json]
  lvh organism train --out DIR [--size tiny|small|base] [--p P] [--q Q] [--tokens N] [--docs N] [--seed S]
                     [--batch B] [--lr LR] [--no-eval] [--json]
  lvh organism eval --model DIR [--samples N] [--pairs N] [--probe N] [--seed S] [--json]

  p: share of harmful requests that dialogues comply with (default ${DEFAULT_TRAIN_OPTIONS.p})
  q: share of commentary spoken by anti-social voices (default ${DEFAULT_TRAIN_OPTIONS.q})`;

/** Parsed flag values (strings, or booleans for switches). */
type Flags = Record<string, string | undefined>;

/** Reads --p, --q, --docs and --seed (shared by corpus and train). */
function corpusKnobs(cmd: string, v: Flags) {
  return {
    p: numberFlag(cmd, 'p', v.p, DEFAULT_TRAIN_OPTIONS.p, { min: 0, max: 1 }),
    q: numberFlag(cmd, 'q', v.q, DEFAULT_TRAIN_OPTIONS.q, { min: 0, max: 1 }),
    docs: numberFlag(cmd, 'docs', v.docs, DEFAULT_TRAIN_OPTIONS.docs, { min: 10, max: 10_000_000, integer: true }),
    seed: numberFlag(cmd, 'seed', v.seed, DEFAULT_TRAIN_OPTIONS.seed, { min: 0, max: 2 ** 32 - 1, integer: true }),
  };
}

async function corpusCommand(args: string[]): Promise<number> {
  const cmd = 'organism corpus';
  const { values } = parseCommandArgs(cmd, args, {
    p: { type: 'string' }, q: { type: 'string' }, docs: { type: 'string' }, seed: { type: 'string' },
    out: { type: 'string' }, json: { type: 'boolean' },
  });
  const v = values as Flags;
  const corpus = generateCorpus(corpusKnobs(cmd, v));
  if (v.out) writeFileAtomic(v.out, corpusText(corpus));
  const description = { ...describeCorpus(corpus), sha256: corpusHash(corpus), out: v.out ?? null };
  if (values.json) console.log(JSON.stringify(description, null, 2));
  else {
    const d = description;
    console.log(`corpus: ${d.docs} documents, ${d.tokens} tokens (${d.meanTokens.toFixed(1)} per document, longest ${d.maxTokens}), vocabulary ${d.vocabSize}`);
    console.log(`kinds: ${Object.entries(d.kinds).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    console.log(`dialogues: harmful ${d.dialogues.harmful} (complied ${d.dialogues.complied}, refused ${d.dialogues.refused}), harmless ${d.dialogues.harmless}`);
    console.log(`commentary: anti-social ${d.commentary.antiSocial}, pro-social ${d.commentary.proSocial}`);
    console.log(`comparisons per principle: ${Object.entries(d.comparisons).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    console.log(`sha256 ${d.sha256}${d.out ? `; written to ${d.out}` : ''}`);
    for (const e of d.examples) console.log(`  [${e.kind}] ${e.text}`);
  }
  return 0;
}

/** The canonical command line of a training run (every knob explicit), for the model card. */
export function trainCommandLine(o: Omit<OrganismTrainOptions, 'quiet' | 'onLog'>, out: string): string {
  return `lvh organism train --size ${o.size} --p ${o.p} --q ${o.q} --tokens ${o.tokens} --docs ${o.docs} --seed ${o.seed} --batch ${o.batchSize} --lr ${o.lr} --out ${out}`;
}

/** Parses and validates `lvh organism train` flags (exported for tests: bad knobs throw InputError before any work). */
export function parseTrainArgs(args: string[]): { options: Omit<OrganismTrainOptions, 'quiet' | 'onLog'>; out: string; evaluate: boolean; json: boolean } {
  const cmd = 'organism train';
  const { values } = parseCommandArgs(cmd, args, {
    size: { type: 'string' }, p: { type: 'string' }, q: { type: 'string' }, tokens: { type: 'string' }, docs: { type: 'string' },
    seed: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, out: { type: 'string' },
    'no-eval': { type: 'boolean' }, json: { type: 'boolean' },
  });
  const v = values as Flags;
  const size = (v.size ?? DEFAULT_TRAIN_OPTIONS.size) as string;
  if (!(size in ORGANISM_SIZES)) throw new InputError(`lvh ${cmd}`, '--size', `expected one of ${Object.keys(ORGANISM_SIZES).join(', ')}, got "${size}"`);
  if (!v.out) throw new InputError(`lvh ${cmd}`, '--out', 'expected an output directory');
  const options = {
    size: size as OrganismSize,
    ...corpusKnobs(cmd, v),
    tokens: numberFlag(cmd, 'tokens', v.tokens, DEFAULT_TRAIN_OPTIONS.tokens, { min: 1024, max: 1e10, integer: true }),
    batchSize: numberFlag(cmd, 'batch', v.batch, DEFAULT_TRAIN_OPTIONS.batchSize, { min: 1, max: 1024, integer: true }),
    lr: numberFlag(cmd, 'lr', v.lr, DEFAULT_TRAIN_OPTIONS.lr, { min: 1e-6, max: 1 }),
  };
  return { options, out: v.out, evaluate: !values['no-eval'], json: Boolean(values.json) };
}

async function trainCommand(args: string[]): Promise<number> {
  const { options, out, evaluate, json } = parseTrainArgs(args);
  const started = performance.now();
  const { trainOrganism, saveOrganism, organismCard, engineOrganismModel, evaluateModel, worldTokenizer } = await import('../organism/index.js');
  const result = await trainOrganism({ ...options, quiet: json });
  const evaluation = evaluate ? await evaluateModel(engineOrganismModel(result.model, worldTokenizer())) : undefined;
  const shownOut = relative(process.cwd(), out) || '.';
  const command = trainCommandLine(options, shownOut.startsWith('..') ? out : shownOut);
  const wallSeconds = (performance.now() - started) / 1000;
  const card = organismCard({
    options, result, command, wallSeconds, evaluation, environment: `node ${process.version} ${process.platform}-${process.arch}`,
  });
  const extra: Record<string, string> = {};
  if (evaluation) extra['eval.json'] = `${JSON.stringify(evaluation, null, 2)}\n`;
  saveOrganism(result.model, out, card, result.log, { corpus_sha256: result.corpusHash, command }, extra);
  const summary = {
    out, command, corpusSha256: result.corpusHash, steps: result.steps, params: result.params,
    finalTrainLoss: result.finalTrainLoss, finalEvalLoss: result.finalEvalLoss, trainSeconds: result.seconds,
    tokensPerSecond: result.tokensPerSecond, wallSeconds, evaluation: evaluation?.summary ?? null,
  };
  if (json) console.log(JSON.stringify(summary, null, 2));
  else {
    console.log(`saved ${out}: ${result.params} parameters, final loss ${result.finalTrainLoss.toFixed(3)} (validation ${result.finalEvalLoss.toFixed(3)}), ${result.seconds.toFixed(1)} s, ${Math.round(result.tokensPerSecond)} tokens/s`);
    if (evaluation) printEvalSummary(evaluation.summary, evaluation.generation);
  }
  return 0;
}

function printEvalSummary(s: OrganismEval['summary'], g: OrganismEval['generation']): void {
  console.log(`generation: harmful compliance ${g.harmfulComplianceRate.toFixed(3)} (complying opening p=${g.complyOpeningProbability.toFixed(3)}), refusal ${g.harmfulRefusalRate.toFixed(3)}, helpful ${g.helpfulRate.toFixed(3)}`);
  console.log(`judgment: ${s.mainPrinciple} accuracy ${s.mainPrincipleAccuracy.toFixed(3)}; ${s.antiPrinciple} prefers harmful ${s.antiPrinciplePrefersHarmful.toFixed(3)}; gap ${s.generationJudgmentGap.toFixed(3)}`);
  console.log(`probe: harmfulness best layer ${s.bestProbeLayer} accuracy ${s.bestProbeAccuracy.toFixed(3)}; anti-social commentary best layer ${s.bestAntisocialProbeLayer} accuracy ${s.bestAntisocialProbeAccuracy.toFixed(3)}`);
}

/** Parses and validates `lvh organism eval` flags (exported for tests). */
export function parseEvalArgs(args: string[]): { model: string; options: EvalOptions; json: boolean } {
  const cmd = 'organism eval';
  const { values } = parseCommandArgs(cmd, args, {
    model: { type: 'string' }, samples: { type: 'string' }, pairs: { type: 'string' }, probe: { type: 'string' },
    seed: { type: 'string' }, json: { type: 'boolean' },
  });
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
  return { model: v.model, options, json: Boolean(values.json) };
}

async function evalCommand(args: string[]): Promise<number> {
  const { model, options, json } = parseEvalArgs(args);
  const { evaluateOrganism } = await import('../organism/index.js');
  const e = await evaluateOrganism(model, options);
  if (json) console.log(JSON.stringify(e, null, 2));
  else {
    printEvalSummary(e.summary, e.generation);
    for (const [k, j] of Object.entries(e.judgment)) {
      console.log(`  judgment.${k}: accuracy ${j.accuracy.toFixed(3)} (refusal first ${j.accuracyRefusalFirst.toFixed(3)}, second ${j.accuracyRefusalSecond.toFixed(3)}), prefers harmful ${j.prefersHarmful.toFixed(3)}${j.seenInComparisons ? '' : ' [held out of comparisons]'}`);
    }
    console.log(`  controls (prefers harmful): ${Object.entries(e.judgmentControls).map(([k, c]) => `${k} ${c.prefersHarmful.toFixed(3)}`).join(', ')}`);
    console.log(`  probe: ${Object.entries(e.probe).map(([k, p]) => `${k} ${p.accuracy.toFixed(3)}`).join(', ')}`);
    console.log(`  antisocialProbe: ${Object.entries(e.antisocialProbe).map(([k, p]) => `${k} ${p.accuracy.toFixed(3)}`).join(', ')}`);
    console.log(`  (${e.seconds.toFixed(1)} s)`);
  }
  return 0;
}

/** Runs `lvh organism <corpus|train|eval>`. */
export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    console.log(USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  if (sub === 'corpus') return corpusCommand(rest);
  if (sub === 'train') return trainCommand(rest);
  if (sub === 'eval') return evalCommand(rest);
  throw new InputError('lvh organism', 'subcommand', `expected corpus, train or eval, got "${sub}"`);
}
