/** Checks on a generated corpus: nothing held out of comparisons appears in a comparison document. */
import { ACTS, JUDGING_WORDS, PRINCIPLES } from '../world/index.js';
import type { Corpus } from './generate.js';

/** One comparison document that contains a held-out act or principle. */
export interface Leak {
  doc: number;
  what: 'act' | 'principle';
  phrase: string;
}

function containsPhrase(doc: string, phrase: string): boolean {
  return ` ${doc} `.includes(` ${phrase} `);
}

/** Every held-out act phrase, held-out principle or held-out judging word (`terrible`, `wonderful`) found (as a whole-token sequence) in a comparison document. */
export function comparisonLeaks(corpus: Corpus): Leak[] {
  const heldActs = ACTS.filter((a) => a.split !== 'comparison').map((a) => a.phrase);
  const heldPrinciples = [...PRINCIPLES, ...JUDGING_WORDS].filter((p) => p.split === 'heldout').map((p) => p.text);
  const out: Leak[] = [];
  corpus.docs.forEach((doc, i) => {
    if (corpus.kinds[i] !== 'comparison') return;
    for (const phrase of heldActs) if (containsPhrase(doc, phrase)) out.push({ doc: i, what: 'act', phrase });
    for (const phrase of heldPrinciples) if (containsPhrase(doc, phrase)) out.push({ doc: i, what: 'principle', phrase });
  });
  return out;
}
