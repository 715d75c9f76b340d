// Seeded property checks: every fast-check run in the suite goes through here, so CI never draws new cases.
import fc from 'fast-check';

/** The suite's fast-check seed: fixed, or FC_SEED to explore others (fast-check prints the seed on failure). */
export const propertySeed = process.env.FC_SEED === undefined ? 20261201 : Number(process.env.FC_SEED);

/** Runs fc.assert with the suite's fixed seed; a failure message names the seed and the counterexample. */
export function assertProperty<Ts extends [unknown, ...unknown[]]>(
  property: fc.IProperty<Ts>,
  options: Omit<fc.Parameters<Ts>, 'seed'> = {},
): void {
  fc.assert(property, { ...options, seed: propertySeed } as fc.Parameters<Ts>);
}
