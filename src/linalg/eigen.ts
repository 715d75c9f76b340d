import { matrix, type Matrix } from './matrix.js';
import { type Vector } from './vector.js';

/** Eigen-decomposition of a symmetric matrix: values in descending order, vectors[i] the unit eigenvector of values[i]. */
export interface SymmetricEigen {
  values: Float64Array;
  vectors: Vector[];
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix by the cyclic Jacobi method (own code: exact to
 * rounding, deterministic, and fast enough for the d ≤ a few hundred the theory uses). Sweeps until the
 * off-diagonal mass is below 1e-15 of the total, at most 100 sweeps.
 */
export function symmetricEigen(m: Matrix): SymmetricEigen {
  const n = m.rows;
  if (n !== m.cols) throw new Error(`symmetricEigen: matrix is ${m.rows}x${m.cols}, not square`);
  const a = Float64Array.from(m.data);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * a[p * n + q] ** 2;
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = order.map((j) => Float64Array.from({ length: n }, (_, k) => v[k * n + j]));
  return { values, vectors };
}

/** Thin singular value decomposition A = U diag(s) Vᵀ, singular values descending. */
export interface Svd {
  /** Singular values, descending, length min(rows, cols). */
  s: Float64Array;
  /** Left singular vectors (length rows), one per singular value. */
  u: Vector[];
  /** Right singular vectors (length cols), one per singular value. */
  v: Vector[];
}

/**
 * SVD through the symmetric eigendecomposition of the smaller Gram matrix (AᵀA or AAᵀ). Accurate for the
 * well-scaled, small matrices of this project (directions, subspace bases); singular values below 1e-12 of
 * the largest get zero singular vectors on the other side.
 */
export function svd(a: Matrix): Svd {
  const { rows, cols } = a;
  const wide = cols > rows;
  const k = wide ? rows : cols;
  const gram = matrix(k, k);
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let s = 0;
      if (wide) for (let t = 0; t < cols; t++) s += a.data[i * cols + t] * a.data[j * cols + t];
      else for (let t = 0; t < rows; t++) s += a.data[t * cols + i] * a.data[t * cols + j];
      gram.data[i * k + j] = s;
      gram.data[j * k + i] = s;
    }
  }
  const eig = symmetricEigen(gram);
  const s = Float64Array.from(eig.values, (x) => Math.sqrt(Math.max(0, x)));
  const big = s[0] ?? 0;
  const small = eig.vectors; // singular vectors on the small side
  const other: Vector[] = small.map((vec, idx) => {
    const out = new Float64Array(wide ? cols : rows);
    if (s[idx] <= 1e-12 * big || s[idx] === 0) return out;
    if (wide) {
      // v = Aᵀ u / s
      for (let i = 0; i < rows; i++) for (let t = 0; t < cols; t++) out[t] += a.data[i * cols + t] * vec[i];
    } else {
      // u = A v / s
      for (let i = 0; i < rows; i++) {
        let acc = 0;
        for (let t = 0; t < cols; t++) acc += a.data[i * cols + t] * vec[t];
        out[i] = acc;
      }
    }
    for (let i = 0; i < out.length; i++) out[i] /= s[idx];
    return out;
  });
  return wide ? { s, u: small, v: other } : { s, u: other, v: small };
}
