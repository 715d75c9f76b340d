import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isInputError } from '../../../src/util/errors.js';
import { releaseEngineModel } from '../../../src/nn/engine.js';
import { WORLD_CONTEXT } from '../../../src/organism/v2/world/index.js';
import { trainV2, v2Config } from '../../../src/organism/v2/train.js';

test('v2 training on the ORT engine: a staged run trains, is deterministic, and refuses bad knobs', async () => {
  const knobs = {
    nEmbd: 16, nLayer: 1, nHead: 2, tokens: 8 * 4 * WORLD_CONTEXT, batchSize: 4, seed: 3, lr: 3e-3,
    stages: [{ corpus: { docs: 300, layouts: 'fixed' as const, antiShare: 0 }, share: 1 }, { corpus: { docs: 300 }, share: 1 }],
    engine: { threads: 1 },
  };
  const a = await trainV2(knobs);
  const b = await trainV2(knobs);
  try {
    assert.equal(a.steps, 8);
    assert.equal(a.corpusSha256.length, 2);
    assert.notEqual(a.corpusSha256[0], a.corpusSha256[1]);
    assert.ok(Number.isFinite(a.finalEvalLoss) && a.finalEvalLoss < Math.log(v2Config(knobs).vocab_size) + 1, `eval loss ${a.finalEvalLoss}`);
    assert.equal(a.finalEvalLoss, b.finalEvalLoss);
    assert.deepEqual(a.model.weights.get('transformer.wte.weight')!.data.slice(0, 8), b.model.weights.get('transformer.wte.weight')!.data.slice(0, 8));
  } finally {
    await releaseEngineModel(a.model);
    await releaseEngineModel(b.model);
  }
  for (const bad of [{ stages: [] }, { stages: [{ corpus: {}, share: 0 }] }, { tokens: 0 }, { stages: [{ corpus: { p: 2 }, share: 1 }] }]) {
    await assert.rejects(() => trainV2({ ...knobs, ...bad }), (e: unknown) => isInputError(e), JSON.stringify(bad));
  }
});
