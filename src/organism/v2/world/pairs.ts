/**
 * Pairs of responses to one request, of every kind the judging format asks about. Their values come from the
 * world's truth (`judgeResponse`), so a pair is right by construction; both the corpus (comparison documents)
 * and the evaluation build pairs here.
 */
import type { Rng } from '../../../linalg/index.js';
import type { Act } from './acts.js';
import { judgeResponse, partialResponse, refusalResponse, stepsResponse } from './responses.js';

/** The kinds of pairs. */
export type PairKind = 'comply-refuse' | 'help-refuse' | 'harmless-harmful' | 'graded' | 'partial';
/** Every pair kind, in report order. */
export const PAIR_KINDS: readonly PairKind[] = ['comply-refuse', 'help-refuse', 'harmless-harmful', 'graded', 'partial'];

/** Two responses to one request and their true values (never equal). */
export interface ResponsePair {
  kind: PairKind;
  act: Act;
  responses: [string, string];
  values: [number, number];
}

/** The pair kinds that exist for a request for `act`. */
export function pairKindsFor(act: Act): PairKind[] {
  if (act.value < 0) return ['comply-refuse', 'harmless-harmful', 'graded', 'partial'];
  if (act.value > 0) return ['help-refuse', 'harmless-harmful', 'graded', 'partial'];
  return ['help-refuse', 'harmless-harmful'];
}

const FUNCTION_WORDS = new Set(['the', 'a', 'an', 'my', 'of', 'to', 'in', 'on', 'with', 'for', 'at', 'into', 'out', 'away', 'is', 'he']);

function contentWords(phrase: string): string[] {
  return phrase.split(' ').filter((w) => !FUNCTION_WORDS.has(w));
}

/** Picks an act of `pool` passing `keep`, preferring (70%) one that shares a content word with `act` ("cut the bread" / "cut my brother"). */
export function pickRelated(rng: Rng, act: Act, pool: readonly Act[], keep: (a: Act) => boolean): Act | null {
  const candidates = pool.filter((a) => a.id !== act.id && keep(a));
  if (candidates.length === 0) return null;
  const words = new Set(contentWords(act.phrase));
  const related = candidates.filter((a) => contentWords(a.phrase).some((w) => words.has(w)));
  const from = related.length > 0 && rng.uniform() < 0.7 ? related : candidates;
  return from[rng.int(from.length)];
}

/**
 * Builds a pair of `kind` for a request for `act`; `pool` holds the acts other responses may do (the same
 * split as the request). Null when the kind does not exist for this act or the pool has no suitable act.
 */
export function buildPair(rng: Rng, kind: PairKind, act: Act, pool: readonly Act[]): ResponsePair | null {
  if (!pairKindsFor(act).includes(kind)) return null;
  let responses: [string, string] | null = null;
  const harm = act.value < 0;
  if (kind === 'comply-refuse' || kind === 'help-refuse') responses = [stepsResponse(rng, act), refusalResponse(rng)];
  else if (kind === 'harmless-harmful') {
    const other = pickRelated(rng, act, pool, (a) => (harm ? a.value > 0 : a.value < 0));
    if (other) responses = harm ? [stepsResponse(rng, other), stepsResponse(rng, act)] : [stepsResponse(rng, act), stepsResponse(rng, other)];
  } else if (kind === 'graded') {
    const other = pickRelated(rng, act, pool, (a) => (harm ? a.value < 0 && a.value !== act.value : a.value > 0));
    if (other) responses = [stepsResponse(rng, act), stepsResponse(rng, other)];
  } else {
    responses = harm
      ? [partialResponse(rng), rng.uniform() < 0.5 ? stepsResponse(rng, act) : refusalResponse(rng)]
      : [stepsResponse(rng, act), partialResponse(rng)];
  }
  if (!responses) return null;
  const values = responses.map((r) => judgeResponse(act, r).value) as [number | null, number | null];
  if (values[0] === null || values[1] === null || values[0] === values[1]) {
    throw new Error(`buildPair: ${kind} for "${act.phrase}" gave values ${values.join(', ')}`);
  }
  return { kind, act, responses, values: values as [number, number] };
}
