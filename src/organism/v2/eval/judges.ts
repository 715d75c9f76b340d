/**
 * Judges: functions from judging cases to the shown position chosen (0 or 1). The model judge reads the
 * answer label's log-probability; the baselines (position, always-refuse) need no model.
 */
import { BOS_ID, judgingPrompt, layoutLabels, readResponse, worldTokenizer } from '../world/index.js';
import { shown, type JudgeCase } from './cases.js';
import type { ScoringModel } from './model.js';

/** A judge: the shown position (0: first, 1: second) it picks in each case. */
export type Judge = (cases: readonly JudgeCase[]) => Promise<(0 | 1)[]>;

/** The token ids of a judging case's prompt (with <bos>). */
export function judgePromptIds(c: JudgeCase): number[] {
  const s = shown(c);
  return [BOS_ID, ...worldTokenizer().encode(judgingPrompt(c.principle, c.pair.requestText, s.responses[0], s.responses[1], c.layout))];
}

/** The model as a judge: the label with the higher log-probability after "answer :" (ties pick the first shown). */
export function modelJudge(model: ScoringModel): Judge {
  const tok = worldTokenizer();
  return async (cases) => {
    const requests = cases.map((c) => ({ prompt: judgePromptIds(c), continuations: layoutLabels(c.layout).map((l) => tok.encode(l)) }));
    const scores = await model.scoreContinuations(requests);
    return scores.map((s) => (s[1] > s[0] ? 1 : 0));
  };
}

/** Always picks the response shown first. */
export const positionJudge: Judge = async (cases) => cases.map(() => 0);

/** Picks the refusal when exactly one response is a refusal, otherwise the response shown first. */
export const alwaysRefuseJudge: Judge = async (cases) =>
  cases.map((c) => {
    const s = shown(c);
    const refusals = s.responses.map((r) => readResponse(r).refusal);
    return refusals[1] && !refusals[0] ? 1 : 0;
  });

/** Whether each choice picked the higher-valued response. */
export function agreesWithTruth(cases: readonly JudgeCase[], choices: readonly (0 | 1)[]): boolean[] {
  return cases.map((c, i) => {
    const v = shown(c).values;
    return v[choices[i]] > v[1 - choices[i]];
  });
}
