import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointStep } from '../../../src/nn/checkpoint.js';
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

test('v2 checkpoints: a staged run killed after its checkpoint at step 3 and resumed (across the stage boundary) ends in the same bytes and loss log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-v2-resume-'));
  const knobs = {
    nEmbd: 16, nLayer: 1, nHead: 2, tokens: 8 * 4 * WORLD_CONTEXT, batchSize: 4, seed: 5, lr: 3e-3,
    stages: [{ corpus: { docs: 200, layouts: 'fixed' as const, antiShare: 0 }, share: 1 }, { corpus: { docs: 200, questions: 2 }, share: 1 }],
    engine: { threads: 1 },
  };
  const ckpt = join(dir, 'ckpt');
  const whole = await trainV2(knobs);
  try {
    await assert.rejects(trainV2({
      ...knobs, checkpointDir: ckpt, checkpointEvery: 3,
      onLog: (p) => {
        if (p.step === 5) throw new Error('killed');
      },
    }), /killed/);
    assert.equal(checkpointStep(ckpt), 3);
    const resumed = await trainV2({ ...knobs, checkpointDir: ckpt, checkpointEvery: 3, resume: true });
    try {
      assert.equal(resumed.resumedFromStep, 3);
      assert.equal(checkpointStep(ckpt), 8, 'a checkpoint after the last step');
      assert.deepEqual(resumed.log, whole.log, 'loss log identical');
      assert.equal(resumed.log.length, 8);
      assert.equal(resumed.finalEvalLoss, whole.finalEvalLoss);
      for (const [name, t] of whole.model.weights) {
        assert.ok(Buffer.from(t.data.buffer).equals(Buffer.from(resumed.model.weights.get(name)!.data.buffer)), `${name} bytes`);
      }
    } finally {
      await releaseEngineModel(resumed.model);
    }
    // Another run's checkpoint is refused by name of the differing knob (the caller's identity first).
    await assert.rejects(trainV2({ ...knobs, lr: 1e-3, checkpointDir: ckpt, resume: true }), /--lr 0\.003/);
    await assert.rejects(trainV2({ ...knobs, identity: { p: 0.5 }, checkpointDir: ckpt, resume: true }), /--p undefined/);
  } finally {
    await releaseEngineModel(whole.model);
    rmSync(dir, { recursive: true, force: true });
  }
});
