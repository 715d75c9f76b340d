// How uncertain the fitted reward is: the sandwich covariance of ŵ and parametric-bootstrap draws from it.
import type { Matrix } from '../linalg/index.js';
import { choleskyLower } from './cholesky.js';
import { multiplyTransposed, weightedGrams } from './gemm.js';
import { rowDots } from './kernels.js';
import type { NormalSource } from './normal.js';

/**
 * The sandwich (robust) covariance H⁻¹ J H⁻¹ of the L2-regularised logistic fit ŵ, H = Σ p(1 − p) x xᵀ + l2·I,
 * J = Σ (p − y)² x xᵀ, at p = σ(Xŵ). It is the asymptotic covariance of ŵ even when the logistic model is wrong
 * (soft debiased labels, position bias, a value function), where the plain inverse Fisher information is not.
 * Costs one pass over X forming both Gram matrices (n·d² multiply-adds on the SIMD kernel), then about 2.2·d³
 * for H⁻¹ (from its Cholesky factor) and the two products.
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
  const [h, j2] = weightedGrams(x, n, d, [s, r2]);
  for (let j = 0; j < d; j++) h[j * d + j] += l2;
  const hChol = choleskyLower(h, d);
  if (!hChol) throw new Error('rewardCovariance: Hessian is not positive-definite');
  // H⁻¹ = L⁻ᵀ L⁻¹ = U Uᵀ with U = L⁻ᵀ; then H⁻¹ J, then (H⁻¹ J) H⁻¹ (symmetric: its upper half, mirrored).
  const u = inverseTransposedLower(hChol, d);
  const hInv = multiplyTransposed(u, d, u, d, d, true);
  const hInvJ = multiplyTransposed(hInv, d, j2, d, d); // J = Jᵀ
  return { rows: d, cols: d, data: multiplyTransposed(hInvJ, d, hInv, d, d, true) }; // H⁻¹ = H⁻ᵀ
}

/** U = L⁻ᵀ (upper triangular, row-major) of a lower-triangular row-major L with a positive diagonal. */
export function inverseTransposedLower(l: Float64Array, d: number): Float64Array {
  // Row j of U is column j of L⁻¹: x_j = 1/L_jj, x_i = −(Σ_{j ≤ k < i} L_ik x_k)/L_ii; both factors contiguous.
  const u = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    const row = j * d;
    u[row + j] = 1 / l[j * d + j];
    for (let i = j + 1; i < d; i++) {
      let acc = 0;
      const li = i * d;
      for (let k = j; k < i; k++) acc += l[li + k] * u[row + k];
      u[row + i] = -acc / l[li + i];
    }
  }
  return u;
}

/** `count` draws ŵ_b ~ N(w, cov) (a tiny diagonal jitter is added when cov is only semi-definite). */
export function drawGaussian(mean: Float64Array, cov: Matrix, count: number, normals: NormalSource): Float64Array[] {
  const d = mean.length;
  let l = choleskyLower(cov.data, d);
  for (let jitter = 1e-14; !l && jitter < 1; jitter *= 100) {
    let trace = 0;
    for (let j = 0; j < d; j++) trace += cov.data[j * d + j];
    const m = Float64Array.from(cov.data);
    for (let j = 0; j < d; j++) m[j * d + j] += (jitter * trace) / d + 1e-300;
    l = choleskyLower(m, d);
  }
  if (!l) throw new Error('drawGaussian: covariance is not positive semi-definite');
  // One block of count × d normals (the stream order of one draw after another), then all draws Z Lᵀ at once.
  const z = new Float64Array(count * d);
  normals.fill(z, 0, count * d);
  const shifts = multiplyTransposed(z, count, l, d, d);
  const out: Float64Array[] = [];
  for (let b = 0; b < count; b++) {
    const v = shifts.slice(b * d, b * d + d);
    for (let i = 0; i < d; i++) v[i] += mean[i];
    out.push(v);
  }
  return out;
}
