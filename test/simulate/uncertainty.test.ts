import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cholesky, choleskySolve, createRng } from '../../src/linalg/index.js';
import { choleskyLower } from '../../src/simulate/cholesky.js';
import { multiplyTransposed } from '../../src/simulate/gemm.js';
import { createNormalSource, drawGaussian, rewardCovariance, weightedGram } from '../../src/simulate/index.js';
import { inverseTransposedLower } from '../../src/simulate/uncertainty.js';
import { maxRelativeError, randomMatrix } from '../helpers/matrices.js';

test('inverseTransposedLower: U = L⁻ᵀ, so L Uᵀ = I', () => {
  const d = 70;
  const x = randomMatrix(d, d + 1, 9);
  const l = choleskyLower(multiplyTransposed(x, d, x, d, d + 1, true), d)!;
  const u = inverseTransposedLower(l, d);
  const identity = multiplyTransposed(l, d, u, d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) assert.ok(Math.abs(identity[i * d + j] - (i === j ? 1 : 0)) < 1e-10);
});

test('rewardCovariance: H⁻¹ J H⁻¹ as the column-by-column solves give it', () => {
  const n = 3000;
  const d = 9;
  const x = randomMatrix(n, d, 11);
  const w = Float64Array.from({ length: d }, (_, j) => (j - 4) / 10);
  const y = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const l2 = 0.5;
  const z = new Float64Array(n);
  const s = new Float64Array(n);
  const r2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) z[i] += x[i * d + j] * w[j];
    const p = 1 / (1 + Math.exp(-z[i]));
    s[i] = p * (1 - p);
    r2[i] = (p - y[i]) ** 2;
  }
  const h = weightedGram(x, n, d, s);
  for (let j = 0; j < d; j++) h[j * d + j] += l2;
  const jm = weightedGram(x, n, d, r2);
  const hl = cholesky({ rows: d, cols: d, data: h })!;
  const hInvJ = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    const col = choleskySolve(hl, jm.subarray(c * d, c * d + d));
    for (let r = 0; r < d; r++) hInvJ[r * d + c] = col[r];
  }
  const expected = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    const col = choleskySolve(hl, hInvJ.subarray(c * d, c * d + d));
    for (let r = 0; r < d; r++) expected[r * d + c] = col[r];
  }
  const got = rewardCovariance(x, n, d, y, w, l2);
  assert.ok(maxRelativeError(got.data, expected) < 1e-12);
});

test('drawGaussian: the draws have the mean and covariance asked for (5 standard errors)', () => {
  const d = 3;
  const cov = Float64Array.of(2, 0.6, 0.1, 0.6, 1, -0.3, 0.1, -0.3, 0.5);
  const mean = Float64Array.of(1, -2, 0.5);
  const count = 40_000;
  const draws = drawGaussian(mean, { rows: d, cols: d, data: cov }, count, createNormalSource(createRng(12)));
  for (let i = 0; i < d; i++) {
    let m = 0;
    for (const v of draws) m += v[i] / count;
    assert.ok(Math.abs(m - mean[i]) < 5 * Math.sqrt(cov[i * d + i] / count));
    for (let j = 0; j < d; j++) {
      let c = 0;
      for (const v of draws) c += ((v[i] - mean[i]) * (v[j] - mean[j])) / count;
      const se = Math.sqrt((cov[i * d + i] * cov[j * d + j] + cov[i * d + j] ** 2) / count);
      assert.ok(Math.abs(c - cov[i * d + j]) < 5 * se, `cov[${i}][${j}] = ${c}`);
    }
  }
});
