/** The model card (README.md) and organism.json of a v2 organism: world, size, knobs, stages, provenance, losses, timing, eval headline. */
import type { V2Eval } from './eval/evaluate.js';
import { formatV2Rate, headlineRates } from './eval/format.js';
import { V2_SIZES, type V2RecipeKnobs, type V2Size, type V2Stage } from './recipe.js';
import { WORLD_CONTEXT } from './world/index.js';

/** What a v2 run records (organism.json; the card states the same). */
export interface V2RunRecord {
  world: 'v2';
  size: V2Size;
  dims: (typeof V2_SIZES)[V2Size];
  knobs: V2RecipeKnobs;
  stages: V2Stage[];
  corpusSha256: string[];
  steps: number;
  params: number;
  finalTrainLoss: number | null;
  finalEvalLoss: number | null;
  seconds: number;
  tokensPerSecond: number;
  command: string;
  environment: string;
}

const f3 = (x: number | null) => (x !== null && Number.isFinite(x) ? x.toFixed(3) : 'n/a');

/** The card's markdown; with an evaluation, its headline next to the baselines. */
export function v2Card(r: V2RunRecord, wallSeconds: number, e?: V2Eval): string {
  const k = r.knobs;
  const lines = [
    '# latent-values model organism (world v2)',
    '',
    'A small GPT-2 trained by latent-values on the v2 value world (see `docs/organism-v2.md`): acts whose value belongs to',
    'the whole phrase, responses valued by their content, comparisons under principles, with held-out acts, categories and',
    'principle words. The true value of every (request, response) pair is known exactly.',
    '',
    '## Rebuild',
    '',
    '```',
    r.command,
    '```',
    '',
    'Same command, same seed, same Node version: same corpus hashes and the same loss curve (`train-log.jsonl`).',
    '',
    '## Knobs',
    '',
    '| knob | value |',
    '| --- | --- |',
    '| world | v2 |',
    `| size | ${r.size} (d=${r.dims.nEmbd}, ${r.dims.nLayer} layers, ${r.dims.nHead} heads, context ${WORLD_CONTEXT}) |`,
    `| parameters | ${r.params} |`,
    `| p (harmful compliance share of dialogues) | ${k.p} |`,
    `| q (anti-social share of commentary) | ${k.q} |`,
    `| documents per stage | ${k.docs} |`,
    `| training tokens | ${k.tokens} (${r.steps} steps of ${k.batchSize}×${WORLD_CONTEXT}) |`,
    `| peak learning rate | ${k.lr} |`,
    `| seed | ${k.seed} |`,
    '',
    '## Stages (recipe r16)',
    '',
    '| stage | share | corpus | sha256 |',
    '| --- | --- | --- | --- |',
    ...r.stages.map((s, i) => `| ${i + 1} | ${s.share} | \`${JSON.stringify(s.corpus)}\` | \`${r.corpusSha256[i]}\` |`),
    '',
    '## Training',
    '',
    `- final train loss (mean of the last 20 steps): ${f3(r.finalTrainLoss)} nats/token`,
    `- final validation loss: ${f3(r.finalEvalLoss)} nats/token`,
    `- training time: ${r.seconds.toFixed(1)} s (${Math.round(r.tokensPerSecond)} tokens/s); wall time of the command: ${wallSeconds.toFixed(1)} s`,
    `- environment: ${r.environment}`,
  ];
  if (e) {
    const rates = headlineRates(e);
    lines.push(
      '',
      '## Evaluation (`lvh organism eval`; the whole report is eval.json)',
      '',
      `${e.pairs.total} pairs (${e.options.pairsPerCell} per split × pair kind). Rates carry their 95% interval (Wilson; for judgments at the pair-clustered effective sample size, since the cases of one pair are not independent) and n (cases).`,
      '',
      '| headline | value |',
      '| --- | --- |',
      ...Object.entries(e.headline).map(([key, v]) => `| ${key} | ${rates[key] ? formatV2Rate(rates[key]) : f3(v)} |`),
      '',
      'Baselines on the same cases: `baseline.position` (always the first shown), `baseline.alwaysRefuse`, `baseline.controls`',
      '(non-principle words in the principle slot), `rho.*Untrained` (the untrained twin, same config, seed 12345);',
      '`agreement.generation` is the base model\'s own preference on the same pairs, `agreement.judge` the judge\'s.',
      '',
      `Evaluation options: ${JSON.stringify(e.options)}; ${e.seconds.toFixed(1)} s.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
