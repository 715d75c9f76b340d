/**
 * Training of a v2 organism on the ONNX Runtime engine: v2 corpus documents → document-aligned batches →
 * a GPT-2 family model trained with v1's AdamW recipe (warm-up, cosine to 0.1·lr, weight decay 0.1, clip 1).
 * A run may be staged (a curriculum): each stage trains on its own corpus for its share of the steps, under
 * one learning-rate schedule over the whole run.
 */
import { deriveSeed } from '../../linalg/index.js';
import { gpt2Config, type ModelConfig } from '../../io/config.js';
import * as nn from '../../nn/engine.js';
import { InputError } from '../../util/errors.js';
import { docAlignedBatches } from '../train.js';
import { corpusHash, generateCorpus, type CorpusOptions } from './corpus/index.js';
import { BOS_ID, EOS_ID, WORLD_CONTEXT, worldTokenizer } from './world/index.js';

/** One stage of a run: the corpus it trains on and its share of the steps. */
export interface V2Stage {
  corpus: Partial<CorpusOptions>;
  /** Share of the run's steps (normalised over stages). */
  share: number;
}

/** Knobs of a v2 training run. */
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
  params: number;
  corpusSha256: string[];
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

/** Trains a v2 organism; the model stays in memory (save it with `saveEngineModelDir`). */
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
  const suppliers = o.stages.map((s, i) => {
    const corpus = generateCorpus({ seed: o.seed, ...s.corpus });
    hashes.push(corpusHash(corpus));
    return docAlignedBatches(v2TokenRows(corpus.docs), o.batchSize, WORLD_CONTEXT, deriveSeed(o.seed, 1 + i));
  });
  const last = o.stages[o.stages.length - 1].corpus;
  const nextVal = docAlignedBatches(v2TokenRows(generateCorpus({ ...last, docs: 500, seed: deriveSeed(o.seed, 7) }).docs), o.batchSize, WORLD_CONTEXT, 5);
  const evalBatches = Array.from({ length: 6 }, () => nextVal());
  const config = v2Config(o);
  const model = nn.engineModel(config, nn.initWeights(config, o.seed), nn.resolveEngineOptions(o.engine));
  const r = await nn.trainEngine(model, {
    steps, lr: o.lr, warmupSteps: Math.min(100, Math.floor(steps / 10)), minLrRatio: 0.1, weightDecay: 0.1, clipNorm: 1,
    trainBatches: (step) => suppliers[ends.findIndex((e) => step < e)]!(),
    evalEvery: Math.max(1, Math.floor(steps / 10)), evalBatches,
    onEval: (e) => o.onEval?.(e.step, steps, e.loss),
  });
  const lastEval = r.evalLosses.length > 0 ? r.evalLosses[r.evalLosses.length - 1].loss : NaN;
  return {
    model, steps, seconds: r.seconds, tokensPerSecond: (steps * o.batchSize * WORLD_CONTEXT) / r.seconds, finalEvalLoss: lastEval,
    params: nn.engineParamCount(config), corpusSha256: hashes,
  };
}
