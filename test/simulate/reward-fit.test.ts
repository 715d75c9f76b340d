import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assertProperty } from '../helpers/property.js';
import { cholesky, choleskySolve, cosine, createRng } from '../../src/linalg/index.js';
import { createNormalSource, fitReward, judgePairs, responseModel, runRewardFitWorkload, samplePairs, weightedGram } from '../../src/simulate/index.js';
import { cpus } from 'node:os';
import { busyCores, threadsForLoad } from '../../src/simulate/workload.js';

test('reward fit on a small workload reaches the gradient tolerance with cos(w, v_c) >= 0.99', () => {
  const { result, detail } = runRewardFitWorkload({ dim: 16, pairs: 20_000, lam: 2, l2: 1e-3, seed: 3 });
  assert.ok(detail.gradNorm < detail.tolerance, `||grad|| ${detail.gradNorm} vs ${detail.tolerance}`);
  assert.ok(result.cosRewardJudge >= 0.99, `cos(w, v_c) = ${result.cosRewardJudge}`);
  // cos(w, v*) tends to <v_c, v*> = 0.8.
  assert.ok(Math.abs(result.cosRewardTrue - 0.8) < 0.02);
  assert.deepEqual(runRewardFitWorkload({ dim: 16, pairs: 20_000, lam: 2, l2: 1e-3, seed: 3 }).result.cosRewardJudge, result.cosRewardJudge);
});

test('a worker thread splits the passes without changing a bit of the result', () => {
  const d = 24;
  const n = 6000;
  const pairs = samplePairs(responseModel(d), n, createNormalSource(createRng(21)));
  const vc = createRng(22).normals(d);
  const { labels } = judgePairs(pairs, vc, { lambda: 2, positionBias: 0, debias: false }, createRng(23));
  const one = fitReward(pairs.diff, n, d, labels, { threads: 1 });
  const two = fitReward(pairs.diff, n, d, labels, { threads: 2 });
  assert.deepEqual(two.w, one.w);
  assert.equal(two.loss, one.loss);
  assert.equal(two.passes, one.passes);
  assert.ok(one.converged);
  // The benchmark workload samples each half of the rows on its own stream, so a worker may draw one half.
  const workload = { dim: 16, pairs: 4000, lam: 2, l2: 1e-3, seed: 5 };
  const serial = runRewardFitWorkload({ ...workload, threads: 1 }).result;
  const threaded = runRewardFitWorkload({ ...workload, threads: 2 }).result;
  assert.deepEqual({ ...threaded, seconds: 0 }, { ...serial, seconds: 0 });
});

// Dense Newton with the explicit Hessian: the reference the Newton-CG solver must agree with.
function denseNewton(x: Float64Array, n: number, d: number, y: Float64Array, l2: number): Float64Array {
  const w = new Float64Array(d);
  for (let it = 0; it < 100; it++) {
    const s = new Float64Array(n);
    const g = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let j = 0; j < d; j++) z += x[i * d + j] * w[j];
      const p = 1 / (1 + Math.exp(-z));
      s[i] = p * (1 - p);
      for (let j = 0; j < d; j++) g[j] += (p - y[i]) * x[i * d + j];
    }
    for (let j = 0; j < d; j++) g[j] += l2 * w[j];
    const h = weightedGram(x, n, d, s);
    for (let j = 0; j < d; j++) h[j * d + j] += l2;
    const step = choleskySolve(cholesky({ rows: d, cols: d, data: h })!, g);
    let size = 0;
    for (let j = 0; j < d; j++) {
      w[j] -= step[j];
      size += step[j] ** 2;
    }
    if (Math.sqrt(size) < 1e-13) break;
  }
  return w;
}

test('property: Newton-CG agrees with dense Newton (soft and hard labels, any dimension)', () => {
  assertProperty(
    fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 12 }), fc.boolean(), (seed, d, soft) => {
      const n = 400;
      const pairs = samplePairs(responseModel(d), n, createNormalSource(createRng(seed)));
      const vc = createRng(seed + 1).normals(d);
      const { labels } = judgePairs(pairs, vc, { lambda: 1, positionBias: soft ? 0.5 : 0, debias: soft }, createRng(seed + 2));
      const fit = fitReward(pairs.diff, n, d, labels, { l2: 0.1, gradTol: 1e-12 });
      const exact = denseNewton(pairs.diff, n, d, labels, 0.1);
      let err = 0;
      let size = 0;
      for (let j = 0; j < d; j++) {
        err += (fit.w[j] - exact[j]) ** 2;
        size += exact[j] ** 2;
      }
      assert.ok(Math.sqrt(err) <= 1e-8 * Math.max(1, Math.sqrt(size)), `|w − w_exact| = ${Math.sqrt(err)}`);
      assert.ok(fit.converged);
      if (d > 1) assert.ok(cosine(fit.w, exact) > 1 - 1e-12);
    }),
    { numRuns: 25 },
  );
});

test('auto threads: two only when the other load leaves a second core free; busy cores are measured, within [0, cores]', () => {
  assert.equal(threadsForLoad(2, 0), 2);
  assert.equal(threadsForLoad(2, 0.2), 2);
  assert.equal(threadsForLoad(2, 0.5), 1);
  assert.equal(threadsForLoad(2, 1.9), 1);
  assert.equal(threadsForLoad(1, 0), 1);
  assert.equal(threadsForLoad(8, 5), 2);
  const busy = busyCores(50);
  assert.ok(busy >= 0 && busy <= cpus().length + 1e-9, `busy ${busy}`);
});
