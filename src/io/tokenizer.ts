import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';

/** A tokenizer read from `tokenizer.json`: text ↔ ids, and the vocabulary both ways. */
export interface TextTokenizer {
  encode(text: string): number[];
  /** Text of `ids` ('' for none); special tokens kept unless `skipSpecial`. */
  decode(ids: number[], skipSpecial?: boolean): string;
  idToToken(id: number): string | undefined;
  tokenToId(token: string): number | undefined;
  vocabSize: number;
  /** The `tokenizer.json` object it was built from (written back verbatim on save). */
  json: object;
}

/** Builds a tokenizer from a parsed `tokenizer.json` (and optional `tokenizer_config.json`). No special tokens are added on encode. */
export function tokenizerFromJson(json: object, config: object = {}): TextTokenizer {
  // WordLevel models read their unknown token from the tokenizer config, so pass the model's own.
  const model = (json as { model?: { unk_token?: unknown } }).model;
  const withUnk = typeof model?.unk_token === 'string' ? { unk_token: model.unk_token, ...config } : config;
  const tok = new HfTokenizer(json, withUnk);
  const cleanUp = (config as { clean_up_tokenization_spaces?: unknown }).clean_up_tokenization_spaces === true;
  const vocab = tok.get_vocab(true);
  return {
    encode: (text) => {
      const ids = tok.encode(text, { add_special_tokens: false }).ids;
      const bad = ids.findIndex((id: unknown) => typeof id !== 'number');
      if (bad >= 0) throw new Error(`tokenizer: no id for a piece of "${text}" (no unknown token defined)`);
      return ids;
    },
    // The library refuses an empty id list; an empty response (end token first) decodes to ''.
    decode: (ids, skipSpecial = false) => (ids.length === 0 ? '' : tok.decode(ids, { skip_special_tokens: skipSpecial, clean_up_tokenization_spaces: cleanUp })),
    idToToken: (id) => tok.id_to_token(id),
    tokenToId: (token) => tok.token_to_id(token),
    vocabSize: vocab.size,
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
