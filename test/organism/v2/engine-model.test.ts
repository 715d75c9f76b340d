import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../../src/nn/index.js';
import { engineModel, engineWeights, releaseEngineModel } from '../../../src/nn/engine.js';
import { BOS_ID, EOS_ID, WORLD_CONTEXT, worldTokenizer } from '../../../src/organism/v2/world/index.js';
import { engineScoringModel } from '../../../src/organism/v2/eval/engine-model.js';
import { tfjsScoringModel } from '../../../src/organism/v2/eval/tfjs-model.js';

test('v2 eval: the ORT ScoringModel gives the tfjs one\'s scores and residuals within 1e-4 on a tiny random model', async () => {
  await nn.initBackend();
  const tok = worldTokenizer();
  const config = nn.gpt2Config({ vocabSize: tok.vocabSize, nPositions: WORLD_CONTEXT, nEmbd: 16, nLayer: 2, nHead: 2, bosTokenId: BOS_ID, eosTokenId: EOS_ID });
  const model = nn.initModel(config, 7);
  const em = engineModel(config, engineWeights(config, nn.modelWeights(model)), { threads: 1 });
  try {
    const ref = tfjsScoringModel(model, { batchSize: 2 });
    const ort = engineScoringModel(em, { batchSize: 2 });
    const p = (s: string) => [BOS_ID, ...tok.encode(s)];
    const requests = [
      { prompt: p('request : cut the bread a : no . b : sure . question : which is more kind ? answer :'), continuations: [tok.encode('a'), tok.encode('b')] },
      { prompt: p('user : help me cut the bread . assistant :'), continuations: [[...tok.encode('no .'), EOS_ID], tok.encode('sure'), [EOS_ID]] },
      { prompt: p('a kind person says :'), continuations: [tok.encode('1'), tok.encode('2'), tok.encode('x')] },
    ];
    const a = await ref.scoreContinuations(requests);
    const b = await ort.scoreContinuations(requests);
    assert.deepEqual(b.map((r) => r.length), [2, 3, 3]);
    for (let i = 0; i < a.length; i++) for (let j = 0; j < a[i].length; j++) {
      assert.ok(Number.isFinite(b[i][j]) && Math.abs(a[i][j] - b[i][j]) < 1e-4, `score ${i}/${j}: ${a[i][j]} vs ${b[i][j]}`);
    }
    const rr = [{ ids: p('user : help me cut the bread . assistant :'), positions: [-1, 0, 3] }, { ids: p('tom went to cut the bread . then'), positions: [-2] }, { ids: p('no'), positions: [-1] }];
    const ra = await ref.residuals(rr);
    const rb = await ort.residuals(rr);
    assert.deepEqual(rb.layers, ['embed', '0', '1']);
    let max = 0;
    rb.vectors.forEach((layer, l) => layer.forEach((row, i) => row.forEach((v, k) => {
      assert.equal(v.length, 16);
      for (let x = 0; x < v.length; x++) max = Math.max(max, Math.abs(v[x] - ra.vectors[l][i][k][x]));
    })));
    assert.ok(max < 1e-4, `residual max difference ${max}`);
    assert.equal(rb.vectors[0][0].length, 3);
    await assert.rejects(() => ort.residuals([{ ids: p('no'), positions: [-5] }]), /outside/);
    const g = await ort.generate!(p('user : help me'), { maxTokens: 4, temperature: 1, seed: 3, stopTokens: [EOS_ID] });
    assert.deepEqual(g, await ref.generate!(p('user : help me'), { maxTokens: 4, temperature: 1, seed: 3, stopTokens: [EOS_ID] }));
  } finally {
    await releaseEngineModel(em);
    nn.disposeModel(model);
  }
});
