// THEORY.md's Gaussian gain and low-rank results: how much true value RLAIF adds, and where the update lives.
import { dot, orthonormalBasis, projectOut, residualFraction, scale, sigmaApply, type Vector } from '../linalg/index.js';
import { judgeDirection } from './schema.js';
import type { Geometry } from './types.js';

/** E(η) − E(0) = η <v*, Σ v_c>: the expected true value RLAIF adds at tilt η. */
export function gaussianGain(geometry: Geometry, eta: number): number {
  return eta * dot(geometry.trueValue, sigmaApply(judgeDirection(geometry.constitution), geometry.covariance));
}

/** The gain at tilt η when the judge reads representations with `ablate` (a list of directions) projected out. */
export function gainAfterAblation(geometry: Geometry, eta: number, ablate: Vector[]): number {
  const vc = judgeDirection(geometry.constitution);
  // The judge scores <v_c, Pφ> = <P v_c, φ> with P the projector removing span(ablate); the tilt is η P v_c.
  const ablated = projectOut(orthonormalBasis(ablate).basis, vc);
  return eta * dot(geometry.trueValue, sigmaApply(ablated, geometry.covariance));
}

/**
 * The rank of the RLAIF update θ(η) − g = η v_c: 1 = dim span(v_c) ≤ dim S_c, with the update direction, how far
 * it lies outside S_c (0: inside), and the gain at η = 1 with and without v_c projected out of the representations.
 */
export function updateRank(geometry: Geometry): {
  rank: number;
  constitutionRank: number;
  direction: Vector;
  outsideConstitution: number;
  gainPerEta: number;
  gainPerEtaAfterAblation: number;
} {
  const vc = judgeDirection(geometry.constitution);
  const sc = orthonormalBasis(geometry.constitution.basis);
  const update = scale(vc, 1);
  return {
    rank: 1,
    constitutionRank: sc.rank,
    direction: update,
    outsideConstitution: residualFraction(sc.basis, update),
    gainPerEta: gaussianGain(geometry, 1),
    gainPerEtaAfterAblation: gainAfterAblation(geometry, 1, [vc]),
  };
}
