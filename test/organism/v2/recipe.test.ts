import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CORPUS_OPTIONS } from '../../../src/organism/v2/corpus/generate.js';
import { DEFAULT_V2_RECIPE, DEFAULT_V2_SIZE, V2_SIZES, v2Recipe } from '../../../src/organism/v2/recipe.js';

test('v2 recipe: the defaults reproduce the r16 stages (r4 of scratch/v2/seeds.sh with plainShare 0.2, <unk> in narratives and commentary, negated principles in the last stage) exactly, and knobs reach every stage', () => {
  const mix = { narrative: 0.2, commentary: 0.15, dialogue: 0.15, comparison: 0.5 };
  // seeds.sh gives no p or q: the corpus defaults, which the recipe's defaults equal.
  assert.equal(DEFAULT_CORPUS_OPTIONS.p, DEFAULT_V2_RECIPE.p);
  assert.equal(DEFAULT_CORPUS_OPTIONS.q, DEFAULT_V2_RECIPE.q);
  const pq = { p: 0.3, q: 0.3 };
  const plainShare = 0.2;
  const unk = { unkShare: 0.02, unkKinds: ['narrative', 'commentary'] };
  assert.deepEqual(v2Recipe(), [
    { corpus: { ...pq, docs: 200000, antiShare: 0, layouts: 'fixed', mix, plainShare, ...unk }, share: 0.3 },
    { corpus: { ...pq, docs: 200000, antiShare: 0, mix, plainShare, ...unk }, share: 0.3 },
    { corpus: { ...pq, docs: 200000, antiShare: 0.3, questions: 2, mix, plainShare, ...unk, negationShare: 0.2 }, share: 0.4 },
  ]);
  assert.deepEqual(DEFAULT_V2_RECIPE, { p: 0.3, q: 0.3, tokens: 24_000_000, seed: 1, docs: 200_000, batchSize: 16, lr: 3e-3 });
  const s = v2Recipe({ p: 0.1, q: 0.6, docs: 500 });
  for (const st of s) assert.deepEqual([st.corpus.p, st.corpus.q, st.corpus.docs], [0.1, 0.6, 500]);
  assert.equal(DEFAULT_V2_SIZE, 'l');
  assert.deepEqual(V2_SIZES.xs, { nEmbd: 16, nLayer: 1, nHead: 2 });
});
