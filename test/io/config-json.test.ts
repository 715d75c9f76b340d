// config.json: every field the engine trusts is checked, with one InputError naming it, before any parameter list is built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_LIMITS, gpt2Config, llamaConfig, stopTokenIds, validateModelConfig } from '../../src/io/config.js';
import { readModelConfig } from '../../src/io/model-dir.js';
import { isInputError } from '../../src/util/errors.js';

const GPT2 = { ...gpt2Config({ vocabSize: 205, nPositions: 64, nEmbd: 64, nLayer: 2, nHead: 4, eosTokenId: 3 }) } as Record<string, unknown>;
const LLAMA = { ...llamaConfig({ vocabSize: 50, hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 4, numKeyValueHeads: 2, maxPositions: 32 }) } as Record<string, unknown>;

function refused(raw: unknown, pattern: RegExp): void {
  assert.throws(() => validateModelConfig(raw, 'config.json'), (err: unknown) => isInputError(err) && pattern.test((err as Error).message), `${JSON.stringify(raw)} → ${pattern}`);
}

test('valid GPT-2 and Llama configs pass with transformers defaults filled in', () => {
  const g = validateModelConfig(GPT2, 'config.json');
  assert.equal(g.model_type, 'gpt2');
  assert.equal((g as { layer_norm_epsilon: number }).layer_norm_epsilon, 1e-5);
  const { rope_theta: _t, rms_norm_eps: _e, tie_word_embeddings: _w, num_key_value_heads: _k, ...bare } = LLAMA;
  const l = validateModelConfig(bare, 'config.json');
  assert.equal(l.rope_theta, 10000);
  assert.equal(l.rms_norm_eps, 1e-6);
  assert.equal(l.tie_word_embeddings, false);
  assert.equal(l.num_key_value_heads, 4);
  assert.deepEqual(stopTokenIds(g), [3]);
  assert.deepEqual(stopTokenIds(validateModelConfig({ ...LLAMA, eos_token_id: [1, 2] }, 'c')), [1, 2]);
  assert.deepEqual(stopTokenIds(validateModelConfig({ ...LLAMA, eos_token_id: null }, 'c')), []);
});

test('GPT-2: n_head must divide n_embd; epsilons finite positive numbers; tie_word_embeddings false is refused', () => {
  for (const h of [3, 128, 1e21]) refused({ ...GPT2, n_head: h }, h === 3 ? /n_head: expected a divisor of n_embd 64; got 3/ : /n_head: expected (a divisor|a positive integer <= 1024)/);
  for (const eps of ['1e-5', 'Infinity', [1, 2], -1, -5, 0, 2, { a: 1 }]) {
    refused({ ...GPT2, layer_norm_epsilon: eps }, /layer_norm_epsilon: expected a number in \[1e-38, 1\]/);
  }
  refused({ ...GPT2, tie_word_embeddings: false }, /tie_word_embeddings: expected true: GPT-2 ties the head to the token embedding/);
  refused({ ...GPT2, tie_word_embeddings: 'yes' }, /tie_word_embeddings: expected true or false/);
  refused({ ...GPT2, n_inner: 0 }, /n_inner: expected a positive integer/);
});

test('Llama: rms_norm_eps, rope_theta, max_position_embeddings and num_key_value_heads are checked', () => {
  for (const eps of ['x', -1, 0]) refused({ ...LLAMA, rms_norm_eps: eps }, /rms_norm_eps: expected a number in \[1e-38, 1\]/);
  for (const theta of [0, -10000, 'x', 0.5, 1e-300]) refused({ ...LLAMA, rope_theta: theta }, /rope_theta: expected a finite number >= 1/);
  for (const m of [0, -1, 2.5, '64', 2 ** 40]) refused({ ...LLAMA, max_position_embeddings: m }, /max_position_embeddings: expected a positive integer <= 16777216/);
  for (const kv of ['2', 3, 0, 1.5]) refused({ ...LLAMA, num_key_value_heads: kv }, /num_key_value_heads: expected (a divisor of num_attention_heads 4; got 3|a positive integer)/);
  refused({ ...LLAMA, hidden_size: 18, head_dim: undefined }, /num_attention_heads: expected a divisor of hidden_size 18/);
  refused({ ...LLAMA, hidden_size: 12, head_dim: undefined }, /num_attention_heads: expected an even head width for rotary positions; got 3/);
  refused({ ...LLAMA, head_dim: 5 }, /head_dim: expected an even head width/);
  refused({ ...LLAMA, attention_bias: 'true' }, /attention_bias: expected true or false/);
  refused({ ...LLAMA, rope_scaling: { type: 'linear' } }, /rope_scaling: expected null/);
});

test('sizes are bounded before any parameter list is built, saying the limit (n_layer 2^32 fails at once)', () => {
  const start = performance.now();
  refused({ ...GPT2, n_layer: 2 ** 32 }, /n_layer: expected a positive integer <= 1024; got 4294967296/);
  refused({ ...LLAMA, num_hidden_layers: 1e9 }, /num_hidden_layers: expected a positive integer <= 1024; got 1000000000/);
  refused({ ...GPT2, n_layer: 2 ** 53 }, /n_layer: expected a positive integer <= 1024/);
  refused({ ...GPT2, vocab_size: 1e9 }, new RegExp(`vocab_size: expected a positive integer <= ${CONFIG_LIMITS.vocab}`));
  refused({ ...GPT2, n_embd: 1e9 }, /n_embd: expected a positive integer <= 65536/);
  assert.ok(performance.now() - start < 15_000); // before: minutes and 4 GB
});

test('token ids are integers inside the vocabulary or absent; model_type is a known family', () => {
  for (const id of [-1, 1e9, '3', 205, 1.5, []]) refused({ ...GPT2, eos_token_id: id }, /eos_token_id: expected an integer \(or a list of integers\) in \[0, 205\) \(vocab_size\) or no value/);
  refused({ ...GPT2, bos_token_id: 205 }, /bos_token_id: expected an integer in \[0, 205\)/);
  refused({ ...GPT2, model_type: 'bert' }, /model_type: expected one of gpt2, llama, mistral, qwen2; got "bert"/);
  refused({ ...GPT2, model_type: 'x'.repeat(100) }, /got a string of 100 characters/);
  for (const root of [[], null, 3, 'gpt2']) refused(root, /\(root\): expected a JSON object/);
});

test('config.json is read size-limited and strictly: duplicate keys, /dev/zero and a link to /etc/passwd give one line quoting nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-cfg-'));
  try {
    const fileRefused = (pattern: RegExp, absent?: string) =>
      assert.throws(() => readModelConfig(dir), (err: unknown) => isInputError(err) && pattern.test((err as Error).message) && (absent === undefined || !(err as Error).message.includes(absent)));
    writeFileSync(join(dir, 'config.json'), '{"model_type": "gpt2", "n_layer": 2, "n_layer": 4294967296}');
    fileRefused(/config\.json: n_layer: expected each key once in an object, got "n_layer" twice/);
    rmSync(join(dir, 'config.json'));
    symlinkSync('/etc/passwd', join(dir, 'config.json'));
    fileRefused(/config\.json: \(file\): expected valid JSON/, 'root');
    rmSync(join(dir, 'config.json'));
    symlinkSync('/dev/zero', join(dir, 'config.json'));
    fileRefused(/config\.json: \(file\): expected a config\.json as a regular file, got a device/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
