import { dot, norm, type Vector } from './vector.js';

/** An orthonormal basis of span(vectors) and the detected rank. */
export interface OrthonormalBasis {
  /** Orthonormal vectors, `rank` of them. */
  basis: Vector[];
  rank: number;
  /** For each input vector, whether it added a new direction (false: it lay in the span of those before it). */
  independent: boolean[];
}

/**
 * An orthonormal basis of the span of `vectors` by modified Gram-Schmidt with one re-orthogonalisation pass.
 * A vector whose residual is below `relTol` times its own norm (or is zero) adds no direction: that is the
 * rank detection.
 */
export function orthonormalBasis(vectors: ArrayLike<number>[], relTol = 1e-10): OrthonormalBasis {
  const basis: Vector[] = [];
  const independent: boolean[] = [];
  for (const v of vectors) {
    // Scale by the largest entry first so that tiny or huge inputs do not under- or overflow the norm.
    let biggest = 0;
    for (let i = 0; i < v.length; i++) biggest = Math.max(biggest, Math.abs(v[i]));
    const r = Float64Array.from(v, (x) => (biggest > 0 ? x / biggest : 0));
    const original = norm(r);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of basis) {
        const c = dot(q, r);
        for (let i = 0; i < r.length; i++) r[i] -= c * q[i];
      }
    }
    const rn = norm(r);
    if (original > 0 && rn > relTol * original) {
      for (let i = 0; i < r.length; i++) r[i] /= rn;
      basis.push(r);
      independent.push(true);
    } else {
      independent.push(false);
    }
  }
  return { basis, rank: basis.length, independent };
}

/** Orthogonal projection of v onto the span of an orthonormal basis: Σ_i <q_i, v> q_i. */
export function project(basis: Vector[], v: ArrayLike<number>): Vector {
  const out = new Float64Array(v.length);
  for (const q of basis) {
    const c = dot(q, v);
    for (let i = 0; i < out.length; i++) out[i] += c * q[i];
  }
  return out;
}

/** v minus its projection onto the span of an orthonormal basis (the component orthogonal to it). */
export function projectOut(basis: Vector[], v: ArrayLike<number>): Vector {
  const p = project(basis, v);
  const out = new Float64Array(v.length);
  for (let i = 0; i < out.length; i++) out[i] = v[i] - p[i];
  return out;
}

/** Norm of the component of v outside span(basis), relative to ||v|| (0: v lies in the span). */
export function residualFraction(basis: Vector[], v: ArrayLike<number>): number {
  const n = norm(v);
  return n === 0 ? 0 : norm(projectOut(basis, v)) / n;
}
