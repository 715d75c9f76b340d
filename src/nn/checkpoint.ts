/**
 * Training checkpoints, engine-neutral: the state of a run between two optimiser steps as named float32
 * tensors (parameters and the AdamW moments), the step, RNG states, the data-order position and the loss
 * log. On disk: `checkpoint-<step>.safetensors` (tensors `param/<name>`, `adam_m/<name>`, `adam_v/<name>`)
 * and the sidecar `checkpoint.json`, both written atomically. The sidecar is written last and names the
 * tensor file with its sha256, so it is the commit point: a kill at any moment leaves the previous complete
 * checkpoint or the new one, never a mix.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { RngState } from '../linalg/rng.js';
import { parseSafetensors, serializeSafetensors, type NamedTensor } from '../io/safetensors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { InputError } from '../util/errors.js';
import { parseJsonStrict } from '../util/json.js';
import { INPUT_LIMITS, readInputFile, readInputText } from '../util/read-input.js';
import { isProcessAlive } from '../util/orphans.js';

/** The engine's part of a run's state after `step` optimiser steps (any engine can fill and restore it). */
export interface TrainState {
  /** Optimiser steps done. */
  step: number;
  /** Trainable parameters by name. */
  params: Map<string, NamedTensor>;
  /** AdamW first moments by parameter name. */
  adamM: Map<string, NamedTensor>;
  /** AdamW second moments by parameter name. */
  adamV: Map<string, NamedTensor>;
  /** Training loss of every step so far (length `step`). */
  losses: number[];
  /** Held-out losses so far, with the step after which each was measured. */
  evalLosses: { step: number; loss: number }[];
  /** Training seconds so far (not part of the result's bytes). */
  seconds: number;
}

/** A checkpoint: the engine state plus what the caller needs to continue the same run. */
export interface Checkpoint {
  state: TrainState;
  /** The run's identity (its knobs); a resume with other values is refused. */
  run: Record<string, string | number | boolean | null>;
  /** States of the run's random generators by name (e.g. the data order). */
  rng: Record<string, RngState>;
  /** Batches drawn from the data so far. */
  dataPosition: number;
  /** The caller's loss log (e.g. the points of train-log.jsonl). */
  log: unknown[];
}

/** Name of the sidecar file in a checkpoint folder. */
export const CHECKPOINT_SIDECAR = 'checkpoint.json';
const FORMAT = 'lvh-train-checkpoint';

const rngStateSchema = z.strictObject({
  s: z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]),
  spare: z.number().nullable(),
});
const sidecarSchema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(1),
  step: z.number().int().min(0),
  tensors: z.string().regex(/^checkpoint-\d+\.safetensors$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  run: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  rng: z.record(z.string(), rngStateSchema),
  dataPosition: z.number().int().min(0),
  // JSON has no NaN: a non-finite loss is stored as null.
  losses: z.array(z.number().nullable()),
  evalLosses: z.array(z.strictObject({ step: z.number().int(), loss: z.number().nullable() })),
  seconds: z.number().min(0),
  log: z.array(z.unknown()),
});

const PREFIX = { params: 'param/', adamM: 'adam_m/', adamV: 'adam_v/' } as const;

/** Writes `c` into folder `dir` (created if needed): the tensor file, then the sidecar, then removes older tensor files. */
export function saveCheckpoint(dir: string, c: Checkpoint): void {
  mkdirSync(dir, { recursive: true });
  const tensors = new Map<string, NamedTensor>();
  for (const key of ['params', 'adamM', 'adamV'] as const) {
    for (const [name, t] of c.state[key]) tensors.set(`${PREFIX[key]}${name}`, t);
  }
  const bytes = serializeSafetensors(tensors, { format: FORMAT, step: String(c.state.step) });
  const file = `checkpoint-${String(c.state.step).padStart(8, '0')}.safetensors`;
  writeFileAtomic(join(dir, file), bytes);
  const sidecar: z.infer<typeof sidecarSchema> = {
    format: FORMAT,
    version: 1,
    step: c.state.step,
    tensors: file,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    run: c.run,
    rng: c.rng,
    dataPosition: c.dataPosition,
    losses: c.state.losses.map((x) => (Number.isFinite(x) ? x : null)),
    evalLosses: c.state.evalLosses.map((e) => ({ step: e.step, loss: Number.isFinite(e.loss) ? e.loss : null })),
    seconds: c.state.seconds,
    log: c.log,
  };
  writeFileAtomic(join(dir, CHECKPOINT_SIDECAR), `${JSON.stringify(sidecar)}\n`);
  removeStale(dir, file);
}

/** Reads the checkpoint in `dir`; undefined when the folder holds none. Corrupt or mismatched files are InputErrors. */
export function loadCheckpoint(dir: string): Checkpoint | undefined {
  const sidecarPath = join(dir, CHECKPOINT_SIDECAR);
  if (!existsSync(sidecarPath)) return undefined;
  const raw = parseJsonStrict(readInputText(sidecarPath, { what: 'a checkpoint sidecar (JSON)', maxBytes: INPUT_LIMITS.text }), sidecarPath);
  const parsed = sidecarSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(sidecarPath, issue.path.join('.') || '(root)', `expected a checkpoint written by lvh (${issue.message})`);
  }
  const s = parsed.data;
  const tensorPath = join(dir, s.tensors);
  const bytes = readInputFile(tensorPath, { what: 'the checkpoint tensors named by checkpoint.json', maxBytes: INPUT_LIMITS.weights });
  if (createHash('sha256').update(bytes).digest('hex') !== s.sha256) {
    throw new InputError(tensorPath, 'sha256', 'expected the bytes checkpoint.json records (the file was changed or cut)');
  }
  const file = parseSafetensors(bytes, tensorPath);
  const state: TrainState = {
    step: s.step, params: new Map(), adamM: new Map(), adamV: new Map(),
    losses: s.losses.map((x) => x ?? NaN),
    evalLosses: s.evalLosses.map((e) => ({ step: e.step, loss: e.loss ?? NaN })),
    seconds: s.seconds,
  };
  for (const [name, t] of file.tensors) {
    const key = (Object.keys(PREFIX) as (keyof typeof PREFIX)[]).find((k) => name.startsWith(PREFIX[k]));
    if (!key) throw new InputError(tensorPath, name, 'expected tensors named param/…, adam_m/… or adam_v/…');
    state[key].set(name.slice(PREFIX[key].length), t);
  }
  if (state.losses.length !== s.step) throw new InputError(sidecarPath, 'losses', `expected ${s.step} losses (one per step), got ${state.losses.length}`);
  for (const name of state.params.keys()) {
    if (!state.adamM.has(name) || !state.adamV.has(name)) throw new InputError(tensorPath, name, 'expected adam_m and adam_v tensors for every parameter');
  }
  return { state, run: s.run, rng: s.rng, dataPosition: s.dataPosition, log: s.log };
}

/** The step of the checkpoint in `dir` without reading its tensors; undefined when none or unreadable. */
export function checkpointStep(dir: string): number | undefined {
  try {
    const raw = parseJsonStrict(readInputText(join(dir, CHECKPOINT_SIDECAR), { what: 'a checkpoint sidecar', maxBytes: INPUT_LIMITS.text }), dir);
    const step = (raw as { step?: unknown }).step;
    return typeof step === 'number' ? step : undefined;
  } catch {
    return undefined;
  }
}

/** Removes tensor files other than `keep`, and temp files of killed writes (dead pids). */
function removeStale(dir: string, keep: string): void {
  for (const entry of readdirSync(dir)) {
    const tmp = /^\.lvh-tmp-.*-(\d+)-\d+$/.exec(entry);
    if ((/^checkpoint-\d+\.safetensors$/.test(entry) && entry !== keep) || (tmp && !isProcessAlive(Number(tmp[1])))) {
      rmSync(join(dir, entry), { force: true });
    }
  }
}
