import { createRng, deriveSeed, normalize, orthonormalBasis, scale, add, type Vector } from '../../linalg/index.js';
import type { Geometry } from '../../theory/index.js';
import type { SweepCell } from './grid.js';
import type { SweepSpec } from './spec.js';

// The world model of a sweep cell (docs/sweep.md writes it out with formulas).
//
// A random orthonormal frame q0..q4 in R^d, fixed by (seed, d) so that every capacity, harmful fraction and
// constitution of one seed shares it:
//   v* = q0;  encoded value direction e = (v* + sigma q1) / ||.||, sigma = sigma0 N^-alpha;
//   anti-social u = c_u e + sqrt(1 - c_u^2) q2 (c_u = harmful.cosine < 0), so cos(u, v*) = c_u rho;
//   harmful-data direction h(p) = p u + (1 - p) q3 (what harmful data teaches: pure noise at p = 0, u at p = 1);
//   nuisance (style) direction n = q4;
//   base policy g = ||g|| normalize((1 - p)(c_g e + sqrt(1 - c_g^2) n) + p u).
// S = span(e, h, n, g) meets v* only through e, so rho = 1 / sqrt(1 + sigma^2) exactly, for every p.

/** The world's five orthonormal directions q0..q4 for a seed and dimension (Gaussian vectors, Gram-Schmidt). */
export function worldFrame(seed: number, dim: number): Vector[] {
  const rng = createRng(deriveSeed(seed, dim));
  const { basis, rank } = orthonormalBasis(Array.from({ length: 5 }, () => rng.normals(dim)));
  if (rank < 5) throw new Error(`worldFrame: random frame of rank ${rank} < 5 (seed ${seed}, d ${dim})`);
  return basis;
}

/** The named directions of a cell's world (all unit vectors except g, which has norm ||g||). */
export interface WorldDirections {
  trueValue: Vector;
  encodedValue: Vector;
  antiSocial: Vector;
  harmfulData: Vector;
  nuisance: Vector;
  generation: Vector;
}

/** The directions of the world model for a cell (see the interface comment above). */
export function worldDirections(spec: SweepSpec, cell: SweepCell): WorldDirections {
  const [q0, q1, q2, q3, q4] = worldFrame(cell.seed, cell.dim);
  const p = cell.harmful;
  const cu = spec.harmful.cosine;
  const cg = spec.generation.cosine;
  const encodedValue = normalize(add(q0, scale(q1, cell.sigma)));
  const antiSocial = add(scale(encodedValue, cu), scale(q2, Math.sqrt(1 - cu * cu)));
  const harmfulData = normalize(add(scale(antiSocial, p), scale(q3, 1 - p)));
  const proSocialGeneration = add(scale(encodedValue, cg), scale(q4, Math.sqrt(Math.max(0, 1 - cg * cg))));
  const generation = scale(normalize(add(scale(proSocialGeneration, 1 - p), scale(antiSocial, p))), spec.generation.strength);
  return { trueValue: q0, encodedValue, antiSocial, harmfulData, nuisance: q4, generation };
}

/** The constitution of a cell: pro-social reads e, neutral reads n, adversarial reads h(p), a mixture reads (1 - w) e + w h(p). */
export function cellConstitution(cell: SweepCell, world: WorldDirections): Geometry['constitution'] {
  const w = cell.adversarialWeight;
  if (w === null) return { name: cell.constitution, basis: [world.nuisance], readout: world.nuisance };
  if (cell.constitution === 'pro-social') return { name: cell.constitution, basis: [world.encodedValue], readout: world.encodedValue };
  if (cell.constitution === 'adversarial') return { name: cell.constitution, basis: [world.harmfulData], readout: world.harmfulData };
  const readout = add(scale(world.encodedValue, 1 - w), scale(world.harmfulData, w));
  return { name: cell.constitution, basis: [world.encodedValue, world.harmfulData], readout };
}

/** The geometry (THEORY.md's objects) of one sweep cell, ready for `analyze` and `runSimulation`. */
export function cellGeometry(spec: SweepSpec, cell: SweepCell): Geometry {
  const world = worldDirections(spec, cell);
  return {
    dim: cell.dim,
    trueValue: world.trueValue,
    generation: world.generation,
    encoded: [
      { name: 'value', vector: world.encodedValue },
      { name: 'harmful', vector: world.harmfulData },
      { name: 'nuisance', vector: world.nuisance },
    ],
    constitution: cellConstitution(cell, world),
    eta: [...spec.eta],
  };
}

/** Closed-form expectations of the world model (used by the docs and tests): rho and the adversarial limit cos(h(p), v*). */
export function worldExpectations(spec: SweepSpec, cell: SweepCell): { rho: number; adversarialLimit: number } {
  const rho = 1 / Math.sqrt(1 + cell.sigma * cell.sigma);
  const p = cell.harmful;
  return { rho, adversarialLimit: (p * spec.harmful.cosine * rho) / Math.sqrt(p * p + (1 - p) * (1 - p)) };
}
