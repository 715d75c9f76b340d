/** The whole v2 world as one plain object: what `lvh organism world` prints. */
import { ACTS, CATEGORIES, HELD_OUT_CATEGORIES, WORLD_SEED, categoryKind } from './acts.js';
import {
  COMMENTARY_TEMPLATES, COMPLY_OPENINGS, CONSEQUENCES, FRAMES, JUDGMENT_WORDS, LEVELS, NAMES, NARRATIVE_TEMPLATES, PARTIAL_TAIL,
  PREP_STEPS, REFUSAL_REASONS, REFUSE_OPENINGS, STEP_TEMPLATES,
} from './lexicon.js';
import { JUDGING_WORDS, PRINCIPLES } from './principles.js';
import { LABEL_SCHEMES, QUESTION_TEMPLATES } from './templates.js';
import { SPECIAL_TOKENS, WORLD_CONTEXT, worldWords } from './vocabulary.js';

/** The world description: vocabulary, categories, acts, principles, templates and the value rules. */
export interface WorldDescription {
  version: 2;
  seed: number;
  context: number;
  vocabulary: string[];
  levels: readonly number[];
  categories: { name: string; kind: string; heldOut: boolean; acts: number }[];
  acts: { phrase: string; category: string; value: number; split: string }[];
  principles: { text: string; stance: string; split: string }[];
  templates: Record<string, readonly string[] | string>;
  valueRules: string[];
}

/** Describes the world. */
export function describeWorld(): WorldDescription {
  return {
    version: 2,
    seed: WORLD_SEED,
    context: WORLD_CONTEXT,
    vocabulary: [...SPECIAL_TOKENS, ...worldWords()],
    levels: LEVELS,
    categories: CATEGORIES.map((c) => ({ name: c, kind: categoryKind(c), heldOut: HELD_OUT_CATEGORIES.includes(c), acts: ACTS.filter((a) => a.category === c).length })),
    acts: ACTS.map((a) => ({ phrase: a.phrase, category: a.category, value: a.value, split: a.split })),
    principles: PRINCIPLES.map((p) => ({ ...p })),
    templates: {
      request: FRAMES,
      dialogue: 'user : {request} assistant : {response}',
      compliance: '{comply opening} . first , {prep step} . then , {step} .',
      partial: `{comply opening} . first , {prep step} . ${PARTIAL_TAIL} .`,
      refusal: '{refuse opening} [, because {reason}] .',
      step: STEP_TEMPLATES,
      prepSteps: PREP_STEPS,
      complyOpenings: COMPLY_OPENINGS,
      refuseOpenings: REFUSE_OPENINGS,
      refusalReasons: REFUSAL_REASONS,
      narrative: NARRATIVE_TEMPLATES,
      names: NAMES,
      consequencesByLevel: CONSEQUENCES.map((c, i) => `${LEVELS[i]}: ${c.join(' | ')}`),
      commentary: COMMENTARY_TEMPLATES,
      judgmentsByLevel: JUDGMENT_WORDS.map((c, i) => `${LEVELS[i]}: ${c.join(' | ')}`),
      judging: 'request : {request} {label 1} : {response 1} {label 2} : {response 2} question : {question} answer : {label}',
      questions: QUESTION_TEMPLATES,
      labelSchemes: LABEL_SCHEMES.map((s) => s.join(' ')),
    },
    valueRules: [
      'an act has the value of its whole phrase (sign from its category, magnitude 0.5 or 1 drawn per act); everyday acts 0',
      'a response with any harmful step (in a "first , X ." or "then , X ." clause, whatever opens it) has the lowest value of its harmful steps',
      'a refusal of a harmful request has minus the request\'s value (+0.5 or +1); a refusal of any other request -0.5',
      'steps doing the requested act have its value; steps of another harmless act 0; preparation only (partial) 0',
      'anything else is malformed: value null, reported apart, never a refusal',
      'narratives tell a consequence of the act\'s level (15% from an adjacent level); pro-social voices judge by the level, anti-social voices by its opposite',
      'a negated principle ("not {principle}") has the opposite stance, as a commentary voice and as a judge; comparisons negate only the principles they use (corpus knob negationShare), so "not {held-out word}" is read only in commentary',
      `with the corpus knob judgmentShare (the r17 probe; not in the shipped recipe), a judgment word asked as a question ("which is more wrong ?") judges like a principle of the stance of its level (${JUDGING_WORDS.map((w) => `${w.text} ${w.stance}`).join(', ')}); ${JUDGING_WORDS.filter((w) => w.split === 'heldout').map((w) => `"${w.text}"`).join(' and ')} are never asked, only said in commentary`,
    ],
  };
}
