import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { InputError } from '../util/errors.js';

/** A tokenizer read from `tokenizer.json`: text ↔ ids, and the vocabulary both ways. */
export interface TextTokenizer {
  /** Token ids of `text` (no special tokens added); UnknownPieceError when a piece has no id and there is no unknown token. */
  encode(text: string): number[];
  /** `encode`, also listing the pieces of `text` that became the unknown token (in order, repeats kept). */
  encodeDetailed(text: string): { ids: number[]; unknown: string[] };
  /** Text of `ids` ('' for none); special tokens kept unless `skipSpecial`. */
  decode(ids: number[], skipSpecial?: boolean): string;
  idToToken(id: number): string | undefined;
  tokenToId(token: string): number | undefined;
  vocabSize: number;
  /** What the vocabulary looks like, for messages about unknown words ('' when nothing useful can be said). */
  vocabularyHint: string;
  /** The `tokenizer.json` object it was built from (written back verbatim on save). */
  json: object;
}

/** Thrown by `encode` when a piece of the text has no id and the tokenizer defines no unknown token. */
export class UnknownPieceError extends Error {
  constructor(readonly piece: string) {
    super(`tokenizer: no id for ${JSON.stringify(piece.slice(0, 40))} (no unknown token defined)`);
    this.name = 'UnknownPieceError';
  }
}

// A token of the file for an error message: short ones quoted (JSON-escaped), long ones only counted.
function shownToken(token: string): string {
  return token.length <= 40 ? JSON.stringify(token) : `a token of ${token.length} characters`;
}

/**
 * Checks the parts of a parsed `tokenizer.json` that the tokenizer library trusts, before it builds anything:
 * every vocabulary and added-token id an integer in [0, vocabSize) (config.json's vocab_size: a larger id
 * would index past the embedding, and building is linear in the largest id). Refused ids name their token.
 */
export function checkTokenizerJson(json: unknown, vocabSize: number, file: string): void {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InputError(file, '(root)', 'expected a JSON object');
  const model = (json as { model?: unknown }).model;
  if (typeof model !== 'object' || model === null || Array.isArray(model)) throw new InputError(file, 'model', 'expected an object with a vocab');
  const m = model as { type?: unknown; vocab?: unknown; unk_token?: unknown };
  if (m.type !== undefined && m.type !== null && (typeof m.type !== 'string' || !['WordLevel', 'BPE', 'WordPiece', 'Unigram'].includes(m.type))) {
    throw new InputError(file, 'model.type', 'expected one of WordLevel, BPE, WordPiece, Unigram');
  }
  if (m.unk_token !== undefined && m.unk_token !== null && typeof m.unk_token !== 'string') throw new InputError(file, 'model.unk_token', 'expected a string or null');
  const range = `[0, ${vocabSize}) (vocab_size in config.json)`;
  const okId = (id: unknown) => typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < vocabSize;
  const shownId = (id: unknown) => (typeof id === 'number' ? String(id) : typeof id);
  if (Array.isArray(m.vocab)) {
    // Unigram: [piece, score] pairs whose ids are their positions.
    if (m.vocab.length > vocabSize) throw new InputError(file, 'model.vocab', `expected at most ${vocabSize} pieces (vocab_size in config.json); got ${m.vocab.length}`);
    m.vocab.forEach((entry, i) => {
      if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || typeof entry[1] !== 'number' || !Number.isFinite(entry[1])) {
        throw new InputError(file, `model.vocab.${i}`, 'expected a [piece, score] pair');
      }
    });
  } else if (typeof m.vocab === 'object' && m.vocab !== null) {
    for (const [token, id] of Object.entries(m.vocab)) {
      if (!okId(id)) throw new InputError(file, 'model.vocab', `expected token ids in ${range}; token ${shownToken(token)} has id ${shownId(id)}`);
    }
  } else throw new InputError(file, 'model.vocab', 'expected an object of token → id (or a list of [piece, score])');
  const added = (json as { added_tokens?: unknown }).added_tokens;
  if (added === undefined || added === null) return;
  if (!Array.isArray(added)) throw new InputError(file, 'added_tokens', 'expected a list of {id, content}');
  added.forEach((t: unknown, i) => {
    const a = t as { id?: unknown; content?: unknown } | null;
    if (typeof a !== 'object' || a === null || typeof a.content !== 'string') throw new InputError(file, `added_tokens.${i}`, 'expected {id, content} with a string content');
    if (!okId(a.id)) throw new InputError(file, `added_tokens.${i}.id`, `expected an id in ${range}; token ${shownToken(a.content)} has id ${shownId(a.id)}`);
  });
}

// For a word-level vocabulary of lowercase entries, the sentence that tells a user how to write a prompt.
function hintFor(json: object): string {
  const model = (json as { model?: { type?: unknown; vocab?: unknown; unk_token?: unknown } }).model;
  const vocab = model?.vocab;
  if (model?.type !== 'WordLevel' || typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) return '';
  const special = new Set([model.unk_token, ...((json as { added_tokens?: { content?: unknown }[] }).added_tokens ?? []).map((t) => t?.content)]);
  const words = Object.keys(vocab).filter((w) => !special.has(w));
  if (words.length === 0 || words.some((w) => w !== w.toLowerCase())) return '';
  return 'the vocabulary is lowercase words and punctuation marks, separated by spaces';
}

/**
 * Builds a tokenizer from a parsed `tokenizer.json` (and optional `tokenizer_config.json`); `file` names it when
 * the tokenizer library refuses it. No special tokens are added on encode.
 */
export function tokenizerFromJson(json: object, config: object = {}, file = 'tokenizer.json'): TextTokenizer {
  // WordLevel models read their unknown token from the tokenizer config, so pass the model's own.
  const model = (json as { model?: { unk_token?: unknown } }).model;
  const withUnk = typeof model?.unk_token === 'string' ? { unk_token: model.unk_token, ...config } : config;
  const configured = (withUnk as { unk_token?: unknown }).unk_token;
  const unkToken = typeof configured === 'string' ? configured : undefined;
  let tok: HfTokenizer;
  let vocab: Map<string, number>;
  try {
    tok = new HfTokenizer(json, withUnk);
    vocab = tok.get_vocab(true);
  } catch (err) {
    // The library's message, cut to one short line: the JSON passed checkTokenizerJson, so it is structure, not secrets.
    const reason = String((err as Error)?.message ?? err).split('\n')[0].slice(0, 100);
    throw new InputError(file, 'tokenizer', `expected a tokenizer.json that @huggingface/tokenizers reads (${reason})`);
  }
  const unkId = unkToken === undefined ? undefined : tok.token_to_id(unkToken);
  const cleanUp = (config as { clean_up_tokenization_spaces?: unknown }).clean_up_tokenization_spaces === true;
  const encodeDetailed = (text: string) => {
    const enc = tok.encode(text, { add_special_tokens: false });
    const missing = enc.ids.findIndex((id: unknown) => typeof id !== 'number');
    if (missing >= 0) throw new UnknownPieceError(enc.tokens[missing] ?? text);
    const unknown = unkId === undefined ? [] : enc.tokens.filter((t: string, i: number) => enc.ids[i] === unkId && t !== unkToken);
    return { ids: enc.ids, unknown };
  };
  return {
    encode: (text) => encodeDetailed(text).ids,
    encodeDetailed,
    // The library refuses an empty id list; an empty response (end token first) decodes to ''.
    decode: (ids, skipSpecial = false) => (ids.length === 0 ? '' : tok.decode(ids, { skip_special_tokens: skipSpecial, clean_up_tokenization_spaces: cleanUp })),
    idToToken: (id) => tok.id_to_token(id),
    tokenToId: (token) => tok.token_to_id(token),
    vocabSize: vocab.size,
    vocabularyHint: hintFor(json),
    json,
  };
}

/**
 * A `tokenizer.json` for a word-level vocabulary split on whitespace (the first token is `[UNK]` when
 * `unkToken` is not in `words`); handy for synthetic corpora and tests.
 */
export function wordLevelTokenizerJson(words: string[], unkToken = '[UNK]'): object {
  const list = words.includes(unkToken) ? words : [unkToken, ...words];
  const vocab: Record<string, number> = {};
  list.forEach((w, i) => {
    vocab[w] = i;
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: unkToken },
  };
}
