import { matVec, type Matrix } from './matrix.js';
import { clampUnit, divide, dot, maxAbs, type Vector } from './vector.js';

/** Sigma-inner product aᵀ Σ b; Σ = identity when `sigma` is undefined. */
export function sigmaInner(a: ArrayLike<number>, b: ArrayLike<number>, sigma?: Matrix): number {
  return sigma ? dot(a, matVec(sigma, b)) : dot(a, b);
}

/** Sigma-norm sqrt(aᵀ Σ a). */
export function sigmaNorm(a: ArrayLike<number>, sigma?: Matrix): number {
  return Math.sqrt(sigmaInner(a, a, sigma));
}

/**
 * Sigma-cosine cosS(a, b) = aᵀΣb / sqrt(aᵀΣa · bᵀΣb) (THEORY.md); throws on a zero vector. When a Σ-norm is near
 * the ends of the double range, a and b are first scaled to a largest entry of 1 (the cosine does not change).
 */
export function sigmaCos(a: ArrayLike<number>, b: ArrayLike<number>, sigma?: Matrix): number {
  const na = sigmaNorm(a, sigma);
  const nb = sigmaNorm(b, sigma);
  const safe = (n: number): boolean => n > 1e-150 && n < 1e150;
  if (safe(na) && safe(nb)) return clampUnit(sigmaInner(a, b, sigma) / (na * nb));
  const ba = maxAbs(a);
  const bb = maxAbs(b);
  if (!(ba > 0) || !(bb > 0) || !Number.isFinite(ba) || !Number.isFinite(bb)) throw new Error('sigmaCos: zero vector');
  const sa = divide(a, ba);
  const sb = divide(b, bb);
  const sna = sigmaNorm(sa, sigma);
  const snb = sigmaNorm(sb, sigma);
  if (!(sna > 0) || !(snb > 0) || !Number.isFinite(sna * snb)) throw new Error('sigmaCos: zero vector (or a Σ-norm outside the double range)');
  return clampUnit(sigmaInner(sa, sb, sigma) / (sna * snb));
}

/** Σ · a, or a copy of a when Σ is the identity. */
export function sigmaApply(a: ArrayLike<number>, sigma?: Matrix): Vector {
  return sigma ? matVec(sigma, a) : Float64Array.from(a);
}
