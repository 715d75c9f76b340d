/**
 * Training of a v2 organism on the ONNX Runtime engine: v2 corpus documents → document-aligned batches →
 * a GPT-2 family model trained with v1's AdamW recipe (`organismOptimizer`: warm-up, cosine to 0.1·lr, weight decay 0.1, clip 1).
 * A run may be staged (a curriculum): each stage trains on its own corpus for its share of the steps, under
 * one learning-rate schedule over the whole run. With a checkpoint folder the run saves its whole state (and
 * every stage's data-order state) every few steps and after the last, and a resumed run ends in the same
 * bytes as an uninterrupted one.
 */
import { deriveSeed } from '../../linalg/index.js';
import { gpt2Config, type ModelConfig } from '../../io/config.js';
import * as nn from '../../nn/engine.js';
import { InputError } from '../../util/errors.js';
import { checkpointToResume, writeCheckpoint, type RunIdentity } from '../run-checkpoint.js';
import { docAlignedBatches, type TrainLogPoint } from '../train.js';
import { organismOptimizer, trainRunLog } from '../train-run.js';
import { corpusHash, generateCorpus } from './corpus/index.js';
import type { V2Stage } from './recipe.js';
import { BOS_ID, EOS_ID, WORLD_CONTEXT, worldTokenizer } from './world/index.js';
export type { V2Stage } from './recipe.js';
export type { TrainLogPoint } from '../train.js';

/** Knobs of a v2 training run, plus how it reports and checkpoints (which do not change its result). */
export interface V2TrainOptions {
  nEmbd: number;
  nLayer: number;
  nHead: number;
  tokens: number;
  seed: number;
  batchSize: number;
  lr: number;
  /** Stages in order (one stage: the whole run on one corpus). The corpus seed defaults to the run's. */
  stages: V2Stage[];
  engine?: nn.EngineOptions;
  /** Called at each validation point. */
  onEval?: (step: number, steps: number, loss: number) => void;
  /** Called after every step with the loss curve point. */
  onLog?: (point: TrainLogPoint) => void;
  /** A progress bar on stderr (default off). */
  progress?: boolean;
  /** Folder for checkpoints, written every `checkpointEvery` steps and after the last; none when undefined. */
  checkpointDir?: string;
  /** Steps between checkpoints (0: after the last step only). */
  checkpointEvery?: number;
  /** Continue from the checkpoint in `checkpointDir` when there is one (it must be of a run with the same knobs). */
  resume?: boolean;
  /** The caller's knobs (e.g. size, p, q, docs), checked first on resume so a refusal names the caller's flag. */
  identity?: RunIdentity;
}

/** Defaults: d=64, 2 layers, batch 16 × 96, lr 3e-3, one stage on the default corpus of 200,000 documents. */
export const DEFAULT_V2_TRAIN_OPTIONS: V2TrainOptions = {
  nEmbd: 64, nLayer: 2, nHead: 4, tokens: 10_000_000, seed: 1, batchSize: 16, lr: 3e-3, stages: [{ corpus: { docs: 200_000 }, share: 1 }],
};

/** What a v2 training run produced. */
export interface V2TrainResult {
  model: nn.EngineModel;
  steps: number;
  seconds: number;
  tokensPerSecond: number;
  finalEvalLoss: number;
  /** Mean training loss of the last 20 steps. */
  finalTrainLoss: number;
  params: number;
  corpusSha256: string[];
  /** The loss curve, one point per step (train-log.jsonl). */
  log: TrainLogPoint[];
  /** Step the run continued from (0: trained from the start). */
  resumedFromStep: number;
}

/** The GPT-2 config of a v2 organism of the given dimensions over the v2 vocabulary. */
export function v2Config(o: Pick<V2TrainOptions, 'nEmbd' | 'nLayer' | 'nHead'>): ModelConfig {
  return gpt2Config({ vocabSize: worldTokenizer().vocabSize, nPositions: WORLD_CONTEXT, nEmbd: o.nEmbd, nLayer: o.nLayer, nHead: o.nHead, bosTokenId: BOS_ID, eosTokenId: EOS_ID });
}

/** Token rows of v2 documents: <bos> doc <eos>. */
export function v2TokenRows(docs: string[]): Int32Array[] {
  const tok = worldTokenizer();
  return docs.map((d) => Int32Array.from([BOS_ID, ...tok.encode(d), EOS_ID]));
}

/** The knobs that make a v2 run (what a checkpoint must match to be continued), after the caller's own. */
function runIdentity(o: V2TrainOptions, hashes: string[]): RunIdentity {
  return {
    ...o.identity,
    nEmbd: o.nEmbd, nLayer: o.nLayer, nHead: o.nHead, tokens: o.tokens, seed: o.seed, batchSize: o.batchSize, lr: o.lr,
    stages: JSON.stringify(o.stages), corpusSha256: hashes.join(','),
  };
}

/** The flag that sets each identity field, for the refusal message. */
const FLAG_OF: Record<string, string> = { nEmbd: '--size (width)', nLayer: '--size (layers)', nHead: '--size (heads)', batchSize: '--batch', stages: 'the stages', corpusSha256: 'corpora' };

/** Trains a v2 organism (continuing a checkpoint when asked); the model stays in memory (save it with `saveEngineModelDir`). */
export async function trainV2(options: Partial<V2TrainOptions> = {}): Promise<V2TrainResult> {
  const o: V2TrainOptions = { ...DEFAULT_V2_TRAIN_OPTIONS, ...options };
  if (o.stages.length === 0 || o.stages.some((s) => !(s.share > 0))) throw new InputError('train options', 'stages', 'expected at least one stage, each with a positive share');
  if (!Number.isFinite(o.tokens) || o.tokens < 1) throw new InputError('train options', 'tokens', `expected a positive number, got ${o.tokens}`);
  const steps = Math.max(1, Math.ceil(o.tokens / (o.batchSize * WORLD_CONTEXT)));
  const total = o.stages.reduce((a, s) => a + s.share, 0);
  const ends: number[] = [];
  let acc = 0;
  for (const s of o.stages) ends.push(Math.round(((acc += s.share) / total) * steps));
  const hashes: string[] = [];
  const rows = o.stages.map((s) => {
    const corpus = generateCorpus({ seed: o.seed, ...s.corpus });
    hashes.push(corpusHash(corpus));
    return v2TokenRows(corpus.docs);
  });
  const identity = runIdentity(o, hashes);
  const checkpoint = o.resume && o.checkpointDir ? checkpointToResume(o.checkpointDir, identity, FLAG_OF) : undefined;
  const stageKey = (i: number) => `stage${i}`;
  if (checkpoint && (checkpoint.dataPosition !== checkpoint.state.step || o.stages.some((_, i) => !checkpoint.rng[stageKey(i)]))) {
    throw new InputError(o.checkpointDir!, 'checkpoint', `expected the data order's state of every stage at step ${checkpoint.state.step}`);
  }
  // One data order per stage, each continued from its saved state on resume.
  const suppliers = rows.map((r, i) => docAlignedBatches(r, o.batchSize, WORLD_CONTEXT, deriveSeed(o.seed, 1 + i), checkpoint?.rng[stageKey(i)]));
  const last = o.stages[o.stages.length - 1].corpus;
  const nextVal = docAlignedBatches(v2TokenRows(generateCorpus({ ...last, docs: 500, seed: deriveSeed(o.seed, 7) }).docs), o.batchSize, WORLD_CONTEXT, 5);
  const evalBatches = Array.from({ length: 6 }, () => nextVal());
  const config = v2Config(o);
  const model = nn.engineModel(config, nn.initWeights(config, o.seed), nn.resolveEngineOptions(o.engine));
  const tokensPerStep = o.batchSize * WORLD_CONTEXT;
  const run = trainRunLog({
    steps, tokensPerStep, checkpoint, checkpointDir: o.checkpointDir, quiet: !o.progress, onLog: o.onLog,
    onEval: o.onEval && ((step, loss) => o.onEval!(step, steps, loss)),
  });
  const { log, resumedFromStep } = run;
  let dataPosition = resumedFromStep;
  const r = await nn.trainEngine(model, {
    ...organismOptimizer(steps, o.lr),
    steps,
    trainBatches: (step) => {
      dataPosition++;
      return suppliers[ends.findIndex((e) => step < e)]!();
    },
    evalEvery: Math.max(1, Math.floor(steps / 10)), evalBatches,
    resume: checkpoint?.state,
    checkpointEvery: o.checkpointEvery ?? 0,
    onCheckpoint: o.checkpointDir
      ? (state) => writeCheckpoint(o.checkpointDir!, {
        state, run: identity, rng: Object.fromEntries(suppliers.map((s, i) => [stageKey(i), s.rngState()])), dataPosition, log,
      })
      : undefined,
    onStep: run.onStep,
    onEval: run.onEval,
  });
  const { finalTrainLoss, finalEvalLoss: lastEval } = run.finish(r);
  return {
    model, steps, seconds: r.seconds, tokensPerSecond: (steps * tokensPerStep) / r.seconds, finalEvalLoss: lastEval, finalTrainLoss,
    params: nn.engineParamCount(config), corpusSha256: hashes, log, resumedFromStep,
  };
}
