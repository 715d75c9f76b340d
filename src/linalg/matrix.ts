import { type Vector } from './vector.js';

/** A dense row-major Float64 matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  /** Row-major entries: element (i, j) at data[i * cols + j]. */
  data: Float64Array;
}

/** A rows × cols zero matrix. */
export function matrix(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** The n × n identity. */
export function identity(n: number): Matrix {
  const m = matrix(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** A matrix from an array of equal-length rows. */
export function fromRows(rows: ArrayLike<number>[]): Matrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const m = matrix(r, c);
  rows.forEach((row, i) => {
    if (row.length !== c) throw new Error(`fromRows: row ${i} has length ${row.length}, expected ${c}`);
    for (let j = 0; j < c; j++) m.data[i * c + j] = row[j];
  });
  return m;
}

/** Row i as a new vector. */
export function row(m: Matrix, i: number): Vector {
  return m.data.slice(i * m.cols, (i + 1) * m.cols);
}

/** Element (i, j). */
export function at(m: Matrix, i: number, j: number): number {
  return m.data[i * m.cols + j];
}

/** Transpose. */
export function transpose(m: Matrix): Matrix {
  const t = matrix(m.cols, m.rows);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) t.data[j * m.rows + i] = m.data[i * m.cols + j];
  return t;
}

/** M · x. */
export function matVec(m: Matrix, x: ArrayLike<number>): Vector {
  if (x.length !== m.cols) throw new Error(`matVec: ${m.rows}x${m.cols} times length ${x.length}`);
  const out = new Float64Array(m.rows);
  const { data, cols } = m;
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    const base = i * cols;
    for (let j = 0; j < cols; j++) s += data[base + j] * x[j];
    out[i] = s;
  }
  return out;
}

/** Mᵀ · x (without forming the transpose). */
export function matTVec(m: Matrix, x: ArrayLike<number>): Vector {
  if (x.length !== m.rows) throw new Error(`matTVec: (${m.rows}x${m.cols})ᵀ times length ${x.length}`);
  const out = new Float64Array(m.cols);
  const { data, cols } = m;
  for (let i = 0; i < m.rows; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const base = i * cols;
    for (let j = 0; j < cols; j++) out[j] += data[base + j] * xi;
  }
  return out;
}

/** A · B (i-k-j loop order for contiguous access). */
export function matMul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`matMul: ${a.rows}x${a.cols} times ${b.rows}x${b.cols}`);
  const out = matrix(a.rows, b.cols);
  const n = b.cols;
  for (let i = 0; i < a.rows; i++) {
    const oBase = i * n;
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik === 0) continue;
      const bBase = k * n;
      for (let j = 0; j < n; j++) out.data[oBase + j] += aik * b.data[bBase + j];
    }
  }
  return out;
}

/** Largest |M - Mᵀ| entry relative to the largest |M| entry (0 for a symmetric matrix). */
export function asymmetry(m: Matrix): number {
  if (m.rows !== m.cols) return Infinity;
  let worst = 0;
  let biggest = 0;
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      biggest = Math.max(biggest, Math.abs(m.data[i * m.cols + j]));
      worst = Math.max(worst, Math.abs(m.data[i * m.cols + j] - m.data[j * m.cols + i]));
    }
  }
  return biggest === 0 ? 0 : worst / biggest;
}

/** Lower Cholesky factor L with M = L Lᵀ, or null when M is not (numerically) positive-definite. */
export function cholesky(m: Matrix): Matrix | null {
  const n = m.rows;
  if (n !== m.cols) return null;
  const l = matrix(n, n);
  for (let j = 0; j < n; j++) {
    let diag = m.data[j * n + j];
    for (let k = 0; k < j; k++) diag -= l.data[j * n + k] ** 2;
    if (!(diag > 0)) return null;
    const ljj = Math.sqrt(diag);
    l.data[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = m.data[i * n + j];
      for (let k = 0; k < j; k++) s -= l.data[i * n + k] * l.data[j * n + k];
      l.data[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** Solves (L Lᵀ) x = b given the lower Cholesky factor L. */
export function choleskySolve(l: Matrix, b: ArrayLike<number>): Vector {
  const n = l.rows;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l.data[i * n + k] * y[k];
    y[i] = s / l.data[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l.data[k * n + i] * x[k];
    x[i] = s / l.data[i * n + i];
  }
  return x;
}
