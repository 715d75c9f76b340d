/** The v2 evaluation's model interface on the current (tfjs) engine. */
import * as nn from '../../../nn/index.js';
import { PAD_ID } from '../world/index.js';
import { resolvePosition, type ScoringModel } from './model.js';

/** Wraps an engine model as a ScoringModel; single-token candidate sets cost one forward pass per prompt. */
export function tfjsScoringModel(model: nn.Model, opts: { batchSize?: number } = {}): ScoringModel {
  const batch = opts.batchSize ?? 32;
  const layers = nn.dims(model.config).layers;
  const names = ['blocks.0.hook_resid_pre', ...Array.from({ length: layers }, (_, l) => `blocks.${l}.hook_resid_post`)];
  const labels = ['embed', ...Array.from({ length: layers }, (_, l) => String(l))];
  const padded = (rows: number[][]) => {
    const time = Math.max(...rows.map((r) => r.length));
    return { time, ids: rows.map((r) => [...r, ...new Array<number>(time - r.length).fill(PAD_ID)]) };
  };
  return {
    async scoreContinuations(requests) {
      const out: number[][] = requests.map((r) => new Array<number>(r.continuations.length).fill(NaN));
      const single = requests.map((r, i) => i).filter((i) => requests[i].continuations.every((c) => c.length === 1));
      for (let s = 0; s < single.length; s += batch) {
        const chunk = single.slice(s, s + batch);
        const { time, ids } = padded(chunk.map((i) => requests[i].prompt));
        const logits = nn.forward(model, ids);
        const data = logits.dataSync() as Float32Array;
        const vocab = logits.shape[2];
        logits.dispose();
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
      const multi = requests.map((r, i) => i).filter((i) => !single.includes(i));
      const items = multi.flatMap((i) => requests[i].continuations.map((c) => ({ prompt: requests[i].prompt, continuation: c })));
      if (items.length > 0) {
        const scores = nn.continuationLogProbsBatch(model, items, { batchSize: batch });
        let k = 0;
        for (const i of multi) for (let j = 0; j < requests[i].continuations.length; j++) out[i][j] = scores[k++];
      }
      return out;
    },
    async residuals(requests) {
      const vectors: Float64Array[][][] = names.map(() => []);
      for (let s = 0; s < requests.length; s += batch) {
        const chunk = requests.slice(s, s + batch);
        const { time, ids } = padded(chunk.map((r) => r.ids));
        const { logits, cache } = nn.runWithCache(model, ids, { names });
        logits.dispose();
        names.forEach((name, l) => {
          const t = cache.get(name)!;
          const data = t.dataSync() as Float32Array;
          const d = t.shape[2]!;
          chunk.forEach((r, b) => {
            vectors[l].push(r.positions.map((p) => {
              const offset = (b * time + resolvePosition(p, r.ids.length)) * d;
              return Float64Array.from(data.subarray(offset, offset + d));
            }));
          });
        });
        cache.forEach((t) => t.dispose());
      }
      return { layers: labels, vectors };
    },
    async generate(prompt, o) {
      return nn.generate(model, prompt, { maxTokens: o.maxTokens, temperature: o.temperature, seed: o.seed, stopTokens: o.stopTokens });
    },
  };
}
