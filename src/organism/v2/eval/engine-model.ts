/** The v2 evaluation's model interface on the ONNX Runtime engine (the engine users get, src/nn/engine.ts). */
import * as nn from '../../../nn/engine.js';
import { dims } from '../../../io/config.js';
import type { ScoringModel } from './model.js';
import { batchedScoringModel } from './batched-model.js';
import { evaluateV2, type V2Eval, type V2EvalOptions } from './evaluate.js';

/** Wraps an ORT engine model as a ScoringModel; single-token candidate sets cost one forward pass per prompt. */
export function engineScoringModel(model: nn.EngineModel, opts: { batchSize?: number } = {}): ScoringModel {
  return batchedScoringModel({
    layers: dims(model.config).layers,
    logits: async ({ ids, mask }) => (await nn.engineForward(model, ids, { attentionMask: mask })).logits,
    activations: async ({ ids, mask }, names) => (await nn.engineForward(model, ids, { attentionMask: mask, names, lastOnly: true })).cache,
    continuationLogProbs: (items, batchSize) => nn.engineContinuationLogProbs(model, items, { batchSize }),
    generate: (prompt, o) => nn.engineGenerate(model, prompt, { maxTokens: o.maxTokens, temperature: o.temperature, seed: o.seed, stopTokens: o.stopTokens }),
  }, opts);
}

/** Seed of the untrained twin's random weights: the floor every trained judge and readout is shown against. */
export const UNTRAINED_TWIN_SEED = 12345;

/** Evaluates an engine model on the v2 world next to its untrained twin (same config, weights of seed 12345); releases the twin. */
export async function evaluateV2Engine(model: nn.EngineModel, options: Partial<V2EvalOptions> = {}, engine: nn.EngineOptions = {}): Promise<V2Eval> {
  const twin = nn.engineModel(model.config, nn.initWeights(model.config, UNTRAINED_TWIN_SEED), nn.resolveEngineOptions(engine));
  try {
    return await evaluateV2(engineScoringModel(model), options, engineScoringModel(twin));
  } finally {
    await nn.releaseEngineModel(twin);
  }
}
