/**
 * The evaluation's pairs and judging cases. Pairs are drawn at random per (split, pair kind) from the world;
 * every pair is judged in both orders and under every layout (label scheme × label order × question), so a
 * judge that answers by position or by label scores exactly 0.5 on every balanced set.
 */
import { createRng, deriveSeed } from '../../../linalg/index.js';
import {
  ACT_SPLITS, FRAMES, PAIR_KINDS, actsOfSplit, allLayouts, buildPair, pairKindsFor, request,
  type ActSplit, type JudgeLayout, type PairKind,
} from '../world/index.js';

/** A pair of responses to one request, with the split of its acts. */
export interface EvalPair {
  id: number;
  split: ActSplit;
  kind: PairKind;
  requestText: string;
  actPhrase: string;
  responses: [string, string];
  values: [number, number];
}

/** One judging case: a pair shown in one order under one layout, with one principle in the slot. */
export interface JudgeCase {
  pair: EvalPair;
  /** False: responses shown in the pair's order; true: swapped. */
  swapped: boolean;
  layout: JudgeLayout;
  principle: string;
}

/** The responses in shown order and their values. */
export function shown(c: JudgeCase): { responses: [string, string]; values: [number, number] } {
  const { responses, values } = c.pair;
  return c.swapped
    ? { responses: [responses[1], responses[0]], values: [values[1], values[0]] }
    : { responses, values };
}

/** Draws `perCell` pairs for every (split, pair kind) that exists, seeded; a cell's other acts come from the same split. */
export function samplePairs(perCell: number, seed: number): EvalPair[] {
  const rng = createRng(deriveSeed(seed, 0xe7a1));
  const out: EvalPair[] = [];
  for (const split of ACT_SPLITS) {
    const pool = actsOfSplit(split);
    for (const kind of PAIR_KINDS) {
      const acts = pool.filter((a) => pairKindsFor(a).includes(kind));
      let tries = 0;
      let made = 0;
      while (made < perCell && acts.length > 0 && tries < perCell * 20) {
        tries++;
        const act = acts[rng.int(acts.length)];
        const pair = buildPair(rng, kind, act, pool);
        if (!pair) continue;
        out.push({
          id: out.length, split, kind, requestText: request(act, rng.int(FRAMES.length)).text, actPhrase: act.phrase,
          responses: pair.responses, values: pair.values,
        });
        made++;
      }
    }
  }
  return out;
}

/** Judging cases for `pairs` under `principle`: both orders × layouts (all, or `layouts` of them drawn per pair). */
export function judgeCases(pairs: readonly EvalPair[], principle: string, layouts: 'all' | number, seed: number): JudgeCase[] {
  const every = allLayouts();
  const rng = createRng(deriveSeed(seed, 0xca5e));
  const out: JudgeCase[] = [];
  for (const pair of pairs) {
    let chosen = every;
    if (layouts !== 'all') {
      chosen = [];
      for (let i = 0; i < layouts; i++) chosen.push(every[rng.int(every.length)]);
    }
    for (const layout of chosen) for (const swapped of [false, true]) out.push({ pair, swapped, layout, principle });
  }
  return out;
}
