/**
 * The part of a ScoringModel that does not depend on the engine: batching, right-padding with <pad>, the
 * log-softmax at each prompt's last token, and reading residual rows at positions. The engine adapters
 * (engine-model.ts on ORT, tfjs-model.ts on tfjs) supply only the forward passes.
 */
import { PAD_ID } from '../world/index.js';
import { resolvePosition, type SampleOptions, type ScoringModel } from './model.js';

/** A dense float tensor in row-major order: (batch, time, width). */
export interface FlatTensor {
  data: Float32Array;
  shape: readonly number[];
}

/** A batch of right-padded sequences: ids (batch, time) and the mask (1 on real tokens, 0 on padding). */
export interface PaddedBatch {
  time: number;
  ids: number[][];
  mask: number[][];
}

/** What an engine supplies to `batchedScoringModel`. */
export interface ScoringBackend {
  /** Number of transformer blocks; the residuals read are blocks.0.hook_resid_pre and each block's hook_resid_post. */
  layers: number;
  /** Logits (batch, time, vocab) of a padded batch. */
  logits(batch: PaddedBatch): Promise<FlatTensor>;
  /** The named activations (batch, time, width) of a padded batch; throws when one is missing. */
  activations(batch: PaddedBatch, names: string[]): Promise<Map<string, FlatTensor>>;
  /** Sum of log-probabilities (nats) of each continuation after its prompt. */
  continuationLogProbs(items: { prompt: number[]; continuation: number[] }[], batchSize: number): Promise<number[]>;
  /** A sampled continuation (new tokens only). */
  generate(prompt: number[], opts: SampleOptions): Promise<number[]>;
}

/** Right-pads rows with <pad> to the longest one; returns ids, the attention mask and the padded length. */
export function padRows(rows: number[][]): PaddedBatch {
  const time = Math.max(...rows.map((r) => r.length));
  return {
    time,
    ids: rows.map((r) => [...r, ...new Array<number>(time - r.length).fill(PAD_ID)]),
    mask: rows.map((r) => Array.from({ length: time }, (_, t) => (t < r.length ? 1 : 0))),
  };
}

/** Log-probabilities of `tokens` in the logits row starting at `offset` (a log-softmax over `vocab` entries). */
function logProbsAt(data: Float32Array, offset: number, vocab: number, tokens: number[]): number[] {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) max = Math.max(max, data[offset + v]);
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(data[offset + v] - max);
  const logZ = max + Math.log(sum);
  return tokens.map((t) => data[offset + t] - logZ);
}

/** Builds a ScoringModel on a backend; single-token candidate sets cost one forward pass per prompt. */
export function batchedScoringModel(backend: ScoringBackend, opts: { batchSize?: number } = {}): ScoringModel {
  const batch = opts.batchSize ?? 32;
  const { layers } = backend;
  const names = ['blocks.0.hook_resid_pre', ...Array.from({ length: layers }, (_, l) => `blocks.${l}.hook_resid_post`)];
  const labels = ['embed', ...Array.from({ length: layers }, (_, l) => String(l))];
  return {
    async scoreContinuations(requests) {
      const out: number[][] = requests.map((r) => new Array<number>(r.continuations.length).fill(NaN));
      const single = requests.map((_, i) => i).filter((i) => requests[i].continuations.every((c) => c.length === 1));
      for (let s = 0; s < single.length; s += batch) {
        const chunk = single.slice(s, s + batch);
        const padded = padRows(chunk.map((i) => requests[i].prompt));
        const { data, shape } = await backend.logits(padded);
        const vocab = shape[2];
        chunk.forEach((i, b) => {
          const offset = (b * padded.time + requests[i].prompt.length - 1) * vocab;
          out[i] = logProbsAt(data, offset, vocab, requests[i].continuations.map((c) => c[0]));
        });
      }
      const isSingle = new Set(single);
      const multi = requests.map((_, i) => i).filter((i) => !isSingle.has(i));
      const items = multi.flatMap((i) => requests[i].continuations.map((c) => ({ prompt: requests[i].prompt, continuation: c })));
      if (items.length > 0) {
        const scores = await backend.continuationLogProbs(items, batch);
        let k = 0;
        for (const i of multi) for (let j = 0; j < requests[i].continuations.length; j++) out[i][j] = scores[k++];
      }
      return out;
    },
    async residuals(requests) {
      const vectors: Float64Array[][][] = names.map(() => []);
      for (let s = 0; s < requests.length; s += batch) {
        const chunk = requests.slice(s, s + batch);
        const padded = padRows(chunk.map((r) => r.ids));
        const cache = await backend.activations(padded, names);
        names.forEach((name, l) => {
          const t = cache.get(name);
          if (!t) throw new Error(`residuals: the engine returned no ${name}`);
          const d = t.shape[2];
          chunk.forEach((r, b) => {
            vectors[l].push(r.positions.map((p) => {
              const offset = (b * padded.time + resolvePosition(p, r.ids.length)) * d;
              return Float64Array.from(t.data.subarray(offset, offset + d));
            }));
          });
        });
      }
      return { layers: labels, vectors };
    },
    async generate(prompt, o) {
      return backend.generate(prompt, o);
    },
  };
}
