// Random geometries from a seed, for property tests of the theory (and of anything built on it).
import { createRng, matrix, type Matrix, type Rng, type Vector } from '../../src/linalg/index.js';
import { validateGeometry, type Geometry } from '../../src/theory/index.js';

/** A vector of standard normals. */
export function randomVector(rng: Rng, dim: number): Vector {
  return rng.normals(dim);
}

/** A random symmetric positive-definite matrix A Aᵀ / d + 0.2 I. */
export function randomSpd(rng: Rng, dim: number): Matrix {
  const a = rng.normals(dim * dim);
  const m = matrix(dim, dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < dim; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += a[i * dim + k] * a[j * dim + k];
      m.data[i * dim + j] = s / dim + (i === j ? 0.2 : 0);
    }
  }
  return m;
}

/** Options for `randomGeometry`. */
export interface RandomGeometryOptions {
  /** Include a random SPD covariance (default false: Σ = I). */
  covariance?: boolean;
}

/**
 * A random valid geometry from `seed`: d in 2..7, k in 0..d−1 encoded directions, a constitution whose basis is 1–2
 * encoded directions (or random vectors of S when none are encoded), a random readout.
 */
export function randomGeometry(seed: number, opts: RandomGeometryOptions = {}): Geometry {
  const rng = createRng(seed);
  const dim = 2 + rng.int(6);
  const k = rng.int(dim);
  const encoded = Array.from({ length: k }, (_, i) => ({ name: `e${i}`, vector: Array.from(randomVector(rng, dim)) }));
  const generation = Array.from(randomVector(rng, dim));
  const basis: (string | number[])[] =
    k === 0 ? [generation] : Array.from({ length: Math.min(k, 1 + rng.int(2)) }, (_, i) => `e${i}`);
  const raw = {
    dim,
    trueValue: Array.from(randomVector(rng, dim)),
    generation,
    encoded,
    constitution: { name: 'random', basis, readout: Array.from(randomVector(rng, dim)) },
    covariance: opts.covariance ? rowsOf(randomSpd(rng, dim)) : undefined,
  };
  return validateGeometry(raw, `random-${seed}`);
}

function rowsOf(m: Matrix): number[][] {
  return Array.from({ length: m.rows }, (_, i) => Array.from(m.data.slice(i * m.cols, (i + 1) * m.cols)));
}
