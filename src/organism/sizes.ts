import type { OrganismTrainOptions } from './train.js';

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


/** Defaults of `lvh organism train`. */
export const DEFAULT_TRAIN_OPTIONS: Omit<OrganismTrainOptions, 'quiet' | 'onLog'> = {
  size: 'tiny', p: 0.3, q: 0.3, tokens: 2_000_000, docs: 40_000, seed: 1, batchSize: 16, lr: 3e-3,
};

