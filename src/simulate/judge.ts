// The AI judge: Bradley-Terry along v_c with temperature λ, an optional position bias, and both-order debiasing.
import { logistic } from '../theory/index.js';
import type { Rng } from '../linalg/index.js';
import { rowDots } from './kernels.js';
import type { PairSample } from './sampler.js';

/** How the judge labels a pair (φ1 shown first, φ2 second). */
export interface JudgeOptions {
  /** Bradley-Terry temperature λ: P(first ≻ second) = σ(λ<v_c, φ1 − φ2> + b). */
  lambda: number;
  /** Additive logit b for whichever response is shown first (0: no position bias). */
  positionBias: number;
  /** Judge both orders and average the two verdicts (labels in {0, ½, 1}). */
  debias: boolean;
}

/** Judge labels y_i ∈ [0, 1] (1: φ1 preferred) and the judge's scores t_i = <v_c, D_i>. */
export interface JudgeLabels {
  labels: Float64Array;
  scores: Float64Array;
}

/**
 * Labels every pair. One order: y = 1 with probability σ(λt + b). Debiased: the pair is also judged as (φ2, φ1),
 * where φ1 wins with probability 1 − σ(−λt + b) = σ(λt − b), and y is the mean of the two verdicts; the bias then
 * cancels in expectation (E y = (σ(λt + b) + σ(λt − b))/2, an odd function of t about ½).
 */
export function judgePairs(pairs: PairSample, judgeDirection: Float64Array, options: JudgeOptions, rng: Rng): JudgeLabels {
  const { count, dim, diff } = pairs;
  const scores = new Float64Array(count);
  rowDots(diff, count, dim, judgeDirection, scores);
  const labels = new Float64Array(count);
  const { lambda, positionBias: b, debias } = options;
  for (let i = 0; i < count; i++) {
    const logit = lambda * scores[i];
    const first = rng.uniform() < logistic(logit + b) ? 1 : 0;
    labels[i] = debias ? (first + (rng.uniform() < logistic(logit - b) ? 1 : 0)) / 2 : first;
  }
  return { labels, scores };
}
