/**
 * The organism v2 world as lab data, in the same shapes as world-data.ts (v1), so the lab's steps do not know
 * which world they run on. Requests are acts of the world in its request frames, as dialogue prompts
 * (`user : <request> assistant :`); directions are found on comparison-split acts and every rate is measured on
 * held-out acts (held-out acts and held-out categories: never in a comparison document). Responses and their true
 * values come from the world (`stepsResponse`, `refusalResponse`, `judgeResponse`); judging prompts use the world's
 * judging template in its first layout (labels `a`/`b` in order, `which is more {p} ?`). Text is encoded with the
 * model directory's own tokenizer, so a model trained on an earlier vocabulary still reads its own ids.
 */
import { createRng, deriveSeed, shuffled as shuffledBy } from '../linalg/index.js';
import type { TextTokenizer } from '../io/tokenizer.js';
import {
  ACTS, COMMENTARY_TEMPLATES, FRAMES, JUDGMENT_WORDS, LEVELS, PRINCIPLES, REFUSE_OPENINGS, BOS_ID, EOS_ID,
  buildPair, commentaryDoc, dialogueDoc, dialoguePrompt, judgeResponse, judgingPrompt, layoutLabels, request,
  type Act, type Outcome as WorldOutcome, type Request,
} from '../organism/v2/world/index.js';
import type { QuantitiesData, ValuePair } from './quantities.js';
import type { Outcome, RefusalData } from './refusal.js';
import { DEFAULT_QUANTITY_SIZES, DEFAULT_WORLD_SIZES, type WorldDataSizes, type WorldQuantitySizes } from './world-data.js';

/** The judging layout of the lab's v2 judging prompts: labels a/b in order, `which is more {p} ?`. */
export const V2_JUDGE_LAYOUT = { scheme: 0, labelsSwapped: false, question: 0 } as const;

/** The neutral wording v_c (a) is measured against on v2: a non-principle word of the vocabulary (one of the v2 eval's control words). */
export const V2_NEUTRAL = 'apples';

/** Whether an act is held out of comparisons (a held-out act or an act of a held-out category). */
export function isHeldOutAct(act: Act): boolean {
  return act.split !== 'comparison';
}

/** Every request (act × frame) of the train side (comparison acts) or the held-out side. */
export function v2Requests(side: 'train' | 'heldout'): Request[] {
  return ACTS.filter((a) => isHeldOutAct(a) === (side === 'heldout')).flatMap((a) => FRAMES.map((_, f) => request(a, f)));
}

/** A copy of `items` shuffled by a fresh generator of `seed`. */
function shuffled<T>(seed: number, items: readonly T[]): T[] {
  return shuffledBy(createRng(seed), items);
}

/** Token ids of `text` after <bos>, with the model's own tokenizer. */
function encoder(tokenizer: TextTokenizer): (text: string) => number[] {
  return (text) => [BOS_ID, ...tokenizer.encode(text)];
}

/** The lab outcome of a world outcome: harmful steps are "complied", partial or beside-the-point steps "other". */
export function labOutcome(o: WorldOutcome): Outcome {
  if (o === 'harmful') return 'complied';
  if (o === 'partial') return 'other';
  return o;
}

/** The refusal experiment's data from the v2 world: harmful (value < 0) against harmless (value ≥ 0) requests. */
export function worldRefusalDataV2(tokenizer: TextTokenizer, seed = 0, sizes: WorldDataSizes = DEFAULT_WORLD_SIZES, opts: { responses?: boolean } = {}): RefusalData {
  const enc = encoder(tokenizer);
  const prompt = (r: Request) => enc(dialoguePrompt(r.text));
  const train = v2Requests('train');
  const held = v2Requests('heldout');
  const side = (harmful: boolean, salt: number) => {
    const pool = shuffled(deriveSeed(seed, salt), train.filter((r) => (r.act.value < 0) === harmful));
    if (pool.length < sizes.train + sizes.val) throw new Error(`worldRefusalDataV2: ${pool.length} training requests, fewer than the ${sizes.train + sizes.val} asked`);
    return { train: pool.slice(0, sizes.train), val: pool.slice(sizes.train, sizes.train + sizes.val) };
  };
  const harmful = side(true, 1);
  const harmless = side(false, 2);
  const harmfulTest = held.filter((r) => r.act.value < 0).slice(0, sizes.test);
  const harmlessTest = held.filter((r) => r.act.value >= 0).slice(0, sizes.test);
  // Which act each test prompt asks for, so a sampled response is judged against its own request.
  const actOf = new Map([...harmfulTest, ...harmlessTest].map((r) => [prompt(r).join(','), r.act]));
  const [stop, comma] = [tokenizer.encode('.')[0], tokenizer.encode(',')[0]];
  return {
    harmfulTrain: harmful.train.map(prompt),
    harmlessTrain: harmless.train.map(prompt),
    harmfulVal: harmful.val.map(prompt),
    harmlessVal: harmless.val.map(prompt),
    harmfulTest: harmfulTest.map(prompt),
    harmlessTest: harmlessTest.map(prompt),
    // Unused in sequence mode; the first tokens of the refusal openings, for reference ("no", "sorry", "i" also open compliances).
    refusalTokens: [...new Set(REFUSE_OPENINGS.map((o) => tokenizer.encode(o)[0]))],
    // A refusal is `<opening> .` or `<opening> , because <reason> .`; no compliance opening followed by "." or "," is one of these.
    refusalSequences: { openings: REFUSE_OPENINGS.map((o) => tokenizer.encode(o)), terminators: [stop, comma] },
    positions: [-2, -1],
    responses: opts.responses === false ? undefined : {
      maxTokens: 32, temperature: 1, stopTokens: [EOS_ID],
      classify: (ids, p) => {
        const end = ids.indexOf(EOS_ID);
        const act = actOf.get(p.join(','));
        if (end < 0 || !act) return 'malformed';
        return labOutcome(judgeResponse(act, tokenizer.decode(ids.slice(0, end), true)).outcome);
      },
    },
    description: `organism v2 world dialogue prompts, seed ${seed}: train ${sizes.train}+${sizes.train}, val ${sizes.val}+${sizes.val} (comparison-split acts), test ${harmfulTest.length}+${harmlessTest.length} (held-out acts and categories)`,
  };
}

/** The principles of the world whose words the tokenizer knows (a model trained before a word was added reads it as unknown). */
function knownPrinciples(tokenizer: TextTokenizer): typeof PRINCIPLES[number][] {
  return PRINCIPLES.filter((p) => p.text.split(' ').every((w) => tokenizer.tokenToId(w) !== undefined));
}

/**
 * The v2 world's response pairs as quantities data: a harmful request with a refusal (better) and compliance, and a
 * harmless request with help (better) and a refusal, values from `judgeResponse`; both kinds judged. Train pairs on
 * comparison-split acts, test pairs on held-out acts and categories. The anti-social direction: commentary by
 * anti-social voices (judging by the opposite level) minus pro-social voices, on comparison-split acts.
 */
export function worldQuantitiesDataV2(tokenizer: TextTokenizer, seed = 0, sizes: WorldQuantitySizes = DEFAULT_QUANTITY_SIZES): QuantitiesData {
  const enc = encoder(tokenizer);
  const contIds = (x: string) => [...tokenizer.encode(x), EOS_ID];
  const pairOf = (act: Act, salt: number): ValuePair => {
    const rng = createRng(deriveSeed(seed, 31, salt));
    const r = request(act, rng.int(FRAMES.length));
    const pair = buildPair(rng, act.value < 0 ? 'comply-refuse' : 'help-refuse', act, [act]);
    if (!pair) throw new Error(`worldQuantitiesDataV2: no compliance/refusal pair for "${act.phrase}"`);
    const [hi, lo] = pair.values[0] > pair.values[1] ? [0, 1] : [1, 0];
    const [better, worse] = [pair.responses[hi], pair.responses[lo]];
    return {
      betterDoc: enc(dialogueDoc(r.text, better)), worseDoc: enc(dialogueDoc(r.text, worse)),
      prompt: enc(dialoguePrompt(r.text)), better: contIds(better), worse: contIds(worse),
      betterValue: pair.values[hi], worseValue: pair.values[lo],
      judge: (c, betterFirst) => enc(betterFirst ? judgingPrompt(c, r.text, better, worse, V2_JUDGE_LAYOUT) : judgingPrompt(c, r.text, worse, better, V2_JUDGE_LAYOUT)),
      judgeEnds: (_c, betterFirst) => {
        // The responses precede the question: the prefix up to each response's end does not depend on the wording.
        const [first, second] = betterFirst ? [better, worse] : [worse, better];
        const [l1, l2] = layoutLabels(V2_JUDGE_LAYOUT);
        const upToFirst = enc(`request : ${r.text} ${l1} : ${first}`).length;
        return [upToFirst - 1, upToFirst + enc(`${l2} : ${second}`).length - 2];
      },
    };
  };
  // Acts drawn with replacement from the side's acts (there are fewer acts than pairs); each pair its own frame and responses.
  const draw = (heldOut: boolean, harmful: boolean, n: number, salt: number) => {
    const acts = ACTS.filter((a) => isHeldOutAct(a) === heldOut && (a.value < 0) === harmful);
    const rng = createRng(deriveSeed(seed, salt));
    return Array.from({ length: n }, () => acts[rng.int(acts.length)]);
  };
  const trainActs = [...draw(false, true, sizes.train, 11), ...draw(false, false, sizes.train, 12)];
  const testActs = [...draw(true, true, sizes.test, 13), ...draw(true, false, sizes.test, 14)];
  const principles = knownPrinciples(tokenizer);
  const commentaryActs = ACTS.filter((a) => !isHeldOutAct(a));
  const side = (anti: boolean, salt: number) => {
    const rng = createRng(deriveSeed(seed, salt));
    const voices = principles.filter((p) => (p.stance === 'anti') === anti);
    return Array.from({ length: sizes.commentary }, () => {
      const act = commentaryActs[rng.int(commentaryActs.length)];
      const level = LEVELS.indexOf(act.value);
      const words = JUDGMENT_WORDS[anti ? LEVELS.length - 1 - level : level];
      return enc(commentaryDoc(rng.int(COMMENTARY_TEMPLATES.length), voices[rng.int(voices.length)].text, act, words[rng.int(words.length)]));
    });
  };
  const [a, b] = [tokenizer.encode('a')[0], tokenizer.encode('b')[0]];
  return {
    train: trainActs.map((act, i) => pairOf(act, i)),
    test: testActs.map((act, i) => pairOf(act, 100000 + i)),
    answerTokens: [a, b],
    neutral: V2_NEUTRAL,
    antiSocial: { anti: side(true, 15), pro: side(false, 16) },
    description: `organism v2 world compliance/refusal pairs, seed ${seed}: train ${trainActs.length} (comparison-split acts), test ${testActs.length} (held-out acts and categories, ${new Set(testActs.map((x) => x.id)).size} acts), all judged in layout a/b "which is more {p} ?"; commentary ${sizes.commentary}+${sizes.commentary}`,
  };
}
