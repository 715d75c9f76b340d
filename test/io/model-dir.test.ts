import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nn from '../../src/nn/index.js';
import { readSafetensors, serializeSafetensors, type NamedTensor } from '../../src/io/safetensors.js';
import { UnknownPieceError } from '../../src/io/tokenizer.js';
import { isInputError } from '../../src/util/errors.js';

const tf = nn.tf;
const root = mkdtempSync(join(tmpdir(), 'lvh-io-'));
before(async () => {
  await nn.initBackend();
});
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

const words = ['alice', 'likes', 'tea', 'coffee', '.'];

async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => isInputError(err) && pattern.test((err as Error).message));
}

test('save → load round trip is exact (GPT-2 and Llama), in the Hugging Face layout, with tokenizer and card', async () => {
  const configs = [
    nn.gpt2Config({ vocabSize: 6, nPositions: 8, nEmbd: 8, nLayer: 2, nHead: 2 }),
    nn.llamaConfig({ vocabSize: 6, hiddenSize: 8, intermediateSize: 12, numLayers: 1, numHeads: 4, numKeyValueHeads: 2, maxPositions: 16, modelType: 'qwen2' }),
  ];
  for (const config of configs) {
    const model = nn.initModel(config, 11);
    const dir = join(root, config.model_type);
    nn.saveModelDir(model, dir, { tokenizerJson: nn.wordLevelTokenizerJson(words), extraFiles: { 'README.md': '# card\n' } });
    assert.deepEqual(readdirSync(dir).sort(), ['README.md', 'config.json', 'model.safetensors', 'tokenizer.json']);
    assert.equal(readdirSync(root).filter((f) => f.startsWith('.lvh-tmp')).length, 0);
    const saved = readSafetensors(join(dir, 'model.safetensors'));
    assert.equal(saved.metadata.format, 'pt');
    if (config.model_type === 'gpt2') {
      assert.deepEqual(saved.tensors.get('transformer.h.0.attn.c_attn.weight')!.shape, [8, 24]); // Conv1D [in, out]
      assert.ok(!saved.tensors.has('lm_head.weight')); // tied
    } else {
      assert.deepEqual(saved.tensors.get('model.layers.0.self_attn.k_proj.weight')!.shape, [4, 8]); // Linear [out, in]
      assert.ok(saved.tensors.has('model.layers.0.self_attn.q_proj.bias'));
      assert.ok(saved.tensors.has('lm_head.weight'));
    }
    const { model: back, tokenizer } = await nn.loadModelDir(dir);
    assert.deepEqual(back.config, { ...config, torch_dtype: 'float32' });
    for (const [name, t] of model.params) assert.deepEqual(back.params.get(name)!.dataSync(), t.dataSync(), name);
    assert.deepEqual(tokenizer!.encode('alice likes tea .'), [1, 2, 3, 5]);
    assert.equal(tokenizer!.decode([1, 2, 4]), 'alice likes coffee');
    nn.disposeModel(model);
    nn.disposeModel(back);
  }
});

test('GPT-2 loads with and without the `transformer.` key prefix, giving the same logits', async () => {
  const model = nn.initModel(nn.gpt2Config({ vocabSize: 6, nPositions: 8, nEmbd: 8, nLayer: 1, nHead: 2 }), 12);
  const prefixed = join(root, 'prefixed');
  nn.saveModelDir(model, prefixed);
  const bare = join(root, 'bare');
  nn.saveModelDir(model, bare);
  const weights = readSafetensors(join(prefixed, 'model.safetensors')).tensors;
  const stripped = new Map([...weights].map(([k, v]) => [k.replace(/^transformer\./, ''), v]));
  writeFileSync(join(bare, 'model.safetensors'), serializeSafetensors(stripped));
  const a = await nn.loadModelDir(prefixed);
  const b = await nn.loadModelDir(bare);
  assert.deepEqual(nn.nextTokenLogits(a.model, [1, 2, 3]), nn.nextTokenLogits(b.model, [1, 2, 3]));
  assert.equal(a.tokenizer, undefined);
  [model, a.model, b.model].forEach(nn.disposeModel);
});

test('sharded checkpoints load through model.safetensors.index.json', async () => {
  const model = nn.initModel(nn.llamaConfig({ vocabSize: 6, hiddenSize: 8, intermediateSize: 8, numLayers: 2, numHeads: 2, maxPositions: 8 }), 13);
  const dir = join(root, 'sharded');
  nn.saveModelDir(model, dir);
  const all = readSafetensors(join(dir, 'model.safetensors')).tensors;
  rmSync(join(dir, 'model.safetensors'));
  const names = [...all.keys()];
  const half = Math.ceil(names.length / 2);
  const shards = [names.slice(0, half), names.slice(half)];
  const weightMap: Record<string, string> = {};
  shards.forEach((part, i) => {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    writeFileSync(join(dir, file), serializeSafetensors(new Map(part.map((n) => [n, all.get(n)!]))));
    part.forEach((n) => (weightMap[n] = file));
  });
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  const back = await nn.loadModelDir(dir);
  for (const [name, t] of model.params) assert.deepEqual(back.model.params.get(name)!.dataSync(), t.dataSync());
  nn.disposeModel(model);
  nn.disposeModel(back.model);
});

test('bad directories are refused: pickle weights, unknown model_type, wrong shapes, missing tensors', async () => {
  const dir = join(root, 'pickle');
  const model = nn.initModel(nn.gpt2Config({ vocabSize: 6, nPositions: 8, nEmbd: 8, nLayer: 1, nHead: 2 }), 14);
  nn.saveModelDir(model, dir);
  rmSync(join(dir, 'model.safetensors'));
  writeFileSync(join(dir, 'pytorch_model.bin'), 'not really');
  await rejects(nn.loadModelDir(dir), /pytorch_model\.bin: format: expected safetensors: pickle checkpoints are refused; convert/);

  const cfgDir = join(root, 'bert');
  nn.saveModelDir(model, cfgDir);
  const cfg = JSON.parse(readFileSync(join(cfgDir, 'config.json'), 'utf8'));
  writeFileSync(join(cfgDir, 'config.json'), JSON.stringify({ ...cfg, model_type: 'bert' }));
  await rejects(nn.loadModelDir(cfgDir), /model_type: expected one of gpt2, llama, mistral, qwen2; got "bert"/);
  writeFileSync(join(cfgDir, 'config.json'), JSON.stringify({ ...cfg, n_embd: 16, n_head: 2 }));
  await rejects(nn.loadModelDir(cfgDir), /transformer\.wte\.weight: expected shape \[6, 16\]; got \[6, 8\]/);

  const missing = new Map([...readSafetensors(join(cfgDir, 'model.safetensors')).tensors].filter(([k]) => !k.includes('ln_f.bias')));
  writeFileSync(join(cfgDir, 'config.json'), JSON.stringify(cfg));
  writeFileSync(join(cfgDir, 'model.safetensors'), serializeSafetensors(missing));
  await rejects(nn.loadModelDir(cfgDir), /transformer\.ln_f\.bias: expected a tensor of shape \[8\] \(missing\)/);
  await rejects(nn.loadModelDir(join(root, 'nowhere')), /directory: expected an existing model directory/);
  assert.ok(!existsSync(join(root, 'nowhere')));
  nn.disposeModel(model);
  assert.ok(tf.memory().numTensors >= 0);
});

// A small saved GPT-2 (2 layers) with a word-level tokenizer, to be broken by each test.
function smallDir(name: string): { dir: string; config: Record<string, unknown>; weights: Map<string, NamedTensor> } {
  const model = nn.initModel(nn.gpt2Config({ vocabSize: 8, nPositions: 8, nEmbd: 8, nLayer: 2, nHead: 2 }), 21);
  const dir = join(root, name);
  nn.saveModelDir(model, dir, { tokenizerJson: nn.wordLevelTokenizerJson(words) });
  nn.disposeModel(model);
  return { dir, config: JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), weights: readSafetensors(join(dir, 'model.safetensors')).tensors };
}

test('NaN or ±Infinity in a weight is refused at load, naming the file and the tensor', async () => {
  const { dir, weights } = smallDir('nan');
  for (const bad of [NaN, Infinity, -Infinity]) {
    const w = new Map(weights);
    const data = Float32Array.from(w.get('transformer.ln_f.weight')!.data);
    data[3] = bad;
    w.set('transformer.ln_f.weight', { shape: [8], data });
    writeFileSync(join(dir, 'model.safetensors'), serializeSafetensors(w));
    await rejects(nn.loadModelDir(dir), /model\.safetensors: transformer\.ln_f\.weight: expected finite weights; value 3 of 8 is (NaN|-?Infinity)/);
  }
});

test('tensors the config does not use are refused, naming them (n_layer 1 on 2-layer weights); known buffers are allowed', async () => {
  const { dir, config, weights } = smallDir('extra');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, n_layer: 1 }));
  await rejects(nn.loadModelDir(dir), /model\.safetensors: transformer\.h\.1\.[a-z_.]+: expected only the tensors a gpt2 config with n_layer 1 uses; this one \(and 11 more\) is not one of them/);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const extra = new Map(weights).set('transformer.h.0.attn.extra', { shape: [1], data: Float32Array.from([1]) });
  writeFileSync(join(dir, 'model.safetensors'), serializeSafetensors(extra));
  await rejects(nn.loadModelDir(dir), /transformer\.h\.0\.attn\.extra: expected only the tensors a gpt2 config with n_layer 2 uses; this one is not one of them/);
  // Old GPT-2 exports carry causal-mask buffers, and a head tied to wte; the model ignores both.
  const buffers = new Map(weights)
    .set('transformer.h.0.attn.bias', { shape: [1, 1, 8, 8], data: new Float32Array(64) })
    .set('transformer.h.1.attn.masked_bias', { shape: [], data: Float32Array.from([-1e4]) })
    .set('lm_head.weight', weights.get('transformer.wte.weight')!);
  writeFileSync(join(dir, 'model.safetensors'), serializeSafetensors(buffers));
  const { model } = await nn.loadModelDir(dir);
  assert.equal(model.params.size, weights.size);
  nn.disposeModel(model);
});

test('shapes are compared with config.json before any tensor is read: a sparse 1.9 GB file is refused fast, in little memory', async () => {
  const { dir } = smallDir('sparse');
  const path = join(dir, 'model.safetensors');
  const header = Buffer.from(JSON.stringify({ 'transformer.wte.weight': { dtype: 'F32', shape: [475_000_000], data_offsets: [0, 1_900_000_000] } }));
  const head = new Uint8Array(8 + header.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(header.length), true);
  head.set(header, 8);
  writeFileSync(path, head);
  truncateSync(path, head.length + 1_900_000_000);
  const rss = process.memoryUsage().rss;
  const start = performance.now();
  await rejects(nn.loadModelDir(dir), /transformer\.wte\.weight: expected shape \[8, 8\]; got \[475000000\]/);
  assert.ok(performance.now() - start < 15_000, 'refused before decoding'); // before: 25 s and 5.7 GB
  assert.ok(process.memoryUsage().rss - rss < 100e6, 'without reading the data');
  rmSync(path);
  symlinkSync('/dev/zero', path);
  await rejects(nn.loadModelDir(dir), /model\.safetensors: \(file\): expected a safetensors file as a regular file, got a device/);
});

test('n_layer 2^32 is refused at once, saying the limit, before any parameter list is built', async () => {
  const { dir, config } = smallDir('layers');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, n_layer: 2 ** 32 }));
  const start = performance.now();
  await rejects(nn.loadModelDir(dir), /config\.json: n_layer: expected a positive integer <= 1024; got 4294967296/);
  assert.ok(performance.now() - start < 15_000); // before: minutes and 4 GB
});

test('tokenizer.json: ids must be integers in [0, vocab_size), refused naming the token before the tokenizer is built', async () => {
  const { dir } = smallDir('tok');
  const good = nn.wordLevelTokenizerJson(words) as { model: { vocab: Record<string, number> }; added_tokens: unknown[] };
  const cases: [object, RegExp][] = [
    [{ ...good, model: { ...good.model, vocab: { ...good.model.vocab, tea: 1e9 } } }, /model\.vocab: expected token ids in \[0, 8\) \(vocab_size in config\.json\); token "tea" has id 1000000000/],
    [{ ...good, model: { ...good.model, vocab: { ...good.model.vocab, tea: 8 } } }, /token "tea" has id 8/],
    [{ ...good, model: { ...good.model, vocab: { ...good.model.vocab, tea: 1.5 } } }, /token "tea" has id 1\.5/],
    [{ ...good, model: { ...good.model, vocab: { ...good.model.vocab, tea: '3' } } }, /token "tea" has id string/],
    [{ ...good, added_tokens: [{ id: 99, content: '<x>' }] }, /added_tokens\.0\.id: expected an id in \[0, 8\).*token "<x>" has id 99/],
    [{ ...good, model: { ...good.model, vocab: null } }, /model\.vocab: expected an object of token → id/],
    [{ ...good, model: 'WordLevel' }, /model: expected an object with a vocab/],
  ];
  for (const [json, pattern] of cases) {
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
    const start = performance.now();
    await rejects(nn.loadModelDir(dir), pattern);
    assert.ok(performance.now() - start < 30_000, 'no hang'); // before: minutes, linear in the id
  }
  rmSync(join(dir, 'tokenizer.json'));
  symlinkSync('/etc/passwd', join(dir, 'tokenizer.json'));
  await assert.rejects(nn.loadModelDir(dir), (err: unknown) => isInputError(err) && /tokenizer\.json: \(file\): expected valid JSON/.test((err as Error).message) && !(err as Error).message.includes('root'));
});

test('a tokenizer without an unknown token refuses unknown words by name; one with it reports them; word-level lowercase vocabularies say so', () => {
  const json = nn.wordLevelTokenizerJson(words) as { model: Record<string, unknown> };
  const withUnk = nn.tokenizerFromJson(json);
  assert.deepEqual(withUnk.encodeDetailed('alice likes Milk !'), { ids: [1, 2, 0, 0], unknown: ['Milk', '!'] });
  assert.match(withUnk.vocabularyHint, /lowercase words and punctuation marks, separated by spaces/);
  const noUnk = nn.tokenizerFromJson({ ...json, model: { ...json.model, unk_token: null, vocab: Object.fromEntries(words.map((w, i) => [w, i])) } });
  assert.deepEqual(noUnk.encode('alice likes tea'), [0, 1, 2]);
  assert.throws(() => noUnk.encode('alice likes Milk'), (err: unknown) => err instanceof UnknownPieceError && err.piece === 'Milk');
  assert.equal(nn.tokenizerFromJson(nn.wordLevelTokenizerJson(['Alice', 'tea'])).vocabularyHint, '');
});
