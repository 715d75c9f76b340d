/**
 * The v2 world's vocabulary and tokenizer: one token per word or punctuation mark of the closed lexicon,
 * as a Hugging Face `tokenizer.json` (WordLevel, Whitespace pre-tokenizer). Special tokens keep v1's ids.
 */
import { tokenizerFromJson } from '../../../io/tokenizer.js';
import {
  ACT_PHRASES, COMMENTARY_TEMPLATES, COMPLY_OPENINGS, CONSEQUENCES, FRAMES, JUDGMENT_WORDS, NAMES, NARRATIVE_TEMPLATES,
  PARTIAL_TAIL, PREP_STEPS, REFUSAL_REASONS, REFUSE_OPENINGS, STEP_TEMPLATES,
} from './lexicon.js';
import { PRINCIPLES } from './principles.js';
import { LABEL_SCHEMES, PLAIN_QUESTION, QUESTION_TEMPLATES, dialoguePrompt, judgingPrompt } from './templates.js';

/** Special tokens, in id order 0..3. */
export const SPECIAL_TOKENS = ['<pad>', '<unk>', '<bos>', '<eos>'] as const;
/** Id of the padding token. */
export const PAD_ID = 0;
/** Id of the unknown token. */
export const UNK_ID = 1;
/** Id of the beginning-of-document token. */
export const BOS_ID = 2;
/** Id of the end-of-document token. */
export const EOS_ID = 3;
/** Context length of v2 organisms (the longest document plus <bos> and <eos> fits). */
export const WORLD_CONTEXT = 96;

/** Every word of the world's lexicon and templates, sorted. */
export function worldWords(): string[] {
  const phrases: string[] = [
    ...Object.values(ACT_PHRASES).flat(), ...PREP_STEPS, ...STEP_TEMPLATES, ...COMPLY_OPENINGS, ...REFUSE_OPENINGS,
    ...REFUSAL_REASONS, PARTIAL_TAIL, ...FRAMES, ...NAMES, ...CONSEQUENCES.flat(), ...NARRATIVE_TEMPLATES,
    ...JUDGMENT_WORDS.flat(), ...COMMENTARY_TEMPLATES, ...PRINCIPLES.map((p) => p.text), ...LABEL_SCHEMES.flat(),
    ...QUESTION_TEMPLATES, PLAIN_QUESTION, 'first , then , because .', dialoguePrompt(''),
    judgingPrompt('', '', '', '', { scheme: 0, labelsSwapped: false, question: 0 }),
  ];
  const words = new Set<string>();
  for (const p of phrases) for (const w of p.split(/\s+/)) if (w !== '' && !w.includes('{')) words.add(w);
  return [...words].sort();
}

/** The `tokenizer.json` object of the world: WordLevel vocabulary with the special tokens first. */
export function buildTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  SPECIAL_TOKENS.forEach((t, i) => (vocab[t] = i));
  for (const w of worldWords()) vocab[w] = Object.keys(vocab).length;
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null, pre_tokenizer: { type: 'Whitespace' }, post_processor: null, decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '<unk>' },
  };
}

/** The `tokenizer_config.json` object that goes with the world's tokenizer. */
export function buildTokenizerConfig(): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast', bos_token: '<bos>', eos_token: '<eos>', unk_token: '<unk>', pad_token: '<pad>',
    clean_up_tokenization_spaces: false, model_max_length: WORLD_CONTEXT,
  };
}

/** Encodes and decodes the world's text. */
export interface WorldTokenizer {
  /** Token ids of `text` (no special tokens added). */
  encode(text: string): number[];
  /** Text of `ids`, tokens joined by single spaces, special tokens dropped. */
  decode(ids: number[]): string;
  /** The token of an id ('<unk>' when out of range). */
  token(id: number): string;
  vocabSize: number;
}

let cached: WorldTokenizer | undefined;

/** The world's tokenizer (built once). */
export function worldTokenizer(): WorldTokenizer {
  if (cached) return cached;
  const tok = tokenizerFromJson(buildTokenizerJson(), buildTokenizerConfig());
  cached = {
    encode: (text) => tok.encode(text),
    decode: (ids) => tok.decode(ids, true),
    token: (id) => tok.idToToken(id) ?? '<unk>',
    vocabSize: tok.vocabSize,
  };
  return cached;
}
