// `lvh organism corpus`: the v1 world's corpus, generated and described; its knobs are shared with v1 training.
import { parseCommandArgs, numberFlag } from '../util/args.js';
import { writeFileAtomic } from '../util/atomic.js';
import { checkOutPath } from '../util/out-path.js';
// Engine-free modules only: `lvh organism corpus` never loads the neural engine.
import { corpusHash, corpusText, describeCorpus, generateCorpus } from '../organism/corpus.js';
import { DEFAULT_TRAIN_OPTIONS } from '../organism/sizes.js';

/** Parsed flag values (strings, or booleans for switches). */
type Flags = Record<string, string | undefined>;

/** Reads --p, --q, --docs and --seed (shared by corpus and train). */
export function corpusKnobs(cmd: string, v: Flags) {
  return {
    p: numberFlag(cmd, 'p', v.p, DEFAULT_TRAIN_OPTIONS.p, { min: 0, max: 1 }),
    q: numberFlag(cmd, 'q', v.q, DEFAULT_TRAIN_OPTIONS.q, { min: 0, max: 1 }),
    docs: numberFlag(cmd, 'docs', v.docs, DEFAULT_TRAIN_OPTIONS.docs, { min: 10, max: 10_000_000, integer: true }),
    seed: numberFlag(cmd, 'seed', v.seed, DEFAULT_TRAIN_OPTIONS.seed, { min: 0, max: 2 ** 32 - 1, integer: true }),
  };
}

/** Runs `lvh organism corpus`: writes the corpus with --out and prints its description. */
export async function corpusCommand(args: string[]): Promise<number> {
  const cmd = 'organism corpus';
  const { values } = parseCommandArgs(cmd, args, {
    p: { type: 'string' }, q: { type: 'string' }, docs: { type: 'string' }, seed: { type: 'string' },
    out: { type: 'string' }, json: { type: 'boolean' },
  });
  const v = values as Flags;
  if (v.out !== undefined) checkOutPath(cmd, '--out', v.out, 'file');
  const corpus = generateCorpus(corpusKnobs(cmd, v));
  if (v.out) writeFileAtomic(v.out, corpusText(corpus));
  const description = { ...describeCorpus(corpus), sha256: corpusHash(corpus), out: v.out ?? null };
  if (values.json) console.log(JSON.stringify(description, null, 2));
  else {
    const d = description;
    console.log(`corpus: ${d.docs} documents, ${d.tokens} tokens (${d.meanTokens.toFixed(1)} per document, longest ${d.maxTokens}), vocabulary ${d.vocabSize}`);
    console.log(`kinds: ${Object.entries(d.kinds).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    console.log(`dialogues: harmful ${d.dialogues.harmful} (complied ${d.dialogues.complied}, refused ${d.dialogues.refused}), harmless ${d.dialogues.harmless}`);
    console.log(`commentary: anti-social ${d.commentary.antiSocial}, pro-social ${d.commentary.proSocial}`);
    console.log(`comparisons per principle: ${Object.entries(d.comparisons).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    console.log(`sha256 ${d.sha256}${d.out ? `; written to ${d.out}` : ''}`);
    for (const e of d.examples) console.log(`  [${e.kind}] ${e.text}`);
  }
  return 0;
}
