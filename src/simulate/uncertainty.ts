// How uncertain the fitted reward is: the sandwich covariance of ŵ and parametric-bootstrap draws from it.
import { cholesky, choleskySolve, type Matrix } from '../linalg/index.js';
import { rowDots, weightedGram } from './kernels.js';
import type { NormalSource } from './normal.js';

/**
 * The sandwich (robust) covariance H⁻¹ J H⁻¹ of the L2-regularised logistic fit ŵ, H = Σ p(1 − p) x xᵀ + l2·I,
 * J = Σ (p − y)² x xᵀ, at p = σ(Xŵ). It is the asymptotic covariance of ŵ even when the logistic model is wrong
 * (soft debiased labels, position bias, a value function), where the plain inverse Fisher information is not.
 * Costs two n·d²/2 passes: meant for the simulator's small dimensions.
 */
export function rewardCovariance(x: Float64Array, n: number, d: number, y: Float64Array, w: Float64Array, l2: number): Matrix {
  const z = new Float64Array(n);
  rowDots(x, n, d, w, z);
  const s = new Float64Array(n);
  const r2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = 1 / (1 + Math.exp(-z[i]));
    s[i] = p * (1 - p);
    r2[i] = (p - y[i]) ** 2;
  }
  const h = weightedGram(x, n, d, s);
  for (let j = 0; j < d; j++) h[j * d + j] += l2;
  const j2 = weightedGram(x, n, d, r2);
  const hChol = cholesky({ rows: d, cols: d, data: h });
  if (!hChol) throw new Error('rewardCovariance: Hessian is not positive-definite');
  // H⁻¹ J H⁻¹ column by column: first A = H⁻¹ J, then (H⁻¹ Aᵀ)ᵀ (A is H⁻¹J; (H⁻¹ J H⁻¹) = H⁻¹ (H⁻¹ J)ᵀ since both symmetric).
  const a = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    const col = choleskySolve(hChol, j2.subarray(c * d, c * d + d)); // J is symmetric: row c = column c
    for (let r = 0; r < d; r++) a[r * d + c] = col[r];
  }
  const out = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    const rowOfA = a.subarray(c * d, c * d + d); // (H⁻¹J) row c = (J H⁻¹) column c
    const col = choleskySolve(hChol, rowOfA);
    for (let r = 0; r < d; r++) out[r * d + c] = col[r];
  }
  // Symmetrise against rounding.
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < r; c++) {
      const m = (out[r * d + c] + out[c * d + r]) / 2;
      out[r * d + c] = m;
      out[c * d + r] = m;
    }
  }
  return { rows: d, cols: d, data: out };
}

/** `count` draws ŵ_b ~ N(w, cov) (a tiny diagonal jitter is added when cov is only semi-definite). */
export function drawGaussian(mean: Float64Array, cov: Matrix, count: number, normals: NormalSource): Float64Array[] {
  const d = mean.length;
  let l = cholesky(cov);
  for (let jitter = 1e-14; !l && jitter < 1; jitter *= 100) {
    let trace = 0;
    for (let j = 0; j < d; j++) trace += cov.data[j * d + j];
    const m = { rows: d, cols: d, data: Float64Array.from(cov.data) };
    for (let j = 0; j < d; j++) m.data[j * d + j] += (jitter * trace) / d + 1e-300;
    l = cholesky(m);
  }
  if (!l) throw new Error('drawGaussian: covariance is not positive semi-definite');
  const z = new Float64Array(d);
  const out: Float64Array[] = [];
  for (let b = 0; b < count; b++) {
    normals.fill(z, 0, d);
    const v = Float64Array.from(mean);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let k = 0; k <= i; k++) s += l.data[i * d + k] * z[k];
      v[i] += s;
    }
    out.push(v);
  }
  return out;
}
