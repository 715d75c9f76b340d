/**
 * The capacity ladder of organism v2 (issue #11 point 7): headline numbers of several sizes × seeds summed up per
 * size (mean, sd, min, max, spread over seeds), sizes ordered by parameters, and the "must show" checks on
 * them as explicit records that can fail. Engine-free: it reads `headline` records, never a model.
 */
import { InputError } from '../../util/errors.js';
import { aggregateSeeds, type SeedSummary } from './eval/stats.js';

/** One evaluated model of the ladder. */
export interface LadderModel {
  /** Where it came from (a model directory), for messages and the report. */
  dir: string;
  size: string;
  seed: number;
  params: number;
  /** The `headline` record of `evaluateV2`. */
  headline: Record<string, number>;
}

/** Held-out judgment agreement: the mean of the held-out-act and held-out-category agreement (equal case counts). */
export const HELDOUT_KEY = 'judge.main.heldoutMean';

/** Headline keys summed up per size, in the order the tables show them. */
export const LADDER_KEYS: readonly string[] = [
  HELDOUT_KEY,
  'judge.main.heldout-act',
  'judge.main.heldout-category',
  'rho.leaveCategoryOut.best',
  'rho.leaveCategoryOut.bestUntrained',
  'gap',
  'agreement.generation',
  'agreement.judge',
  'baseline.position',
  'baseline.controls',
  'sweep.movedShare',
  'judge.heldoutWords.pro.stanceAgreement',
  'judge.heldoutWords.anti.stanceAgreement',
];

/** The targets: the smallest size clearly imperfect, the largest clearly good. */
export const LADDER_TARGETS = { smallestAtMost: 0.7, largestAtLeast: 0.9, minSizes: 4, minSeeds: 3 } as const;

/** One size of the ladder: its parameter count, the seeds it has, and each key's summary over them. */
export interface LadderSize {
  size: string;
  params: number;
  seeds: number[];
  /** Seeds (models) of this size. */
  n: number;
  summary: Record<string, SeedSummary>;
}

/** A check of the must-show list: what was measured (per size where it is a trend), the target, and whether it holds. */
export interface LadderCheck {
  name: string;
  target: string;
  values: { size: string; value: number }[];
  holds: boolean;
}

/** The ladder: models (with the derived held-out key), sizes by parameters, and the checks. */
export interface Ladder {
  models: LadderModel[];
  sizes: LadderSize[];
  checks: LadderCheck[];
}

/** The headline with the derived held-out mean added (NaN when either split is missing). */
export function withHeldoutMean(headline: Record<string, number>): Record<string, number> {
  const a = headline['judge.main.heldout-act'];
  const c = headline['judge.main.heldout-category'];
  return { ...headline, [HELDOUT_KEY]: Number.isFinite(a) && Number.isFinite(c) ? (a + c) / 2 : NaN };
}

/** Whether `xs` rises strictly at every step (false for fewer than 2 values or any non-finite one). */
export function risesStrictly(xs: readonly number[]): boolean {
  if (xs.length < 2 || !xs.every(Number.isFinite)) return false;
  return xs.every((x, i) => i === 0 || x > xs[i - 1]);
}

/**
 * Groups models by size (one parameter count per size, one model per size × seed: anything else is an
 * InputError naming the model's dir), sums up LADDER_KEYS over seeds per size, orders sizes by parameters, and
 * checks the list: at least 4 sizes × 3 seeds; held-out agreement and rho (means over seeds) rising
 * strictly at every step; the smallest size's held-out mean ≤ 0.7 and the largest's ≥ 0.9.
 */
export function summarizeLadder(input: readonly LadderModel[]): Ladder {
  if (input.length === 0) throw new Error('summarizeLadder: no models');
  const models = input.map((m) => ({ ...m, headline: withHeldoutMean(m.headline) }));
  const bySize = new Map<string, LadderModel[]>();
  for (const m of models) {
    const group = bySize.get(m.size) ?? [];
    const first = group[0];
    if (first && first.params !== m.params) throw new InputError(m.dir, 'size', `expected the ${first.params} parameters of size "${m.size}" (as ${first.dir}), got ${m.params}`);
    const twin = group.find((g) => g.seed === m.seed);
    if (twin) throw new InputError(m.dir, 'seed', `expected one model per size and seed, but ${twin.dir} is also size "${m.size}" seed ${m.seed}`);
    group.push(m);
    bySize.set(m.size, group);
  }
  const sizes: LadderSize[] = [...bySize.entries()]
    .map(([size, group]) => {
      const sorted = [...group].sort((a, b) => a.seed - b.seed);
      const all = aggregateSeeds(sorted.map((m) => m.headline));
      const summary: Record<string, SeedSummary> = {};
      for (const key of LADDER_KEYS) summary[key] = all[key] ?? { mean: NaN, sd: 0, min: NaN, max: NaN, spread: NaN, n: 0 };
      return { size, params: group[0].params, seeds: sorted.map((m) => m.seed), n: group.length, summary };
    })
    .sort((a, b) => a.params - b.params || a.size.localeCompare(b.size));
  return { models, sizes, checks: ladderChecks(sizes) };
}

/** The must-show checks of a ladder whose sizes are ordered by parameters. */
export function ladderChecks(sizes: readonly LadderSize[]): LadderCheck[] {
  const t = LADDER_TARGETS;
  const means = (key: string) => sizes.map((s) => ({ size: s.size, value: s.summary[key]?.mean ?? NaN }));
  const held = means(HELDOUT_KEY);
  const rho = means('rho.leaveCategoryOut.best');
  const smallest = held[0];
  const largest = held[held.length - 1];
  const twoOrMore = sizes.length >= 2;
  return [
    {
      name: `ladder shape: at least ${t.minSizes} sizes, ${t.minSeeds} seeds each`,
      target: `≥ ${t.minSizes} sizes, each with ≥ ${t.minSeeds} seeds`,
      values: sizes.map((s) => ({ size: s.size, value: s.n })),
      holds: sizes.length >= t.minSizes && sizes.every((s) => s.n >= t.minSeeds),
    },
    {
      name: 'held-out judgment agreement rises with size (mean over seeds)',
      target: 'strictly higher at every step, ≥ 2 sizes',
      values: held,
      holds: twoOrMore && risesStrictly(held.map((v) => v.value)),
    },
    {
      name: 'rho (leave-category-out, best) rises with size (mean over seeds)',
      target: 'strictly higher at every step, ≥ 2 sizes',
      values: rho,
      holds: twoOrMore && risesStrictly(rho.map((v) => v.value)),
    },
    {
      name: `smallest size's held-out agreement ≤ ${t.smallestAtMost}`,
      target: `≤ ${t.smallestAtMost} (mean over seeds)`,
      values: [smallest],
      holds: Number.isFinite(smallest.value) && smallest.value <= t.smallestAtMost,
    },
    {
      name: `largest size's held-out agreement ≥ ${t.largestAtLeast}`,
      target: `≥ ${t.largestAtLeast} (mean over seeds), ≥ 2 sizes`,
      values: [largest],
      holds: twoOrMore && Number.isFinite(largest.value) && largest.value >= t.largestAtLeast,
    },
  ];
}
