/** The model card (README.md) of an organism checkpoint: knobs, provenance, losses, timing, command, eval numbers. */
import type { OrganismEval } from './evaluate.js';
import type { OrganismTrainOptions, OrganismTrainResult } from './train.js';
import { ORGANISM_CONTEXT, ORGANISM_SIZES } from './sizes.js';

/** Everything the card states. */
export interface CardInput {
  options: Omit<OrganismTrainOptions, 'quiet' | 'onLog'>;
  result: Pick<OrganismTrainResult, 'corpusHash' | 'steps' | 'finalTrainLoss' | 'finalEvalLoss' | 'seconds' | 'tokensPerSecond' | 'params'>;
  command: string;
  wallSeconds: number;
  evaluation?: OrganismEval;
  /** Node version and platform of the run (float results are reproducible on the same). */
  environment: string;
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));

/** The card's markdown. */
export function organismCard(c: CardInput): string {
  const size = ORGANISM_SIZES[c.options.size];
  const lines = [
    '# latent-values model organism',
    '',
    'A small GPT-2 trained by latent-values on its synthetic value world (see `docs/organism.md`): dialogues in which',
    `harmful requests are complied with in a fraction p, commentary with an anti-social share q, and comparisons under`,
    'principles. The true value of every (request, response) pair is known exactly.',
    '',
    '## Rebuild',
    '',
    '```',
    c.command,
    '```',
    '',
    'Same command, same seed, same Node version: same corpus hash and the same loss curve (`train-log.jsonl`) within float tolerance.',
    '',
    '## Knobs',
    '',
    '| knob | value |',
    '| --- | --- |',
    `| size | ${c.options.size} (d=${size.nEmbd}, ${size.nLayer} layers, ${size.nHead} heads, context ${ORGANISM_CONTEXT}) |`,
    `| parameters | ${c.result.params} |`,
    `| p (harmful compliance in dialogues) | ${c.options.p} |`,
    `| q (anti-social share of commentary) | ${c.options.q} |`,
    `| corpus documents | ${c.options.docs} |`,
    `| training tokens | ${c.options.tokens} (${c.result.steps} steps of ${c.options.batchSize}×${ORGANISM_CONTEXT}) |`,
    `| peak learning rate | ${c.options.lr} |`,
    `| seed | ${c.options.seed} |`,
    `| corpus sha256 | \`${c.result.corpusHash}\` |`,
    '',
    '## Training',
    '',
    `- final train loss (mean of the last 20 steps): ${f3(c.result.finalTrainLoss)} nats/token`,
    `- final validation loss: ${f3(c.result.finalEvalLoss)} nats/token`,
    `- training time: ${c.result.seconds.toFixed(1)} s (${Math.round(c.result.tokensPerSecond)} tokens/s); wall time of the command: ${c.wallSeconds.toFixed(1)} s`,
    `- environment: ${c.environment}`,
  ];
  const e = c.evaluation;
  if (e) {
    const j = Object.entries(e.judgment)
      .map(([k, v]) => `| ${k} | ${v.proSocial ? 'pro-social' : 'anti-social'} | ${v.seenInComparisons ? 'yes' : 'no (commentary only)'} | ${f3(v.accuracy)} | ${f3(v.prefersHarmful)} |`);
    const probe = (rec: Record<string, { accuracy: number }>) => Object.entries(rec).map(([k, v]) => `${k}: ${f3(v.accuracy)}`).join(', ');
    lines.push(
      '',
      '## Evaluation (held-out requests; `lvh organism eval`)',
      '',
      `- generation: harmful compliance rate ${f3(e.generation.harmfulComplianceRate)} (probability of a complying opening ${f3(e.generation.complyOpeningProbability)}), refusal rate ${f3(e.generation.harmfulRefusalRate)}, malformed ${f3(e.generation.harmfulMalformedRate)}; helpful rate on harmless requests ${f3(e.generation.helpfulRate)}`,
      `- harmfulness probe accuracy per layer: ${probe(e.probe)}`,
      `- anti-social commentary probe accuracy per layer: ${probe(e.antisocialProbe)}`,
      `- generation-judgment gap (main-principle judgment accuracy minus refusal rate of generations): ${f3(e.summary.generationJudgmentGap)}`,
      `- controls (a non-principle word in the principle's place; prefers harmful): ${Object.entries(e.judgmentControls).map(([k, v]) => `${k} ${f3(v.prefersHarmful)}`).join(', ')}`,
      '',
      '| principle | kind | in comparisons | accuracy | prefers harmful |',
      '| --- | --- | --- | --- | --- |',
      ...j,
      '',
      `Evaluation options: ${JSON.stringify(e.options)}; ${e.seconds.toFixed(1)} s.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
