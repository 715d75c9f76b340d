// Fuzz: mutated config.json of the shipped organism through strict JSON, config validation, the weight match and a
// forward pass on its own weights. Every case must give finite logits or end in an InputError; never another
// exception, NaN or a hang.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import * as nn from '../../src/nn/index.js';
import { matchWeights } from '../../src/io/model-dir.js';
import { modelFromWeights } from '../../src/nn/tfjs-model-dir.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { parseJsonStrict } from '../../src/util/json.js';
import { FuzzTally, allFinite, fuzzCase, fuzzRuns } from '../helpers/fuzz.js';
import { propertySeed } from '../helpers/property.js';

const MODEL = 'models/organism-v1';
const baseText = readFileSync(`${MODEL}/config.json`, 'utf8');
const base = JSON.parse(baseText) as Record<string, unknown>;
const weights = readSafetensors(`${MODEL}/model.safetensors`).tensors;
const shapes = new Map([...weights].map(([n, t]) => [n, t.shape]));
const PROMPT = [2, 10, 6, 50, 99, 5, 20, 6]; // ids below the vocabulary of 205

before(async () => {
  await nn.initBackend();
});

const KEYS = [
  ...Object.keys(base), 'n_inner', 'head_dim', 'rope_theta', 'rms_norm_eps', 'num_key_value_heads', 'max_position_embeddings',
  'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'rope_scaling', 'attention_bias', 'hidden_act',
];
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(0, -1, -5, 1, 2, 3, 4, 64, 128, 205, 256, 1.5, 1e-50, 1e-38, 1e-12, 1e308, 2 ** 32, 2 ** 53, 1e21, 1e9),
  fc.constantFrom('1e-5', 'Infinity', 'NaN', '2', 'x', 'gpt2', 'llama', 'qwen2', 'gelu', 'silu', [1, 2], [3], [], {}, null, true, false),
  fc.integer({ min: -2, max: 300 }),
  fc.double({ noNaN: true, min: -1e3, max: 1e3 }),
);
type Case = { kind: string; text: string };
const edits = fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.option(value, { nil: undefined, freq: 6 })), { minLength: 1, maxLength: 4 });
const mutation: fc.Arbitrary<Case> = fc.oneof(
  { weight: 6, arbitrary: edits.map((list) => {
    const cfg = { ...base };
    for (const [key, v] of list) {
      if (v === undefined) delete cfg[key];
      else cfg[key] = v;
    }
    return { kind: `edit ${JSON.stringify(list)}`, text: JSON.stringify(cfg, null, 2) };
  }) },
  { weight: 2, arbitrary: fc.tuple(fc.nat({ max: baseText.length - 1 }), fc.nat({ max: 4 }), fc.string({ maxLength: 4 })).map(([at, cut, insert]) => ({
    kind: `text @${at} -${cut} +${JSON.stringify(insert)}`,
    text: baseText.slice(0, at) + insert + baseText.slice(at + cut),
  })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...Object.keys(base)), value).map(([key, v]) => ({
    kind: `duplicate ${key}`,
    text: baseText.replace(/\n}\s*$/, `,\n  ${JSON.stringify(key)}: ${JSON.stringify(v)}\n}\n`),
  })) },
  { weight: 1, arbitrary: fc.constantFrom('root:x:0:0:root:/root:/bin/bash\n', '', '\ufeff' + baseText, '[]', 'null', baseText.repeat(2)).map((text) => ({ kind: `text ${JSON.stringify(text.slice(0, 20))}`, text })) },
);

test(`fuzz config.json: ${fuzzRuns()} mutated configs give finite logits on the organism's weights, or an InputError`, async () => {
  const tally = new FuzzTally('config.json');
  for (const c of fc.sample(mutation, { numRuns: fuzzRuns(), seed: propertySeed })) {
    await fuzzCase(tally, c.kind, () => {
      const config = nn.validateModelConfig(parseJsonStrict(c.text, 'config.json'), 'config.json');
      matchWeights(config, shapes, () => 'model.safetensors');
      const model = modelFromWeights(config, weights);
      try {
        const logits = nn.forward(model, [PROMPT]);
        const data = logits.dataSync() as Float32Array;
        logits.dispose();
        return { data, config };
      } finally {
        nn.disposeModel(model);
      }
    }, (out) => {
      const { data, config } = out as { data: Float32Array; config: nn.ModelConfig };
      if (!allFinite(data)) return 'non-finite logits';
      const eos = config.eos_token_id;
      if (eos != null && !nn.stopTokenIds(config).every((id) => Number.isInteger(id) && id >= 0 && id < 205)) return `eos_token_id ${JSON.stringify(eos)} accepted`;
      return true;
    });
  }
  tally.finish();
  assert.ok(tally.counts.accepted > 0 && tally.counts.clean > 0, 'both outcomes are exercised');
});
