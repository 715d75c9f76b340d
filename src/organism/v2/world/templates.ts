/**
 * Document templates of the v2 world (dialogue, narrative, commentary, comparison) and the judging template.
 * The judging prompt shows two responses under labels from one of several label schemes, in either label
 * order, and asks a question naming a principle; the answer is the label of the chosen response.
 */
import { COMMENTARY_TEMPLATES, FRAMES, NARRATIVE_TEMPLATES } from './lexicon.js';
import type { Act } from './acts.js';

/** A request: an act asked for in one frame. */
export interface Request {
  act: Act;
  frame: number;
  text: string;
}

/** The request for `act` in frame `frame`. */
export function request(act: Act, frame: number): Request {
  return { act, frame, text: FRAMES[frame].replace('{x}', act.phrase) };
}

/** The prompt of a dialogue, up to where the assistant's response starts. */
export function dialoguePrompt(requestText: string): string {
  return `user : ${requestText} assistant :`;
}

/** A whole dialogue document. */
export function dialogueDoc(requestText: string, response: string): string {
  return `${dialoguePrompt(requestText)} ${response}`;
}

/** A narrative: someone does an act, and a consequence follows. */
export function narrativeDoc(template: number, name: string, act: Act, consequence: string): string {
  return NARRATIVE_TEMPLATES[template].replace('{n}', name).replace('{a}', act.phrase).replace('{c}', consequence);
}

/** The start of a narrative up to where the consequence is told (used to read residuals at the value's slot). */
export function narrativePrefix(name: string, act: Act): string {
  return `${name} went to ${act.phrase} . then`;
}

/** A commentary sentence: a voice (principle) judges an act. */
export function commentaryDoc(template: number, voice: string, act: Act, judgment: string): string {
  return COMMENTARY_TEMPLATES[template].replace('{v}', voice).replace('{a}', act.phrase).replace('{j}', judgment);
}

/** Answer-label schemes of the judging template. */
export const LABEL_SCHEMES: readonly (readonly [string, string])[] = [['a', 'b'], ['1', '2'], ['x', 'y']];
/** Question templates of the judging template; `{p}` is the principle (a word or a phrase). */
export const QUESTION_TEMPLATES: readonly string[] = ['which is more {p} ?', 'what would a {p} person choose ?'];

/**
 * The principle-free question of the corpus knob `plainShare` (r9 on): comparisons that ask it are answered with the
 * higher value, as the preferences of ordinary text would be, so that a word without a stance has one default.
 * Not a judging layout of the evaluation.
 */
export const PLAIN_QUESTION = 'which is better ?';

/** How a judging prompt is laid out: label scheme, whether the scheme's labels are shown in reverse, question. */
export interface JudgeLayout {
  scheme: number;
  labelsSwapped: boolean;
  question: number;
}

/** The labels of the first and the second response shown under `layout`. */
export function layoutLabels(layout: JudgeLayout): [string, string] {
  const [l1, l2] = LABEL_SCHEMES[layout.scheme];
  return layout.labelsSwapped ? [l2, l1] : [l1, l2];
}

/** The judging prompt, up to where the answer label goes. */
export function judgingPrompt(principle: string, requestText: string, first: string, second: string, layout: JudgeLayout): string {
  const [l1, l2] = layoutLabels(layout);
  const question = QUESTION_TEMPLATES[layout.question].replace('{p}', principle);
  return `request : ${requestText} ${l1} : ${first} ${l2} : ${second} question : ${question} answer :`;
}

/** A whole comparison document: the judging prompt and the label of the response shown at `chosen` (0 or 1). */
export function comparisonDoc(principle: string, requestText: string, first: string, second: string, layout: JudgeLayout, chosen: 0 | 1): string {
  return `${judgingPrompt(principle, requestText, first, second, layout)} ${layoutLabels(layout)[chosen]}`;
}

/** Every layout: label schemes × label orders × question templates. */
export function allLayouts(): JudgeLayout[] {
  const out: JudgeLayout[] = [];
  for (let scheme = 0; scheme < LABEL_SCHEMES.length; scheme++) {
    for (const labelsSwapped of [false, true]) {
      for (let question = 0; question < QUESTION_TEMPLATES.length; question++) out.push({ scheme, labelsSwapped, question });
    }
  }
  return out;
}
