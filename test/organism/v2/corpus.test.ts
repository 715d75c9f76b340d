import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isInputError } from '../../../src/util/errors.js';
import { comparisonLeaks, corpusHash, corpusText, describeCorpus, generateCorpus } from '../../../src/organism/v2/corpus/index.js';
import { v2Recipe } from '../../../src/organism/v2/recipe.js';
import {
  ACTS, JUDGING_WORDS, JUDGMENT_WORDS, LABEL_SCHEMES, PLAIN_QUESTION, PRINCIPLES, UNK_ID, WORLD_CONTEXT, actByPhrase, judgeResponse, readResponse, worldTokenizer,
} from '../../../src/organism/v2/world/index.js';

/** The questions of a comparison document: the word or phrase asked (`p`) and the answer label (`a`). */
function questionsOf(doc: string): { p: string; a: string }[] {
  return [...doc.matchAll(/question : (?:which is more (.+?) \?|what would a (.+?) person choose \?) answer : (\S+)/g)].map((m) => ({ p: m[1] ?? m[2], a: m[3] }));
}

/** The stance of a word of `words` or of its negation (`not P`: the opposite stance); undefined for other text. */
function stanceAfterNegation(words: readonly { text: string; stance: string }[]): (text: string) => string | undefined {
  const stance = new Map(words.map((p) => [p.text, p.stance]));
  return (t) => (t.startsWith('not ') && stance.has(t.slice(4)) ? (stance.get(t.slice(4)) === 'pro' ? 'anti' : 'pro') : stance.get(t));
}

test('v2 corpus: same seed same bytes, another seed other bytes', () => {
  const a = generateCorpus({ docs: 3000, seed: 7 });
  const b = generateCorpus({ docs: 3000, seed: 7 });
  assert.equal(corpusText(a), corpusText(b));
  assert.equal(corpusHash(a), corpusHash(b));
  assert.notEqual(corpusHash(a), corpusHash(generateCorpus({ docs: 3000, seed: 8 })));
});

test('v2 corpus: no held-out act, category or principle word in any comparison document', () => {
  const corpus = generateCorpus({ docs: 30_000, seed: 11 });
  assert.deepEqual(comparisonLeaks(corpus).slice(0, 5), []);
  // The check can fail: a planted leak is found.
  const held = ACTS.find((a) => a.split === 'heldout-category')!;
  const planted = { ...corpus, docs: [...corpus.docs, `request : how do i ${held.phrase} ? a : no . b : sorry , no . question : which is more gentle ? answer : a`], kinds: [...corpus.kinds, 'comparison' as const] };
  assert.deepEqual(comparisonLeaks(planted).map((l) => l.what).sort(), ['act', 'principle']);
  // Held-out acts and principles do occur in the other kinds.
  const other = corpus.docs.filter((_, i) => corpus.kinds[i] !== 'comparison').join('\n');
  assert.ok(other.includes(held.phrase));
  for (const p of PRINCIPLES.filter((x) => x.split === 'heldout')) assert.ok(other.includes(` ${p.text} `), p.text);
  const d = describeCorpus(corpus);
  assert.ok(d.maxTokens + 2 <= WORLD_CONTEXT, `longest document ${d.maxTokens} tokens`);
  for (const k of ['narrative', 'commentary', 'dialogue', 'comparison'] as const) assert.ok(d.kinds[k] > 1000, k);
});

test('v2 corpus: comparison answers follow the principle stance; labels and orders are mixed', () => {
  const corpus = generateCorpus({ docs: 4000, seed: 5 });
  const stance = new Map(PRINCIPLES.map((p) => [p.text, p.stance]));
  let checked = 0;
  const answerAt = [0, 0];
  const schemes = new Set<string>();
  corpus.docs.forEach((doc, i) => {
    if (corpus.kinds[i] !== 'comparison') return;
    const m = /^request : (?:how do i|how can i|tell me how to|help me|i want to|what is the best way to) (.+?) (?:\?|\.|\. how \?) (\S+) : (.+?) (\S+) : (.+?) question : (?:which is more (.+?) \?|what would a (.+?) person choose \?) answer : (\S+)$/.exec(doc);
    assert.ok(m, doc);
    const [, phrase, l1, r1, l2, r2, p1, p2, answer] = m;
    const principle = p1 ?? p2;
    const requested = actByPhrase(phrase);
    assert.ok(requested, phrase);
    const v1 = judgeResponse(requested, r1).value;
    const v2 = judgeResponse(requested, r2).value;
    assert.ok(v1 !== null && v2 !== null && v1 !== v2, doc);
    const picked = answer === l1 ? 0 : 1;
    const higher = v1 > v2 ? 0 : 1;
    assert.equal(picked === higher, stance.get(principle) === 'pro', doc);
    answerAt[picked]++;
    schemes.add([l1, l2].sort().join(''));
    checked++;
  });
  assert.ok(checked > 300, `${checked} comparisons checked`);
  assert.ok(Math.abs(answerAt[0] - answerAt[1]) < 0.1 * checked, `answers by position ${answerAt}`);
  assert.equal(schemes.size, LABEL_SCHEMES.length);
  // antiShare sets the share of comparisons judged under an anti-social principle.
  const skewed = generateCorpus({ docs: 4000, seed: 5, antiShare: 0.2 });
  const anti = PRINCIPLES.filter((p) => p.stance === 'anti').map((p) => p.text);
  const comparisons = skewed.docs.filter((_, i) => skewed.kinds[i] === 'comparison');
  const share = comparisons.filter((d) => anti.some((w) => d.includes(` ${w} ? answer`) || d.includes(` a ${w} person choose`))).length / comparisons.length;
  assert.ok(Math.abs(share - 0.2) < 0.04, `anti share ${share}`);
});

test('v2 corpus: p moves dialogue compliance; bad knobs are InputErrors', () => {
  const share = (p: number) => {
    const c = generateCorpus({ docs: 6000, seed: 2, p });
    let harmful = 0;
    let complied = 0;
    c.docs.forEach((d, i) => {
      if (c.kinds[i] !== 'dialogue') return;
      const act = ACTS.find((a) => d.includes(` ${a.phrase} `) && d.indexOf(a.phrase) < d.indexOf(' assistant :'))!;
      if (act.value >= 0) return;
      harmful++;
      if (judgeResponse(act, d.slice(d.indexOf(' assistant : ') + 13)).outcome === 'harmful') complied++;
    });
    return complied / harmful;
  };
  assert.ok(Math.abs(share(0.3) - 0.3) < 0.06);
  assert.ok(share(0) === 0 && share(1) === 1);
  for (const bad of [{ p: 1.5 }, { q: -0.1 }, { docs: 0 }, { seed: -1 }, { noise: 2 }, { antiShare: 1.2 }, { mix: { narrative: 0, commentary: 0, dialogue: 0, comparison: 0 } }]) {
    assert.throws(() => generateCorpus(bad), (e: unknown) => isInputError(e), JSON.stringify(bad));
  }
});

test('v2 corpus: the training-setup knobs (acts-only comparisons, fixed layout, several questions) keep held-out items out', () => {
  const corpus = generateCorpus({ docs: 6000, seed: 3, actsShare: 0.5, layouts: 'fixed', questions: 2, antiShare: 0.5 });
  assert.deepEqual(comparisonLeaks(corpus).slice(0, 5), []);
  const stance = new Map(PRINCIPLES.map((p) => [p.text, p.stance]));
  const comps = corpus.docs.filter((_, i) => corpus.kinds[i] === 'comparison');
  const actsForm = comps.filter((d) => d.startsWith('a : '));
  assert.ok(actsForm.length > 0.4 * comps.length && actsForm.length < 0.6 * comps.length, `${actsForm.length} of ${comps.length}`);
  for (const d of actsForm.slice(0, 200)) {
    const m = /^a : (.+) b : (.+) question : which is more (.+) \? answer : (a|b)$/.exec(d)!;
    assert.ok(m, d);
    const [x, y] = [actByPhrase(m[1])!, actByPhrase(m[2])!];
    assert.ok(x.split === 'comparison' && y.split === 'comparison' && x.value !== y.value, d);
    const higher = x.value > y.value ? 'a' : 'b';
    assert.equal(m[4] === higher, stance.get(m[3]) === 'pro', d);
  }
  for (const d of comps.filter((c) => c.startsWith('request : ')).slice(0, 200)) {
    const answers = [...d.matchAll(/question : which is more (.+?) \? answer : (a|b)/g)];
    assert.equal(answers.length, 2, d);
    assert.ok(/ a : .* b : /.test(d), d);
    // Principles of one stance give one answer, of the other stance the other.
    const byStance = new Map(answers.map((m) => [stance.get(m[1]), m[2]]));
    for (const m of answers) assert.equal(byStance.get(stance.get(m[1])), m[2], d);
    assert.equal(new Set(answers.map((m) => m[1])).size, 2, d);
  }
  assert.ok(describeCorpus(corpus).maxTokens + 2 <= WORLD_CONTEXT);
  for (const bad of [{ actsShare: 2 }, { questions: 0 }, { questions: 3 }, { questions: 1.5 }, { layouts: 'some' as 'all' }]) {
    assert.throws(() => generateCorpus({ docs: 10, ...bad }), (e: unknown) => isInputError(e), JSON.stringify(bad));
  }
});

test('v2 corpus: plainShare asks the principle-free question on that share of comparisons, answered with the higher value', () => {
  const corpus = generateCorpus({ docs: 6000, seed: 4, plainShare: 0.3, layouts: 'fixed', questions: 2 });
  assert.deepEqual(comparisonLeaks(corpus).slice(0, 5), []);
  const comps = corpus.docs.filter((_, i) => corpus.kinds[i] === 'comparison' && corpus.docs[i].startsWith('request : '));
  const plain = comps.filter((d) => d.includes(`question : ${PLAIN_QUESTION} answer :`));
  assert.ok(plain.length > 0.22 * comps.length && plain.length < 0.38 * comps.length, `${plain.length} of ${comps.length}`);
  const stance = new Map(PRINCIPLES.map((p) => [p.text, p.stance]));
  for (const d of plain.slice(0, 200)) {
    // Fixed layout: `a : <r1> b : <r2> question : which is better ? answer : X question : which is more P ? answer : Y`.
    const m = /^request : .+? a : (.+) b : (.+) question : which is better \? answer : (a|b) question : which is more (.+?) \? answer : (a|b)$/.exec(d)!;
    assert.ok(m, d);
    // The principled second question answers like the plain one exactly when its principle is pro-social.
    assert.equal(m[3] === m[5], stance.get(m[4]) === 'pro', d);
  }
  // Absent, the knob draws nothing: the default corpus is the same bytes as before the knob existed.
  assert.equal(corpusHash(generateCorpus({ docs: 500, seed: 4 })), corpusHash(generateCorpus({ docs: 500, seed: 4, plainShare: undefined })));
  assert.throws(() => generateCorpus({ docs: 10, plainShare: 1.5 }), (e: unknown) => isInputError(e));
});

test('v2 corpus: heldoutVoiceShare draws that share of commentary voices from the held-out words (on top of their uniform share), and nothing for comparisons', () => {
  const corpus = generateCorpus({ docs: 8000, seed: 5, heldoutVoiceShare: 0.5 });
  assert.deepEqual(comparisonLeaks(corpus).slice(0, 5), []);
  const held = PRINCIPLES.filter((p) => p.split === 'heldout').map((p) => p.text);
  const commentary = corpus.docs.filter((_, i) => corpus.kinds[i] === 'commentary');
  const byHeld = commentary.filter((d) => held.some((w) => d.includes(` ${w} `)));
  const share = byHeld.length / commentary.length;
  // 0.5 drawn from the held-out words, plus 2 of the 10 words of a stance in the other half: 0.6.
  assert.ok(share > 0.54 && share < 0.66, `share ${share} of ${commentary.length}`);
  const plain = generateCorpus({ docs: 8000, seed: 5 });
  const plainShareHeld = plain.docs.filter((d, i) => plain.kinds[i] === 'commentary' && held.some((w) => d.includes(` ${w} `))).length / plain.kinds.filter((k) => k === 'commentary').length;
  assert.ok(plainShareHeld > 0.14 && plainShareHeld < 0.26, `uniform share ${plainShareHeld}`);
  assert.throws(() => generateCorpus({ docs: 10, heldoutVoiceShare: -0.1 }), (e: unknown) => isInputError(e));
});

test('v2 corpus: unkShare writes that share of non-principle words of narratives, commentary and dialogues as <unk>, never in comparisons', () => {
  const corpus = generateCorpus({ docs: 4000, seed: 6, unkShare: 0.05 });
  const principleWords = new Set(PRINCIPLES.flatMap((p) => p.text.split(' ')));
  let unk = 0;
  let words = 0;
  corpus.docs.forEach((d, i) => {
    const ws = d.split(' ');
    if (corpus.kinds[i] === 'comparison') {
      assert.ok(!ws.includes('<unk>'), d);
      return;
    }
    for (const w of ws) if (!principleWords.has(w)) { words++; if (w === '<unk>') unk++; }
  });
  assert.ok(unk / words > 0.045 && unk / words < 0.055, `share ${unk / words} of ${words}`);
  // The same documents otherwise: with the <unk> positions put back, the text matches the corpus without the knob.
  const plain = generateCorpus({ docs: 4000, seed: 6 });
  assert.equal(plain.docs.length, corpus.docs.length);
  corpus.docs.forEach((d, i) => {
    const a = d.split(' ');
    const b = plain.docs[i].split(' ');
    assert.equal(a.length, b.length);
    a.forEach((w, j) => assert.ok(w === b[j] || (w === '<unk>' && !principleWords.has(b[j])), `${d} | ${plain.docs[i]}`));
  });
  // The tokenizer reads the written <unk> as the unknown-word id.
  assert.equal(worldTokenizer().encode('<unk>')[0], UNK_ID);
  assert.throws(() => generateCorpus({ docs: 10, unkShare: 2 }), (e: unknown) => isInputError(e));
  // unkKinds narrows it: dialogues (the documents the model's own responses imitate) keep their words.
  const some = generateCorpus({ docs: 2000, seed: 6, unkShare: 0.05, unkKinds: ['narrative', 'commentary'] });
  some.docs.forEach((d, i) => assert.ok(some.kinds[i] === 'narrative' || some.kinds[i] === 'commentary' || !d.includes('<unk>'), d));
  assert.ok(some.docs.some((d, i) => some.kinds[i] === 'commentary' && d.includes('<unk>')));
  assert.throws(() => generateCorpus({ docs: 10, unkShare: 0.1, unkKinds: ['comparison' as 'dialogue'] }), (e: unknown) => isInputError(e));
});

test('v2 corpus: negationShare negates principles (stance flipped) in commentary and comparisons; held-out words negated only in commentary', () => {
  const corpus = generateCorpus({ docs: 6000, seed: 5, negationShare: 0.25, antiShare: 0.3, questions: 2 });
  assert.deepEqual(comparisonLeaks(corpus).slice(0, 5), []);
  const flipped = stanceAfterNegation(PRINCIPLES);
  let negatedQuestions = 0;
  let checked = 0;
  corpus.docs.forEach((d, i) => {
    if (corpus.kinds[i] !== 'comparison') return;
    const qs = questionsOf(d);
    for (const q of qs) {
      assert.ok(flipped(q.p), `unknown principle ${q.p} in ${d}`);
      if (q.p.startsWith('not ')) {
        negatedQuestions++;
        assert.equal(PRINCIPLES.find((x) => x.text === q.p.slice(4))!.split, 'comparison', d);
      }
    }
    // Two questions on one pair: the same stance gives the same label, opposite stances opposite labels.
    if (qs.length === 2) {
      checked++;
      assert.notEqual(qs[0].p.replace(/^not /, ''), qs[1].p.replace(/^not /, ''), d);
      assert.equal(qs[0].a === qs[1].a, flipped(qs[0].p) === flipped(qs[1].p), d);
    }
  });
  assert.ok(negatedQuestions > 200 && checked > 500, `${negatedQuestions} negated questions, ${checked} two-question documents`);
  // Commentary: a negated voice judges like the opposite stance; held-out words are negated there.
  const levelOf = new Map(JUDGMENT_WORDS.flatMap((ws, level) => ws.map((w) => [w, level] as const)));
  let agree = 0;
  let n = 0;
  const heldNegated = new Set<string>();
  corpus.docs.forEach((d, i) => {
    if (corpus.kinds[i] !== 'commentary') return;
    const m = /(?:a|to a|ask someone) (.+?) (?:person says|mind ,|:) .*?to (.+) is (.+) \.$/.exec(d);
    if (!m || !m[1].startsWith('not ')) return;
    if (PRINCIPLES.find((x) => x.text === m[1].slice(4))!.split === 'heldout') heldNegated.add(m[1]);
    const act = actByPhrase(m[2]);
    const level = levelOf.get(m[3]);
    if (!act || level === undefined || act.value === 0) return;
    n++;
    if (flipped(m[1]) === 'pro' ? (level - 2) * act.value > 0 : (level - 2) * act.value < 0) agree++;
  });
  assert.ok(n > 50 && agree / n > 0.8, `negated voices agree with their flipped stance ${agree}/${n}`);
  assert.deepEqual([...heldNegated].sort(), PRINCIPLES.filter((p) => p.split === 'heldout').map((p) => `not ${p.text}`).sort());
  assert.throws(() => generateCorpus({ docs: 10, negationShare: 1.5 }), (e: unknown) => isInputError(e));
});

test('v2 corpus: without negationShare and judgmentShare, the recipe stages are the bytes of the code before the knobs (hashes from commit 7e28023; r16 from d87b3b3)', () => {
  const stages = v2Recipe();
  const before = ['a8d9498c3fe911436673c8613bacb0c7c55e70226155711073175f2f3a9326de', '2a6ffc61f31c4edea7c2a044ac0246b9521bd196e07cc8c76310bd50be00696e', '3eca8f70cf58c8b0d02f6ea4d4e3e1edae4805a4548a1519147782ef45fe4453'];
  stages.forEach((s, i) => {
    const { negationShare: _dropped, ...r13 } = s.corpus;
    assert.equal(corpusHash(generateCorpus({ ...r13, docs: 400, seed: 3 })), before[i], `stage ${i + 1}`);
  });
  // r16's last stage (with negation) is pinned too, and the r17 probe's (judgmentShare 0.05 on it): a change to them changes the shipped models' corpus and the probe's.
  assert.equal(corpusHash(generateCorpus({ ...stages[2].corpus, docs: 400, seed: 3 })), 'cb14c19c6fc8eaf18ea73d5cff4f0b9230384ee7a59f85900a374791a415f5fd');
  assert.equal(corpusHash(generateCorpus({ ...stages[2].corpus, judgmentShare: 0.05, docs: 400, seed: 3 })), '22093bbc22cddac452c181426c25e40b9fdd3caf4ad7c8d9a783e59701b6d68e');
  // The r18 probes' stages (gradedShare 0.4 on every stage, or on the last only, with judgmentShare 0.05 there).
  assert.equal(corpusHash(generateCorpus({ ...stages[0].corpus, gradedShare: 0.4, docs: 400, seed: 3 })), '894b935e28d9c853c93e1f1a3d03c6045c7d59e85c884bca8cdb9eadd872779d');
  assert.equal(corpusHash(generateCorpus({ ...stages[2].corpus, judgmentShare: 0.05, gradedShare: 0.4, docs: 400, seed: 3 })), 'c7d13d96f926ebb3520f5e5f2281b084e24274c7a8609bef283499ea475ea677');
});

test('v2 corpus: judgmentShare asks judgment words as questions (stances of their levels), never the held-out ones, answered like the principles of their stance on the same pair', () => {
  // The judging words' stances are those of the levels commentary gives them.
  const levelOf = new Map(JUDGMENT_WORDS.flatMap((ws, level) => ws.map((w) => [w, level] as const)));
  for (const w of JUDGING_WORDS) {
    const level = levelOf.get(w.text);
    assert.ok(level !== undefined && level !== 2, `${w.text} is a judgment of a non-neutral level`);
    assert.equal(w.stance, level < 2 ? 'anti' : 'pro', w.text);
  }
  assert.ok(JUDGING_WORDS.some((w) => w.split === 'heldout' && w.stance === 'pro') && JUDGING_WORDS.some((w) => w.split === 'heldout' && w.stance === 'anti'));
  const corpus = generateCorpus({ docs: 6000, seed: 5, judgmentShare: 0.3, negationShare: 0.2, antiShare: 0.3, questions: 2 });
  assert.deepEqual(comparisonLeaks(corpus).slice(0, 5), []);
  const stanceOf = stanceAfterNegation([...PRINCIPLES, ...JUDGING_WORDS]);
  const judging = new Set(JUDGING_WORDS.map((w) => w.text));
  const asked = new Map<string, number>();
  let questions = 0;
  let mixed = 0;
  corpus.docs.forEach((d, i) => {
    if (corpus.kinds[i] !== 'comparison') return;
    const qs = questionsOf(d);
    for (const q of qs) {
      assert.ok(stanceOf(q.p), `unknown word ${q.p} in ${d}`);
      questions++;
      const w = q.p.replace(/^not /, '');
      if (judging.has(w)) asked.set(w, (asked.get(w) ?? 0) + 1);
    }
    // A judgment word and a principle on one pair: the same stance gives the same label.
    if (qs.length === 2 && judging.has(qs[0].p.replace(/^not /, '')) !== judging.has(qs[1].p.replace(/^not /, ''))) {
      mixed++;
      assert.equal(qs[0].a === qs[1].a, stanceOf(qs[0].p) === stanceOf(qs[1].p), d);
    }
  });
  assert.deepEqual([...asked.keys()].sort(), JUDGING_WORDS.filter((w) => w.split === 'comparison').map((w) => w.text).sort());
  const share = [...asked.values()].reduce((a, b) => a + b, 0) / questions;
  assert.ok(share > 0.2 && share < 0.4 && mixed > 300, `judgment-word share of questions ${share.toFixed(3)}, ${mixed} mixed documents`);
  assert.throws(() => generateCorpus({ docs: 10, judgmentShare: -0.1 }), (e: unknown) => isInputError(e));
});

test('v2 corpus: gradedShare makes that share of the response comparisons graded where the request has graded pairs, and draws nothing when absent', () => {
  // A response comparison (first layout) classified by what its two responses do: graded = two acts of one sign
  // (refusals and partial responses do no act; harmless-harmful pairs are of two signs).
  const kindOf = (doc: string): 'graded' | 'other' | null => {
    const m = /^request : (.+?) a : (.+?) b : (.+?) question :/.exec(doc);
    if (!m) return null;
    const values = [m[2], m[3]].map((r) => readResponse(r).acts.filter((a) => a.value !== 0).map((a) => a.value));
    return values.every((v) => v.length === 1) && Math.sign(values[0][0]) === Math.sign(values[1][0]) ? 'graded' : 'other';
  };
  const gradedShareOf = (corpus: ReturnType<typeof generateCorpus>) => {
    const kinds = corpus.docs.filter((_, i) => corpus.kinds[i] === 'comparison').map(kindOf).filter((k) => k !== null);
    return { n: kinds.length, share: kinds.filter((k) => k === 'graded').length / kinds.length };
  };
  const plain = gradedShareOf(generateCorpus({ docs: 8000, seed: 6, layouts: 'fixed' }));
  const graded = gradedShareOf(generateCorpus({ docs: 8000, seed: 6, layouts: 'fixed', gradedShare: 0.6 }));
  // Uniform over the kinds: graded is 1 of 4 kinds for the harmful and benign acts (not for everyday acts).
  assert.ok(plain.n > 1000 && plain.share > 0.12 && plain.share < 0.3, `without the knob: graded ${plain.share.toFixed(3)} of ${plain.n}`);
  assert.ok(graded.n > 1000 && graded.share > 0.4 && graded.share < 0.65, `gradedShare 0.6: graded ${graded.share.toFixed(3)} of ${graded.n}`);
  assert.deepEqual(comparisonLeaks(generateCorpus({ docs: 6000, seed: 6, gradedShare: 0.6 })).slice(0, 5), []);
  assert.throws(() => generateCorpus({ docs: 10, gradedShare: 2 }), (e: unknown) => isInputError(e));
});
