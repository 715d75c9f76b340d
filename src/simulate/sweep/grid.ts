import { InputError } from '../../util/errors.js';
import { SWEEP_LIMITS, type ConstitutionFamily, type SweepSpec } from './spec.js';

/** One grid point of a sweep: a world (dimension, capacity, harmful fraction, seed) and a constitution family. */
export interface SweepCell {
  /** Stable key built from the combination; resume matches finished cells by it. */
  key: string;
  /** Position in the grid's order (dims, capacity, p, constitution, seed). */
  index: number;
  dim: number;
  /** Capacity N on the ladder. */
  capacity: number;
  /** ||eps|| = sigma0 · N^-alpha, the encoding error of the value direction. */
  sigma: number;
  /** Harmful-data fraction. */
  harmful: number;
  /** Constitution label: `pro-social`, `neutral`, `adversarial` or `mixture:w`. */
  constitution: string;
  /** Weight w of the adversarial readout (0 pro-social, 1 adversarial; null for neutral). */
  adversarialWeight: number | null;
  seed: number;
}

/** The label of a constitution family (`mixture:0.25` for a mixture). */
export function constitutionLabel(family: ConstitutionFamily): string {
  return typeof family === 'string' ? family : `mixture:${family.mixture}`;
}

/** The weight on the adversarial readout that a family stands for (null: the neutral one). */
export function adversarialWeight(family: ConstitutionFamily): number | null {
  if (typeof family !== 'string') return family.mixture;
  return family === 'pro-social' ? 0 : family === 'adversarial' ? 1 : null;
}

/** The encoding error sigma(N) = sigma0 · N^-alpha. */
export function capacitySigma(sigma0: number, alpha: number, capacity: number): number {
  return sigma0 * Math.pow(capacity, -alpha);
}

/** The key of a cell: every coordinate of the combination, in a fixed order. */
export function cellKey(c: Pick<SweepCell, 'dim' | 'capacity' | 'harmful' | 'constitution' | 'seed'>): string {
  return `d=${c.dim}|N=${c.capacity}|p=${c.harmful}|c=${c.constitution}|seed=${c.seed}`;
}

/** Every cell of the spec's grid in order; repeated values in a list are run once. InputError over SWEEP_LIMITS.maxCells cells. */
export function expandGrid(spec: SweepSpec): SweepCell[] {
  const unique = <T>(xs: T[], label: (x: T) => string = String): T[] => {
    const seen = new Set<string>();
    return xs.filter((x) => (seen.has(label(x)) ? false : (seen.add(label(x)), true)));
  };
  // validateSweepSpec refuses such a grid already; a spec built in code is checked here, before any cell is made.
  const size = unique(spec.dims).length * unique(spec.capacity.ladder).length * unique(spec.harmful.p).length * unique(spec.constitutions, constitutionLabel).length * unique(spec.seeds).length;
  if (size > SWEEP_LIMITS.maxCells) throw new InputError('spec', '(grid)', `expected a grid of at most ${SWEEP_LIMITS.maxCells} cells, got ${size}`);
  const cells: SweepCell[] = [];
  for (const dim of unique(spec.dims))
    for (const capacity of unique(spec.capacity.ladder))
      for (const harmful of unique(spec.harmful.p))
        for (const family of unique(spec.constitutions, constitutionLabel))
          for (const seed of unique(spec.seeds)) {
            const constitution = constitutionLabel(family);
            const base = { dim, capacity, harmful, constitution, seed };
            cells.push({
              ...base,
              key: cellKey(base),
              index: cells.length,
              sigma: capacitySigma(spec.capacity.sigma0, spec.capacity.alpha, capacity),
              adversarialWeight: adversarialWeight(family),
            });
          }
  return cells;
}
