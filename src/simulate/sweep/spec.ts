import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError } from '../../util/errors.js';

// One schema for the sweep spec: the TypeScript type and the CLI's error messages both come from it.

const finite = () => z.number().refine(Number.isFinite, 'expected a finite number');
const positiveInt = () => z.number().int().min(1);

/** A constitution family: a named one, or a mixture of pro-social and adversarial readouts with weight w on the adversarial one. */
export const constitutionFamilySchema = z.union([
  z.enum(['pro-social', 'neutral', 'adversarial']),
  z.strictObject({ mixture: finite().min(0).max(1) }),
], { error: 'expected "pro-social", "neutral", "adversarial" or {mixture: w} with w in [0, 1]' });

/** The `simulate:` block: Monte-Carlo sizes per cell (the simulator's defaults fill what is left out, except `optimizers`). */
export const sweepSimulateSchema = z.strictObject({
  /** AI-labelled preference pairs for the reward fit. */
  pairs: positiveInt().max(1_000_000).optional(),
  /** Judge sharpness λ of the Bradley-Terry labels. */
  lambda: finite().positive().optional(),
  /** Policy optimisers to run on the fitted reward (default: the exact tilt only, the cheap one). */
  optimizers: z.array(z.enum(['tilt', 'best-of-n', 'pg'])).min(1).default(['tilt']),
  /** Responses sampled from each optimised policy to measure it. */
  samples: positiveInt().max(10_000_000).optional(),
  /** Parametric-bootstrap draws of the fitted reward behind the intervals. */
  bootstrap: positiveInt().max(100_000).optional(),
});

/** The sweep spec file (YAML or JSON); see docs/sweep.md for every field. */
export const sweepSpecSchema = z.strictObject({
  /** Name shown in the report. */
  name: z.string().min(1).default('sweep'),
  /** Replicate seeds: every grid point runs once per seed (the seed fixes the world's random frame and the simulation). */
  seeds: z.array(z.number().int().min(0).max(2 ** 32 - 1)).min(1).default([1]),
  /** Dimensions d of the representation space (at least 5: the world model uses five orthonormal directions). */
  dims: z.array(z.number().int().min(5).max(4096)).min(1),
  /** Capacity ladder: the encoded value direction is v* + eps with ||eps|| = sigma0 · N^-alpha. */
  capacity: z.strictObject({
    sigma0: finite().min(0).default(1),
    alpha: finite().min(0).default(0.5),
    ladder: z.array(finite().positive()).min(1),
  }),
  /** Harmful-data fractions p in [0, 1] and the anti-social direction's cosine with the encoded value direction. */
  harmful: z
    .strictObject({
      p: z.array(finite().min(0).max(1)).min(1).default([0]),
      cosine: finite().refine((x) => x > -1 && x < 0, 'expected a number in (-1, 0)').default(-0.8),
    })
    .default({ p: [0], cosine: -0.8 }),
  /** The base policy: ||g|| and the cosine of its pro-social part with the encoded value direction. */
  generation: z
    .strictObject({
      strength: finite().positive().default(1),
      cosine: finite().min(-1).max(1).default(0.5),
    })
    .default({ strength: 1, cosine: 0.5 }),
  /** Constitution families to run in every world. */
  constitutions: z.array(constitutionFamilySchema).min(1).default(['pro-social']),
  /** RLAIF strengths eta = kappa / beta at which the path is evaluated (0 is the base policy). */
  eta: z.array(finite().min(0)).min(1).default([0, 0.5, 1, 2, 4, 8, 16]),
  /** Run the Monte-Carlo simulator in every cell (omit for theory only). */
  simulate: sweepSimulateSchema.optional(),
});

/** A constitution family as written in a spec. */
export type ConstitutionFamily = z.infer<typeof constitutionFamilySchema>;
/** A validated sweep spec with defaults filled in. */
export type SweepSpec = z.infer<typeof sweepSpecSchema>;

/** Validates a parsed spec object; the first problem becomes an InputError naming `file` and the field path. */
export function validateSweepSpec(raw: unknown, file: string): SweepSpec {
  const result = sweepSpecSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    path.push(issue.keys[0]);
    throw new InputError(file, path.join('.'), 'unknown field (see docs/sweep.md for the spec format)');
  }
  throw new InputError(file, path.length > 0 ? path.join('.') : '(top level)', issue.message);
}

/** Reads and validates a sweep spec file (`.json`, or YAML for any other extension). */
export function loadSweepSpec(path: string): SweepSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(path, '(file)', `expected a readable spec file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new InputError(path, '(syntax)', `expected valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  return validateSweepSpec(raw, path);
}
