/** The v2 evaluation's model interface on the current (tfjs) engine. */
import * as nn from '../../../nn/index.js';
import type { tf } from '../../../nn/ops.js';
import type { ScoringModel } from './model.js';
import { batchedScoringModel, type FlatTensor } from './batched-model.js';

/** Copies a tfjs tensor to the host and disposes it. */
function toHost(t: tf.Tensor): FlatTensor {
  const data = t.dataSync() as Float32Array;
  const shape = t.shape;
  t.dispose();
  return { data, shape };
}

/** Wraps an engine model as a ScoringModel; single-token candidate sets cost one forward pass per prompt. */
export function tfjsScoringModel(model: nn.Model, opts: { batchSize?: number } = {}): ScoringModel {
  return batchedScoringModel({
    layers: nn.dims(model.config).layers,
    // Right padding with a causal mask leaves every real position as it is: the tfjs forward needs no mask.
    logits: async ({ ids }) => toHost(nn.forward(model, ids)),
    activations: async ({ ids }, names) => {
      const { logits, cache } = nn.runWithCache(model, ids, { names });
      logits.dispose();
      return new Map([...cache].map(([name, t]) => [name, toHost(t)]));
    },
    continuationLogProbs: async (items, batchSize) => nn.continuationLogProbsBatch(model, items, { batchSize }),
    generate: async (prompt, o) => nn.generate(model, prompt, { maxTokens: o.maxTokens, temperature: o.temperature, seed: o.seed, stopTokens: o.stopTokens }),
  }, opts);
}
