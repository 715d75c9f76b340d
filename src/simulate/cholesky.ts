// Blocked Cholesky factorisation for the simulator's d × d covariances: the trailing updates, nearly all of its
// d³/6 multiply-adds, run on the SIMD product kernel of gemm.ts.
import { multiplyTransposed } from './gemm.js';

/** Columns per block: the diagonal block and the panel below it are factored in scalar code, the rest by the kernel. */
const NB = 64;

/**
 * The lower Cholesky factor L (row-major, zeros above the diagonal) of a symmetric positive-definite d × d
 * row-major matrix (only its lower triangle is read), or null when a pivot is not positive.
 */
export function choleskyLower(m: Float64Array, d: number): Float64Array | null {
  const a = Float64Array.from(m);
  for (let k0 = 0; k0 < d; k0 += NB) {
    const k1 = Math.min(d, k0 + NB);
    // The diagonal block (earlier columns were already subtracted by the trailing updates).
    for (let j = k0; j < k1; j++) {
      const rj = j * d;
      let diag = a[rj + j];
      for (let k = k0; k < j; k++) diag -= a[rj + k] * a[rj + k];
      if (!(diag > 0)) return null;
      const ljj = Math.sqrt(diag);
      a[rj + j] = ljj;
      for (let i = j + 1; i < k1; i++) {
        const ri = i * d;
        let s = a[ri + j];
        for (let k = k0; k < j; k++) s -= a[ri + k] * a[rj + k];
        a[ri + j] = s / ljj;
      }
    }
    if (k1 === d) break;
    // The panel below it: each row x solves x L11ᵀ = a_i.
    const rows = d - k1;
    const width = k1 - k0;
    const panel = new Float64Array(rows * width);
    for (let i = k1; i < d; i++) {
      const ri = i * d;
      for (let j = k0; j < k1; j++) {
        const rj = j * d;
        let s = a[ri + j];
        for (let k = k0; k < j; k++) s -= a[ri + k] * a[rj + k];
        a[ri + j] = s / a[rj + j];
        panel[(i - k1) * width + (j - k0)] = a[ri + j];
      }
    }
    // The trailing matrix: A22 −= P Pᵀ (lower triangle).
    const update = multiplyTransposed(panel, rows, panel, rows, width, true);
    for (let i = 0; i < rows; i++) {
      const ri = (k1 + i) * d + k1;
      for (let j = 0; j <= i; j++) a[ri + j] -= update[i * rows + j];
    }
  }
  for (let i = 0; i < d; i++) a.fill(0, i * d + i + 1, (i + 1) * d);
  return a;
}
