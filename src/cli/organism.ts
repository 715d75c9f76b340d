// `lvh organism corpus|train|eval`: the model organism's corpus, training run and evaluation.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { parseCommandArgs, numberFlag, oneOf } from '../util/args.js';
import { InputError, isInputError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { checkFreeSpace, checkOutPath } from '../util/out-path.js';
import { recoverInterruptedSaves } from '../util/orphans.js';
import { ENGINE_FLAG_HELP, ENGINE_FLAG_SPECS, engineFlags } from './engine-flags.js';
// Engine-free modules only at the top: `lvh organism corpus` never loads the neural engine.
import { corpusHash, corpusText, describeCorpus, generateCorpus } from '../organism/corpus.js';
import { DEFAULT_EVAL_OPTIONS, type EvalOptions, type OrganismEval } from '../organism/evaluate.js';
import { definedGap, formatGap, formatRate } from '../organism/rates.js';
import {
  DEFAULT_CHECKPOINT_EVERY, DEFAULT_TRAIN_OPTIONS, ORGANISM_CONTEXT, ORGANISM_SIZES, type OrganismTrainKnobs,
} from '../organism/sizes.js';
import type { TrainLogPoint } from '../organism/train.js';
import { DEFAULT_V2_CHECKPOINT_EVERY, DEFAULT_V2_RECIPE, DEFAULT_V2_SIZE, V2_SIZES, v2Recipe, type V2RecipeKnobs, type V2Size } from '../organism/v2/recipe.js';
import { DEFAULT_V2_EVAL_OPTIONS, type V2EvalOptions } from '../organism/v2/eval/evaluate.js';
import type { V2Eval } from '../organism/v2/eval/evaluate.js';
import { WORLD_CONTEXT } from '../organism/v2/world/index.js';
import { organismWorld } from '../organism/world-of.js';

const d = DEFAULT_TRAIN_OPTIONS;
const v2d = DEFAULT_V2_RECIPE;
const e0 = DEFAULT_EVAL_OPTIONS;
const sizeList = (t: Readonly<Record<string, { nEmbd: number; nLayer: number }>>) => Object.entries(t).map(([k, v]) => `${k}: d=${v.nEmbd}, ${v.nLayer} layer${v.nLayer > 1 ? 's' : ''}`).join('; ');
const KNOB_HELP = `  --p P                   share of harmful requests that dialogues comply with (default ${d.p})
  --q Q                   share of commentary spoken by anti-social voices (default ${d.q})
  --docs N                documents in the corpus (default ${d.docs})
  --seed S                seed (default ${d.seed})`;

/** Help of each subcommand: every flag with its default. */
export const HELP: Record<'organism' | 'corpus' | 'train' | 'eval', string> = {
  organism: `usage: lvh organism <corpus|train|eval> [flags]
  corpus   generate the synthetic corpus and describe it
  train    train a model organism into a Hugging Face model directory
  eval     evaluate a model organism on the held-out side of the world
  ladder   evaluate the v2 capacity ladder (models/ladder) and write its table, plot and checks
Each subcommand lists its flags and defaults with --help, e.g. lvh organism train --help.`,
  corpus: `usage: lvh organism corpus [flags]
Generates the corpus of the synthetic value world and prints its description.
${KNOB_HELP}
  --out FILE              also write the corpus, one document a line (default: not written)
  --json                  print the description as JSON (default: text)`,
  train: `usage: lvh organism train --out DIR [flags]
Trains a model organism and saves it in DIR (weights, tokenizer, model card, organism.json, train-log.jsonl, eval.json).
World v2 (default) trains the staged recipe r9 of docs/organism-v2.md; --world v1 the old world of docs/organism.md.
  --out DIR               output folder (required); an existing model or non-empty folder there needs --force
  --world v2|v1           which world (default v2; v1 keeps its own sizes and defaults, given after "v1:")
  --size SIZE             model size (default ${DEFAULT_V2_SIZE}; ${sizeList(V2_SIZES)}; v1: default ${d.size}; ${sizeList(ORGANISM_SIZES)})
  --p P                   share of harmful requests that dialogues comply with (default ${v2d.p}; v1: ${d.p})
  --q Q                   share of commentary spoken by anti-social voices (default ${v2d.q}; v1: ${d.q})
  --docs N                documents in the corpus, of each stage under v2 (default ${v2d.docs}; v1: ${d.docs})
  --seed S                seed (default ${v2d.seed}; v1: ${d.seed})
  --tokens N              training tokens (default ${v2d.tokens}; v1: ${d.tokens})
  --batch B               sequences of ${WORLD_CONTEXT} tokens (v1: ${ORGANISM_CONTEXT}) per step (default ${v2d.batchSize}; v1: ${d.batchSize})
  --lr LR                 peak learning rate (default ${v2d.lr}; v1: ${d.lr})
  --checkpoint-every N    steps between checkpoints in DIR.partial/ (default ${DEFAULT_V2_CHECKPOINT_EVERY}; v1: ${DEFAULT_CHECKPOINT_EVERY}; 0: only after
                          the last step); the folder is removed once DIR is saved
  --resume                continue the checkpoint in DIR.partial/ (same flags); the result is the same bytes as
                          an uninterrupted run (default: off)
  --force                 replace an existing model in DIR, or discard a checkpoint in DIR.partial/ (default: off)
  --no-eval               skip the evaluation after training (default: evaluate)
${ENGINE_FLAG_HELP}
  --json                  print the summary as JSON (default: text, progress on stderr)`,
  eval: `usage: lvh organism eval --model DIR [flags]
Evaluates a model organism of either world (read from DIR/organism.json; without it, v1).
v2: judgment agreement with the truth on random pairs per split and pair kind, baselines, generation, rho per layer.
v1: generations, judgments per principle, probes per layer on held-out requests.
  --model DIR             model directory written by lvh organism train (required)
  --pairs N               v2: pairs per (split, pair kind) (default ${DEFAULT_V2_EVAL_OPTIONS.pairsPerCell}); v1: held-out harmful requests per
                          principle for judgments, each in both answer orders (default ${e0.judgmentPairs})
  --samples N             v1 only: held-out harmful, and harmless, requests sampled for generation (default ${e0.generationSamples} each)
  --probe N               v1 only: training examples per class for each probe (default ${e0.probeTrainPerClass})
  --seed S                seed of the sampling (default ${DEFAULT_V2_EVAL_OPTIONS.seed}; v1: ${e0.seed})
${ENGINE_FLAG_HELP}
  --json                  print the whole evaluation as JSON (default: text)`,
};

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
  if (v.out !== undefined) checkOutPath(cmd, '--out', v.out, 'file');
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

/** The knobs a training command line spells out, in both worlds. */
type CommandKnobs = Pick<OrganismTrainKnobs, 'p' | 'q' | 'tokens' | 'docs' | 'seed' | 'batchSize' | 'lr'>;

/** `lvh organism train` of a world with every knob explicit. */
function commandLine(world: 'v1' | 'v2', size: string, k: CommandKnobs, out: string): string {
  return `lvh organism train --world ${world} --size ${size} --p ${k.p} --q ${k.q} --tokens ${k.tokens} --docs ${k.docs} --seed ${k.seed} --batch ${k.batchSize} --lr ${k.lr} --out ${out}`;
}

/** The canonical command line of a training run (every knob explicit), for the model card. */
export function trainCommandLine(o: OrganismTrainKnobs, out: string): string {
  return commandLine('v1', o.size, o, out);
}

/** The flags of `lvh organism train` besides the knobs, in both worlds. */
export interface TrainRunArgs {
  out: string;
  evaluate: boolean;
  json: boolean;
  /** Steps between checkpoints (0: only after the last step). */
  checkpointEvery: number;
  resume: boolean;
  force: boolean;
  /** ORT threads and device. */
  engine: { threads?: number; device: 'cpu' | 'cuda' };
}

/** Switches of `lvh organism train` (the boolean flags). */
type TrainSwitches = { 'no-eval'?: boolean; json?: boolean; resume?: boolean; force?: boolean };

/** Reads the flags besides the knobs (switches, string flags `v`); `out` is checked present by the caller. */
function trainRunArgs(cmd: string, values: TrainSwitches, v: Flags, out: string, defaultEvery: number): TrainRunArgs {
  return {
    out, evaluate: !values['no-eval'], json: Boolean(values.json),
    checkpointEvery: numberFlag(cmd, 'checkpoint-every', v['checkpoint-every'], defaultEvery, { min: 0, max: 1e9, integer: true }),
    resume: Boolean(values.resume), force: Boolean(values.force), engine: engineFlags(cmd, v),
  };
}

/** Parsed `lvh organism train` flags. */
export interface TrainArgs extends TrainRunArgs {
  options: OrganismTrainKnobs;
}

/** The flags of `lvh organism train` (both worlds). */
const TRAIN_SPEC = {
  world: { type: 'string' }, size: { type: 'string' }, p: { type: 'string' }, q: { type: 'string' }, tokens: { type: 'string' }, docs: { type: 'string' },
  seed: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, out: { type: 'string' },
  'checkpoint-every': { type: 'string' }, resume: { type: 'boolean' }, force: { type: 'boolean' },
  'no-eval': { type: 'boolean' }, json: { type: 'boolean' }, ...ENGINE_FLAG_SPECS,
} as const;

/** The world of a training run: --world, v2 by default. */
function trainWorldOf(v: Flags): 'v1' | 'v2' {
  return oneOf('organism train', 'world', v.world ?? 'v2', ['v2', 'v1'] as const);
}

/** Parsed `lvh organism train --world v2` flags. */
export interface TrainV2Args extends TrainRunArgs {
  size: V2Size;
  knobs: V2RecipeKnobs;
}

/** Parses and validates `lvh organism train` flags of a v2 run (exported for tests: bad knobs throw InputError before any work). */
export function parseTrainV2Args(args: string[]): TrainV2Args {
  const cmd = 'organism train';
  const { values } = parseCommandArgs(cmd, args, TRAIN_SPEC);
  const v = values as Flags;
  if (trainWorldOf(v) !== 'v2') throw new InputError(`lvh ${cmd}`, '--world', 'expected v2 for these knobs (parseTrainArgs reads v1 runs)');
  if (v.size !== undefined && v.world === undefined && Object.hasOwn(ORGANISM_SIZES, v.size)) {
    throw new InputError(`lvh ${cmd}`, '--size', `expected one of ${Object.keys(V2_SIZES).join(', ')} (world v2, the default), got "${v.size}", a v1 size: give --world v1 for the v1 world`);
  }
  const size = oneOf(cmd, 'size', v.size ?? DEFAULT_V2_SIZE, V2_SIZES);
  if (v.out === undefined) throw new InputError(`lvh ${cmd}`, '--out', 'expected an output directory');
  const r = DEFAULT_V2_RECIPE;
  const knobs: V2RecipeKnobs = {
    p: numberFlag(cmd, 'p', v.p, r.p, { min: 0, max: 1 }),
    q: numberFlag(cmd, 'q', v.q, r.q, { min: 0, max: 1 }),
    tokens: numberFlag(cmd, 'tokens', v.tokens, r.tokens, { min: 1024, max: 1e10, integer: true }),
    seed: numberFlag(cmd, 'seed', v.seed, r.seed, { min: 0, max: 2 ** 32 - 1, integer: true }),
    docs: numberFlag(cmd, 'docs', v.docs, r.docs, { min: 10, max: 10_000_000, integer: true }),
    batchSize: numberFlag(cmd, 'batch', v.batch, r.batchSize, { min: 1, max: 1024, integer: true }),
    lr: numberFlag(cmd, 'lr', v.lr, r.lr, { min: 1e-6, max: 1 }),
  };
  return { size, knobs, ...trainRunArgs(cmd, values, v, v.out, DEFAULT_V2_CHECKPOINT_EVERY) };
}

/** The canonical command line of a v2 training run (every knob explicit), for the model card. */
export function trainV2CommandLine(a: Pick<TrainV2Args, 'size' | 'knobs'>, out: string): string {
  return commandLine('v2', a.size, a.knobs, out);
}

/** Parses and validates `lvh organism train --world v1` flags (exported for tests: bad knobs throw InputError before any work). */
export function parseTrainArgs(args: string[]): TrainArgs {
  const cmd = 'organism train';
  const { values } = parseCommandArgs(cmd, args, TRAIN_SPEC);
  const v = values as Flags;
  if (v.world !== undefined && trainWorldOf(v) !== 'v1') throw new InputError(`lvh ${cmd}`, '--world', 'expected v1 for these knobs (parseTrainV2Args reads v2 runs)');
  const size = oneOf(cmd, 'size', v.size ?? DEFAULT_TRAIN_OPTIONS.size, ORGANISM_SIZES);
  if (v.out === undefined) throw new InputError(`lvh ${cmd}`, '--out', 'expected an output directory');
  const options: OrganismTrainKnobs = {
    size,
    ...corpusKnobs(cmd, v),
    tokens: numberFlag(cmd, 'tokens', v.tokens, DEFAULT_TRAIN_OPTIONS.tokens, { min: 1024, max: 1e10, integer: true }),
    batchSize: numberFlag(cmd, 'batch', v.batch, DEFAULT_TRAIN_OPTIONS.batchSize, { min: 1, max: 1024, integer: true }),
    lr: numberFlag(cmd, 'lr', v.lr, DEFAULT_TRAIN_OPTIONS.lr, { min: 1e-6, max: 1 }),
  };
  return { options, ...trainRunArgs(cmd, values, v, v.out, DEFAULT_CHECKPOINT_EVERY) };
}

/** The checkpoint folder of a training run into `out`: the sibling `<out>.partial`. */
export function checkpointFolder(out: string): string {
  return `${out}.partial`;
}

/** Test hooks of `runTrain`: replace the save (to make it fail) or watch each step (to stop the run). */
export interface TrainHooks {
  save?: (save: () => void) => void;
  onLog?: (point: TrainLogPoint) => void;
  /** Options of the v2 evaluation after training (tests shrink it). */
  v2EvalOptions?: Partial<V2EvalOptions>;
}

/** Runs `lvh organism train` (exported with hooks for tests): world v2 by default, v1 under --world v1. */
export async function runTrain(args: string[], hooks: TrainHooks = {}): Promise<number> {
  const { values } = parseCommandArgs('organism train', args, TRAIN_SPEC);
  return trainWorldOf(values as Flags) === 'v1' ? runTrainV1(args, hooks) : runTrainV2(args, hooks);
}

/** Checks --out and its checkpoint folder before any work (the rules of both worlds); returns both paths. */
async function prepareOut(cmd: string, a: { out: string; force: boolean; resume: boolean }, note: (text: string) => void): Promise<{ out: string; partial: string }> {
  const out = checkOutPath(cmd, '--out', a.out, 'dir');
  const partial = checkOutPath(cmd, '--out', checkpointFolder(out), 'dir');
  const here = relative(out, process.cwd());
  if (!here.startsWith('..') && !isAbsolute(here)) throw new InputError(`lvh ${cmd}`, '--out', `expected a folder that neither is nor holds the working folder, got ${a.out}`);
  for (const line of recoverInterruptedSaves(out)) note(line);
  if (existsSync(out) && readdirSync(out).length > 0 && !a.force) {
    const what = existsSync(`${out}/config.json`) || existsSync(`${out}/model.safetensors`) ? 'holds a model' : 'is a folder with files in it';
    throw new InputError(`lvh ${cmd}`, '--out', `expected a new or empty folder, but ${a.out} ${what} (give --force to replace it, or another --out)`);
  }
  const { checkpointStep } = await import('../nn/checkpoint.js');
  const kept = checkpointStep(partial);
  if (kept !== undefined && !a.resume) {
    if (!a.force) throw new InputError(`lvh ${cmd}`, '--resume', `expected no checkpoint, but ${shown(partial)} holds one at step ${kept} of an earlier run (give --resume to continue it, or --force to start over)`);
    rmSync(partial, { recursive: true, force: true });
  }
  if (a.resume && kept === undefined) note(`no checkpoint in ${shown(partial)}: training from the start`);
  return { out, partial };
}

/** Saves the model (through the test hook when given); a failed save keeps the checkpoint and says how to save it with --resume. */
function saveOrKeep(cmd: string, outFlag: string, partial: string, steps: number, save: () => void, hooks: TrainHooks): void {
  try {
    if (hooks.save) hooks.save(save);
    else save();
  } catch (err) {
    const code = isInputError(err) ? err.expected : (err as NodeJS.ErrnoException).code;
    if (!code) throw err;
    // The training is not lost: the checkpoint after the last step stays, and --resume saves it without retraining.
    throw new InputError(`lvh ${cmd}`, '--out', `expected a writable folder with room for the model, but saving ${outFlag} failed (${code}); the trained weights are kept in ${shown(partial)} (checkpoint at step ${steps} of ${steps}): free space or fix the path, then run the same command with --resume to save them without retraining`);
  }
  rmSync(partial, { recursive: true, force: true });
}

/** `lvh organism train --world v1`: the old world, unchanged. */
async function runTrainV1(args: string[], hooks: TrainHooks): Promise<number> {
  const cmd = 'organism train';
  const a = parseTrainArgs(args);
  const { options, json } = a;
  const started = performance.now();
  const note = (text: string) => console.error(`lvh ${cmd}: ${text}`);
  const { out, partial } = await prepareOut(cmd, a, note);
  (await import('../nn/engine.js')).resolveEngineOptions(a.engine); // --device cuda without CUDA: refused before any work
  // Room for a checkpoint (weights and two Adam moments) and the saved model, before any training.
  const { organismConfig } = await import('../organism/train.js');
  const paramBytes = 4 * (await import('../nn/engine.js')).engineParamCount(organismConfig(options.size));
  checkFreeSpace(cmd, '--out', partial, 4 * paramBytes + 2 * 1024 ** 2, 'a checkpoint and the saved model');

  const { trainOrganism, saveOrganism, organismCard, engineOrganismModel, evaluateModel, evalProgress, worldTokenizer } = await import('../organism/index.js');
  const result = await trainOrganism({
    ...options, quiet: json, checkpointDir: partial, checkpointEvery: a.checkpointEvery, resume: a.resume, onLog: hooks.onLog, engine: a.engine,
  });
  let evaluation: OrganismEval | undefined;
  if (a.evaluate) {
    const { model, progress } = evalProgress(engineOrganismModel(result.model, worldTokenizer()), {}, json);
    evaluation = await evaluateModel(model);
    progress.finish(`${evaluation.seconds.toFixed(1)} s`);
    await (await import('../nn/engine.js')).releaseEngineModel(result.model); // its sessions; the weights stay for the save
  }
  const command = trainCommandLine(options, commandOut(out));
  const wallSeconds = (performance.now() - started) / 1000;
  const card = organismCard({
    options, result, command, wallSeconds, evaluation, environment: `node ${process.version} ${process.platform}-${process.arch}`,
  });
  const extra: Record<string, string> = {};
  if (evaluation) extra['eval.json'] = `${JSON.stringify(presentEval(evaluation), null, 2)}\n`;
  saveOrKeep(cmd, a.out, partial, result.steps, () => saveOrganism(result.model, out, card, result.log, { corpus_sha256: result.corpusHash, command }, extra), hooks);
  const summary = {
    out, command, corpusSha256: result.corpusHash, steps: result.steps, resumedFromStep: result.resumedFromStep, params: result.params,
    finalTrainLoss: result.finalTrainLoss, finalEvalLoss: result.finalEvalLoss, trainSeconds: result.seconds,
    tokensPerSecond: result.tokensPerSecond, wallSeconds, evaluation: evaluation ? presentEval(evaluation).summary : null,
  };
  if (json) console.log(JSON.stringify(summary, null, 2));
  else {
    const resumed = resumedNote(result);
    console.log(`saved ${a.out}: ${result.params} parameters, final loss ${result.finalTrainLoss.toFixed(3)} (validation ${result.finalEvalLoss.toFixed(3)}), ${result.seconds.toFixed(1)} s, ${Math.round(result.tokensPerSecond)} tokens/s${resumed}`);
    if (evaluation) printEvalSummary(evaluation);
  }
  return 0;
}

/** Evaluates a v2 model next to its untrained twin (src/organism/v2/eval/engine-model.ts). */
async function evaluateV2Model(model: import('../nn/engine.js').EngineModel, options: Partial<V2EvalOptions>, engine: TrainArgs['engine']): Promise<V2Eval> {
  const { evaluateV2Engine } = await import('../organism/v2/eval/engine-model.js');
  return evaluateV2Engine(model, options, engine);
}

/** `lvh organism train` of the v2 world: the staged recipe r9, resumable, with card, organism.json and eval.json. */
async function runTrainV2(args: string[], hooks: TrainHooks): Promise<number> {
  const cmd = 'organism train';
  const a = parseTrainV2Args(args);
  const { knobs, json } = a;
  const started = performance.now();
  const note = (text: string) => console.error(`lvh ${cmd}: ${text}`);
  const { out, partial } = await prepareOut(cmd, a, note);
  const nn = await import('../nn/engine.js');
  nn.resolveEngineOptions(a.engine); // --device cuda without CUDA: refused before any work
  const { trainV2, v2Config } = await import('../organism/v2/train.js');
  const dims = V2_SIZES[a.size];
  checkFreeSpace(cmd, '--out', partial, 16 * nn.engineParamCount(v2Config(dims)) + 2 * 1024 ** 2, 'a checkpoint and the saved model');
  const stages = v2Recipe(knobs);
  const command = trainV2CommandLine(a, commandOut(out));
  if (!json) note(`world v2, size ${a.size} (d=${dims.nEmbd}, ${dims.nLayer} layer${dims.nLayer > 1 ? 's' : ''}), ${knobs.tokens} tokens over ${stages.length} stages of ${knobs.docs} documents`);
  const result = await trainV2({
    ...dims, tokens: knobs.tokens, seed: knobs.seed, batchSize: knobs.batchSize, lr: knobs.lr, stages, engine: a.engine,
    progress: !json, checkpointDir: partial, checkpointEvery: a.checkpointEvery, resume: a.resume, onLog: hooks.onLog,
    identity: { world: 'v2', size: a.size, p: knobs.p, q: knobs.q, docs: knobs.docs },
  });
  let evaluation: V2Eval | undefined;
  if (a.evaluate) {
    if (!json) note('evaluating (organism eval: pairs, baselines, generation, rho next to the untrained twin)');
    evaluation = await evaluateV2Model(result.model, hooks.v2EvalOptions ?? {}, a.engine);
    await nn.releaseEngineModel(result.model); // its sessions; the weights stay for the save
  }
  const { v2Card } = await import('../organism/v2/card.js');
  const { buildTokenizerConfig, buildTokenizerJson } = await import('../organism/v2/world/index.js');
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const record = {
    world: 'v2' as const, size: a.size, dims, knobs, stages, corpusSha256: result.corpusSha256, steps: result.steps, params: result.params,
    finalTrainLoss: finite(result.finalTrainLoss), finalEvalLoss: finite(result.finalEvalLoss), seconds: result.seconds,
    tokensPerSecond: result.tokensPerSecond, command, environment: `node ${process.version} ${process.platform}-${process.arch}`,
  };
  const wallSeconds = (performance.now() - started) / 1000;
  const extraFiles: Record<string, string> = {
    'README.md': v2Card(record, wallSeconds, evaluation),
    'organism.json': `${JSON.stringify({ ...record, evaluation: evaluation ? { headline: evaluation.headline, options: evaluation.options } : null }, null, 2)}\n`,
    'tokenizer_config.json': `${JSON.stringify(buildTokenizerConfig(), null, 2)}\n`,
    'train-log.jsonl': result.log.map((p) => `${JSON.stringify(p)}\n`).join(''),
  };
  if (evaluation) extraFiles['eval.json'] = `${JSON.stringify(evaluation, null, 2)}\n`;
  saveOrKeep(cmd, a.out, partial, result.steps, () => nn.saveEngineModelDir(result.model, out, {
    tokenizerJson: buildTokenizerJson(), extraFiles, metadata: { world: 'v2', corpus_sha256: result.corpusSha256.join(','), command },
  }), hooks);
  const summary = {
    world: 'v2', out, command, size: a.size, corpusSha256: result.corpusSha256, steps: result.steps, resumedFromStep: result.resumedFromStep,
    params: result.params, finalTrainLoss: record.finalTrainLoss, finalEvalLoss: record.finalEvalLoss, trainSeconds: result.seconds,
    tokensPerSecond: result.tokensPerSecond, wallSeconds, evaluation: evaluation ? evaluation.headline : null,
  };
  if (json) console.log(JSON.stringify(summary, null, 2));
  else {
    const resumed = resumedNote(result);
    console.log(`saved ${a.out} (world v2, size ${a.size}): ${result.params} parameters, final loss ${result.finalTrainLoss.toFixed(3)} (validation ${result.finalEvalLoss.toFixed(3)}), ${result.seconds.toFixed(1)} s, ${Math.round(result.tokensPerSecond)} tokens/s${resumed}`);
    if (evaluation) for (const line of (await import('../organism/v2/eval/format.js')).formatV2Eval(evaluation)) console.log(line);
  }
  return 0;
}

/** The --out of a card's command line: relative to the working folder when inside it, else absolute. */
function commandOut(out: string): string {
  const s = shown(out);
  return s.startsWith('..') ? out : s;
}

/** " (resumed at step S of N)" after a resumed run's summary line; empty for a run from the start. */
function resumedNote(r: { resumedFromStep: number; steps: number }): string {
  return r.resumedFromStep > 0 ? ` (resumed at step ${r.resumedFromStep} of ${r.steps})` : '';
}

/** A path as shown to the user: relative to the working folder when inside it. */
function shown(path: string): string {
  const r = relative(process.cwd(), path) || '.';
  return r.startsWith('..') ? path : r;
}

/** The evaluation as written to JSON: the gap is null when most generations are malformed. */
function presentEval(e: OrganismEval): Omit<OrganismEval, 'summary'> & { summary: Omit<OrganismEval['summary'], 'generationJudgmentGap'> & { generationJudgmentGap: number | null; harmfulMalformedRate: number } } {
  return { ...e, summary: { ...e.summary, generationJudgmentGap: definedGap(e), harmfulMalformedRate: e.generation.harmfulMalformedRate } };
}

/** The four summary lines of an evaluation (after training and in `organism eval`). */
function printEvalSummary(e: OrganismEval): void {
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
    e = await evaluateV2Model(model, { ...hooks.v2Options, ...options }, engine);
  } finally {
    await nn.releaseEngineModel(model);
  }
  if (json) console.log(JSON.stringify(e, null, 2));
  else for (const line of (await import('../organism/v2/eval/format.js')).formatV2Eval(e)) console.log(line);
  return 0;
}

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

/** Runs `lvh organism <corpus|train|eval>`. */
export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    console.log(HELP.organism);
    return sub === undefined ? 2 : 0;
  }
  const known = sub === 'corpus' || sub === 'train' || sub === 'eval';
  if (known && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(HELP[sub]);
    return 0;
  }
  if (sub === 'world') return (await import('./organism-world.js')).run(rest);
  if (sub === 'ladder') return (await import('./organism-ladder.js')).run(rest);
  if (sub === 'corpus') return corpusCommand(rest);
  if (sub === 'train') return runTrain(rest);
  if (sub === 'eval') return runEval(rest);
  throw new InputError('lvh organism', 'subcommand', `expected corpus, train or eval, got "${sub}"`);
}
