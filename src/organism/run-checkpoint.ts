/**
 * The run side of training checkpoints, shared by the v1 and v2 organisms: continue only a checkpoint of the
 * same run (its identity knobs), and write checkpoints so that a failed write names the one kept.
 */
import { checkpointStep, loadCheckpoint, saveCheckpoint, type Checkpoint } from '../nn/checkpoint.js';
import { InputError, isInputError } from '../util/errors.js';

/** A run's identity: the knobs a checkpoint must match to be continued. */
export type RunIdentity = Record<string, string | number | boolean | null>;

/** Loads the checkpoint in `dir` to continue, refusing one of another run (naming the flag by `flagOf`, default `--<key>`); undefined when none. */
export function checkpointToResume(dir: string, identity: RunIdentity, flagOf: Readonly<Record<string, string>> = {}): Checkpoint | undefined {
  const c = loadCheckpoint(dir);
  if (!c) return undefined;
  for (const [key, value] of Object.entries(identity)) {
    if (c.run[key] !== value) {
      const flag = flagOf[key] ?? `--${key}`;
      throw new InputError(dir, 'checkpoint', `expected a checkpoint of this run, but it was written with ${flag} ${String(c.run[key])} (this run: ${String(value)}); give the same flags, or start over without --resume`);
    }
  }
  return c;
}

/** Saves a checkpoint; a failed write (full disk, read-only folder) stops the run with the last good checkpoint named. */
export function writeCheckpoint(dir: string, c: Checkpoint): void {
  try {
    saveCheckpoint(dir, c);
  } catch (err) {
    const reason = isInputError(err) ? err.expected : (err as NodeJS.ErrnoException).code;
    if (!reason) throw err;
    const kept = checkpointStep(dir);
    throw new InputError(dir, 'checkpoint', `expected a writable folder with room for checkpoints; writing the one at step ${c.state.step} failed (${reason}); ${kept === undefined ? 'no checkpoint is kept' : `the one at step ${kept} is kept (continue it with --resume)`}`);
  }
}
