/**
 * Losses as pluggable graph pieces: each declares its own graph inputs, builds a scalar from the logits
 * (B, T, V), and says which token rows the forward runs on and what to feed for one batch. The training
 * graph differentiates whatever scalar `build` returns, so a new objective is one more `Loss`.
 */
import type { Batch } from '../train.js';
import type { Graph, Value } from './graph.js';
import type { HostTensor } from './session.js';

/** A training objective over the logits of one forward pass. */
export interface Loss<B> {
  /** Declares the loss's inputs on `g` and returns the scalar loss built from `logits` (B, T, V). */
  build(g: Graph, logits: Value): Value;
  /** The (B, T) token rows (and padding mask) the forward runs on. */
  rows(batch: B): { ids: number[][]; attentionMask?: number[][] };
  /** The loss's input tensors for one batch. */
  feeds(batch: B): Record<string, HostTensor>;
}

// Sum over positions of log p(target) · weight: targets (B, T, 1) int64, weights (B, T, 1).
function weightedLogProb(g: Graph, logits: Value): Value {
  const targets = g.input('targets', 'int64', ['batch', 'time', 1]);
  const weights = g.input('target_weights', 'float32', ['batch', 'time', 1]);
  return g.mul(g.gatherElements(g.logSoftmax(logits), targets, 2), weights); // (B, T, 1)
}

function targetFeeds(targets: number[][], weightOf: (b: number, t: number) => number): Record<string, HostTensor> {
  const batch = targets.length;
  const time = targets[0]?.length ?? 0;
  const safe = new BigInt64Array(batch * time);
  const w = new Float32Array(batch * time);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < time; t++) {
      const target = targets[b][t];
      if (target >= 0) {
        safe[b * time + t] = BigInt(target);
        w[b * time + t] = weightOf(b, t);
      }
    }
  }
  return { targets: { data: safe, shape: [batch, time, 1] }, target_weights: { data: w, shape: [batch, time, 1] } };
}

/** Mean next-token cross-entropy (nats) over the targets that are not −1, as the tfjs engine's `batchLoss`. */
export const crossEntropyLoss: Loss<Batch> = {
  build: (g, logits) => g.neg(g.reduceSum(weightedLogProb(g, logits))),
  rows: (batch) => ({ ids: batch.inputs }),
  feeds: (batch) => {
    const count = batch.targets.reduce((n, row) => n + row.filter((t) => t >= 0).length, 0);
    const w = 1 / Math.max(count, 1);
    return targetFeeds(batch.targets, () => w);
  },
};

/** One preference pair: a prompt, the chosen and the rejected continuation (token ids). */
export interface PreferencePair {
  prompt: number[];
  chosen: number[];
  rejected: number[];
}

/** A DPO batch: pairs, the frozen reference's log-ratio log π_ref(chosen) − log π_ref(rejected) per pair, and β. */
export interface DpoBatch {
  pairs: PreferencePair[];
  referenceLogRatios: number[];
  beta: number;
}

/**
 * DPO (Rafailov et al. 2023): mean over pairs of −log σ(β·((log π(c) − log π(r)) − reference log-ratio)), with
 * log π summed over each continuation's tokens. Rows are the chosen sequences then the rejected ones, right-padded;
 * the reference log-ratios come from a forward of the frozen reference model (no gradient flows there).
 */
export const dpoLoss: Loss<DpoBatch> = {
  build: (g, logits) => {
    const rowLogProb = g.reshape(g.reduceSum(weightedLogProb(g, logits), [1, 2]), [-1, 1]); // (2P, 1)
    const pairSign = g.input('pair_sign', 'float32', ['pairs', 'rows']); // +1 at a pair's chosen row, −1 at its rejected row
    const margin = g.sub(g.matmul(pairSign, rowLogProb), g.input('reference_log_ratio', 'float32', ['pairs', 1])); // (P, 1)
    const z = g.mul(margin, g.input('beta', 'float32', []));
    return g.reduceSum(g.mul(g.softplus(g.neg(z)), g.input('pair_weight', 'float32', [])));
  },
  rows: (batch) => {
    const seqs = [...batch.pairs.map((p) => [...p.prompt, ...p.chosen]), ...batch.pairs.map((p) => [...p.prompt, ...p.rejected])];
    const time = Math.max(...seqs.map((s) => s.length)) - 1;
    return {
      ids: seqs.map((s) => Array.from({ length: time }, (_, t) => s[t] ?? 0)),
      attentionMask: seqs.map((s) => Array.from({ length: time }, (_, t) => (t < s.length ? 1 : 0))),
    };
  },
  feeds: (batch) => {
    const n = batch.pairs.length;
    if (batch.referenceLogRatios.length !== n) throw new Error('dpoLoss: one reference log-ratio per pair');
    const conts = [...batch.pairs.map((p) => [p.prompt.length, p.chosen]), ...batch.pairs.map((p) => [p.prompt.length, p.rejected])] as [number, number[]][];
    const time = Math.max(...conts.map(([len, c]) => len + c.length)) - 1;
    // Logits at position pos predict token pos + 1: a continuation token j sits at prompt length − 1 + j.
    const targets = conts.map(([len, c]) => Array.from({ length: time }, (_, t) => (t >= len - 1 && t - (len - 1) < c.length ? c[t - (len - 1)] : -1)));
    const sign = new Float32Array(n * 2 * n);
    for (let i = 0; i < n; i++) {
      sign[i * 2 * n + i] = 1;
      sign[i * 2 * n + n + i] = -1;
    }
    return {
      ...targetFeeds(targets, () => 1),
      pair_sign: { data: sign, shape: [n, 2 * n] },
      reference_log_ratio: { data: Float32Array.from(batch.referenceLogRatios), shape: [n, 1] },
      beta: { data: Float32Array.of(batch.beta), shape: [] },
      pair_weight: { data: Float32Array.of(1 / n), shape: [] },
    };
  },
};
