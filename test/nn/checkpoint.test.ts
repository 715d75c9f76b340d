import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nn from '../../src/nn/index.js';
import { createRng } from '../../src/linalg/rng.js';
import { isInputError } from '../../src/util/errors.js';

before(async () => {
  await nn.initBackend();
});

const config = () => nn.gpt2Config({ vocabSize: 11, nPositions: 16, nEmbd: 8, nLayer: 2, nHead: 2 });
const tokens = Array.from({ length: 400 }, (_, i) => (i * 7 + (i >> 3)) % 11);
const options = { steps: 8, lr: 1e-2, warmupSteps: 2, weightDecay: 0.1, clipNorm: 1, tokens, batchSize: 2, seqLen: 8, seed: 3 };

function weightBytes(model: nn.Model): Map<string, Buffer> {
  return new Map([...nn.modelWeights(model)].map(([k, t]) => [k, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)]));
}

test('checkpoint: train 8 steps vs 4 + save + load + resume 4 gives the same weight bytes and losses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-ckpt-'));
  try {
    const whole = nn.initModel(config(), 1);
    const a = nn.train(whole, options);

    // The interrupted run: checkpoints every 4 steps, killed (a throw) right after the one at step 4.
    const first = nn.initModel(config(), 1);
    assert.throws(() => nn.train(first, {
      ...options,
      checkpointEvery: 4,
      onCheckpoint: (state) => {
        nn.saveCheckpoint(dir, { state, run: { steps: 8 }, rng: { data: createRng(1).state() }, dataPosition: state.step, log: [{ step: state.step }] });
        if (state.step === 4) throw new Error('killed');
      },
    }), /killed/);
    nn.disposeModel(first);

    const c = nn.loadCheckpoint(dir)!;
    assert.equal(c.state.step, 4);
    assert.equal(c.state.losses.length, 4);
    assert.deepEqual(c.run, { steps: 8 });
    assert.deepEqual(c.log, [{ step: 4 }]);
    assert.deepEqual(c.rng.data, createRng(1).state());
    const resumed = nn.initModel(config(), 99); // other initial weights: all must come from the checkpoint
    const b = nn.train(resumed, { ...options, resume: c.state });
    assert.deepEqual(b.losses, a.losses, 'loss log identical');
    const [wa, wb] = [weightBytes(whole), weightBytes(resumed)];
    for (const [name, bytes] of wa) assert.ok(bytes.equals(wb.get(name)!), `${name} bytes`);
    nn.disposeModel(whole);
    nn.disposeModel(resumed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('checkpoint: the sidecar is the commit point; one tensor file is kept; changed bytes are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-ckpt-'));
  try {
    const shape = [2, 3];
    const t = (x: number) => ({ shape, data: Float32Array.from({ length: 6 }, (_, i) => x + i / 7) });
    const state = (step: number): nn.TrainState => ({
      step, params: new Map([['w', t(step)]]), adamM: new Map([['w', t(0.5)]]), adamV: new Map([['w', t(0.25)]]),
      losses: Array.from({ length: step }, (_, i) => (i === 0 ? NaN : 1 / (i + 1))), evalLosses: [{ step: 1, loss: 2.5 }], seconds: 1.5,
    });
    assert.equal(nn.loadCheckpoint(dir), undefined, 'no checkpoint yet');
    nn.saveCheckpoint(dir, { state: state(2), run: { a: 1 }, rng: {}, dataPosition: 2, log: [] });
    nn.saveCheckpoint(dir, { state: state(3), run: { a: 1 }, rng: {}, dataPosition: 3, log: [] });
    assert.deepEqual(readdirSync(dir).sort(), ['checkpoint-00000003.safetensors', 'checkpoint.json']);
    const c = nn.loadCheckpoint(dir)!;
    assert.equal(c.state.step, 3);
    assert.equal(nn.checkpointStep(dir), 3);
    assert.ok(Number.isNaN(c.state.losses[0]), 'a NaN loss survives as NaN');
    assert.deepEqual(c.state.losses.slice(1), [1 / 2, 1 / 3]);
    assert.deepEqual([...c.state.params.get('w')!.data], [...t(3).data]);
    assert.deepEqual([...c.state.adamV.get('w')!.data], [...t(0.25).data]);

    // A kill between the tensor file and the sidecar: the sidecar still names the previous, complete file.
    writeFileSync(join(dir, 'checkpoint-00000004.safetensors'), 'half');
    assert.equal(nn.loadCheckpoint(dir)!.state.step, 3);

    const file = join(dir, 'checkpoint-00000003.safetensors');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(file, bytes);
    assert.throws(() => nn.loadCheckpoint(dir), (e: unknown) => isInputError(e) && /sha256/.test((e as Error).message));
    writeFileSync(join(dir, 'checkpoint.json'), '{"format":"other"}');
    assert.throws(() => nn.loadCheckpoint(dir), (e: unknown) => isInputError(e));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('checkpoint: a resume state of another model is refused', () => {
  const model = nn.initModel(config(), 1);
  const state: nn.TrainState = { step: 1, params: new Map(), adamM: new Map(), adamV: new Map(), losses: [1], evalLosses: [], seconds: 0 };
  assert.throws(() => nn.train(model, { ...options, resume: state }), /parameters/);
  nn.disposeModel(model);
});
