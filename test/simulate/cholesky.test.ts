import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cholesky } from '../../src/linalg/index.js';
import { choleskyLower } from '../../src/simulate/cholesky.js';
import { multiplyTransposed } from '../../src/simulate/gemm.js';
import { maxRelativeError, randomMatrix } from '../helpers/matrices.js';

test('choleskyLower: L Lᵀ = A across block boundaries, matches linalg.cholesky, refuses an indefinite matrix', () => {
  for (const d of [1, 5, 63, 64, 65, 130]) {
    const x = randomMatrix(d, d + 3, d);
    const a = multiplyTransposed(x, d, x, d, d + 3, true);
    const l = choleskyLower(a, d)!;
    assert.ok(l, `d = ${d}`);
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) assert.equal(l[i * d + j], 0);
    assert.ok(maxRelativeError(multiplyTransposed(l, d, l, d, d), a) < 1e-12, `d = ${d}: L Lᵀ = A`);
    assert.ok(maxRelativeError(l, cholesky({ rows: d, cols: d, data: a })!.data) < 1e-10, `d = ${d}`);
  }
  assert.equal(choleskyLower(Float64Array.of(1, 2, 2, 1), 2), null);
  assert.equal(choleskyLower(Float64Array.of(0), 1), null);
});
