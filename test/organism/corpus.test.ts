import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  corpusHash, corpusText, describeCorpus, generateCorpus, requestsOfSplit, worldTokenizer, buildTokenizerJson,
  allCommentary, isCommentaryHeldOut, UNK_ID, ORGANISM_CONTEXT, HELD_OUT_PRINCIPLES, PRO_PRINCIPLES, ANTI_PRINCIPLES,
} from '../../src/organism/index.js';
import { Tokenizer } from '@huggingface/tokenizers';

test('corpus: same knobs give the same bytes; another seed or p gives another corpus', () => {
  const a = generateCorpus({ p: 0.3, q: 0.3, docs: 3000, seed: 7 });
  const b = generateCorpus({ p: 0.3, q: 0.3, docs: 3000, seed: 7 });
  assert.equal(corpusText(a), corpusText(b));
  assert.equal(corpusHash(a), corpusHash(b));
  assert.notEqual(corpusHash(generateCorpus({ p: 0.3, q: 0.3, docs: 3000, seed: 8 })), corpusHash(a));
  assert.notEqual(corpusHash(generateCorpus({ p: 0.5, q: 0.3, docs: 3000, seed: 7 })), corpusHash(a));
});

test('corpus: knobs p and q set the compliance and anti-social shares (within 4 standard errors)', () => {
  for (const [p, q] of [[0.3, 0.3], [0.8, 0.05]]) {
    const d = describeCorpus(generateCorpus({ p, q, docs: 8000, seed: 3 }));
    const pHat = d.dialogues.complied / d.dialogues.harmful;
    const qHat = d.commentary.antiSocial / (d.commentary.antiSocial + d.commentary.proSocial);
    assert.ok(Math.abs(pHat - p) < 4 * Math.sqrt((p * (1 - p)) / d.dialogues.harmful), `p ${pHat} vs ${p}`);
    const nC = d.commentary.antiSocial + d.commentary.proSocial;
    assert.ok(Math.abs(qHat - q) < 4 * Math.sqrt((q * (1 - q)) / nC), `q ${qHat} vs ${q}`);
    assert.equal(d.kinds.dialogue + d.kinds.commentary + d.kinds.comparison, 8000);
  }
  const none = describeCorpus(generateCorpus({ p: 0, q: 0, docs: 2000, seed: 3 }));
  assert.equal(none.dialogues.complied, 0);
  assert.equal(none.commentary.antiSocial, 0);
});

test('corpus: held-out requests, held-out commentary and held-out principles never appear in training documents', () => {
  const corpus = generateCorpus({ p: 0.5, q: 0.5, docs: 6000, seed: 11 });
  const text = corpusText(corpus);
  for (const r of requestsOfSplit('heldout')) assert.ok(!text.includes(` ${r.text} `), `held-out request in corpus: ${r.text}`);
  const lines = new Set(corpus.docs);
  for (const c of allCommentary().filter(isCommentaryHeldOut)) assert.ok(!lines.has(c.text), c.text);
  for (const p of HELD_OUT_PRINCIPLES) {
    assert.ok(!text.includes(`more ${p} ?`), `principle ${p} in a comparison`);
    assert.ok(corpus.docs.some((d) => d.includes(` ${p} `)), `principle ${p} occurs in commentary`);
  }
  // Principles that comparisons use also occur in commentary (a constitution elicits a direction learned elsewhere).
  for (const p of [...PRO_PRINCIPLES, ...ANTI_PRINCIPLES]) {
    assert.ok(corpus.docs.some((d, i) => corpus.kinds[i] === 'commentary' && d.includes(` ${p} `)), `${p} in commentary`);
  }
});

test('tokenizer: tokenizer.json loads in @huggingface/tokenizers, round-trips the corpus, no unknown tokens, fits the context', () => {
  const tok = worldTokenizer();
  assert.ok(tok.vocabSize > 100 && tok.vocabSize < 400, `vocab ${tok.vocabSize}`);
  const json = JSON.parse(JSON.stringify(buildTokenizerJson())) as Record<string, unknown>;
  const hf = new Tokenizer(json, { unk_token: '<unk>' });
  const corpus = generateCorpus({ p: 0.3, q: 0.3, docs: 1500, seed: 2 });
  for (const doc of corpus.docs) {
    const ids = tok.encode(doc);
    assert.ok(!ids.includes(UNK_ID), doc);
    assert.ok(ids.length + 2 <= ORGANISM_CONTEXT, `document of ${ids.length} tokens: ${doc}`);
    assert.equal(tok.decode(ids), doc);
    assert.deepEqual(hf.encode(doc, { add_special_tokens: false }).ids, ids);
  }
  assert.deepEqual(tok.encode('zebra'), [UNK_ID]);
});
