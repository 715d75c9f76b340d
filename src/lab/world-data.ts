/**
 * The organism world's requests as lab data: harmful and harmless requests as dialogue prompts
 * (`user : <request> assistant :`), train-split requests for finding and selecting directions, held-out ones for
 * measuring; refusal is the first response token being the first word of a refusal opening ("no", "sorry").
 */
import { createRng, deriveSeed, shuffled as shuffledBy } from '../linalg/index.js';
import { allCommentary, comparisonPrompt, dialogueDoc, dialoguePrompt, isCommentaryHeldOut } from '../organism/documents.js';
import { promptIds } from '../organism/evaluate.js';
import { REFUSE_OPENINGS } from '../organism/lexicon.js';
import { EOS_ID, type WorldTokenizer } from '../organism/tokenizer.js';
import { classifyResponse, complyResponse, refuseResponse, requestsOfSplit, trueValue, type Request } from '../organism/world.js';
import type { QuantitiesData, ValuePair } from './quantities.js';
import type { RefusalData } from './refusal.js';

/** Sizes of the world's refusal data: per class, train (direction) and validation (selection); test is all held-out. */
export interface WorldDataSizes {
  train: number;
  val: number;
  /** At most this many held-out requests per class (all when larger than the split). */
  test: number;
}

/** Defaults: 128 train, 64 validation, every held-out request (about 180 per class). */
export const DEFAULT_WORLD_SIZES: WorldDataSizes = { train: 128, val: 64, test: 1000 };

/** A copy of `items` shuffled by a fresh generator of `seed`. */
function shuffled<T>(seed: number, items: readonly T[]): T[] {
  return shuffledBy(createRng(seed), items);
}

/** The refusal experiment's data from the world (seeded split of the training requests into train and validation). */
export function worldRefusalData(tokenizer: WorldTokenizer, seed = 0, sizes: WorldDataSizes = DEFAULT_WORLD_SIZES, opts: { responses?: boolean } = {}): RefusalData {
  const enc = (rs: Request[]) => rs.map((r) => promptIds(tokenizer, dialoguePrompt(r)));
  const train = requestsOfSplit('train');
  const held = requestsOfSplit('heldout');
  const side = (harmful: boolean, salt: number) => {
    const pool = shuffled(deriveSeed(seed, salt), train.filter((r) => r.harmful === harmful));
    if (pool.length < sizes.train + sizes.val) throw new Error('worldRefusalData: not enough training requests for the sizes asked');
    return { train: pool.slice(0, sizes.train), val: pool.slice(sizes.train, sizes.train + sizes.val) };
  };
  const harmful = side(true, 1);
  const harmless = side(false, 2);
  const refusalTokens = [...new Set(REFUSE_OPENINGS.map((o) => tokenizer.encode(o)[0]))];
  const harmfulTest = held.filter((r) => r.harmful).slice(0, sizes.test);
  const harmlessTest = held.filter((r) => !r.harmful).slice(0, sizes.test);
  return {
    harmfulTrain: enc(harmful.train),
    harmlessTrain: enc(harmless.train),
    harmfulVal: enc(harmful.val),
    harmlessVal: enc(harmless.val),
    harmfulTest: enc(harmfulTest),
    harmlessTest: enc(harmlessTest),
    refusalTokens,
    // "assistant" and ":" close every dialogue prompt: the post-instruction tokens.
    positions: [-2, -1],
    // Whole responses as `lvh organism eval` samples them: 24 tokens at temperature 1, cut at <eos>.
    responses: opts.responses === false ? undefined : {
      maxTokens: 24, temperature: 1, stopTokens: [EOS_ID],
      classify: (ids) => {
        const end = ids.indexOf(EOS_ID);
        return end < 0 ? 'malformed' : classifyResponse(tokenizer.decode(ids.slice(0, end)));
      },
    },
    description: `organism world dialogue prompts, seed ${seed}: train ${sizes.train}+${sizes.train}, val ${sizes.val}+${sizes.val} (train split), test ${harmfulTest.length}+${harmlessTest.length} (held-out split)`,
  };
}

/** Sizes of the world's quantities data: pairs per class (harmful, harmless requests) in train and in held-out test. */
export interface WorldQuantitySizes {
  train: number;
  test: number;
  /** Commentary sentences per side (anti-social, pro-social) for the anti-social direction. */
  commentary: number;
}

/** Defaults: 96 train and 64 held-out pairs per class, 64 commentary sentences per side. */
export const DEFAULT_QUANTITY_SIZES: WorldQuantitySizes = { train: 96, test: 64, commentary: 64 };

/**
 * The world's response pairs as quantities data: a harmful request with a refusal (true value +1) and compliance
 * (−1), judged with the world's comparison prompt; a harmless request with helpful steps (+1) and a refusal (−0.5),
 * used for v* and rho only (the world's judge is trained on harmful pairs). Train requests from the train split,
 * test ones from the held-out split; the neutral wording is the control word "fresh".
 */
export function worldQuantitiesData(tokenizer: WorldTokenizer, seed = 0, sizes: WorldQuantitySizes = DEFAULT_QUANTITY_SIZES): QuantitiesData {
  const enc = (t: string) => promptIds(tokenizer, t);
  const pairOf = (r: Request, salt: number): ValuePair => {
    const rng = createRng(deriveSeed(seed, 31, salt));
    const comply = complyResponse(rng, r).text;
    const refuse = refuseResponse(rng, r).text;
    const [better, worse] = r.harmful ? [refuse, comply] : [comply, refuse];
    const contIds = (x: string) => [...tokenizer.encode(x), EOS_ID];
    return {
      betterDoc: enc(dialogueDoc(r, better)), worseDoc: enc(dialogueDoc(r, worse)),
      prompt: enc(dialoguePrompt(r)), better: contIds(better), worse: contIds(worse),
      betterValue: trueValue(r, better), worseValue: trueValue(r, worse),
      judge: r.harmful ? (c, betterFirst) => enc(betterFirst ? comparisonPrompt(c, r, better, worse) : comparisonPrompt(c, r, worse, better)) : null,
    };
  };
  const take = (pool: Request[], harmful: boolean, n: number, salt: number) => shuffled(deriveSeed(seed, salt), pool.filter((r) => r.harmful === harmful)).slice(0, n);
  const train = requestsOfSplit('train');
  const held = requestsOfSplit('heldout');
  const trainReq = [...take(train, true, sizes.train, 11), ...take(train, false, sizes.train, 12)];
  const testReq = [...take(held, true, sizes.test, 13), ...take(held, false, sizes.test, 14)];
  const comm = allCommentary().filter((c) => !isCommentaryHeldOut(c));
  const side = (anti: boolean, salt: number) => shuffled(deriveSeed(seed, salt), comm.filter((c) => c.antiSocial === anti)).slice(0, sizes.commentary).map((c) => enc(c.text));
  const [a, b] = [tokenizer.encode('a')[0], tokenizer.encode('b')[0]];
  return {
    train: trainReq.map((r, i) => pairOf(r, i)),
    test: testReq.map((r, i) => pairOf(r, 100000 + i)),
    answerTokens: [a, b],
    neutral: 'fresh',
    antiSocial: { anti: side(true, 15), pro: side(false, 16) },
    description: `organism world response pairs, seed ${seed}: train ${trainReq.length} (train split), test ${testReq.length} (held-out split; harmful ones judged), commentary ${sizes.commentary}+${sizes.commentary}`,
  };
}
