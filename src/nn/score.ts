import { forwardInternal, type ForwardOptions } from './forward.js';
import type { Hook } from './hooks.js';
import type { Model } from './model.js';
import { logSoftmaxLastAxis, oneHot, tf } from './ops.js';

/** A prompt and a continuation to score, as token ids. */
export interface ScoreItem {
  prompt: number[];
  continuation: number[];
}

/**
 * Differentiable sum of log-probabilities (nats) of each item's continuation given its prompt, as a (B) tensor.
 * Items are right-padded into one batch (causal attention makes right padding exact). Use inside tf.tidy or grads.
 */
export function continuationLogProbsTensor(model: Model, items: ScoreItem[], opts: ForwardOptions = {}): tf.Tensor1D {
  if (items.length === 0) throw new Error('continuationLogProbs: no items');
  const lengths = items.map((it) => {
    if (it.prompt.length === 0) throw new Error('continuationLogProbs: the prompt must hold at least one token');
    return it.prompt.length + it.continuation.length - 1;
  });
  const time = Math.max(...lengths, 1);
  const ids: number[][] = [];
  const mask: number[][] = [];
  const targets = new Int32Array(items.length * time);
  const weights = new Float32Array(items.length * time);
  items.forEach((it, b) => {
    const seq = [...it.prompt, ...it.continuation].slice(0, time);
    const row = new Array<number>(time).fill(0);
    const m = new Array<number>(time).fill(0);
    seq.forEach((t, i) => {
      row[i] = t;
      m[i] = 1;
    });
    if (seq.length < time) m.fill(0, seq.length);
    for (let j = 0; j < it.continuation.length; j++) {
      const pos = it.prompt.length - 1 + j; // logits at pos predict token pos + 1
      targets[b * time + pos] = it.continuation[j];
      weights[b * time + pos] = 1;
    }
    ids.push(row);
    mask.push(m.map((v, i) => (i < Math.max(seq.length, 1) ? 1 : v)));
  });
  const r = forwardInternal(model, ids, { ...opts, attentionMask: mask });
  const logp = logSoftmaxLastAxis(r.logits2d); // (N, V)
  const picked = tf.sum(tf.mul(logp, oneHot(tf.tensor1d(targets, 'int32'), logp.shape[1])), 1); // (N)
  return tf.sum(tf.reshape(tf.mul(picked, tf.tensor1d(weights)), [items.length, time]), 1) as tf.Tensor1D;
}

/** Sum of log-probabilities (nats) of each continuation given its prompt. */
export function continuationLogProbsBatch(model: Model, items: ScoreItem[], opts: { hooks?: Hook[]; batchSize?: number } = {}): number[] {
  const out: number[] = [];
  const size = opts.batchSize ?? 16;
  for (let i = 0; i < items.length; i += size) {
    const chunk = items.slice(i, i + size);
    const t = tf.tidy(() => continuationLogProbsTensor(model, chunk, { hooks: opts.hooks }));
    out.push(...t.dataSync());
    t.dispose();
  }
  return out;
}

/** Sum of log-probabilities (nats) of `continuationIds` after `promptIds`. */
export function continuationLogProbs(model: Model, promptIds: number[], continuationIds: number[], opts: { hooks?: Hook[] } = {}): number {
  return continuationLogProbsBatch(model, [{ prompt: promptIds, continuation: continuationIds }], opts)[0];
}

/** The next-token logit vector (V) after `ids`. */
export function nextTokenLogits(model: Model, ids: number[], opts: { hooks?: Hook[] } = {}): Float32Array {
  const t = tf.tidy(() => {
    const r = forwardInternal(model, [ids], opts);
    return tf.slice(r.logits2d, [ids.length - 1, 0], [1, -1]);
  });
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return Float32Array.from(out);
}
