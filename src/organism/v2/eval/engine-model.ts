/** The v2 evaluation's model interface on the ONNX Runtime engine (the engine users get, src/nn/engine.ts). */
import * as nn from '../../../nn/engine.js';
import { dims } from '../../../io/config.js';
import { PAD_ID } from '../world/index.js';
import { resolvePosition, type ScoringModel } from './model.js';
import { evaluateV2, type V2Eval, type V2EvalOptions } from './evaluate.js';

/** Wraps an ORT engine model as a ScoringModel; single-token candidate sets cost one forward pass per prompt. */
export function engineScoringModel(model: nn.EngineModel, opts: { batchSize?: number } = {}): ScoringModel {
  const batch = opts.batchSize ?? 32;
  const layers = dims(model.config).layers;
  const names = ['blocks.0.hook_resid_pre', ...Array.from({ length: layers }, (_, l) => `blocks.${l}.hook_resid_post`)];
  const labels = ['embed', ...Array.from({ length: layers }, (_, l) => String(l))];
  const padded = (rows: number[][]) => {
    const time = Math.max(...rows.map((r) => r.length));
    return {
      time,
      ids: rows.map((r) => [...r, ...new Array<number>(time - r.length).fill(PAD_ID)]),
      mask: rows.map((r) => Array.from({ length: time }, (_, t) => (t < r.length ? 1 : 0))),
    };
  };
  return {
    async scoreContinuations(requests) {
      const out: number[][] = requests.map((r) => new Array<number>(r.continuations.length).fill(NaN));
      const single = requests.map((_, i) => i).filter((i) => requests[i].continuations.every((c) => c.length === 1));
      for (let s = 0; s < single.length; s += batch) {
        const chunk = single.slice(s, s + batch);
        const { time, ids, mask } = padded(chunk.map((i) => requests[i].prompt));
        const { data, shape } = (await nn.engineForward(model, ids, { attentionMask: mask })).logits;
        const vocab = shape[2];
        chunk.forEach((i, b) => {
          const offset = (b * time + requests[i].prompt.length - 1) * vocab;
          let max = -Infinity;
          for (let v = 0; v < vocab; v++) max = Math.max(max, data[offset + v]);
          let sum = 0;
          for (let v = 0; v < vocab; v++) sum += Math.exp(data[offset + v] - max);
          const logZ = max + Math.log(sum);
          requests[i].continuations.forEach((c, j) => (out[i][j] = data[offset + c[0]] - logZ));
        });
      }
      const isSingle = new Set(single);
      const multi = requests.map((_, i) => i).filter((i) => !isSingle.has(i));
      const items = multi.flatMap((i) => requests[i].continuations.map((c) => ({ prompt: requests[i].prompt, continuation: c })));
      if (items.length > 0) {
        const scores = await nn.engineContinuationLogProbs(model, items, { batchSize: batch });
        let k = 0;
        for (const i of multi) for (let j = 0; j < requests[i].continuations.length; j++) out[i][j] = scores[k++];
      }
      return out;
    },
    async residuals(requests) {
      const vectors: Float64Array[][][] = names.map(() => []);
      for (let s = 0; s < requests.length; s += batch) {
        const chunk = requests.slice(s, s + batch);
        const { time, ids, mask } = padded(chunk.map((r) => r.ids));
        const { cache } = await nn.engineForward(model, ids, { attentionMask: mask, names, lastOnly: true });
        names.forEach((name, l) => {
          const t = cache.get(name);
          if (!t) throw new Error(`residuals: the engine returned no ${name}`);
          const d = t.shape[2];
          chunk.forEach((r, b) => {
            vectors[l].push(r.positions.map((p) => {
              const offset = (b * time + resolvePosition(p, r.ids.length)) * d;
              return Float64Array.from(t.data.subarray(offset, offset + d));
            }));
          });
        });
      }
      return { layers: labels, vectors };
    },
    async generate(prompt, o) {
      return nn.engineGenerate(model, prompt, { maxTokens: o.maxTokens, temperature: o.temperature, seed: o.seed, stopTokens: o.stopTokens });
    },
  };
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
