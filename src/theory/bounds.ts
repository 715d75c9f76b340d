// THEORY.md T2/T3 and capacity: the ceiling and floor on a_c, the worst constitution, and ρ as a function of encoding noise.
import { cholesky, choleskySolve, dot, matrix, norm, normalize, residualFraction, scale, sigmaApply, sigmaCos, type Vector } from '../linalg/index.js';
import { judgeDirection } from './schema.js';
import { encodedSubspace } from './quantities.js';
import type { Constitution, Geometry } from './types.js';

/**
 * The Σ-orthogonal projection of v* onto S (the vector of S with the largest Σ-cosine to v*), or null when it is 0.
 * With B an orthonormal basis of S: P = B (BᵀΣB)⁻¹ BᵀΣ v*; for Σ = I this is P_S v*.
 */
export function sigmaProjectionOnS(geometry: Geometry): Vector | null {
  const basis = encodedSubspace(geometry);
  const k = basis.length;
  const sigmaBasis = basis.map((q) => sigmaApply(q, geometry.covariance));
  const gram = matrix(k, k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) gram.data[i * k + j] = dot(basis[i], sigmaBasis[j]);
  const rhs = sigmaBasis.map((sq) => dot(sq, geometry.trueValue));
  const l = cholesky(gram);
  if (!l) throw new Error('sigmaProjectionOnS: BᵀΣB is not positive-definite');
  const coeffs = choleskySolve(l, rhs);
  const out = new Float64Array(geometry.dim);
  basis.forEach((q, i) => {
    for (let j = 0; j < out.length; j++) out[j] += coeffs[i] * q[j];
  });
  return norm(out) > 1e-14 ? out : null;
}

/**
 * The ceiling: the largest a_c any constitution with S_c ⊆ S can reach, max over v ∈ S of cosS(v, v*).
 * For Σ = I it is ρ (T2); for general Σ it is the Σ-norm of the Σ-projection of v* on S over ||v*||_Σ.
 */
export function ceiling(geometry: Geometry): number {
  const p = sigmaProjectionOnS(geometry);
  return p ? sigmaCos(p, geometry.trueValue, geometry.covariance) : 0;
}

/** The floor −ceiling: the a_c of the worst constitution inside S (T3: −ρ for Σ = I). */
export function floor(geometry: Geometry): number {
  return -ceiling(geometry);
}

/** True when every basis vector of the constitution lies in S (then a_c ≤ ceiling holds). */
export function constitutionInsideS(geometry: Geometry, c: Constitution = geometry.constitution, tol = 1e-9): boolean {
  const s = encodedSubspace(geometry);
  return c.basis.every((b) => residualFraction(s, b) <= tol);
}

/**
 * The worst constitution inside S: rank 1, basis and readout −P_S v* (Σ-projection for general Σ), so
 * v_c ∝ −P_S v* and a_c = floor = −ρ (Σ = I). Null constitution when v* ⊥ S (then every a_c in S is 0).
 */
export function worstConstitution(geometry: Geometry): { constitution: Constitution | null; judgeDirection: Vector | null; alignment: number } {
  const p = sigmaProjectionOnS(geometry);
  if (!p) return { constitution: null, judgeDirection: null, alignment: 0 };
  const direction = normalize(scale(p, -1));
  const constitution: Constitution = { name: 'worst inside S (-P_S v*)', basis: [direction], readout: direction };
  return { constitution, judgeDirection: direction, alignment: sigmaCos(direction, geometry.trueValue, geometry.covariance) };
}

/** The candidate with the lowest a_c = cosS(v_c, v*), with every candidate's a_c (in the given order). */
export function worstOf(geometry: Geometry, candidates: Constitution[]): { worst: Constitution; alignment: number; index: number; alignments: number[] } {
  if (candidates.length === 0) throw new Error('worstOf: no candidates');
  const alignments = candidates.map((c) => sigmaCos(judgeDirection(c), geometry.trueValue, geometry.covariance));
  let index = 0;
  alignments.forEach((a, i) => {
    if (a < alignments[index]) index = i;
  });
  return { worst: candidates[index], alignment: alignments[index], index, alignments };
}

/** ρ when the encoded value direction is v* + ε with ε ⊥ v*, ||ε|| = σ: 1/√(1 + σ²). */
export function capacityRho(sigma: number): number {
  return 1 / Math.sqrt(1 + sigma * sigma);
}
