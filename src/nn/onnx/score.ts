/**
 * Continuation scoring on the ONNX engine: items (prompt + continuation) right-padded into one batch per chunk,
 * one forward pass, and the log-softmax of the logits at the continuation's positions taken here in float64
 * (only those rows, so a large vocabulary costs O(tokens scored · V), not O(B · T · V) graph outputs).
 */
import type { ScoreItem } from '../score.js';
import { engineForward, type EngineHook, type EngineModel, type Intervention } from './forward.js';

/** The padded batch of a chunk of items, as `nn.continuationLogProbsTensor` builds it (right padding, mask 0 after each sequence). */
export function scoreBatch(items: ScoreItem[]): { ids: number[][]; mask: number[][]; time: number } {
  if (items.length === 0) throw new Error('continuationLogProbs: no items');
  const lengths = items.map((it) => {
    if (it.prompt.length === 0) throw new Error('continuationLogProbs: the prompt must hold at least one token');
    return it.prompt.length + it.continuation.length - 1; // the last token is only a target
  });
  const time = Math.max(...lengths, 1);
  const ids: number[][] = [];
  const mask: number[][] = [];
  for (const it of items) {
    const seq = [...it.prompt, ...it.continuation].slice(0, time);
    ids.push(Array.from({ length: time }, (_, t) => seq[t] ?? 0));
    mask.push(Array.from({ length: time }, (_, t) => (t < Math.max(seq.length, 1) ? 1 : 0)));
  }
  return { ids, mask, time };
}

/** Sum of log-probabilities (nats) of each item's continuation given its prompt, `batchSize` items per forward pass. */
export async function engineContinuationLogProbs(m: EngineModel, items: ScoreItem[], opts: { interventions?: Intervention[]; hooks?: EngineHook[]; batchSize?: number } = {}): Promise<number[]> {
  const out: number[] = [];
  const size = opts.batchSize ?? 16;
  for (let i = 0; i < items.length; i += size) {
    const chunk = items.slice(i, i + size);
    const { ids, mask, time } = scoreBatch(chunk);
    const { data, shape } = (await engineForward(m, ids, { attentionMask: mask, interventions: opts.interventions, hooks: opts.hooks })).logits; // (B, T, V)
    const V = shape[2];
    for (const it of chunk) for (const t of it.continuation) if (!Number.isInteger(t) || t < 0 || t >= V) throw new Error(`continuationLogProbs: token id ${t} outside [0, ${V})`);
    chunk.forEach((it, b) => {
      let sum = 0;
      for (let j = 0; j < it.continuation.length; j++) {
        const row = data.subarray((b * time + it.prompt.length - 1 + j) * V, (b * time + it.prompt.length + j) * V); // predicts continuation[j]
        let max = -Infinity;
        for (let v = 0; v < V; v++) if (row[v] > max) max = row[v];
        let z = 0;
        for (let v = 0; v < V; v++) z += Math.exp(row[v] - max);
        sum += row[it.continuation[j]] - max - Math.log(z);
      }
      out.push(sum);
    });
  }
  return out;
}

/** Sum of log-probabilities (nats) of `continuationIds` after `promptIds`. */
export async function engineContinuationLogProb(m: EngineModel, promptIds: number[], continuationIds: number[], opts: { interventions?: Intervention[]; hooks?: EngineHook[] } = {}): Promise<number> {
  return (await engineContinuationLogProbs(m, [{ prompt: promptIds, continuation: continuationIds }], opts))[0];
}
