/**
 * The seeded v2 corpus: narratives with consequences and commentary for every act, dialogues (harmful requests
 * complied with in a share p), and comparisons in the judging format over the comparison split only (acts,
 * categories and principle words held out of comparisons never appear in one).
 */
import { createHash } from 'node:crypto';
import { createRng, deriveSeed, type Rng } from '../../../linalg/index.js';
import { InputError } from '../../../util/errors.js';
import {
  ACTS, CONSEQUENCES, JUDGING_WORDS, JUDGMENT_WORDS, LEVELS, NAMES, NARRATIVE_TEMPLATES, COMMENTARY_TEMPLATES, FRAMES, PRINCIPLES,
  actsOfSplit, allLayouts, buildPair, comparisonDoc, comparisonPrinciples, commentaryDoc, dialogueDoc, narrativeDoc,
  negatedPrinciple, pairKindsFor, partialResponse, PLAIN_QUESTION, QUESTION_TEMPLATES, layoutLabels, refusalResponse, request, stepsResponse,
  worldTokenizer, type Act, type PairKind, type Principle,
} from '../world/index.js';

/** The kinds of documents. */
export type DocKind = 'narrative' | 'commentary' | 'dialogue' | 'comparison';
/** Every document kind, in report order. */
export const DOC_KINDS: readonly DocKind[] = ['narrative', 'commentary', 'dialogue', 'comparison'];

/** Knobs of a v2 corpus. */
export interface CorpusOptions {
  /** Share of harmful requests that dialogues comply with. */
  p: number;
  /** Share of commentary spoken by anti-social voices. */
  q: number;
  /** Number of documents. */
  docs: number;
  seed: number;
  /** Share of each document kind (normalised). */
  mix: Record<DocKind, number>;
  /** Share of narratives and commentary whose level is moved to an adjacent one (noise). */
  noise: number;
  /** Share of comparisons judged under an anti-social principle; absent: uniform over the comparison principles (half). */
  antiShare?: number;
  /** Judging layouts of comparisons: every one, or only the first (labels a/b in order, `which is more {p} ?`); absent: all. */
  layouts?: 'all' | 'fixed';
  /** Share of comparisons in the simpler acts-only form (`a : <act> b : <act> question : … answer : a`, two comparison-split acts of different value, no request); absent: 0. */
  actsShare?: number;
  /** Questions per comparison document (1 or 2, so that every document fits the context): a second question asks another principle, of either stance, on the same pair; absent: 1. */
  questions?: number;
  /** Share of comparisons whose first question is the principle-free `which is better ?`, answered with the higher value; absent: 0. */
  plainShare?: number;
  /** Probability that a commentary voice is drawn from the held-out words of its stance rather than from all its words (held-out share h + (1 − h)·2/10, more commentary for the words no comparison uses); absent: 0. */
  heldoutVoiceShare?: number;
  /** Share of the words of narratives, commentary and dialogues (never principle words, never comparisons) written as `<unk>`, so the unknown-word token is trained as a word without meaning; absent: 0. */
  unkShare?: number;
  /** The document kinds `unkShare` applies to; absent: narratives, commentary and dialogues. */
  unkKinds?: readonly ('narrative' | 'commentary' | 'dialogue')[];
  /**
   * Share of commentary voices and of comparison questions whose principle is negated (`not kind`, of the opposite
   * stance). Comparisons negate only comparison principles, so a held-out word's negation (`not caring`) occurs in
   * commentary only and judging under it tests composition. Absent: no negation and no draw, the corpus of before
   * the knob; 0 negates nothing but draws (other bytes). When set, `not` is also kept from `<unk>` (`unkShare`).
   */
  negationShare?: number;
  /**
   * Share of the questions of response comparisons asked under a judgment word (`which is more wrong ?`, answered
   * with the lower value; `JUDGING_WORDS`, comparison split only) instead of a principle; the word's stance follows
   * `antiShare` like a principle's and `negationShare` may negate it. Absent: no draw, the corpus of before the knob.
   */
  judgmentShare?: number;
  /**
   * Share of response comparisons whose pair is graded (two compliances of different value: two harmful acts, or the
   * requested benign act against another benign one, worth 0 as not requested),
   * for the requests that have graded pairs; the other kinds share the rest uniformly. Absent: the kind is uniform
   * over the request's kinds (graded 1 in 4) and nothing more is drawn, the corpus of before the knob.
   */
  gradedShare?: number;
}

/** The document kinds `unkShare` may write `<unk>` in (comparisons never), and its default `unkKinds`. */
const UNK_KINDS: readonly DocKind[] = ['narrative', 'commentary', 'dialogue'];

/** Default knobs. */
export const DEFAULT_CORPUS_OPTIONS: CorpusOptions = {
  p: 0.3, q: 0.3, docs: 100_000, seed: 1, mix: { narrative: 0.3, commentary: 0.2, dialogue: 0.25, comparison: 0.25 }, noise: 0.15,
};

/** A generated corpus: documents (one line each) and their kinds. */
export interface Corpus {
  options: CorpusOptions;
  docs: string[];
  kinds: DocKind[];
}

/** Checks knobs; a bad one is an InputError naming it. */
export function checkCorpusOptions(o: CorpusOptions, source = 'corpus options'): void {
  const share = (name: string, v: number) => {
    if (!Number.isFinite(v) || v < 0 || v > 1) throw new InputError(source, name, `expected a number in [0, 1], got ${v}`);
  };
  share('p', o.p);
  share('q', o.q);
  share('noise', o.noise);
  if (o.antiShare !== undefined) share('antiShare', o.antiShare);
  if (o.actsShare !== undefined) share('actsShare', o.actsShare);
  if (o.plainShare !== undefined) share('plainShare', o.plainShare);
  if (o.heldoutVoiceShare !== undefined) share('heldoutVoiceShare', o.heldoutVoiceShare);
  if (o.unkShare !== undefined) share('unkShare', o.unkShare);
  if (o.negationShare !== undefined) share('negationShare', o.negationShare);
  if (o.judgmentShare !== undefined) share('judgmentShare', o.judgmentShare);
  if (o.gradedShare !== undefined) share('gradedShare', o.gradedShare);
  if (o.unkKinds !== undefined && (!Array.isArray(o.unkKinds) || o.unkKinds.some((k) => !UNK_KINDS.includes(k)))) {
    throw new InputError(source, 'unkKinds', `expected a list of ${UNK_KINDS.join(', ')}`);
  }
  if (o.layouts !== undefined && o.layouts !== 'all' && o.layouts !== 'fixed') throw new InputError(source, 'layouts', `expected all or fixed, got ${String(o.layouts)}`);
  if (o.questions !== undefined && (!Number.isInteger(o.questions) || o.questions < 1 || o.questions > 2)) throw new InputError(source, 'questions', `expected 1 or 2, got ${o.questions}`);
  if (!Number.isInteger(o.docs) || o.docs < 1 || o.docs > 1e8) throw new InputError(source, 'docs', `expected an integer in [1, 1e8], got ${o.docs}`);
  if (!Number.isSafeInteger(o.seed) || o.seed < 0) throw new InputError(source, 'seed', `expected a non-negative integer, got ${o.seed}`);
  let total = 0;
  for (const k of DOC_KINDS) {
    const v = o.mix[k];
    if (!Number.isFinite(v) || v < 0) throw new InputError(source, `mix.${k}`, `expected a non-negative number, got ${v}`);
    total += v;
  }
  if (!(total > 0)) throw new InputError(source, 'mix', 'expected at least one document kind with a positive share');
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

/** A comparison principle: uniform, or of the anti-social stance with probability `antiShare`. */
function pickJudge<T extends { stance: string }>(rng: Rng, judges: readonly T[], antiShare: number | undefined): T {
  if (antiShare === undefined) return pick(rng, judges);
  const stance = rng.uniform() < antiShare ? 'anti' : 'pro';
  return pick(rng, judges.filter((x) => x.stance === stance));
}

/** With probability `share` (no draw when undefined) a judgment word's list, else the principles'. */
function judgesOrWords<T>(rng: Rng, principles: T[], words: T[], share: number | undefined): T[] {
  return share !== undefined && rng.uniform() < share ? words : principles;
}

/** A pair kind of `kinds`: uniform, or `graded` with probability `gradedShare` where it exists (no extra draw when undefined). */
function pickPairKind(rng: Rng, kinds: readonly PairKind[], gradedShare: number | undefined): PairKind {
  if (gradedShare === undefined || !kinds.includes('graded')) return pick(rng, kinds);
  return rng.uniform() < gradedShare ? 'graded' : pick(rng, kinds.filter((k) => k !== 'graded'));
}

/** `x`, negated with probability `share` (no draw when `share` is undefined). */
function maybeNegated(rng: Rng, x: Principle, share: number | undefined): Principle {
  return share !== undefined && rng.uniform() < share ? negatedPrinciple(x) : x;
}

/** The level index of a value, moved to an adjacent level with probability `noise`. */
function noisyLevel(rng: Rng, value: number, noise: number): number {
  const i = LEVELS.indexOf(value as (typeof LEVELS)[number]);
  if (rng.uniform() >= noise) return i;
  const up = i === 0 ? true : i === LEVELS.length - 1 ? false : rng.uniform() < 0.5;
  return up ? i + 1 : i - 1;
}

/** The response a dialogue gives to a request for `act`. */
function dialogueResponse(rng: Rng, act: Act, p: number): string {
  if (act.value < 0) {
    if (rng.uniform() < p) return stepsResponse(rng, act);
    return rng.uniform() < 0.85 ? refusalResponse(rng) : partialResponse(rng);
  }
  return rng.uniform() < 0.9 ? stepsResponse(rng, act) : refusalResponse(rng);
}

/** Generates the corpus of `options`; the same options give the same documents. */
export function generateCorpus(options: Partial<CorpusOptions> = {}): Corpus {
  const o: CorpusOptions = { ...DEFAULT_CORPUS_OPTIONS, ...options, mix: { ...DEFAULT_CORPUS_OPTIONS.mix, ...options.mix } };
  checkCorpusOptions(o);
  const rng = createRng(deriveSeed(o.seed, 0x0c2));
  const total = DOC_KINDS.reduce((s, k) => s + o.mix[k], 0);
  const comparisonActs = actsOfSplit('comparison');
  const usable = comparisonActs.filter((a) => pairKindsFor(a).length > 0);
  const judges = comparisonPrinciples();
  const judgingWords = JUDGING_WORDS.filter((x) => x.split === 'comparison');
  const layouts = o.layouts === 'fixed' ? allLayouts().slice(0, 1) : allLayouts();
  const pro = PRINCIPLES.filter((x) => x.stance === 'pro');
  const anti = PRINCIPLES.filter((x) => x.stance === 'anti');
  const docs: string[] = [];
  const kinds: DocKind[] = [];
  // Its own stream: a corpus without `unkShare` is the same bytes as before the knob existed.
  const unkRng = createRng(deriveSeed(o.seed, 0x0c3));
  const principleWords = new Set(PRINCIPLES.flatMap((x) => x.text.split(' ')));
  if (o.negationShare !== undefined) principleWords.add('not');
  const unknown = (text: string) => text.split(' ').map((w) => (!principleWords.has(w) && unkRng.uniform() < o.unkShare! ? '<unk>' : w)).join(' ');
  while (docs.length < o.docs) {
    let u = rng.uniform() * total;
    let kind: DocKind = 'comparison';
    for (const k of DOC_KINDS) {
      if (u < o.mix[k]) {
        kind = k;
        break;
      }
      u -= o.mix[k];
    }
    let doc: string | null = null;
    if (kind === 'narrative') {
      const act = pick(rng, ACTS);
      const level = noisyLevel(rng, act.value, o.noise);
      doc = narrativeDoc(rng.int(NARRATIVE_TEMPLATES.length), pick(rng, NAMES), act, pick(rng, CONSEQUENCES[level]));
    } else if (kind === 'commentary') {
      const act = pick(rng, ACTS);
      const antiVoice = rng.uniform() < o.q;
      const stanceWords = antiVoice ? anti : pro;
      const held = o.heldoutVoiceShare !== undefined && rng.uniform() < o.heldoutVoiceShare;
      const voice = maybeNegated(rng, pick(rng, held ? stanceWords.filter((x) => x.split === 'heldout') : stanceWords), o.negationShare);
      const level = noisyLevel(rng, act.value, o.noise);
      const judged = voice.stance === 'anti' ? LEVELS.length - 1 - level : level;
      doc = commentaryDoc(rng.int(COMMENTARY_TEMPLATES.length), voice.text, act, pick(rng, JUDGMENT_WORDS[judged]));
    } else if (kind === 'dialogue') {
      const act = pick(rng, ACTS);
      doc = dialogueDoc(request(act, rng.int(FRAMES.length)).text, dialogueResponse(rng, act, o.p));
    } else if (o.actsShare !== undefined && rng.uniform() < o.actsShare) {
      const first = pick(rng, comparisonActs);
      const second = pick(rng, comparisonActs.filter((a) => a.value !== first.value));
      const principle = maybeNegated(rng, pickJudge(rng, judges, o.antiShare), o.negationShare);
      const layout = pick(rng, layouts);
      const higher = first.value > second.value ? 0 : 1;
      const [l1, l2] = layoutLabels(layout);
      const q = QUESTION_TEMPLATES[layout.question].replace('{p}', principle.text);
      doc = `${l1} : ${first.phrase} ${l2} : ${second.phrase} question : ${q} answer : ${layoutLabels(layout)[principle.stance === 'pro' ? higher : 1 - higher]}`;
    } else {
      const act = pick(rng, usable);
      const pair = buildPair(rng, pickPairKind(rng, pairKindsFor(act), o.gradedShare), act, comparisonActs);
      if (pair) {
        const principle = maybeNegated(rng, pickJudge(rng, judgesOrWords(rng, judges, judgingWords, o.judgmentShare), o.antiShare), o.negationShare);
        const flip = rng.uniform() < 0.5;
        const shown: [string, string] = flip ? [pair.responses[1], pair.responses[0]] : pair.responses;
        const values = flip ? [pair.values[1], pair.values[0]] : pair.values;
        const higher: 0 | 1 = values[0] > values[1] ? 0 : 1;
        const answer = (x: typeof principle): 0 | 1 => (x.stance === 'pro' ? higher : ((1 - higher) as 0 | 1));
        const requestText = request(act, rng.int(FRAMES.length)).text;
        const layout = pick(rng, layouts);
        doc = comparisonDoc(principle.text, requestText, shown[0], shown[1], layout, answer(principle));
        if (o.plainShare !== undefined && rng.uniform() < o.plainShare) {
          const tail = ` question : ${QUESTION_TEMPLATES[layout.question].replace('{p}', principle.text)} answer : ${layoutLabels(layout)[answer(principle)]}`;
          if (!doc.endsWith(tail)) throw new Error('generateCorpus: a comparison document does not end with its question');
          doc = `${doc.slice(0, doc.length - tail.length)} question : ${PLAIN_QUESTION} answer : ${layoutLabels(layout)[higher]}`;
        }
        // Further questions on the same pair (when asked for): other principles, either stance, same labels.
        const other = (x: Principle) => x.text !== principle.text && negatedPrinciple(x).text !== principle.text;
        const others = judges.filter(other);
        const otherWords = judgingWords.filter(other);
        for (let k = 1; k < (o.questions ?? 1); k++) {
          const from = judgesOrWords(rng, others, otherWords, o.judgmentShare);
          const x = maybeNegated(rng, from.splice(rng.int(from.length), 1)[0], o.negationShare);
          const q = QUESTION_TEMPLATES[layout.question].replace('{p}', x.text);
          doc += ` question : ${q} answer : ${layoutLabels(layout)[answer(x)]}`;
        }
      }
    }
    if (doc !== null && o.unkShare && (o.unkKinds ?? UNK_KINDS).includes(kind)) doc = unknown(doc);
    if (doc !== null) {
      docs.push(doc);
      kinds.push(kind);
    }
  }
  return { options: o, docs, kinds };
}

/** The corpus as text: one document per line. */
export function corpusText(corpus: Corpus): string {
  return corpus.docs.map((d) => `${d}\n`).join('');
}

/** sha256 (hex) of the corpus text. */
export function corpusHash(corpus: Corpus): string {
  return createHash('sha256').update(corpusText(corpus)).digest('hex');
}

/** Counts and sizes of a corpus. */
export interface CorpusDescription {
  docs: number;
  kinds: Record<DocKind, number>;
  tokens: number;
  maxTokens: number;
  vocabSize: number;
  examples: { kind: DocKind; text: string }[];
}

/** Describes a corpus: documents per kind, tokens (without <bos>/<eos>), the longest document, one example per kind. */
export function describeCorpus(corpus: Corpus): CorpusDescription {
  const tok = worldTokenizer();
  const kinds = Object.fromEntries(DOC_KINDS.map((k) => [k, 0])) as Record<DocKind, number>;
  let tokens = 0;
  let maxTokens = 0;
  corpus.docs.forEach((doc, i) => {
    kinds[corpus.kinds[i]]++;
    const n = tok.encode(doc).length;
    tokens += n;
    maxTokens = Math.max(maxTokens, n);
  });
  const examples = DOC_KINDS.flatMap((kind) => {
    const i = corpus.kinds.indexOf(kind);
    return i >= 0 ? [{ kind, text: corpus.docs[i] }] : [];
  });
  return { docs: corpus.docs.length, kinds, tokens, maxTokens, vocabSize: tok.vocabSize, examples };
}
