import { matVec, type Matrix } from './matrix.js';
import { clampUnit, dot, type Vector } from './vector.js';

/** Sigma-inner product aᵀ Σ b; Σ = identity when `sigma` is undefined. */
export function sigmaInner(a: ArrayLike<number>, b: ArrayLike<number>, sigma?: Matrix): number {
  return sigma ? dot(a, matVec(sigma, b)) : dot(a, b);
}

/** Sigma-norm sqrt(aᵀ Σ a). */
export function sigmaNorm(a: ArrayLike<number>, sigma?: Matrix): number {
  return Math.sqrt(sigmaInner(a, a, sigma));
}

/** Sigma-cosine cosS(a, b) = aᵀΣb / sqrt(aᵀΣa · bᵀΣb) (THEORY.md); throws on a zero vector. */
export function sigmaCos(a: ArrayLike<number>, b: ArrayLike<number>, sigma?: Matrix): number {
  const na = sigmaNorm(a, sigma);
  const nb = sigmaNorm(b, sigma);
  if (!(na > 0) || !(nb > 0)) throw new Error('sigmaCos: zero vector');
  return clampUnit(sigmaInner(a, b, sigma) / (na * nb));
}

/** Σ · a, or a copy of a when Σ is the identity. */
export function sigmaApply(a: ArrayLike<number>, sigma?: Matrix): Vector {
  return sigma ? matVec(sigma, a) : Float64Array.from(a);
}
