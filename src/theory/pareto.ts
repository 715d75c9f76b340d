// THEORY.md's multi-objective result: mixing two value directions traces a Pareto arc.
import { axpy, cosine, normalize, scale } from '../linalg/index.js';

/** One point of the arc: the mix weight and the cosines of v_α with v_H and v_S. */
export interface ParetoPoint {
  alpha: number;
  helpful: number;
  safe: number;
}

/**
 * For each α in [0, 1], v_α ∝ α v̂_H + (1 − α) v̂_S and its cosines (cos(v_α, v_H), cos(v_α, v_S)); the points run
 * from (cos θ_HS, 1) at α = 0 to (1, cos θ_HS) at α = 1. Throws when v_H = −v_S makes some v_α zero.
 */
export function paretoArc(vH: ArrayLike<number>, vS: ArrayLike<number>, alphas: number[]): ParetoPoint[] {
  const h = normalize(vH);
  const s = normalize(vS);
  return alphas.map((alpha) => {
    const v = axpy(scale(h, alpha), 1 - alpha, s);
    return { alpha, helpful: cosine(v, h), safe: cosine(v, s) };
  });
}
