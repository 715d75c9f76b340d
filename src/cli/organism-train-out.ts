// The output folder of `lvh organism train` in both worlds: --out checked, the DIR.partial checkpoint kept or discarded, the save.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { InputError, isInputError } from '../util/errors.js';
import { checkFreeSpace, checkOutPath, shownPath } from '../util/out-path.js';
import type { ModelConfig } from '../io/config.js';
import type { EngineOptions } from '../nn/engine.js';
import { recoverInterruptedSaves } from '../util/orphans.js';
import type { TrainLogPoint } from '../organism/train.js';
import type { V2EvalOptions } from '../organism/v2/eval/evaluate.js';

/** The checkpoint folder of a training run into `out`: the sibling `<out>.partial`. */
export function checkpointFolder(out: string): string {
  return `${out}.partial`;
}

/** Test hooks of `runTrain`: replace the save (to make it fail) or watch each step (to stop the run). */
export interface TrainHooks {
  save?: (save: () => void) => void;
  onLog?: (point: TrainLogPoint) => void;
  /** Options of the v2 evaluation after training (tests shrink it). */
  v2EvalOptions?: Partial<V2EvalOptions>;
}

/** Checks --out and its checkpoint folder before any work (the rules of both worlds); returns both paths. */
export async function prepareOut(cmd: string, a: { out: string; force: boolean; resume: boolean }, note: (text: string) => void): Promise<{ out: string; partial: string }> {
  const out = checkOutPath(cmd, '--out', a.out, 'dir');
  const partial = checkOutPath(cmd, '--out', checkpointFolder(out), 'dir');
  const here = relative(out, process.cwd());
  if (!here.startsWith('..') && !isAbsolute(here)) throw new InputError(`lvh ${cmd}`, '--out', `expected a folder that neither is nor holds the working folder, got ${a.out}`);
  for (const line of recoverInterruptedSaves(out)) note(line);
  if (existsSync(out) && readdirSync(out).length > 0 && !a.force) {
    const what = existsSync(`${out}/config.json`) || existsSync(`${out}/model.safetensors`) ? 'holds a model' : 'is a folder with files in it';
    throw new InputError(`lvh ${cmd}`, '--out', `expected a new or empty folder, but ${a.out} ${what} (give --force to replace it, or another --out)`);
  }
  const { checkpointStep } = await import('../nn/checkpoint.js');
  const kept = checkpointStep(partial);
  if (kept !== undefined && !a.resume) {
    if (!a.force) throw new InputError(`lvh ${cmd}`, '--resume', `expected no checkpoint, but ${shownPath(partial)} holds one at step ${kept} of an earlier run (give --resume to continue it, or --force to start over)`);
    rmSync(partial, { recursive: true, force: true });
  }
  if (a.resume && kept === undefined) note(`no checkpoint in ${shownPath(partial)}: training from the start`);
  return { out, partial };
}

/** Saves the model (through the test hook when given); a failed save keeps the checkpoint and says how to save it with --resume. */
export function saveOrKeep(cmd: string, outFlag: string, partial: string, steps: number, save: () => void, hooks: TrainHooks): void {
  try {
    if (hooks.save) hooks.save(save);
    else save();
  } catch (err) {
    const code = isInputError(err) ? err.expected : (err as NodeJS.ErrnoException).code;
    if (!code) throw err;
    // The training is not lost: the checkpoint after the last step stays, and --resume saves it without retraining.
    throw new InputError(`lvh ${cmd}`, '--out', `expected a writable folder with room for the model, but saving ${outFlag} failed (${code}); the trained weights are kept in ${shownPath(partial)} (checkpoint at step ${steps} of ${steps}): free space or fix the path, then run the same command with --resume to save them without retraining`);
  }
  rmSync(partial, { recursive: true, force: true });
}

/** The --out of a card's command line: relative to the working folder when inside it, else absolute. */
export function commandOut(out: string): string {
  const s = shownPath(out);
  return s.startsWith('..') ? out : s;
}

/** " (resumed at step S of N)" after a resumed run's summary line; empty for a run from the start. */
export function resumedNote(r: { resumedFromStep: number; steps: number }): string {
  return r.resumedFromStep > 0 ? ` (resumed at step ${r.resumedFromStep} of ${r.steps})` : '';
}

/**
 * Refuses, before any training, an engine the package lacks (`--device cuda` without CUDA) and an --out without room
 * for a checkpoint (weights and two Adam moments) and the saved model of a model of this config.
 */
export async function checkTrainingRoom(cmd: string, partial: string, engine: EngineOptions, config: ModelConfig): Promise<void> {
  const nn = await import('../nn/engine.js');
  nn.resolveEngineOptions(engine);
  checkFreeSpace(cmd, '--out', partial, 16 * nn.engineParamCount(config) + 2 * 1024 ** 2, 'a checkpoint and the saved model');
}
