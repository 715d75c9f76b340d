// `lvh organism corpus|train|eval|ladder|world`: the help texts and the dispatch to each subcommand's module.
import { InputError } from '../util/errors.js';
import { ENGINE_FLAG_HELP } from './engine-flags.js';
// Engine-free modules only at the top: `lvh organism corpus` never loads the neural engine.
import { DEFAULT_EVAL_OPTIONS } from '../organism/evaluate.js';
import { DEFAULT_CHECKPOINT_EVERY, DEFAULT_TRAIN_OPTIONS, ORGANISM_CONTEXT, ORGANISM_SIZES } from '../organism/sizes.js';
import { DEFAULT_V2_CHECKPOINT_EVERY, DEFAULT_V2_RECIPE, DEFAULT_V2_SIZE, V2_SIZES } from '../organism/v2/recipe.js';
import { DEFAULT_V2_EVAL_OPTIONS } from '../organism/v2/eval/evaluate.js';
import { WORLD_CONTEXT } from '../organism/v2/world/index.js';
import { corpusCommand } from './organism-corpus.js';
import { runEval } from './organism-eval.js';
import { runTrain } from './organism-train.js';

// What tests and other modules import from here, wherever it now lives.
export { parseEvalArgs, parseEvalV2Args, runEval, type EvalHooks } from './organism-eval.js';
export { runTrain } from './organism-train.js';
export { checkpointFolder, type TrainHooks } from './organism-train-out.js';
export type { TrainRunArgs } from './organism-train-flags.js';
export { parseTrainArgs, trainCommandLine, type TrainArgs } from './organism-train-v1.js';
export { parseTrainV2Args, trainV2CommandLine, type TrainV2Args } from './organism-train-v2.js';

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
World v2 (default) trains the staged recipe r16 of docs/organism-v2.md; --world v1 the old world of docs/organism.md.
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
