// The flags of `lvh organism train` shared by both worlds: the spec, the world, the run flags and the card's command line.
import { numberFlag, oneOf } from '../util/args.js';
import { ENGINE_FLAG_SPECS, engineFlags } from './engine-flags.js';
import type { OrganismTrainKnobs } from '../organism/sizes.js';

/** Parsed flag values (strings, or booleans for switches). */
export type Flags = Record<string, string | undefined>;

/** The knobs a training command line spells out, in both worlds. */
type CommandKnobs = Pick<OrganismTrainKnobs, 'p' | 'q' | 'tokens' | 'docs' | 'seed' | 'batchSize' | 'lr'>;

/** `lvh organism train` of a world with every knob explicit. */
export function commandLine(world: 'v1' | 'v2', size: string, k: CommandKnobs, out: string): string {
  return `lvh organism train --world ${world} --size ${size} --p ${k.p} --q ${k.q} --tokens ${k.tokens} --docs ${k.docs} --seed ${k.seed} --batch ${k.batchSize} --lr ${k.lr} --out ${out}`;
}

/** The flags of `lvh organism train` besides the knobs, in both worlds. */
export interface TrainRunArgs {
  out: string;
  evaluate: boolean;
  json: boolean;
  /** Steps between checkpoints (0: only after the last step). */
  checkpointEvery: number;
  resume: boolean;
  force: boolean;
  /** ORT threads and device. */
  engine: { threads?: number; device: 'cpu' | 'cuda' };
}

/** Switches of `lvh organism train` (the boolean flags). */
type TrainSwitches = { 'no-eval'?: boolean; json?: boolean; resume?: boolean; force?: boolean };

/** Reads the flags besides the knobs (switches, string flags `v`); `out` is checked present by the caller. */
export function trainRunArgs(cmd: string, values: TrainSwitches, v: Flags, out: string, defaultEvery: number): TrainRunArgs {
  return {
    out, evaluate: !values['no-eval'], json: Boolean(values.json),
    checkpointEvery: numberFlag(cmd, 'checkpoint-every', v['checkpoint-every'], defaultEvery, { min: 0, max: 1e9, integer: true }),
    resume: Boolean(values.resume), force: Boolean(values.force), engine: engineFlags(cmd, v),
  };
}

/** The flags of `lvh organism train` (both worlds). */
export const TRAIN_SPEC = {
  world: { type: 'string' }, size: { type: 'string' }, p: { type: 'string' }, q: { type: 'string' }, tokens: { type: 'string' }, docs: { type: 'string' },
  seed: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, out: { type: 'string' },
  'checkpoint-every': { type: 'string' }, resume: { type: 'boolean' }, force: { type: 'boolean' },
  'no-eval': { type: 'boolean' }, json: { type: 'boolean' }, ...ENGINE_FLAG_SPECS,
} as const;

/** The world of a training run: --world, v2 by default. */
export function trainWorldOf(v: Flags): 'v1' | 'v2' {
  return oneOf('organism train', 'world', v.world ?? 'v2', ['v2', 'v1'] as const);
}
