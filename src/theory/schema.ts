// Geometry files (JSON or YAML): one zod schema for the shape, then the checks that need dim and linear algebra.
import { extname } from 'node:path';
import { z } from 'zod';
import { asymmetry, cholesky, divide, fromRows, maxAbs, norm, normalize, orthonormalBasis, project, vec, type Vector } from '../linalg/index.js';
import { closest } from '../util/args.js';
import { InputError } from '../util/errors.js';
import { parseJsonStrict } from '../util/json.js';
import { INPUT_LIMITS, readInputText } from '../util/read-input.js';
import { parseYamlStrict } from '../util/yaml.js';
import type { Constitution, EncodedDirection, Geometry } from './types.js';

/**
 * The finite range of a geometry: every vector entry, covariance entry and η at most GEOMETRY_MAX in magnitude, every
 * non-zero vector's norm in [GEOMETRY_MIN_NORM, GEOMETRY_MAX]. Inside it the report's quantities (squared Σ-norms,
 * ||g||³, η² v_cᵀΣv_c) stay finite doubles; outside it they overflow or underflow.
 */
export const GEOMETRY_MAX = 1e50;
/** The smallest norm a vector of a geometry may have (see GEOMETRY_MAX). */
export const GEOMETRY_MIN_NORM = 1e-50;

/** 1e50, not 1e+50. */
const sci = (x: number): string => x.toExponential().replace('e+', 'e');
const RANGE = `a finite number of magnitude at most ${sci(GEOMETRY_MAX)}`;
const finite = z
  .number({ error: 'expected a finite number' })
  .refine(Number.isFinite, { error: 'expected a finite number' })
  .refine((x) => Math.abs(x) <= GEOMETRY_MAX, { error: `expected ${RANGE}` });
const vectorSchema = z.array(finite, { error: `expected an array of finite numbers (magnitude at most ${sci(GEOMETRY_MAX)})` });
const nameSchema = z.string({ error: 'expected a non-empty string' }).min(1, { error: 'expected a non-empty string' });

const constitutionSchema = z.strictObject(
  {
    name: nameSchema,
    basis: z.array(z.union([vectorSchema, nameSchema], { error: 'expected a vector or the name of an encoded direction' }), { error: 'expected a non-empty list of vectors or encoded direction names' }).min(1, { error: 'expected a non-empty list of vectors or encoded direction names' }),
    readout: z.union([vectorSchema, nameSchema], { error: 'expected a vector or the name of an encoded direction' }),
  },
  { error: 'expected {name, basis, readout}' },
);

/** The raw shape of a geometry file, before dimensions and linear algebra are checked. */
export const geometrySchema = z.strictObject(
  {
    dim: z.number({ error: 'expected a positive integer' }).int({ error: 'expected a positive integer' }).positive({ error: 'expected a positive integer' }),
    trueValue: vectorSchema,
    generation: vectorSchema,
    encoded: z.array(z.strictObject({ name: nameSchema, vector: vectorSchema }, { error: 'expected {name, vector}' }), { error: 'expected a list of {name, vector}' }).default([]),
    constitution: constitutionSchema,
    candidates: z.array(constitutionSchema, { error: 'expected a list of constitutions {name, basis, readout}' }).optional(),
    covariance: z.array(vectorSchema, { error: 'expected a dim × dim array of finite numbers' }).optional(),
    eta: z.array(finite.refine((x) => x >= 0, { error: 'expected a finite number >= 0' }), { error: 'expected a list of numbers >= 0' }).optional(),
  },
  { error: 'expected an object {dim, trueValue, generation, encoded, constitution, candidates?, covariance?, eta?}' },
);

/** The raw geometry type the schema accepts (vectors as number arrays, basis entries possibly names). */
export type RawGeometry = z.input<typeof geometrySchema>;

/** The default η grid of the report. */
export const DEFAULT_ETA = [0, 1, 10, 100];

/** Formats a zod path as `constitution.basis[1]`. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(root)';
}

/** ||v|| computed without overflow or underflow (entries scaled to a largest magnitude of 1 first). */
function safeNorm(v: ArrayLike<number>): number {
  const big = maxAbs(v);
  return big > 0 ? big * norm(divide(v, big)) : 0;
}

function checkVector(file: string, field: string, v: number[], dim: number, nonzero = true): Vector {
  if (v.length !== dim) throw new InputError(file, field, `expected a vector of length dim = ${dim}, got length ${v.length}`);
  if (!nonzero) return vec(v);
  const n = safeNorm(v);
  if (!(n > 0)) throw new InputError(file, field, 'expected a non-zero vector');
  if (n < GEOMETRY_MIN_NORM || n > GEOMETRY_MAX) {
    throw new InputError(file, field, `expected a vector with norm between ${sci(GEOMETRY_MIN_NORM)} and ${sci(GEOMETRY_MAX)} (the finite range of the report), got norm ${sci(Number(n.toPrecision(3)))}`);
  }
  return vec(v);
}

/** The first issue of a failed parse as an InputError: an unknown key named by its path, others with their message. */
function issueError(file: string, issue: z.core.$ZodIssue): InputError {
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path[0];
    const known =
      where === undefined ? 'dim, trueValue, generation, encoded, constitution, candidates, covariance, eta'
      : where === 'encoded' ? 'name, vector'
      : 'name, basis, readout';
    const guess = closest(issue.keys[0], known.split(', '));
    return new InputError(file, fieldPath([...issue.path, issue.keys[0]]), `unknown field${guess ? ` (did you mean ${guess}?)` : ''}; expected one of ${known}`);
  }
  return new InputError(file, fieldPath(issue.path), issue.message);
}

/** Validates an object (parsed from a file or built in code) into a Geometry; every problem is an InputError naming file and field. */
export function validateGeometry(raw: unknown, file: string): Geometry {
  const parsed = geometrySchema.safeParse(raw);
  if (!parsed.success) throw issueError(file, parsed.error.issues[0]);
  const g = parsed.data;
  const dim = g.dim;
  const trueValue = normalize(checkVector(file, 'trueValue', g.trueValue, dim));
  const generation = checkVector(file, 'generation', g.generation, dim);
  const names = new Map<string, Vector>();
  const encoded: EncodedDirection[] = g.encoded.map((e, i) => {
    if (names.has(e.name)) throw new InputError(file, `encoded[${i}].name`, `expected a unique name, "${e.name}" appears twice`);
    const vector = checkVector(file, `encoded[${i}].vector`, e.vector, dim);
    names.set(e.name, vector);
    return { name: e.name, vector };
  });
  const resolve = (entry: number[] | string, field: string): Vector => {
    if (typeof entry === 'string') {
      const found = names.get(entry);
      if (!found) throw new InputError(file, field, `unknown direction name "${entry}"; expected one of the encoded names (${[...names.keys()].join(', ') || 'none given'}) or a vector`);
      return vec(found);
    }
    return checkVector(file, field, entry, dim);
  };
  const toConstitution = (c: z.output<typeof constitutionSchema>, field: string): Constitution => {
    const constitution: Constitution = {
      name: c.name,
      basis: c.basis.map((b, i) => resolve(b, `${field}.basis[${i}]`)),
      readout: resolve(c.readout, `${field}.readout`),
    };
    judgeDirection(constitution, file, field);
    return constitution;
  };
  const constitution = toConstitution(g.constitution, 'constitution');
  const candidates = g.candidates?.map((c, i) => toConstitution(c, `candidates[${i}]`));
  let covariance;
  if (g.covariance !== undefined) {
    if (g.covariance.length !== dim) throw new InputError(file, 'covariance', `expected ${dim} rows (dim × dim), got ${g.covariance.length}`);
    g.covariance.forEach((r, i) => {
      if (r.length !== dim) throw new InputError(file, `covariance[${i}]`, `expected a row of length dim = ${dim}, got length ${r.length}`);
    });
    covariance = fromRows(g.covariance);
    if (asymmetry(covariance) > 1e-12) throw new InputError(file, 'covariance', 'expected a symmetric positive-definite matrix; it is not symmetric');
    if (!cholesky(covariance)) throw new InputError(file, 'covariance', 'expected a symmetric positive-definite matrix; it is not positive-definite');
  }
  return { dim, trueValue, generation, encoded, constitution, ...(candidates ? { candidates } : {}), covariance, eta: g.eta ?? [...DEFAULT_ETA] };
}

/** v_c = P_c w / ||P_c w||, the unit direction a constitution activates; InputError when w has no component in S_c. */
export function judgeDirection(c: Constitution, file = 'constitution', field = 'constitution'): Vector {
  const { basis, rank } = orthonormalBasis(c.basis);
  const projected = project(basis, c.readout);
  if (rank === 0 || !(norm(projected) > 1e-12 * norm(c.readout))) {
    throw new InputError(file, `${field}.readout`, `expected a readout with a non-zero component in span(${field}.basis)`);
  }
  return normalize(projected);
}

/** Parses a geometry from JSON or YAML text (by the file's extension; otherwise JSON when it starts with `{`). */
export function parseGeometry(source: string, file: string): Geometry {
  const ext = extname(file).toLowerCase();
  const isYaml = ext === '.yaml' || ext === '.yml' || (ext !== '.json' && !source.trimStart().startsWith('{'));
  const raw = isYaml ? parseYamlStrict(source, file) : parseJsonStrict(source, file);
  return validateGeometry(raw, file);
}

/** Reads and validates a geometry file (.json, .yaml or .yml): a regular file of at most INPUT_LIMITS.text bytes. */
export function loadGeometry(path: string): Geometry {
  const source = readInputText(path, { what: 'a geometry file (.json or .yaml)', maxBytes: INPUT_LIMITS.text });
  return parseGeometry(source, path);
}
