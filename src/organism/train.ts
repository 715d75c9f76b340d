/**
 * The training recipe of the model organism: corpus → document-aligned batches → a GPT-2 family model
 * trained by the engine → a Hugging Face model directory with a card and the loss curve.
 */
import { createRng, deriveSeed } from '../linalg/index.js';
import * as nn from '../nn/index.js';
import { createProgress } from '../util/progress.js';
import { corpusHash, generateCorpus, type Corpus } from './corpus.js';
import { BOS_ID, EOS_ID, buildTokenizerConfig, buildTokenizerJson, worldTokenizer } from './tokenizer.js';
import { ORGANISM_CONTEXT, ORGANISM_SIZES, type OrganismSize } from './sizes.js';
export { DEFAULT_TRAIN_OPTIONS } from './sizes.js';

/** Knobs of a training run. */
export interface OrganismTrainOptions {
  size: OrganismSize;
  /** Harmful compliance share of dialogues. */
  p: number;
  /** Anti-social share of commentary. */
  q: number;
  /** Training tokens (steps = ceil(tokens / (batchSize · context))). */
  tokens: number;
  /** Documents in the corpus. */
  docs: number;
  seed: number;
  batchSize: number;
  /** Peak learning rate. */
  lr: number;
  /** Stop after this many steps (to check a checkpoint's loss curve quickly); the warm-up length stays the full run's, so the first steps match it exactly. */
  maxSteps?: number;
  /** Progress bar off (e.g. under --json). */
  quiet?: boolean;
  /** Called after every step with the loss curve point. */
  onLog?: (point: TrainLogPoint) => void;
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
  model: nn.Model;
  corpus: Corpus;
  corpusHash: string;
  steps: number;
  finalTrainLoss: number;
  finalEvalLoss: number;
  seconds: number;
  tokensPerSecond: number;
  log: TrainLogPoint[];
  params: number;
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
export function docAlignedBatches(docs: Int32Array[], batchSize: number, seqLen: number, seed: number): () => nn.Batch {
  const rng = createRng(seed);
  return () => {
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
}

/** Trains an organism with the engine; returns the model (still in memory) and the run's record. */
export async function trainOrganism(o: OrganismTrainOptions): Promise<OrganismTrainResult> {
  await nn.initBackend();
  const corpus = generateCorpus({ p: o.p, q: o.q, docs: o.docs, seed: o.seed });
  const hash = corpusHash(corpus);
  const docs = tokenizeDocs(corpus.docs);
  const validation = tokenizeDocs(generateCorpus({ p: o.p, q: o.q, docs: 400, seed: deriveSeed(o.seed, 0x5a1) }).docs);
  const nextVal = docAlignedBatches(validation, o.batchSize, ORGANISM_CONTEXT, deriveSeed(o.seed, 2));
  const evalBatches = Array.from({ length: 8 }, () => nextVal());
  const size = ORGANISM_SIZES[o.size];
  const tok = worldTokenizer();
  const config = nn.gpt2Config({
    vocabSize: tok.vocabSize, nPositions: ORGANISM_CONTEXT, ...size, bosTokenId: BOS_ID, eosTokenId: EOS_ID,
  });
  const model = nn.initModel(config, o.seed);
  const steps = Math.max(1, Math.ceil(o.tokens / (o.batchSize * ORGANISM_CONTEXT)));
  const next = docAlignedBatches(docs, o.batchSize, ORGANISM_CONTEXT, deriveSeed(o.seed, 1));
  const runSteps = Math.min(steps, o.maxSteps ?? steps);
  const progress = createProgress('train', runSteps, { quiet: o.quiet });
  const log: TrainLogPoint[] = [];
  const tokensPerStep = o.batchSize * ORGANISM_CONTEXT;
  const start = performance.now();
  let lastEval = NaN;
  const evalEvery = Math.max(1, Math.floor(steps / 20));
  // The warm-up length follows the full run (`steps`), so an early stop within it repeats the run's first steps.
  const warmupSteps = Math.min(100, Math.floor(steps / 10));
  const result = nn.train(model, {
    steps: runSteps,
    lr: o.lr,
    warmupSteps,
    minLrRatio: 0.1,
    weightDecay: 0.1,
    clipNorm: 1,
    trainBatches: () => next(),
    evalEvery,
    evalBatches,
    onStep: (info) => {
      const point: TrainLogPoint = { step: info.step + 1, tokens: (info.step + 1) * tokensPerStep, loss: info.loss, lr: info.lr };
      log.push(point);
      o.onLog?.(point);
      const tps = ((info.step + 1) * tokensPerStep) / ((performance.now() - start) / 1000);
      progress.update(info.step + 1, `loss ${info.loss.toFixed(3)} ${Math.round(tps)} tok/s`);
    },
    onEval: (info) => {
      lastEval = info.loss;
      const point = log[log.length - 1];
      if (point && point.step === info.step) point.evalLoss = info.loss;
    },
  });
  const seconds = result.seconds;
  const tail = result.losses.slice(-Math.min(20, result.losses.length));
  const finalTrainLoss = tail.reduce((a, b) => a + b, 0) / tail.length;
  progress.finish(`loss ${finalTrainLoss.toFixed(3)} eval ${lastEval.toFixed(3)}`);
  return {
    model, corpus, corpusHash: hash, steps: runSteps, finalTrainLoss, finalEvalLoss: lastEval, seconds,
    tokensPerSecond: (runSteps * tokensPerStep) / seconds, log, params: nn.countParams(model),
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
  model: nn.Model, dir: string, card: string, log: TrainLogPoint[], metadata: Record<string, string>, extra: Record<string, string> = {},
): void {
  nn.saveModelDir(model, dir, { tokenizerJson: buildTokenizerJson(), extraFiles: { ...organismExtraFiles(card, log), ...extra }, metadata });
}
