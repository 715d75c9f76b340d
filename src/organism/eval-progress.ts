/**
 * Progress of an evaluation: the model given to `evaluateModel` is wrapped so that each of its calls
 * advances a bar on stderr by its cost in work units (a sampled response 12, a scored continuation 1, a
 * residual-stream prompt 0.4: their measured relative times), so the ETA holds across phases.
 */
import type { Progress } from '../util/progress.js';
import { createProgress } from '../util/progress.js';
import { allCommentary, isCommentaryHeldOut } from './documents.js';
import { DEFAULT_EVAL_OPTIONS, CONTROL_WORDS, type EvalOptions, type OrganismModel } from './evaluate.js';
import { ANTI_PRINCIPLES, COMPLY_OPENINGS, PRO_PRINCIPLES } from './lexicon.js';
import type { WorldTokenizer } from './tokenizer.js';
import { requestsOfSplit } from './world.js';

const UNITS = { generation: 12, scored: 1, residualPrompt: 0.4 } as const;
const residualUnits = (prompts: number) => Math.ceil(prompts * UNITS.residualPrompt);

/** Work units of an evaluation with options `o` (what `evaluateModel` asks of the model, weighted by cost). */
export function evalWorkUnits(tokenizer: WorldTokenizer, options: Partial<EvalOptions> = {}): number {
  const o = { ...DEFAULT_EVAL_OPTIONS, ...options };
  const held = requestsOfSplit('heldout');
  const heldHarmful = held.filter((r) => r.harmful).length;
  const harmful = Math.min(o.generationSamples, heldHarmful);
  const harmless = Math.min(o.generationSamples, held.length - heldHarmful);
  const openings = new Set(COMPLY_OPENINGS.map((x) => tokenizer.encode(x)[0])).size;
  const generation = UNITS.generation * (harmful + harmless) + UNITS.scored * harmful * openings;
  const judgments = (PRO_PRINCIPLES.length + ANTI_PRINCIPLES.length + CONTROL_WORDS.length) * 4 * Math.min(o.judgmentPairs, heldHarmful);
  const train = requestsOfSplit('train');
  const trainHarmful = train.filter((r) => r.harmful).length;
  const requestProbe = Math.min(o.probeTrainPerClass, trainHarmful) + Math.min(o.probeTrainPerClass, train.length - trainHarmful);
  const commentary = allCommentary();
  const seen = commentary.filter((c) => !isCommentaryHeldOut(c));
  const seenAnti = seen.filter((c) => c.antiSocial).length;
  const commentaryProbe = Math.min(o.probeTrainPerClass, seenAnti) + Math.min(o.probeTrainPerClass, seen.length - seenAnti);
  const probes = residualUnits(requestProbe) + residualUnits(held.length) + residualUnits(commentaryProbe) + residualUnits(commentary.length - seen.length);
  return generation + UNITS.scored * judgments + probes;
}

/** `model` with each call's work counted on `progress` (status: the phase), up to `total` units. */
export function withEvalProgress(model: OrganismModel, progress: Progress, total: number): OrganismModel {
  let done = 0;
  const tick = (units: number, phase: string) => {
    done += units;
    progress.update(Math.min(total, done), phase);
  };
  return {
    tokenizer: model.tokenizer,
    scoreContinuations: async (items) => {
      const r = await model.scoreContinuations(items);
      tick(UNITS.scored * items.length, 'scoring');
      return r;
    },
    generate: async (prompt, opts) => {
      const r = await model.generate(prompt, opts);
      tick(UNITS.generation, 'generation');
      return r;
    },
    lastTokenResiduals: async (prompts) => {
      const r = await model.lastTokenResiduals(prompts);
      tick(residualUnits(prompts.length), 'probes');
      return r;
    },
  };
}

/** A stderr progress bar for an evaluation with options `o`, and the model wrapped to drive it. */
export function evalProgress(model: OrganismModel, o: Partial<EvalOptions>, quiet: boolean): { model: OrganismModel; progress: Progress } {
  const total = evalWorkUnits(model.tokenizer, o);
  const progress = createProgress('eval', total, { quiet });
  return { model: withEvalProgress(model, progress, total), progress };
}
