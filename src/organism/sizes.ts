/** Model sizes, context and default knobs of the organism (engine-free: no import of the training code). */

/** Model sizes of the organism (GPT-2 family, context 64). */
export const ORGANISM_SIZES = {
  tiny: { nEmbd: 64, nLayer: 2, nHead: 4 },
  small: { nEmbd: 128, nLayer: 4, nHead: 4 },
  base: { nEmbd: 256, nLayer: 4, nHead: 8 },
} as const;
/** A model size name. */
export type OrganismSize = keyof typeof ORGANISM_SIZES;
/** Context length of every organism (the longest document plus its <bos> and <eos> fits). */
export const ORGANISM_CONTEXT = 64;

/** True when `name` is one of the organism sizes (own keys only: `constructor` or `__proto__` are not sizes). */
export function isOrganismSize(name: string): name is OrganismSize {
  return Object.hasOwn(ORGANISM_SIZES, name);
}

/** The knobs that define a training run (what the model card and a checkpoint record). */
export interface OrganismTrainKnobs {
  size: OrganismSize;
  /** Harmful compliance share of dialogues. */
  p: number;
  /** Anti-social share of commentary. */
  q: number;
  /** Training tokens (steps = ceil(tokens / (batchSize · context))). */
  tokens: number;
  /** Documents in the corpus. */
  docs: number;
  seed: number;
  batchSize: number;
  /** Peak learning rate. */
  lr: number;
  /** Stop after this many steps (to check a checkpoint's loss curve quickly); the warm-up length stays the full run's, so the first steps match it exactly. */
  maxSteps?: number;
}

/** Defaults of `lvh organism train`. */
export const DEFAULT_TRAIN_OPTIONS: OrganismTrainKnobs = {
  size: 'tiny', p: 0.3, q: 0.3, tokens: 2_000_000, docs: 40_000, seed: 1, batchSize: 16, lr: 3e-3,
};

/** Default `--checkpoint-every` (steps): the default run (1954 steps) checkpoints 9 times. */
export const DEFAULT_CHECKPOINT_EVERY = 200;
