import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, fromRows } from '../../src/linalg/index.js';
import { normalCdf } from '../../src/theory/index.js';
import { createNormalSource, judgePairs, responseModel, samplePairs, sampleResponses } from '../../src/simulate/index.js';

test('ziggurat normals: same seed, same bits; moments and tail mass within 5 standard errors', () => {
  const n = 400_000;
  const a = new Float64Array(n);
  createNormalSource(createRng(11)).fill(a, 0, n);
  const b = new Float64Array(n);
  createNormalSource(createRng(11)).fill(b, 0, n);
  assert.deepEqual(a, b);
  let m1 = 0;
  let m2 = 0;
  let m4 = 0;
  for (const x of a) {
    m1 += x;
    m2 += x * x;
    m4 += x ** 4;
  }
  assert.ok(Math.abs(m1 / n) < 5 / Math.sqrt(n));
  assert.ok(Math.abs(m2 / n - 1) < 5 * Math.sqrt(2 / n));
  assert.ok(Math.abs(m4 / n - 3) < 5 * Math.sqrt(96 / n));
  // The CDF at wedge and tail points, including beyond the ziggurat's base (3.44).
  for (const q of [-3.6, -2, -1, -0.3, 0, 0.7, 1.5, 2.5, 3.5]) {
    const p = normalCdf(q);
    const frac = a.filter((x) => x < q).length / n;
    assert.ok(Math.abs(frac - p) < 5 * Math.sqrt((p * (1 - p)) / n) + 1e-6, `P(Z < ${q}) = ${frac}, expected ${p}`);
  }
});

test('ziggurat: the bulk fill (WebAssembly fast path) gives the bits of one next() after another, at any scale and offset', () => {
  const a = createNormalSource(createRng(21));
  const b = createNormalSource(createRng(21));
  for (const [count, scale] of [[1, 1], [63, 1], [64, Math.SQRT2], [4096, 1], [4097, 0.5], [20_000, 3]] as const) {
    const bulk = new Float64Array(count + 3);
    a.fill(bulk, 3, count, scale);
    for (let i = 0; i < count; i++) assert.ok(Object.is(bulk[3 + i], b.next() * scale), `count ${count}, index ${i}`);
    assert.equal(bulk[0], 0);
    assert.equal(a.next(), b.next(), 'the two streams stay in step');
  }
});

test('responses have mean Σθ and covariance Σ; pair differences have covariance 2Σ', () => {
  const sigma = fromRows([
    [2, 0.6],
    [0.6, 1],
  ]);
  const model = responseModel(2, sigma);
  const theta = [1, -0.5];
  const n = 100_000;
  const phi = sampleResponses(model, theta, n, createNormalSource(createRng(3)));
  const mean = [0, 0];
  for (let i = 0; i < n; i++) for (let j = 0; j < 2; j++) mean[j] += phi[i * 2 + j] / n;
  const expected = [2 * 1 + 0.6 * -0.5, 0.6 * 1 + 1 * -0.5];
  for (let j = 0; j < 2; j++) assert.ok(Math.abs(mean[j] - expected[j]) < 5 * Math.sqrt(sigma.data[j * 3] / n));
  const pairs = samplePairs(model, n, createNormalSource(createRng(4)), { trueValue: [1, 0], theta });
  let c01 = 0;
  let c00 = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    c00 += pairs.diff[i * 2] ** 2 / n;
    c01 += (pairs.diff[i * 2] * pairs.diff[i * 2 + 1]) / n;
    sum += pairs.valueSum![i] / n;
  }
  assert.ok(Math.abs(c00 - 4) < 0.1, `Var D0 = ${c00}, expected 2Σ00 = 4`);
  assert.ok(Math.abs(c01 - 1.2) < 0.06, `Cov D = ${c01}, expected 2Σ01 = 1.2`);
  // <v*, φ1 + φ2> has mean 2<v*, Σθ> = 2·1.7.
  assert.ok(Math.abs(sum - 3.4) < 0.05);
});

test('judge: label frequency follows σ(λt + b); debiasing cancels the position bias', () => {
  const d = 2;
  const n = 60_000;
  const model = responseModel(d);
  const pairs = samplePairs(model, n, createNormalSource(createRng(5)));
  const vc = Float64Array.from([1, 0]);
  const bias = 1.5;
  // With the pair differences symmetric about 0, a fair judge says "first" half the time.
  const biased = judgePairs(pairs, vc, { lambda: 2, positionBias: bias, debias: false }, createRng(6));
  const debiased = judgePairs(pairs, vc, { lambda: 2, positionBias: bias, debias: true }, createRng(6));
  const mean = (a: Float64Array) => a.reduce((s, x) => s + x, 0) / a.length;
  assert.ok(mean(biased.labels) > 0.6, 'the position bias favours the first response');
  assert.ok(Math.abs(mean(debiased.labels) - 0.5) < 5 * Math.sqrt(0.25 / n));
  for (const y of debiased.labels) assert.ok(y === 0 || y === 0.5 || y === 1);
});
