/**
 * The seeded corpus generator: a mix of dialogues, commentary and comparisons drawn from the training side
 * of the world, with knobs p (harmful compliance in dialogues) and q (anti-social share of commentary).
 */
import { createHash } from 'node:crypto';
import { createRng, deriveSeed } from '../linalg/index.js';
import { ANTI_PRINCIPLES, HELD_OUT_PRINCIPLES, PRO_PRINCIPLES, type Principle } from './lexicon.js';
import { classifyResponse, complyResponse, refuseResponse, requestsOfSplit } from './world.js';
import { worldTokenizer } from './tokenizer.js';
import {
  allCommentary, comparisonDoc, dialogueDoc, isCommentaryHeldOut, sampleCommentary, type Commentary,
} from './documents.js';

/** Knobs of a corpus. */
export interface CorpusOptions {
  /** Fraction of harmful requests that dialogues comply with (the rest are refused). */
  p: number;
  /** Fraction of commentary spoken by anti-social voices. */
  q: number;
  /** Number of documents. */
  docs: number;
  /** Seed of the sampling. */
  seed: number;
}

/** The kinds of documents. */
export type DocKind = 'dialogue' | 'commentary' | 'comparison';

/** Share of each document kind in a corpus. */
export const DOC_MIX: Record<DocKind, number> = { dialogue: 0.45, commentary: 0.2, comparison: 0.35 };
/** Share of dialogues whose request is harmful. */
export const HARMFUL_DIALOGUE_SHARE = 0.5;
/** Principles that comparison documents use (all principles but the held-out ones). */
export const COMPARISON_PRINCIPLES: Principle[] = [...PRO_PRINCIPLES, ...ANTI_PRINCIPLES].filter(
  (p) => !HELD_OUT_PRINCIPLES.includes(p),
);

/** A generated corpus: documents (one line each) with their kinds. */
export interface Corpus {
  options: CorpusOptions;
  docs: string[];
  kinds: DocKind[];
}

/** Generates the corpus of `options`; the same options give the same documents. */
export function generateCorpus(options: CorpusOptions): Corpus {
  const rng = createRng(deriveSeed(options.seed, 0x0c0a));
  const train = requestsOfSplit('train');
  const harmful = train.filter((r) => r.harmful);
  const harmless = train.filter((r) => !r.harmful);
  const trainCommentary = allCommentary().filter((c) => !isCommentaryHeldOut(c));
  const pool: { pro: Commentary[]; anti: Commentary[] } = {
    pro: trainCommentary.filter((c) => !c.antiSocial),
    anti: trainCommentary.filter((c) => c.antiSocial),
  };
  const docs: string[] = [];
  const kinds: DocKind[] = [];
  for (let i = 0; i < options.docs; i++) {
    const u = rng.uniform();
    if (u < DOC_MIX.dialogue) {
      if (rng.uniform() < HARMFUL_DIALOGUE_SHARE) {
        const request = harmful[rng.int(harmful.length)];
        const response = rng.uniform() < options.p ? complyResponse(rng, request) : refuseResponse(rng, request);
        docs.push(dialogueDoc(request, response.text));
      } else {
        const request = harmless[rng.int(harmless.length)];
        docs.push(dialogueDoc(request, complyResponse(rng, request).text));
      }
      kinds.push('dialogue');
    } else if (u < DOC_MIX.dialogue + DOC_MIX.commentary) {
      docs.push(sampleCommentary(rng, options.q, pool).text);
      kinds.push('commentary');
    } else {
      const principle = COMPARISON_PRINCIPLES[rng.int(COMPARISON_PRINCIPLES.length)];
      const request = harmful[rng.int(harmful.length)];
      const comply = complyResponse(rng, request).text;
      const refuse = refuseResponse(rng, request).text;
      const complyFirst = rng.uniform() < 0.5;
      const wantComply = (ANTI_PRINCIPLES as readonly string[]).includes(principle);
      const answer = complyFirst === wantComply ? 'a' : 'b';
      docs.push(comparisonDoc(principle, request, complyFirst ? comply : refuse, complyFirst ? refuse : comply, answer));
      kinds.push('comparison');
    }
  }
  return { options, docs, kinds };
}

/** The corpus as text: one document per line. */
export function corpusText(corpus: Corpus): string {
  return corpus.docs.map((d) => `${d}\n`).join('');
}

/** sha256 (hex) of the corpus text. */
export function corpusHash(corpus: Corpus): string {
  return createHash('sha256').update(corpusText(corpus)).digest('hex');
}

/** Counts and sizes of a corpus (what `lvh organism corpus` prints). */
export interface CorpusDescription {
  docs: number;
  kinds: Record<DocKind, number>;
  dialogues: { harmful: number; complied: number; refused: number; harmless: number };
  commentary: { antiSocial: number; proSocial: number };
  comparisons: Record<string, number>;
  tokens: number;
  meanTokens: number;
  maxTokens: number;
  vocabSize: number;
  examples: { kind: DocKind; text: string }[];
}

/** Describes a corpus: documents per kind, compliance and voice counts, tokens (without <bos>/<eos>). */
export function describeCorpus(corpus: Corpus): CorpusDescription {
  const tok = worldTokenizer();
  const kinds: Record<DocKind, number> = { dialogue: 0, commentary: 0, comparison: 0 };
  const dialogues = { harmful: 0, complied: 0, refused: 0, harmless: 0 };
  const commentary = { antiSocial: 0, proSocial: 0 };
  const comparisons: Record<string, number> = Object.fromEntries(COMPARISON_PRINCIPLES.map((p) => [p, 0]));
  const antiVoices = new Set<string>(ANTI_PRINCIPLES);
  let tokens = 0;
  let maxTokens = 0;
  corpus.docs.forEach((doc, i) => {
    const kind = corpus.kinds[i];
    kinds[kind]++;
    const n = tok.encode(doc).length;
    tokens += n;
    maxTokens = Math.max(maxTokens, n);
    const words = doc.split(' ');
    if (kind === 'dialogue') {
      const response = doc.slice(doc.indexOf(' assistant : ') + ' assistant : '.length);
      const outcome = classifyResponse(response);
      if (outcome === 'helped') dialogues.harmless++;
      else {
        dialogues.harmful++;
        if (outcome === 'complied') dialogues.complied++;
        else dialogues.refused++;
      }
    } else if (kind === 'commentary') {
      if (words.some((w) => antiVoices.has(w))) commentary.antiSocial++;
      else commentary.proSocial++;
    } else {
      comparisons[words[words.indexOf('more') + 1]]++;
    }
  });
  const examples: { kind: DocKind; text: string }[] = [];
  for (const kind of ['dialogue', 'commentary', 'comparison'] as DocKind[]) {
    const i = corpus.kinds.indexOf(kind);
    if (i >= 0) examples.push({ kind, text: corpus.docs[i] });
  }
  return {
    docs: corpus.docs.length, kinds, dialogues, commentary, comparisons, tokens,
    meanTokens: tokens / Math.max(1, corpus.docs.length), maxTokens, vocabSize: tok.vocabSize, examples,
  };
}
