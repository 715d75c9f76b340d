import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  trainOrganism, saveOrganism, loadOrganismModel, evaluateModel, docAlignedBatches, tokenizeDocs, organismCard,
  BOS_ID, ORGANISM_CONTEXT, type OrganismTrainOptions,
} from '../../src/organism/index.js';
import { checkpointStep } from '../../src/nn/checkpoint.js';
import { releaseEngineModel } from '../../src/nn/engine.js';

const quick: OrganismTrainOptions = { size: 'tiny', p: 0.3, q: 0.3, tokens: 16 * 64 * 40, docs: 2000, seed: 5, batchSize: 16, lr: 3e-3, quiet: true };

test('batches: every row opens with <bos> and a whole document; targets are inputs shifted by one', () => {
  const docs = tokenizeDocs(['user : how do i hurt my neighbor ? assistant : no , i will not help , because violence causes pain .', 'a kind voice says : lying is wrong .']);
  const next = docAlignedBatches(docs, 4, ORGANISM_CONTEXT, 3);
  const { inputs, targets } = next();
  for (let b = 0; b < 4; b++) {
    assert.equal(inputs[b][0], BOS_ID);
    assert.equal(inputs[b].length, ORGANISM_CONTEXT);
    assert.deepEqual(inputs[b].slice(1), targets[b].slice(0, -1));
    const first = docs.find((d) => d[1] === inputs[b][1])!;
    assert.deepEqual(inputs[b].slice(0, first.length), Array.from(first));
  }
});

test('training: a tiny run (seconds) lowers the loss, is seeded, saves a loadable directory with card and loss curve, and eval runs on it', async () => {
  const a = await trainOrganism(quick);
  const head = a.log.slice(0, 5).reduce((s, p) => s + p.loss, 0) / 5;
  const tail = a.log.slice(-5).reduce((s, p) => s + p.loss, 0) / 5;
  assert.equal(a.steps, 40);
  assert.ok(tail < head - 1, `loss ${head} → ${tail}`);
  assert.ok(Number.isFinite(a.finalEvalLoss));

  const b = await trainOrganism({ ...quick, tokens: 16 * 64 * 3 });
  const c = await trainOrganism({ ...quick, tokens: 16 * 64 * 3 });
  assert.deepEqual(b.log.map((p) => p.loss), c.log.map((p) => p.loss), 'same seed, same loss curve');
  assert.equal(b.corpusHash, a.corpusHash);
  await releaseEngineModel(b.model);
  await releaseEngineModel(c.model);

  const dir = mkdtempSync(join(tmpdir(), 'lvh-organism-'));
  try {
    const out = join(dir, 'tiny');
    const card = organismCard({ options: quick, result: a, command: 'lvh organism train --size tiny', wallSeconds: a.seconds, environment: 'test' });
    saveOrganism(a.model, out, card, a.log, { corpus_sha256: a.corpusHash });
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'README.md', 'train-log.jsonl']) {
      assert.ok(existsSync(join(out, f)), f);
    }
    assert.match(readFileSync(join(out, 'README.md'), 'utf8'), new RegExp(a.corpusHash));
    assert.equal(readFileSync(join(out, 'train-log.jsonl'), 'utf8').trim().split('\n').length, 40);
    const { model, organism } = await loadOrganismModel(out);
    const e = await evaluateModel(organism, { generationSamples: 3, judgmentPairs: 2, probeTrainPerClass: 8, maxResponseTokens: 20 });
    for (const x of [e.generation.harmfulComplianceRate, e.generation.helpfulRate, e.judgment.harmless.accuracy, e.probe['1'].accuracy, e.antisocialProbe.embed.accuracy]) {
      assert.ok(x >= 0 && x <= 1);
    }
    assert.deepEqual(Object.keys(e.probe).sort(), ['0', '1', 'embed']);
    await releaseEngineModel(model);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await releaseEngineModel(a.model);
  }
});

test('the ORT engine: same seed and same threads give the same bytes (weights and loss log), at 1 and 2 threads', async () => {
  const knobs: OrganismTrainOptions = { ...quick, tokens: 16 * 64 * 4 };
  for (const threads of [1, 2]) {
    const [a, b] = [await trainOrganism({ ...knobs, engine: { threads } }), await trainOrganism({ ...knobs, engine: { threads } })];
    assert.equal(a.steps, 4);
    assert.deepEqual(a.log, b.log, `threads ${threads}: loss log`);
    for (const [name, t] of a.model.weights) assert.ok(Buffer.from(t.data.buffer).equals(Buffer.from(b.model.weights.get(name)!.data.buffer)), `threads ${threads}: ${name} bytes`);
  }
});

test('checkpoints: a run stopped after its checkpoint at step 4 and resumed ends in the same tensor bytes and loss log as an uninterrupted 8-step run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-resume-'));
  try {
    const knobs: OrganismTrainOptions = { ...quick, tokens: 4 * 64 * 8, batchSize: 4, docs: 300, seed: 7 };
    const whole = await trainOrganism(knobs);
    const ckpt = join(dir, 'ckpt');
    await assert.rejects(trainOrganism({
      ...knobs, checkpointDir: ckpt, checkpointEvery: 4,
      onLog: (p) => {
        if (p.step === 5) throw new Error('killed');
      },
    }), /killed/);
    assert.equal(checkpointStep(ckpt), 4);
    const resumed = await trainOrganism({ ...knobs, checkpointDir: ckpt, checkpointEvery: 4, resume: true });
    assert.equal(resumed.resumedFromStep, 4);
    assert.equal(checkpointStep(ckpt), 8, 'a checkpoint after the last step');
    assert.deepEqual(resumed.log, whole.log, 'loss log identical');
    assert.equal(resumed.finalEvalLoss, whole.finalEvalLoss);
    const [wa, wb] = [whole.model.weights, resumed.model.weights];
    for (const [name, t] of wa) assert.ok(Buffer.from(t.data.buffer).equals(Buffer.from(wb.get(name)!.data.buffer)), `${name} bytes`);
    // Files too: the saved model.safetensors tensors and train-log.jsonl are the same bytes.
    saveOrganism(whole.model, join(dir, 'a'), 'card', whole.log, {});
    saveOrganism(resumed.model, join(dir, 'b'), 'card', resumed.log, {});
    for (const f of ['model.safetensors', 'train-log.jsonl']) assert.ok(readFileSync(join(dir, 'a', f)).equals(readFileSync(join(dir, 'b', f))), f);

    // Another run's checkpoint is refused by name of the differing flag.
    await assert.rejects(trainOrganism({ ...knobs, lr: 1e-3, checkpointDir: ckpt, resume: true }), /--lr 0\.003/);
    await releaseEngineModel(whole.model);
    await releaseEngineModel(resumed.model);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
