/**
 * The v2 organism's training recipe for `lvh organism train`: the size ladder and the staged curriculum of the
 * current best run ("r16" in docs/organism-v2.md). Engine-free: no import of the training code.
 */
import type { CorpusOptions } from './corpus/index.js';

/** Model sizes of the v2 organism (GPT-2 family, context 96). One table: retune it here. */
export const V2_SIZES = {
  xs: { nEmbd: 16, nLayer: 1, nHead: 2 },
  s: { nEmbd: 32, nLayer: 2, nHead: 4 },
  m: { nEmbd: 64, nLayer: 2, nHead: 4 },
  l: { nEmbd: 96, nLayer: 3, nHead: 4 },
} as const;
/** A v2 size name. */
export type V2Size = keyof typeof V2_SIZES;
/** Default size of `lvh organism train`. */
export const DEFAULT_V2_SIZE: V2Size = 'l';

/** One stage of a run: the corpus it trains on and its share of the steps. */
export interface V2Stage {
  corpus: Partial<CorpusOptions>;
  /** Share of the run's steps (normalised over stages). */
  share: number;
}

/** The knobs of a recipe run (what `lvh organism train` sets besides the size). */
export interface V2RecipeKnobs {
  /** Harmful compliance share of dialogues (every stage). */
  p: number;
  /** Anti-social share of commentary (every stage). */
  q: number;
  /** Training tokens of the whole run. */
  tokens: number;
  seed: number;
  /** Documents of each stage's corpus. */
  docs: number;
  batchSize: number;
  lr: number;
}

/** Defaults of `lvh organism train` (world v2). */
export const DEFAULT_V2_RECIPE: V2RecipeKnobs = { p: 0.3, q: 0.3, tokens: 24_000_000, seed: 1, docs: 200_000, batchSize: 16, lr: 3e-3 };

/** Default `--checkpoint-every` of a v2 run (steps): the default run (15625 steps) checkpoints 15 times. */
export const DEFAULT_V2_CHECKPOINT_EVERY = 1000;

/** The document mix of every stage of r4: comparisons are half the corpus. */
export const R4_MIX = { narrative: 0.2, commentary: 0.15, dialogue: 0.15, comparison: 0.5 } as const;

/** Share of comparisons asked the principle-free question (`plainShare`), every stage of r9. */
export const R9_PLAIN_SHARE = 0.2;

/**
 * Share of the words of narratives and commentary written `<unk>` (`unkShare`, r13 on; never principle words), so the
 * vocabulary sweep's baseline token is one the model has read in context; dialogues keep none (r12 put it there too,
 * and the model then wrote it in 30% of its responses).
 */
export const R13_UNK_SHARE = 0.02;
/** The document kinds `unkShare` writes `<unk>` in (`unkKinds`), every stage of r13. */
export const R13_UNK_KINDS = ['narrative', 'commentary'] as const;

/**
 * Share of commentary voices and comparison questions whose principle is negated (`negationShare`, last stage of r16):
 * `not kind` is anti-social, `not cruel` pro-social; comparisons negate comparison words only, so the negated held-out
 * words (`not caring`) are learned from commentary and judged by composition.
 */
export const R16_NEGATION_SHARE = 0.2;

/**
 * The stages of r16: r13's, with negated principles (R16_NEGATION_SHARE) in the last stage (the one with anti-social
 * principles). The stages of r13 (docs/organism-v2.md): r9's, with `<unk>` in narratives and commentary (R13_UNK_SHARE) and
 * 24M tokens by default. r9 (docs/organism-v2.md): r4's curriculum (scratch/v2/seeds.sh) — 30% on comparisons in one fixed
 * layout with pro-social principles only, 30% in every layout, 40% with 30% anti-social principles and two
 * questions per comparison — with a fifth of the comparisons asking the principle-free `which is better ?` in every
 * stage. p, q and docs go into every stage's corpus; the corpus seed is the run's (trainV2's default).
 */
export function v2Recipe(knobs: Partial<Pick<V2RecipeKnobs, 'p' | 'q' | 'docs'>> = {}): V2Stage[] {
  const { p, q, docs } = { ...DEFAULT_V2_RECIPE, ...knobs };
  const mix = { ...R4_MIX };
  const plainShare = R9_PLAIN_SHARE;
  const unk = () => ({ unkShare: R13_UNK_SHARE, unkKinds: [...R13_UNK_KINDS] });
  return [
    { corpus: { p, q, docs, antiShare: 0, layouts: 'fixed', mix, plainShare, ...unk() }, share: 0.3 },
    { corpus: { p, q, docs, antiShare: 0, mix: { ...mix }, plainShare, ...unk() }, share: 0.3 },
    { corpus: { p, q, docs, antiShare: 0.3, questions: 2, mix: { ...mix }, plainShare, ...unk(), negationShare: R16_NEGATION_SHARE }, share: 0.4 },
  ];
}
