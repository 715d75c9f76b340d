/**
 * The training recipe of the model organism: corpus → document-aligned batches → a GPT-2 family model
 * trained by the engine (one ONNX Runtime graph per step) → a Hugging Face model directory with a card and the loss curve. With a checkpoint
 * folder the run saves its whole state every few steps and after the last, and a resumed run ends in the
 * same bytes as an uninterrupted one.
 */
import { createRng, deriveSeed, type RngState } from '../linalg/index.js';
import { gpt2Config, type ModelConfig } from '../io/config.js';
import * as nn from '../nn/engine.js';
import type { Batch } from '../nn/train.js';
import { InputError } from '../util/errors.js';
import { checkpointToResume, writeCheckpoint } from './run-checkpoint.js';
import { organismOptimizer, trainRunLog } from './train-run.js';
import { corpusHash, generateCorpus, type Corpus } from './corpus.js';
import { BOS_ID, EOS_ID, buildTokenizerConfig, buildTokenizerJson, worldTokenizer } from './tokenizer.js';
import { ORGANISM_CONTEXT, ORGANISM_SIZES, type OrganismTrainKnobs } from './sizes.js';
export { DEFAULT_TRAIN_OPTIONS } from './sizes.js';

/** Knobs of a training run, plus how it reports and checkpoints (which do not change its result). */
export interface OrganismTrainOptions extends OrganismTrainKnobs {
  /** Progress bar off (e.g. under --json). */
  quiet?: boolean;
  /** Called after every step with the loss curve point. */
  onLog?: (point: TrainLogPoint) => void;
  /** Folder for checkpoints, written every `checkpointEvery` steps and after the last; none when undefined. */
  checkpointDir?: string;
  /** Steps between checkpoints (0: after the last step only). */
  checkpointEvery?: number;
  /** Continue from the checkpoint in `checkpointDir` when there is one (it must be of a run with the same knobs). */
  resume?: boolean;
  /** ORT intra-op threads (default `LVH_THREADS`, else 1) and device (default cpu); same threads, same bytes. */
  engine?: nn.EngineOptions;
}

/** One point of the loss curve (train-log.jsonl). */
export interface TrainLogPoint {
  step: number;
  tokens: number;
  loss: number;
  lr: number;
  /** Held-out (validation corpus) loss, on evaluation steps only. */
  evalLoss?: number;
}

/** What a training run produced. */
export interface OrganismTrainResult {
  model: nn.EngineModel;
  corpus: Corpus;
  corpusHash: string;
  steps: number;
  finalTrainLoss: number;
  finalEvalLoss: number;
  seconds: number;
  tokensPerSecond: number;
  log: TrainLogPoint[];
  params: number;
  /** Step the run continued from (0: trained from the start). */
  resumedFromStep: number;
}

/** The GPT-2 config of an organism of `size` over a vocabulary of `vocabSize` words (the world's by default). */
export function organismConfig(size: OrganismTrainKnobs['size'], vocabSize = worldTokenizer().vocabSize): ModelConfig {
  return gpt2Config({ vocabSize, nPositions: ORGANISM_CONTEXT, ...ORGANISM_SIZES[size], bosTokenId: BOS_ID, eosTokenId: EOS_ID });
}

/** Token rows of documents as the model sees them: <bos> doc <eos>. */
export function tokenizeDocs(docs: string[]): Int32Array[] {
  const tok = worldTokenizer();
  return docs.map((d) => Int32Array.from([BOS_ID, ...tok.encode(d), EOS_ID]));
}

/**
 * A seeded supplier of (B, T) batches: each row starts at the beginning of a random document and packs the
 * following documents after it, so every row opens with a whole document in a clean context.
 */
export function docAlignedBatches(docs: Int32Array[], batchSize: number, seqLen: number, seed: number, resume?: RngState): BatchSupplier {
  const rng = createRng(seed, resume);
  const next = () => {
    const inputs: number[][] = [];
    const targets: number[][] = [];
    for (let b = 0; b < batchSize; b++) {
      const row: number[] = [];
      let d = rng.int(docs.length);
      while (row.length < seqLen + 1) {
        for (const t of docs[d]) row.push(t);
        d = (d + 1) % docs.length;
      }
      inputs.push(row.slice(0, seqLen));
      targets.push(row.slice(1, seqLen + 1));
    }
    return { inputs, targets };
  };
  return Object.assign(next, { rngState: () => rng.state() });
}

/** A batch supplier whose generator state can be saved (`rngState`) and passed back to continue the same order. */
export type BatchSupplier = (() => Batch) & { rngState(): RngState };

/** The knobs that make a run (what a checkpoint must match to be continued). */
function runIdentity(o: OrganismTrainKnobs, hash: string): Record<string, string | number | null> {
  return {
    size: o.size, p: o.p, q: o.q, tokens: o.tokens, docs: o.docs, seed: o.seed, batchSize: o.batchSize, lr: o.lr,
    maxSteps: o.maxSteps ?? null, corpusSha256: hash,
  };
}

/** The flag that sets each identity field, for the refusal message. */
const FLAG_OF: Record<string, string> = { batchSize: '--batch', maxSteps: 'maxSteps', corpusSha256: 'corpus' };

/** Trains an organism with the engine (continuing a checkpoint when asked); returns the model (still in memory) and the run's record. */
export async function trainOrganism(o: OrganismTrainOptions): Promise<OrganismTrainResult> {
  const engine = nn.resolveEngineOptions(o.engine);
  const corpus = generateCorpus({ p: o.p, q: o.q, docs: o.docs, seed: o.seed });
  const hash = corpusHash(corpus);
  const identity = runIdentity(o, hash);
  const checkpoint = o.resume && o.checkpointDir ? checkpointToResume(o.checkpointDir, identity, FLAG_OF) : undefined;
  const docs = tokenizeDocs(corpus.docs);
  const validation = tokenizeDocs(generateCorpus({ p: o.p, q: o.q, docs: 400, seed: deriveSeed(o.seed, 0x5a1) }).docs);
  const nextVal = docAlignedBatches(validation, o.batchSize, ORGANISM_CONTEXT, deriveSeed(o.seed, 2));
  const evalBatches = Array.from({ length: 8 }, () => nextVal());
  const tok = worldTokenizer();
  const config = organismConfig(o.size, tok.vocabSize);
  // The tfjs engine's initial values (`initModel(config, seed)`), computed without it.
  const model = nn.engineModel(config, nn.initWeights(config, o.seed), engine);
  const steps = Math.max(1, Math.ceil(o.tokens / (o.batchSize * ORGANISM_CONTEXT)));
  const dataRng = checkpoint?.rng.data;
  if (checkpoint && (!dataRng || checkpoint.dataPosition !== checkpoint.state.step)) {
    throw new InputError(o.checkpointDir!, 'checkpoint', `expected the data order's state at step ${checkpoint.state.step}`);
  }
  const next = docAlignedBatches(docs, o.batchSize, ORGANISM_CONTEXT, deriveSeed(o.seed, 1), dataRng);
  let dataPosition = checkpoint?.dataPosition ?? 0;
  const runSteps = Math.min(steps, o.maxSteps ?? steps);
  const tokensPerStep = o.batchSize * ORGANISM_CONTEXT;
  const run = trainRunLog({ steps: runSteps, tokensPerStep, checkpoint, checkpointDir: o.checkpointDir, quiet: o.quiet ?? false, onLog: o.onLog });
  const { log, resumedFromStep } = run;
  // The warm-up length follows the full run (`steps`), so an early stop within it repeats the run's first steps.
  const result = await nn.trainEngine(model, {
    ...organismOptimizer(steps, o.lr),
    steps: runSteps,
    trainBatches: () => {
      dataPosition++;
      return next();
    },
    evalEvery: Math.max(1, Math.floor(steps / 20)),
    evalBatches,
    resume: checkpoint?.state,
    checkpointEvery: o.checkpointEvery ?? 0,
    onCheckpoint: o.checkpointDir
      ? (state) => writeCheckpoint(o.checkpointDir!, { state, run: identity, rng: { data: next.rngState() }, dataPosition, log })
      : undefined,
    onStep: run.onStep,
    onEval: run.onEval,
  });
  const seconds = result.seconds;
  const { finalTrainLoss, finalEvalLoss: lastEval } = run.finish(result);
  return {
    model, corpus, corpusHash: hash, steps: runSteps, finalTrainLoss, finalEvalLoss: lastEval, seconds,
    tokensPerSecond: (runSteps * tokensPerStep) / seconds, log, params: nn.engineParamCount(config), resumedFromStep,
  };
}

/** Files of the organism's model directory besides weights and config: tokenizer config, loss curve, card. */
export function organismExtraFiles(card: string, log: TrainLogPoint[]): Record<string, string> {
  return {
    'README.md': card,
    'tokenizer_config.json': `${JSON.stringify(buildTokenizerConfig(), null, 2)}\n`,
    'train-log.jsonl': log.map((p) => `${JSON.stringify(p)}\n`).join(''),
  };
}

/** Saves a trained organism as a Hugging Face model directory (atomic). */
export function saveOrganism(
  model: nn.EngineModel, dir: string, card: string, log: TrainLogPoint[], metadata: Record<string, string>, extra: Record<string, string> = {},
): void {
  nn.saveEngineModelDir(model, dir, { tokenizerJson: buildTokenizerJson(), extraFiles: { ...organismExtraFiles(card, log), ...extra }, metadata });
}
