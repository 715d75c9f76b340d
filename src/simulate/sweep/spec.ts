import { z } from 'zod';
import { InputError } from '../../util/errors.js';
import { parseJsonStrict } from '../../util/json.js';
import { INPUT_LIMITS, readInputText } from '../../util/read-input.js';
import { parseYamlStrict } from '../../util/yaml.js';
import { SIMULATE_LIMITS } from '../run.js';

// One schema for the sweep spec: the TypeScript type and the CLI's error messages both come from it.

const finite = () => z.number().refine(Number.isFinite, 'expected a finite number');
/** An integer in the simulator's range for that option (SIMULATE_LIMITS, the one source of these bounds). */
const simulatorInt = (range: { min: number; max: number }) => z.number().int().min(range.min).max(range.max);

/**
 * The ranges of a sweep's world model beyond the field types: worlds outside them are degenerate in double
 * precision (an encoded direction that rounds to the noise alone, ||g|| whose square overflows, η² overflowing).
 */
export const SWEEP_LIMITS = {
  /** Cells in a grid (dims × ladder × p × constitutions × seeds, repeats counted once), checked before expansion. */
  maxCells: 100_000,
  /** Largest encoding error sigma0 · N^-alpha of a capacity (rho = 1/sqrt(1 + sigma²) ≥ 1e-6). */
  maxSigma: 1e6,
  /** Largest sigma0. */
  maxSigma0: 1e6,
  /** Range of generation.strength, ||g||. */
  strength: { min: 1e-6, max: 1e6 },
  /** Largest η (the simulator's). */
  maxEta: SIMULATE_LIMITS.eta.max,
} as const;

/** A constitution family: a named one, or a mixture of pro-social and adversarial readouts with weight w on the adversarial one. */
export const constitutionFamilySchema = z.union([
  z.enum(['pro-social', 'neutral', 'adversarial']),
  z.strictObject({ mixture: finite().min(0).max(1) }),
], { error: 'expected "pro-social", "neutral", "adversarial" or {mixture: w} with w in [0, 1]' });

/** The `simulate:` block: Monte-Carlo sizes per cell (the simulator's defaults fill what is left out, except `optimizers`). */
export const sweepSimulateSchema = z.strictObject({
  /** AI-labelled preference pairs for the reward fit. */
  pairs: simulatorInt(SIMULATE_LIMITS.pairs).optional(),
  /** Judge sharpness λ of the Bradley-Terry labels. */
  lambda: finite().positive().max(SIMULATE_LIMITS.lambda.max).optional(),
  /** Policy optimisers to run on the fitted reward (default: the exact tilt only, the cheap one). */
  optimizers: z.array(z.enum(['tilt', 'best-of-n', 'pg'])).min(1).default(['tilt']),
  /** Responses sampled from each optimised policy to measure it. */
  samples: simulatorInt(SIMULATE_LIMITS.policySamples).optional(),
  /** Parametric-bootstrap draws of the fitted reward behind the intervals. */
  bootstrap: simulatorInt(SIMULATE_LIMITS.bootstrap).optional(),
});

/** The sweep spec file (YAML or JSON); see docs/sweep.md for every field. */
const sweepSpecFields = z.strictObject({
  /** Name shown in the report. */
  name: z.string().min(1).default('sweep'),
  /** Replicate seeds: every grid point runs once per seed (the seed fixes the world's random frame and the simulation). */
  seeds: z.array(z.number().int().min(0).max(2 ** 32 - 1)).min(1).default([1]),
  /** Dimensions d of the representation space (at least 5: the world model uses five orthonormal directions). */
  dims: z.array(z.number().int().min(5).max(4096)).min(1),
  /** Capacity ladder: the encoded value direction is v* + eps with ||eps|| = sigma0 · N^-alpha. */
  capacity: z.strictObject({
    sigma0: finite().min(0).max(SWEEP_LIMITS.maxSigma0).default(1),
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
      strength: finite().min(SWEEP_LIMITS.strength.min).max(SWEEP_LIMITS.strength.max).default(1),
      cosine: finite().min(-1).max(1).default(0.5),
    })
    .default({ strength: 1, cosine: 0.5 }),
  /** Constitution families to run in every world. */
  constitutions: z.array(constitutionFamilySchema).min(1).default(['pro-social']),
  /** RLAIF strengths eta = kappa / beta at which the path is evaluated (0 is the base policy). */
  eta: z.array(finite().min(0).max(SWEEP_LIMITS.maxEta)).min(1).default([0, 0.5, 1, 2, 4, 8, 16]),
  /** Run the Monte-Carlo simulator in every cell (omit for theory only). */
  simulate: sweepSimulateSchema.optional(),
});

/** Distinct values of a list (the grid runs repeats once). */
function distinct(xs: unknown[]): number {
  return new Set(xs.map((x) => JSON.stringify(x))).size;
}

/** The sweep spec file (YAML or JSON); see docs/sweep.md for every field. Checks across fields: capacities and grid size. */
export const sweepSpecSchema = sweepSpecFields.superRefine((spec, ctx) => {
  const { sigma0, alpha, ladder } = spec.capacity;
  ladder.forEach((n, i) => {
    const sigma = sigma0 * Math.pow(n, -alpha);
    if (!(sigma <= SWEEP_LIMITS.maxSigma)) {
      ctx.addIssue({
        code: 'custom',
        path: ['capacity', 'ladder', i],
        message: `expected a capacity whose encoding error sigma0 · N^-alpha is at most ${SWEEP_LIMITS.maxSigma.toExponential().replace('e+', 'e')}, got ${Number(sigma.toPrecision(3))} (sigma0 ${sigma0}, alpha ${alpha}, N ${n})`,
      });
    }
  });
  const cells = distinct(spec.dims) * distinct(ladder) * distinct(spec.harmful.p) * distinct(spec.constitutions) * distinct(spec.seeds);
  if (cells > SWEEP_LIMITS.maxCells) {
    ctx.addIssue({
      code: 'custom',
      path: ['(grid)'],
      message: `expected a grid of at most ${SWEEP_LIMITS.maxCells.toLocaleString('en-US')} cells (dims × capacity.ladder × harmful.p × constitutions × seeds), got ${cells.toLocaleString('en-US')}`,
    });
  }
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

/** Parses spec text: strict JSON (duplicate keys refused) for `.json`, strict YAML (warnings refused) otherwise. */
export function parseSweepSpec(text: string, file: string): SweepSpec {
  const raw = file.endsWith('.json') ? parseJsonStrict(text, file) : parseYamlStrict(text, file);
  return validateSweepSpec(raw, file);
}

/** Reads and validates a sweep spec file (`.json`, or YAML for any other extension): a regular file of at most INPUT_LIMITS.text bytes. */
export function loadSweepSpec(path: string): SweepSpec {
  return parseSweepSpec(readInputText(path, { what: 'a sweep spec file (.yaml or .json)', maxBytes: INPUT_LIMITS.text }), path);
}
