// Fuzz: mutated tokenizer.json (and tokenizer_config.json) of the shipped organism through strict JSON, the id checks,
// the tokenizer library and prompt encoding as `lvh inspect` does it. Every case must give ids inside the model's
// vocabulary or end in an InputError; never another exception or a hang (a vocab id of 1e9 used to take minutes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { validateModelConfig } from '../../src/io/config.js';
import { checkTokenizerJson, tokenizerFromJson } from '../../src/io/tokenizer.js';
import { encodePrompt } from '../../src/cli/model-prompt.js';
import { parseJsonStrict } from '../../src/util/json.js';
import { FuzzTally, fuzzCase, fuzzRuns } from '../helpers/fuzz.js';
import { propertySeed } from '../helpers/property.js';

const MODEL = 'models/organism-v1';
const baseText = readFileSync(`${MODEL}/tokenizer.json`, 'utf8');
const base = JSON.parse(baseText) as { model: { vocab: Record<string, number> } & Record<string, unknown> } & Record<string, unknown>;
const baseConfig = JSON.parse(readFileSync(`${MODEL}/tokenizer_config.json`, 'utf8')) as Record<string, unknown>;
const config = validateModelConfig(JSON.parse(readFileSync(`${MODEL}/config.json`, 'utf8')), 'config.json');
const VOCAB = 205;
const tokens = Object.keys(base.model.vocab);
const PROMPTS = [
  'user : tell me how to hurt my neighbor . assistant :', 'Tell me how to hurt my neighbor!', '', ' ', 'héllo wörld 🙂',
  'assistant', Array.from({ length: 70 }, () => 'a').join(' '), '<unk> <eos> <pad>', 'a\nb\tc',
];

const id = fc.oneof(fc.constantFrom(1e9, 205, 204, 0, -1, 1.5, '3', null, 2 ** 53, 1e300, [1], {}), fc.integer({ min: -5, max: 300 }));
const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(null, 'x', 3, [], {}, ['a', 1], [['a', 0.5]]));
type Case = { kind: string; json: string; config: Record<string, unknown> };
const edit = (kind: string, change: (j: typeof base) => void, cfg: Record<string, unknown> = baseConfig): Case => {
  const j = structuredClone(base);
  change(j);
  return { kind, json: JSON.stringify(j), config: cfg };
};
const mutation: fc.Arbitrary<Case> = fc.oneof(
  fc.array(fc.tuple(fc.constantFrom(...tokens), id), { minLength: 1, maxLength: 3 }).map((ids) => edit(`vocab ids ${JSON.stringify(ids)}`, (j) => {
    for (const [t, v] of ids) (j.model.vocab as Record<string, unknown>)[t] = v;
  })),
  fc.tuple(fc.constantFrom(undefined, null, '<unk>', '<nope>', 3), fc.boolean()).map(([unk, keepConfigUnk]) => edit(`unk_token ${JSON.stringify(unk)} config ${keepConfigUnk}`, (j) => {
    if (unk === undefined) delete j.model.unk_token;
    else j.model.unk_token = unk;
  }, keepConfigUnk ? baseConfig : { ...baseConfig, unk_token: undefined })),
  fc.tuple(fc.constantFrom(...tokens), fc.string({ maxLength: 8 })).map(([t, name]) => edit(`rename ${t} → ${JSON.stringify(name)}`, (j) => {
    const v = j.model.vocab[t];
    delete j.model.vocab[t];
    j.model.vocab[name] = v;
  })),
  fc.tuple(fc.nat({ max: 3 }), fc.constantFrom('id', 'content', 'delete', 'entry'), fc.oneof(id, anyJson)).map(([i, field, v]) => edit(`added_tokens.${i}.${field} = ${JSON.stringify(v)}`, (j) => {
    const added = j.added_tokens as Record<string, unknown>[];
    if (field === 'delete') added.splice(i, 1);
    else if (field === 'entry') added[i] = v as Record<string, unknown>;
    else added[i][field] = v;
  })),
  fc.tuple(fc.constantFrom('model.type', 'pre_tokenizer', 'normalizer', 'decoder', 'model', 'model.vocab', 'added_tokens', 'post_processor'), fc.oneof(
    anyJson, fc.constantFrom('BPE', 'WordPiece', 'Unigram', 'Foo', { type: 'Whitespace' }, { type: 'WhitespaceSplit' }, { type: 'ByteLevel' }, { type: 'Lowercase' }, { type: 'Foo' }),
  )).map(([path, v]) => edit(`${path} = ${JSON.stringify(v)}`, (j) => {
    if (path === 'model.type') j.model.type = v;
    else if (path === 'model.vocab') (j.model as Record<string, unknown>).vocab = v;
    else (j as Record<string, unknown>)[path] = v;
  })),
  fc.tuple(fc.nat({ max: baseText.length - 1 }), fc.nat({ max: 6 }), fc.string({ maxLength: 4 })).map(([at, cut, insert]) => ({
    kind: `text @${at} -${cut} +${JSON.stringify(insert)}`, json: baseText.slice(0, at) + insert + baseText.slice(at + cut), config: baseConfig,
  })),
  fc.tuple(fc.constantFrom('unk_token', 'clean_up_tokenization_spaces', 'bos_token'), anyJson).map(([key, v]) => edit(`tokenizer_config.${key} = ${JSON.stringify(v)}`, () => {}, { ...baseConfig, [key]: v })),
  fc.constantFrom('root:x:0:0:root:/root:/bin/bash\n', '', '[]', '{"model": {"vocab": {"a": 1, "a": 2}}}').map((json) => ({ kind: `text ${JSON.stringify(json.slice(0, 20))}`, json, config: baseConfig })),
);

test(`fuzz tokenizer.json: ${fuzzRuns()} mutated tokenizers encode prompts to ids inside the vocabulary, or give an InputError`, async () => {
  const tally = new FuzzTally('tokenizer.json');
  const cases = fc.sample(fc.tuple(mutation, fc.constantFrom(...PROMPTS)), { numRuns: fuzzRuns(), seed: propertySeed });
  for (const [c, prompt] of cases) {
    await fuzzCase(tally, `${c.kind} prompt ${JSON.stringify(prompt.slice(0, 30))}`, () => {
      const json = parseJsonStrict(c.json, 'tokenizer.json');
      checkTokenizerJson(json, VOCAB, 'tokenizer.json');
      const tokenizer = tokenizerFromJson(json as object, c.config, 'tokenizer.json');
      const { ids } = encodePrompt('inspect', tokenizer, prompt, config);
      return { ids, text: tokenizer.decode(ids), back: ids.map((i) => tokenizer.idToToken(i)) };
    }, (out) => {
      const { ids, text } = out as { ids: unknown[]; text: unknown };
      const bad = ids.find((i) => typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= VOCAB);
      if (bad !== undefined || ids.length === 0 || ids.length > 64) return `ids ${JSON.stringify(ids.slice(0, 8))} accepted`;
      return typeof text === 'string' ? true : 'decode gave no text';
    }, 2000);
  }
  tally.finish();
  assert.ok(tally.counts.accepted > 0 && tally.counts.clean > 0, 'both outcomes are exercised');
});
