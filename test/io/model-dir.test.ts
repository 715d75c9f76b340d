import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nn from '../../src/nn/index.js';
import { readSafetensors, serializeSafetensors } from '../../src/io/safetensors.js';
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
