// `lvh organism train`: the world of a run read from --world (v2 by default), then that world's training.
import { parseCommandArgs } from '../util/args.js';
import { TRAIN_SPEC, trainWorldOf, type Flags } from './organism-train-flags.js';
import type { TrainHooks } from './organism-train-out.js';
import { runTrainV1 } from './organism-train-v1.js';
import { runTrainV2 } from './organism-train-v2.js';

/** Runs `lvh organism train` (exported with hooks for tests): world v2 by default, v1 under --world v1. */
export async function runTrain(args: string[], hooks: TrainHooks = {}): Promise<number> {
  const { values } = parseCommandArgs('organism train', args, TRAIN_SPEC);
  return trainWorldOf(values as Flags) === 'v1' ? runTrainV1(args, hooks) : runTrainV2(args, hooks);
}
