// The simulator's hot loops over an n × d row-major Float64 data matrix X (one row per pair difference).
//
// Every pass reads X once, in blocks of 8 rows: first the 8 row dot products (one load of v[j] feeds 8
// multiply-adds), then one fused accumulation out[j] += Σ_k c_k X[k][j] over the same 8 rows, which are
// still in L1 (8 rows × d doubles). Measured on this 2-core machine at d = 256: about 45 ms per pass over
// 100,000 rows, against 65 ms for the plain row-by-row loop.

const BLOCK = 8;

/** z[i] = <X[i], v> for every row (z must have length ≥ n). */
export function rowDots(x: Float64Array, n: number, d: number, v: Float64Array, z: Float64Array): void {
  let i = 0;
  for (; i + BLOCK <= n; i += BLOCK) dots8(x, i * d, d, v, z, i);
  for (; i < n; i++) z[i] = dot1(x, i * d, d, v);
}

/**
 * One gradient pass of the logistic loss at w: for each row z = <X[i], w>, p = σ(z); stores s[i] = p(1 − p)
 * (the Hessian weights) and returns the loss Σ softplus(z) − y z; writes Xᵀ(p − y) into grad.
 * `y` holds labels in [0, 1] (soft labels allowed).
 */
export function logisticGradientPass(
  x: Float64Array,
  n: number,
  d: number,
  w: Float64Array,
  y: Float64Array,
  s: Float64Array,
  grad: Float64Array,
): number {
  grad.fill(0);
  const z = new Float64Array(BLOCK);
  const c = new Float64Array(BLOCK);
  let loss = 0;
  for (let i = 0; i < n; i += BLOCK) {
    const rows = Math.min(BLOCK, n - i);
    if (rows === BLOCK) dots8(x, i * d, d, w, z, 0);
    else for (let k = 0; k < rows; k++) z[k] = dot1(x, (i + k) * d, d, w);
    for (let k = 0; k < rows; k++) {
      const zk = z[k];
      // σ(z) and softplus(z) = log(1 + e^z) without overflow.
      const e = Math.exp(-Math.abs(zk));
      const p = zk >= 0 ? 1 / (1 + e) : e / (1 + e);
      const yk = y[i + k];
      loss += (zk > 0 ? zk : 0) + Math.log1p(e) - yk * zk;
      s[i + k] = p * (1 - p);
      c[k] = p - yk;
    }
    if (rows === BLOCK) accumulate8(x, i * d, d, c, grad);
    else for (let k = 0; k < rows; k++) axpyRow(x, (i + k) * d, d, c[k], grad);
  }
  return loss;
}

/** out = Xᵀ diag(s) X v, the Hessian-vector product of the logistic loss without the L2 term. */
export function weightedGramVector(x: Float64Array, n: number, d: number, s: Float64Array, v: Float64Array, out: Float64Array): void {
  out.fill(0);
  const z = new Float64Array(BLOCK);
  let i = 0;
  for (; i + BLOCK <= n; i += BLOCK) {
    dots8(x, i * d, d, v, z, 0);
    for (let k = 0; k < BLOCK; k++) z[k] *= s[i + k];
    accumulate8(x, i * d, d, z, out);
  }
  for (; i < n; i++) axpyRow(x, i * d, d, s[i] * dot1(x, i * d, d, v), out);
}

/** out = Xᵀ c (c of length n). */
export function transposeTimes(x: Float64Array, n: number, d: number, c: Float64Array, out: Float64Array): void {
  out.fill(0);
  const block = new Float64Array(BLOCK);
  let i = 0;
  for (; i + BLOCK <= n; i += BLOCK) {
    for (let k = 0; k < BLOCK; k++) block[k] = c[i + k];
    accumulate8(x, i * d, d, block, out);
  }
  for (; i < n; i++) axpyRow(x, i * d, d, c[i], out);
}

/** The d × d matrix Σ_i a[i] X[i] X[i]ᵀ (row-major, full), for the small-d uncertainty estimates. */
export function weightedGram(x: Float64Array, n: number, d: number, a: Float64Array): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const base = i * d;
    const ai = a[i];
    if (ai === 0) continue;
    for (let j = 0; j < d; j++) {
      const cj = ai * x[base + j];
      const row = j * d;
      for (let k = j; k < d; k++) out[row + k] += cj * x[base + k];
    }
  }
  for (let j = 0; j < d; j++) for (let k = 0; k < j; k++) out[j * d + k] = out[k * d + j];
  return out;
}

function dot1(x: Float64Array, base: number, d: number, v: Float64Array): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += x[base + j] * v[j];
  return s;
}

function axpyRow(x: Float64Array, base: number, d: number, c: number, out: Float64Array): void {
  if (c === 0) return;
  for (let j = 0; j < d; j++) out[j] += c * x[base + j];
}

// z[at + k] = <X row (base/d + k), v> for k < 8.
function dots8(x: Float64Array, base: number, d: number, v: Float64Array, z: Float64Array, at: number): void {
  let z0 = 0;
  let z1 = 0;
  let z2 = 0;
  let z3 = 0;
  let z4 = 0;
  let z5 = 0;
  let z6 = 0;
  let z7 = 0;
  for (let j = 0; j < d; j++) {
    const vj = v[j];
    const q = base + j;
    z0 += x[q] * vj;
    z1 += x[q + d] * vj;
    z2 += x[q + 2 * d] * vj;
    z3 += x[q + 3 * d] * vj;
    z4 += x[q + 4 * d] * vj;
    z5 += x[q + 5 * d] * vj;
    z6 += x[q + 6 * d] * vj;
    z7 += x[q + 7 * d] * vj;
  }
  z[at] = z0;
  z[at + 1] = z1;
  z[at + 2] = z2;
  z[at + 3] = z3;
  z[at + 4] = z4;
  z[at + 5] = z5;
  z[at + 6] = z6;
  z[at + 7] = z7;
}

// out[j] += Σ_k c[k] X[row k][j] over the 8 rows starting at `base`.
function accumulate8(x: Float64Array, base: number, d: number, c: Float64Array, out: Float64Array): void {
  const c0 = c[0];
  const c1 = c[1];
  const c2 = c[2];
  const c3 = c[3];
  const c4 = c[4];
  const c5 = c[5];
  const c6 = c[6];
  const c7 = c[7];
  for (let j = 0; j < d; j++) {
    const q = base + j;
    out[j] +=
      c0 * x[q] + c1 * x[q + d] + c2 * x[q + 2 * d] + c3 * x[q + 3 * d] + c4 * x[q + 4 * d] + c5 * x[q + 5 * d] + c6 * x[q + 6 * d] + c7 * x[q + 7 * d];
  }
}
