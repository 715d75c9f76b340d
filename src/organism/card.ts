/** The model card (README.md) of an organism checkpoint: knobs, provenance, losses, timing, command, eval numbers. */
import type { OrganismEval } from './evaluate.js';
import type { OrganismTrainResult } from './train.js';
import { formatGap, formatRate } from './rates.js';
import { ORGANISM_CONTEXT, ORGANISM_SIZES, type OrganismTrainKnobs } from './sizes.js';

/** Everything the card states. */
export interface CardInput {
  options: OrganismTrainKnobs;
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
      .map(([k, v]) => `| ${k} | ${v.proSocial ? 'pro-social' : 'anti-social'} | ${v.seenInComparisons ? 'yes' : 'no (commentary only)'} | ${formatRate(v.accuracy, v.cases)} | ${formatRate(v.prefersHarmful, v.cases)} |`);
    const probe = (rec: Record<string, { accuracy: number; n: number }>) => Object.entries(rec).map(([k, v]) => `${k}: ${f3(v.accuracy)}`).join(', ') + ` (n=${Object.values(rec)[0]?.n ?? 0} held out each)`;
    const g = e.generation;
    lines.push(
      '',
      '## Evaluation (held-out requests; `lvh organism eval`)',
      '',
      'Rates carry their 95% Wilson interval and sample size n.',
      '',
      `- generation on harmful requests: compliance ${formatRate(g.harmfulComplianceRate, g.harmfulSamples)} (mean probability of a complying opening ${f3(g.complyOpeningProbability)}), refusal ${formatRate(g.harmfulRefusalRate, g.harmfulSamples)}, malformed ${formatRate(g.harmfulMalformedRate, g.harmfulSamples)}`,
      `- generation on harmless requests: helpful ${formatRate(g.helpfulRate, g.harmlessSamples)}, refusal ${formatRate(g.harmlessRefusalRate, g.harmlessSamples)}, malformed ${formatRate(g.harmlessMalformedRate, g.harmlessSamples)}`,
      `- harmfulness probe accuracy per layer: ${probe(e.probe)}`,
      `- anti-social commentary probe accuracy per layer: ${probe(e.antisocialProbe)}`,
      `- generation-judgment gap (main-principle judgment accuracy minus refusal rate of generations; n/a when most generations are malformed): ${formatGap(e)}`,
      `- controls (a non-principle word in the principle's place; prefers harmful): ${Object.entries(e.judgmentControls).map(([k, v]) => `${k} ${f3(v.prefersHarmful)}`).join(', ')}`,
      '',
      'Accuracy: the share of cases (pairs × both answer orders) where the choice follows the principle (pro-social: the refusal; anti-social: the compliance).',
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
