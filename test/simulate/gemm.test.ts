import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { multiplyTransposed, weightedGrams } from '../../src/simulate/gemm.js';
import { weightedGram } from '../../src/simulate/index.js';
import { assertProperty } from '../helpers/property.js';
import { maxRelativeError, randomMatrix } from '../helpers/matrices.js';

test('weightedGrams: Σ a_i x_i x_iᵀ for every weight vector, symmetric, equal to the scalar loop within rounding', () => {
  // Sizes off the 4-column panels and the 256-row chunks, and both below and above them.
  assertProperty(
    fc.property(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 23 }), fc.integer({ min: 0, max: 1000 }), (n, d, seed) => {
      const x = randomMatrix(n, d, seed);
      const a = Float64Array.from(randomMatrix(n, 1, seed + 1), (v) => v * v);
      const b = Float64Array.from({ length: n }, (_, i) => (i % 3) / 2);
      const [ga, gb] = weightedGrams(x, n, d, [a, b]);
      assert.ok(maxRelativeError(ga, weightedGram(x, n, d, a)) < 1e-13);
      assert.ok(maxRelativeError(gb, weightedGram(x, n, d, b)) < 1e-13);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) assert.equal(ga[i * d + j], ga[j * d + i]);
    }),
    { numRuns: 60 },
  );
});

test('multiplyTransposed: A Bᵀ exactly as the dot products for small integers (every sum exact), any shape', () => {
  assertProperty(
    fc.property(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 300 }), (m, p, k) => {
      const a = Float64Array.from({ length: m * k }, (_, i) => ((i * 7) % 11) - 5);
      const b = Float64Array.from({ length: p * k }, (_, i) => ((i * 5) % 9) - 4);
      const c = multiplyTransposed(a, m, b, p, k);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < p; j++) {
          let s = 0;
          for (let q = 0; q < k; q++) s += a[i * k + q] * b[j * k + q];
          assert.equal(c[i * p + j], s);
        }
      }
    }),
    { numRuns: 60 },
  );
});

test('products are deterministic: the same inputs give the same bits, call after call', () => {
  const x = randomMatrix(1000, 37, 3);
  const w = Float64Array.from(randomMatrix(1000, 1, 4), Math.abs);
  const [first] = weightedGrams(x, 1000, 37, [w]);
  multiplyTransposed(randomMatrix(50, 60, 5), 50, randomMatrix(70, 60, 6), 70, 60); // other work between
  const [second] = weightedGrams(x, 1000, 37, [w]);
  assert.deepEqual(second, first);
});
