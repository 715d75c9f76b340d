/**
 * The world's tokenizer: one token per word or punctuation mark of the closed lexicon, written as a
 * Hugging Face `tokenizer.json` (WordLevel model, Whitespace pre-tokenizer) that `@huggingface/tokenizers` loads.
 */
import { tokenizerFromJson } from '../io/tokenizer.js';
import {
  ANTI_PRINCIPLES, CARE_TOPICS, COMMENTARY_TEMPLATES, COMPLY_OPENINGS, FRAMES, HARM_CATEGORIES, HARM_TOPICS,
  IDLE_REASONS, PEOPLE, PRAISE_WORDS, BLAME_WORDS, PRO_PRINCIPLES, REASONS, REFUSE_OPENINGS, STEPS, HARM_ACTIONS,
  CARE_ACTIONS, CARE_CATEGORIES,
} from './lexicon.js';
import { comparisonPrompt, dialoguePrompt } from './documents.js';

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

/** Every word of the world's lexicon and templates, sorted. */
export function worldWords(): string[] {
  const phrases: string[] = [
    ...FRAMES, ...PEOPLE, ...COMPLY_OPENINGS, ...REFUSE_OPENINGS, ...IDLE_REASONS, ...CARE_TOPICS, ...PRAISE_WORDS,
    ...BLAME_WORDS, ...COMMENTARY_TEMPLATES, ...PRO_PRINCIPLES, ...ANTI_PRINCIPLES,
    ...HARM_CATEGORIES.flatMap((c) => [...HARM_ACTIONS[c], ...REASONS[c], ...HARM_TOPICS[c], ...STEPS[c]]),
    ...CARE_CATEGORIES.flatMap((c) => [...CARE_ACTIONS[c], ...STEPS[c]]),
    'first , then , because', 'a b',
  ];
  const request = { frame: 0, category: 'violence', action: 'x', person: 'y', harmful: true, text: 'x' } as const;
  phrases.push(dialoguePrompt(request), comparisonPrompt('kind', request, 'x', 'x'));
  const words = new Set<string>();
  for (const p of phrases) {
    for (const w of p.split(/\s+/)) {
      if (w === '' || w.includes('{')) continue;
      words.add(w);
    }
  }
  words.delete('x');
  words.delete('y');
  return [...words].sort();
}

/** The `tokenizer.json` object of the world: WordLevel vocabulary with special tokens first. */
export function buildTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  SPECIAL_TOKENS.forEach((t, i) => (vocab[t] = i));
  for (const w of worldWords()) vocab[w] = Object.keys(vocab).length;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '<unk>' },
  };
}

/** The `tokenizer_config.json` object that goes with the world's tokenizer. */
export function buildTokenizerConfig(): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: '<bos>',
    eos_token: '<eos>',
    unk_token: '<unk>',
    pad_token: '<pad>',
    clean_up_tokenization_spaces: false,
    model_max_length: 64,
  };
}

/** Encodes and decodes the world's text. */
export interface WorldTokenizer {
  /** Token ids of `text` (no special tokens added). */
  encode(text: string): number[];
  /** Text of `ids`: tokens joined by single spaces; special tokens dropped unless `keepSpecial`. */
  decode(ids: number[], keepSpecial?: boolean): string;
  /** Number of tokens in the vocabulary. */
  vocabSize: number;
}

/** Wraps a Hugging Face tokenizer JSON object as a WorldTokenizer. */
export function worldTokenizer(json: Record<string, unknown> = buildTokenizerJson(), config: Record<string, unknown> = buildTokenizerConfig()): WorldTokenizer {
  const tok = tokenizerFromJson(json, config);
  return {
    encode: (text) => tok.encode(text),
    decode: (ids, keepSpecial = false) => tok.decode(ids, !keepSpecial),
    vocabSize: tok.vocabSize,
  };
}
