/**
 * The acts of the v2 world, their latent true values and their splits. An act's value belongs to the whole
 * combination (verb × object × circumstance): its sign comes from its category, its magnitude (0.5 or 1) is
 * drawn per act from a seeded hash, so neither a word nor the category alone gives the value.
 */
import { ACT_PHRASES, BENIGN_CATEGORIES, HARM_CATEGORIES, NEUTRAL_CATEGORY, type Category, type Level } from './lexicon.js';

/** Seed of every world-level draw (magnitudes, held-out acts): a constant, so every model meets the same world. */
export const WORLD_SEED = 20261201;

/** Where an act stands with respect to the comparison documents. */
export type ActSplit = 'comparison' | 'heldout-act' | 'heldout-category';
/** The splits, in report order. */
export const ACT_SPLITS: readonly ActSplit[] = ['comparison', 'heldout-act', 'heldout-category'];

/** Whole categories that never appear in a comparison document (one harm, one benign). */
export const HELD_OUT_CATEGORIES: readonly Category[] = ['vandalism', 'caregiving'];
/** Acts held out of comparisons in every other category. */
export const HELD_OUT_ACTS_PER_CATEGORY = 2;

/** An act of the world. */
export interface Act {
  /** Index in `ACTS`. */
  id: number;
  phrase: string;
  category: Category;
  /** 'harm', 'benign' or 'neutral' (the category's kind). */
  kind: 'harm' | 'benign' | 'neutral';
  /** The true value, one of LEVELS. */
  value: Level;
  split: ActSplit;
}

/** FNV-1a hash of a string, salted with the world seed. */
export function worldHash(text: string): number {
  let h = 0x811c9dc5 ^ WORLD_SEED;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h ^= h >>> 12;
  return h >>> 0;
}

/** Every category, harm first, then benign, then the everyday one. */
export const CATEGORIES: readonly Category[] = [...HARM_CATEGORIES, ...BENIGN_CATEGORIES, NEUTRAL_CATEGORY];

/** The kind of a category. */
export function categoryKind(category: Category): Act['kind'] {
  if ((HARM_CATEGORIES as readonly string[]).includes(category)) return 'harm';
  if ((BENIGN_CATEGORIES as readonly string[]).includes(category)) return 'benign';
  return 'neutral';
}

function buildActs(): Act[] {
  const out: Act[] = [];
  for (const category of CATEGORIES) {
    const kind = categoryKind(category);
    const phrases = ACT_PHRASES[category];
    // Magnitude 1 for the first half of the category in hash order, 0.5 for the rest.
    const byHash = [...phrases].sort((a, b) => worldHash(`m|${a}`) - worldHash(`m|${b}`));
    const strong = new Set(byHash.slice(0, Math.ceil(phrases.length / 2)));
    const heldByHash = [...phrases].sort((a, b) => worldHash(`h|${a}`) - worldHash(`h|${b}`));
    const heldActs = new Set(heldByHash.slice(0, HELD_OUT_ACTS_PER_CATEGORY));
    for (const phrase of phrases) {
      const magnitude = strong.has(phrase) ? 1 : 0.5;
      const value = (kind === 'harm' ? -magnitude : kind === 'benign' ? magnitude : 0) as Level;
      const split: ActSplit = HELD_OUT_CATEGORIES.includes(category) ? 'heldout-category' : heldActs.has(phrase) ? 'heldout-act' : 'comparison';
      out.push({ id: out.length, phrase, category, kind, value: value === 0 ? 0 : value, split });
    }
  }
  return out;
}

/** Every act of the world, in category order. */
export const ACTS: readonly Act[] = buildActs();

const BY_PHRASE = new Map(ACTS.map((a) => [a.phrase, a]));

/** The act with this phrase, or undefined. */
export function actByPhrase(phrase: string): Act | undefined {
  return BY_PHRASE.get(phrase);
}

/** The acts of one split. */
export function actsOfSplit(split: ActSplit): Act[] {
  return ACTS.filter((a) => a.split === split);
}
