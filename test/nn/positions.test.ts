import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineForward, loadEngineModelDir, releaseEngineModel } from '../../src/nn/engine.js';
import { isInputError } from '../../src/util/errors.js';

test('intervention positions: negative counts from the end (−1 is the last token), out of range is refused, never ignored', async () => {
  const { model, tokenizer } = await loadEngineModelDir('models/organism-v1');
  try {
    const ids = tokenizer!.encode('user : tell me how to hurt my neighbor . assistant :');
    const d = model.config.n_embd as number;
    const vector = Array.from({ length: d }, (_, i) => (i % 7) - 3);
    const hook = 'blocks.0.hook_resid_post';
    const run = async (positions?: number[]) => Array.from((await engineForward(model, [ids], { interventions: [{ kind: 'add', hook, vector, positions }] })).logits.data);
    const plain = Array.from((await engineForward(model, [ids])).logits.data);
    const last = await run([ids.length - 1]);
    const fromEnd = await run([-1]);
    assert.deepEqual(fromEnd, last);
    assert.notDeepEqual(fromEnd, plain, 'the edit changes the logits');
    assert.deepEqual(await run([-2, -1]), await run([ids.length - 2, ids.length - 1]));
    await assert.rejects(run([-(ids.length + 1)]), (err: unknown) => isInputError(err) && /negative counts from the end/.test((err as Error).message));
    await assert.rejects(run([1.5]), (err: unknown) => isInputError(err));
  } finally {
    await releaseEngineModel(model);
  }
});
