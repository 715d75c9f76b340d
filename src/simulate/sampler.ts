// Responses φ ~ N(Σθ, Σ) of the exponential-family policy π_θ ∝ exp<θ, φ> N(φ; 0, Σ), and pairs of them.
import { cholesky, type Matrix } from '../linalg/index.js';
import { multiplyTransposed } from './gemm.js';
import type { NormalSource } from './normal.js';

/** Σ and its lower Cholesky factor L (Σ = L Lᵀ); both null for the identity (the fast path). */
export interface ResponseModel {
  dim: number;
  sigma: Matrix | null;
  chol: Matrix | null;
}

/** The response model of a covariance (identity when undefined). */
export function responseModel(dim: number, covariance?: Matrix): ResponseModel {
  if (!covariance) return { dim, sigma: null, chol: null };
  const chol = cholesky(covariance);
  if (!chol) throw new Error('responseModel: covariance is not positive-definite');
  return { dim, sigma: covariance, chol };
}

/** Σ · v (a copy of v for the identity). */
export function applySigma(model: ResponseModel, v: ArrayLike<number>): Float64Array {
  const d = model.dim;
  const out = new Float64Array(d);
  if (!model.sigma) {
    for (let j = 0; j < d; j++) out[j] = v[j];
    return out;
  }
  const a = model.sigma.data;
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += a[i * d + j] * v[j];
    out[i] = s;
  }
  return out;
}

/** Solves Σ x = b through the Cholesky factor (b itself for the identity). */
export function solveSigma(model: ResponseModel, b: ArrayLike<number>): Float64Array {
  const d = model.dim;
  const x = Float64Array.from(b);
  if (!model.chol) return x;
  const l = model.chol.data;
  for (let i = 0; i < d; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= l[i * d + k] * x[k];
    x[i] = s / l[i * d + i];
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < d; k++) s -= l[k * d + i] * x[k];
    x[i] = s / l[i * d + i];
  }
  return x;
}

/** Rows [from, to) of `out` (d columns, row-major) replaced by L · row, for lower-triangular L: blocks of rows as one product Z Lᵀ. */
export function lowerTimesRows(l: Float64Array, d: number, out: Float64Array, from: number, to: number): void {
  const block = Math.max(1, Math.floor(65536 / d));
  for (let r0 = from; r0 < to; r0 += block) {
    const rows = Math.min(block, to - r0);
    out.set(multiplyTransposed(out.subarray(r0 * d, (r0 + rows) * d), rows, l, d, d), r0 * d);
  }
}

/** `count` responses φ = Σθ + L z (rows of a count × d row-major array). */
export function sampleResponses(model: ResponseModel, theta: ArrayLike<number>, count: number, normals: NormalSource): Float64Array {
  const out = new Float64Array(count * model.dim);
  fillResponses(model, applySigma(model, theta), count, normals, out);
  return out;
}

/** Overwrites the first `count` rows of `out` with responses φ = mean + L z (mean = Σθ), as `sampleResponses` draws them. */
export function fillResponses(model: ResponseModel, mean: Float64Array, count: number, normals: NormalSource, out: Float64Array): void {
  const d = model.dim;
  normals.fill(out, 0, count * d); // one call: the same stream as row after row
  if (model.chol) lowerTimesRows(model.chol.data, d, out, 0, count);
  for (let i = 0; i < count; i++) for (let j = 0; j < d; j++) out[i * d + j] += mean[j];
}

/** Writes rows [from, to) of `diff` (row-major, d columns) with pair differences √2·L z ~ N(0, 2Σ); `chol` null for Σ = I. */
export function fillPairDifferences(d: number, chol: Float64Array | null, diff: Float64Array, from: number, to: number, normals: NormalSource): void {
  normals.fill(diff, from * d, (to - from) * d, Math.SQRT2); // the same stream as row after row
  if (chol) lowerTimesRows(chol, d, diff, from, to);
}

/** Pair differences D = φ1 − φ2 of independent responses, and what the value functions need of the pair. */
export interface PairSample {
  count: number;
  dim: number;
  /** count × d row-major differences φ1 − φ2 ~ N(0, 2Σ) (the policy mean cancels). */
  diff: Float64Array;
  /** <v*, φ1 + φ2> per pair, or null when not asked for. */
  valueSum: Float64Array | null;
}

/**
 * `count` pairs of independent responses of π_θ, drawn through their difference and sum: D = φ1 − φ2 ~ N(0, 2Σ)
 * is independent of φ1 + φ2 ~ N(2Σθ, 2Σ) (their cross-covariance is Σ − Σ = 0), and the simulator needs of the
 * sum only its projection <v*, φ1 + φ2> ~ N(2<v*, Σθ>, 2 v*ᵀΣv*), one normal per pair. So the pair costs d + 1
 * normals instead of 2d, with exactly the joint law of (D, <v*, φ1>, <v*, φ2>).
 */
export function samplePairs(
  model: ResponseModel,
  count: number,
  normals: NormalSource,
  value?: { trueValue: ArrayLike<number>; theta: ArrayLike<number> },
): PairSample {
  const d = model.dim;
  // Shared memory, so that the reward fit can split its passes with a worker thread without a copy.
  const diff = new Float64Array(new SharedArrayBuffer(count * d * Float64Array.BYTES_PER_ELEMENT));
  fillPairDifferences(d, model.chol ? model.chol.data : null, diff, 0, count, normals);
  let valueSum: Float64Array | null = null;
  if (value) {
    const sv = applySigma(model, value.trueValue);
    let mean = 0;
    let variance = 0;
    for (let j = 0; j < d; j++) {
      mean += sv[j] * value.theta[j];
      variance += sv[j] * value.trueValue[j];
    }
    valueSum = new Float64Array(count);
    normals.fill(valueSum, 0, count, Math.sqrt(2 * variance));
    for (let i = 0; i < count; i++) valueSum[i] += 2 * mean;
  }
  return { count, dim: d, diff, valueSum };
}
