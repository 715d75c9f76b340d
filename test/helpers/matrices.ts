// Seeded random matrices and a relative error, for the simulator's kernel tests.
import { createRng } from '../../src/linalg/index.js';
import { createNormalSource } from '../../src/simulate/index.js';

/** A rows × cols row-major matrix of standard normals, deterministic in `seed`. */
export function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const out = new Float64Array(rows * cols);
  createNormalSource(createRng(seed)).fill(out, 0, out.length);
  return out;
}

/** max |a − b| over the largest |b|: the error of `a` relative to the scale of the reference `b`. */
export function maxRelativeError(a: Float64Array, b: Float64Array): number {
  let scale = 0;
  for (const x of b) scale = Math.max(scale, Math.abs(x));
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e / Math.max(scale, 1e-300);
}
