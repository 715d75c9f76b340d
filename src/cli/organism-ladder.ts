// `lvh organism ladder`: every model of the v2 capacity ladder evaluated (or its eval.json reused), summed up per
// size over seeds, checked against issue #11's targets, and written as ladder.json, ladder.svg and report.html.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readModelConfig } from '../io/model-dir.js';
import { askedJudgingWords } from '../organism/world-of.js';
import { paramSpecs } from '../io/params.js';
import { HELDOUT_KEY, LADDER_KEYS, LADDER_TARGETS, summarizeLadder, type Ladder, type LadderModel, type LadderSize } from '../organism/v2/ladder.js';
import { DEFAULT_V2_EVAL_OPTIONS, type V2Eval, type V2EvalOptions } from '../organism/v2/eval/evaluate.js';
import type { SeedSummary } from '../organism/v2/eval/stats.js';
import { htmlReport, htmlTable, renderSvg, type TableCell } from '../report/index.js';
import { numberFlag, parseCommandArgs } from '../util/args.js';
import { writeFileAtomic } from '../util/atomic.js';
import { InputError } from '../util/errors.js';
import { finiteJson, parseJsonStrict } from '../util/json.js';
import { checkOutPath, shownPath } from '../util/out-path.js';
import { INPUT_LIMITS, readInputText } from '../util/read-input.js';
import { ENGINE_FLAG_HELP, ENGINE_FLAG_SPECS, engineFlags } from './engine-flags.js';
import { textTable } from './text-table.js';

const CMD = 'organism ladder';
const DEFAULT_MODELS = 'models/ladder';
const DEFAULT_OUT = 'runs/ladder';
/** Agreement of a judge that ignores the content (every pair is judged in both orders). */
const CHANCE = 0.5;

const HELP = `usage: lvh organism ladder [--models DIR] [--out RUNDIR] [--reuse] [--pairs N] [--threads N] [--device cpu|cuda] [--json]
Evaluates every model of the v2 capacity ladder (evaluateV2 defaults, next to its untrained twin), sums the
headline up per size over seeds (mean, sd, min, max, spread; sizes by parameters) and checks issue #11's targets:
at least ${LADDER_TARGETS.minSizes} sizes × ${LADDER_TARGETS.minSeeds} seeds, held-out judgment agreement and rho rising with size, the smallest size's
held-out agreement ≤ ${LADDER_TARGETS.smallestAtMost} and the largest's ≥ ${LADDER_TARGETS.largestAtLeast}. Writes RUNDIR/ladder.json, ladder.svg, report.html and eval/<size>-s<seed>.json.
  --models DIR            folder of model directories (default ${DEFAULT_MODELS}): those listed by DIR/ladder.json
                          ({"models": ["xs-s1", ...]}, paths relative to DIR), else every subfolder with organism.json;
                          size and seed come from organism.json (size, knobs.seed), else from the name <size>-s<seed>
  --out RUNDIR            run folder (default ${DEFAULT_OUT})
  --reuse                 read each model's eval.json (written by lvh organism train) instead of evaluating
  --pairs N               pairs per (split, pair kind) (default ${DEFAULT_V2_EVAL_OPTIONS.pairsPerCell}); not with --reuse
${ENGINE_FLAG_HELP}
  --json                  print ladder.json (default: text; progress on stderr)`;

/** Test hooks: evaluation options beyond the flags (tests shrink the evaluation). */
export interface LadderHooks {
  v2Options?: Partial<V2EvalOptions>;
}

/** A model directory of the ladder, before evaluation. */
interface LadderEntry {
  dir: string;
  /** Its name in the output: `<size>-s<seed>`. */
  name: string;
  size: string;
  seed: number;
  params: number;
}

/** One evaluated model as ladder.json holds it. */
interface ModelResult extends LadderModel {
  name: string;
  source: 'evaluated' | 'eval.json';
  seconds: number;
  options: unknown;
}

/** Series of the plot, in legend order, with their colours. */
const SERIES = [
  { key: HELDOUT_KEY, name: 'held-out judgment agreement', color: '#2c6fbb' },
  { key: 'rho.leaveCategoryOut.best', name: 'rho (leave-category-out, best)', color: '#1e8449' },
  { key: 'gap', name: 'gap (judge − generation)', color: '#c0392b' },
] as const;

/** Short labels of the ladder keys, for tables. */
const KEY_LABELS: Record<string, string> = {
  [HELDOUT_KEY]: 'held-out agreement (mean of acts and categories)',
  'judge.main.heldout-act': 'held-out acts',
  'judge.main.heldout-category': 'held-out categories',
  'rho.leaveCategoryOut.best': 'rho, leave-category-out, best',
  'rho.leaveCategoryOut.bestUntrained': 'rho of the untrained twin',
  gap: 'gap (judge − generation)',
  'agreement.generation': 'agreement.generation',
  'agreement.judge': 'agreement.judge',
  'baseline.position': 'position baseline',
  'baseline.controls': 'control words',
  'sweep.movedShare': 'sweep: words moving > 0.2',
  'judge.heldoutWords.pro.stanceAgreement': 'held-out pro-social words',
  'judge.heldoutWords.anti.stanceAgreement': 'held-out anti-social words (lower chosen)',
};

const where = `lvh ${CMD}`;
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const meanSd = (s: SeedSummary | undefined) => (s && s.n > 0 ? `${f3(s.mean)} ± ${f3(s.sd)}` : 'n/a');
const minMax = (s: SeedSummary | undefined) => (s && s.n > 0 ? `${f3(s.min)}–${f3(s.max)}` : 'n/a');

/** Reads a JSON object file (one line of InputError when it is not one). */
function readJsonObject(file: string, what: string): Record<string, unknown> {
  const raw = parseJsonStrict(readInputText(file, { what, maxBytes: INPUT_LIMITS.text }), file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(file, 'top level', `expected a JSON object (${what})`);
  return raw as Record<string, unknown>;
}

/** The model directories of the ladder: listed by DIR/ladder.json, else DIR's subfolders that hold organism.json. */
export function ladderDirs(modelsDir: string): string[] {
  const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
  if (!isDir(modelsDir)) throw new InputError(where, '--models', `expected a folder of model directories, got ${existsSync(modelsDir) ? 'a file' : 'nothing'} at ${modelsDir}`);
  const manifest = join(modelsDir, 'ladder.json');
  if (existsSync(manifest)) {
    const raw = parseJsonStrict(readInputText(manifest, { what: 'a ladder manifest (JSON)', maxBytes: INPUT_LIMITS.text }), manifest);
    const list = Array.isArray(raw) ? raw : raw !== null && typeof raw === 'object' ? (raw as { models?: unknown }).models : undefined;
    if (!Array.isArray(list) || list.length === 0) throw new InputError(manifest, 'models', 'expected a non-empty list of model directories ({"models": ["xs-s1", ...]})');
    return list.map((item, i) => {
      const rel = typeof item === 'string' ? item : item !== null && typeof item === 'object' ? (item as { dir?: unknown }).dir : undefined;
      if (typeof rel !== 'string' || rel.trim() === '') throw new InputError(manifest, `models[${i}]`, 'expected a directory name (a string, or {"dir": "..."})');
      const dir = join(modelsDir, rel);
      if (!isDir(dir)) throw new InputError(manifest, `models[${i}]`, `expected an existing model directory, got nothing at ${dir}`);
      return dir;
    });
  }
  const dirs = readdirSync(modelsDir).sort().map((n) => join(modelsDir, n)).filter((d) => isDir(d) && existsSync(join(d, 'organism.json')));
  if (dirs.length === 0) throw new InputError(where, '--models', `expected model directories with organism.json (or a ladder.json listing them) in ${modelsDir}, found none`);
  return dirs;
}

/** A ladder model's size, seed (organism.json's `size` and `knobs.seed`, else the folder name `<size>-s<seed>`) and parameters (config.json). */
export function ladderEntry(dir: string): LadderEntry {
  const file = join(dir, 'organism.json');
  if (!existsSync(file)) throw new InputError(file, 'file', 'expected organism.json in every ladder model directory ({"world": "v2", "size": ..., "knobs": {"seed": ...}})');
  const o = readJsonObject(file, 'an organism record (JSON)');
  if (o.world !== 'v2') throw new InputError(file, 'world', `expected "v2" (the ladder is of organism v2), got ${JSON.stringify(o.world) ?? 'nothing'}`);
  const fromName = /^(.+)-s(\d+)$/.exec(basename(resolve(dir)));
  const knobs = o.knobs !== null && typeof o.knobs === 'object' ? (o.knobs as Record<string, unknown>) : {};
  const size = typeof o.size === 'string' && o.size !== '' ? o.size : fromName?.[1];
  const seedRaw = knobs.seed ?? o.seed;
  const seed = typeof seedRaw === 'number' ? seedRaw : fromName ? Number(fromName[2]) : undefined;
  if (size === undefined) throw new InputError(file, 'size', 'expected a size name (or a folder named <size>-s<seed>)');
  if (!/^[A-Za-z0-9_.]+$/.test(size)) throw new InputError(file, 'size', `expected a size name of letters, digits, "_" or ".", got ${JSON.stringify(size)}`);
  if (seed === undefined || !Number.isSafeInteger(seed) || seed < 0) throw new InputError(file, 'knobs.seed', 'expected a seed, a whole number ≥ 0 (or a folder named <size>-s<seed>)');
  const config = readModelConfig(dir);
  const params = paramSpecs(config).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  return { dir, name: `${size}-s${seed}`, size, seed, params };
}

/** The headline of a model's eval.json (a whole evaluateV2 result; null values, as JSON writes NaN, read as NaN). */
export function readEvalHeadline(dir: string): { headline: Record<string, number>; options: unknown; seconds: number } {
  const file = join(dir, 'eval.json');
  if (!existsSync(file)) throw new InputError(file, 'file', 'expected the eval.json of lvh organism train (or run without --reuse to evaluate)');
  const e = readJsonObject(file, 'an evaluateV2 result (JSON)');
  const h = e.headline;
  if (h === null || typeof h !== 'object' || Array.isArray(h)) throw new InputError(file, 'headline', 'expected the headline record of a v2 evaluation (an object of numbers)');
  const headline: Record<string, number> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v !== null && typeof v !== 'number') throw new InputError(file, `headline.${k}`, `expected a number or null, got ${JSON.stringify(v)}`);
    headline[k] = v ?? NaN;
  }
  if (!('judge.main.heldout-act' in headline)) throw new InputError(file, 'headline', 'expected judge.main.heldout-act (a v2 evaluation)');
  return { headline, options: e.options ?? null, seconds: typeof e.seconds === 'number' ? e.seconds : NaN };
}

/** Evaluates one model directory next to its untrained twin (evaluateV2Engine); releases the model. */
async function evaluateDir(dir: string, options: Partial<V2EvalOptions>, engine: ReturnType<typeof engineFlags>): Promise<V2Eval> {
  const nn = await import('../nn/engine.js');
  const { evaluateV2Engine } = await import('../organism/v2/eval/engine-model.js');
  const { model } = await nn.loadEngineModelDir(dir, engine);
  try {
    return await evaluateV2Engine(model, { judgingWordsAsked: askedJudgingWords(dir), ...options }, engine);
  } finally {
    await nn.releaseEngineModel(model);
  }
}

/** The JSON text of a file: non-finite numbers as null, a final newline. */
function toJson(value: unknown): string {
  return `${finiteJson(value)}\n`;
}


/** The rows of the plot: per size and series the mean with min and max, and every seed's value. */
function plotData(ladder: Ladder): { means: Record<string, unknown>[]; seeds: Record<string, unknown>[] } {
  const means = ladder.sizes.flatMap((s) => SERIES.map((series) => {
    const q = s.summary[series.key];
    return { series: series.name, size: s.size, params: s.params, n: q.n, mean: q.mean, min: q.min, max: q.max };
  })).filter((r) => Number.isFinite(r.mean));
  const seeds = ladder.models.flatMap((m) => SERIES.map((series) => ({ series: series.name, size: m.size, seed: m.seed, params: m.params, value: m.headline[series.key] })))
    .filter((r) => Number.isFinite(r.value));
  return { means, seeds };
}

/** The plot: held-out agreement, rho and the gap against parameters (log x), min–max bars over seeds, chance and the position baseline. */
async function ladderSvg(ladder: Ladder, positionBaseline: number, subtitle: string): Promise<string> {
  const { means, seeds } = plotData(ladder);
  const [width, height] = [560, 320];
  // Chance labelled at the left end, the position baseline (0.5 by construction) at the right, so both read.
  const lines = [
    { y: CHANCE, label: `chance ${CHANCE}`, at: 0, align: 'left' },
    ...(Number.isFinite(positionBaseline) ? [{ y: positionBaseline, label: `position baseline ${f3(positionBaseline)}`, at: width, align: 'right' }] : []),
  ];
  const params = ladder.sizes.map((s) => s.params);
  const domain = [Math.min(...params) / 1.6, Math.max(...params) * 1.6];
  const x = { field: 'params', type: 'quantitative' as const, scale: { type: 'log' as const, domain, nice: false }, title: 'parameters (log scale)', axis: { format: '~s' } };
  const yTitle = 'agreement, rho, gap';
  const color = { field: 'series', type: 'nominal' as const, scale: { domain: SERIES.map((s) => s.name), range: SERIES.map((s) => s.color) }, legend: { title: null, orient: 'right' as const } };
  const sizeLabels = ladder.sizes.map((s) => ({ params: s.params, label: `${s.size} (n=${s.n})` }));
  return renderSvg({
    title: { text: 'Organism v2 capacity ladder: judgment, rho and gap against size', subtitle: [subtitle, 'filled points: mean over seeds; bars: min–max over seeds; small dots: each seed'] },
    width,
    height,
    layer: [
      { data: { values: lines }, mark: { type: 'rule', strokeDash: [5, 4], color: '#777' }, encoding: { y: { field: 'y', type: 'quantitative', title: yTitle } } },
      ...lines.map((l) => ({ data: { values: [l] }, mark: { type: 'text' as const, align: l.align as 'left' | 'right', dx: l.align === 'left' ? 4 : -4, dy: -7, color: '#555', fontSize: 10 }, encoding: { y: { field: 'y', type: 'quantitative' as const }, x: { value: l.at }, text: { field: 'label' } } })),
      { data: { values: sizeLabels }, mark: { type: 'text', dy: -6, color: '#555', fontSize: 11 }, encoding: { x, y: { value: height }, text: { field: 'label' } } },
      { data: { values: means }, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: yTitle }, color } },
      { data: { values: means }, mark: { type: 'rule', strokeWidth: 2 }, encoding: { x, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' }, color } },
      { data: { values: seeds }, mark: { type: 'point', size: 18, opacity: 0.6 }, encoding: { x, y: { field: 'value', type: 'quantitative' }, color } },
      { data: { values: means }, mark: { type: 'point', filled: true, size: 60 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
    ],
  });
}

/** Overview rows: size, parameters, seeds, and the three plotted quantities as mean ± sd. */
function overviewRows(sizes: readonly LadderSize[]): TableCell[][] {
  return sizes.map((s) => [s.size, s.params, s.n, meanSd(s.summary[HELDOUT_KEY]), meanSd(s.summary['rho.leaveCategoryOut.best']), meanSd(s.summary.gap)]);
}
const OVERVIEW_HEADER = ['size', 'parameters', 'seeds', 'held-out agreement', 'rho', 'gap'];

/** One size's rows: every ladder key with mean ± sd, min–max and its number of seeds. */
function sizeRows(s: LadderSize): TableCell[][] {
  return LADDER_KEYS.map((k) => [KEY_LABELS[k] ?? k, meanSd(s.summary[k]), minMax(s.summary[k]), s.summary[k].n]);
}
const SIZE_HEADER = ['quantity', 'mean ± sd', 'min–max', 'seeds'];

/** The checks as table rows, PASS or FAIL last. */
function checkRows(ladder: Ladder): TableCell[][] {
  return ladder.checks.map((c) => [c.name, c.values.map((v) => `${v.size} ${Number.isInteger(v.value) ? v.value : f3(v.value)}`).join(', '), c.target, c.holds ? 'PASS' : 'FAIL']);
}
const CHECK_HEADER = ['check', 'measured', 'target', 'result'];

/** Runs `lvh organism ladder` (exported with hooks for tests). */
export async function run(args: string[], hooks: LadderHooks = {}): Promise<number> {
  const { values } = parseCommandArgs(CMD, args, {
    models: { type: 'string' }, out: { type: 'string' }, reuse: { type: 'boolean' }, pairs: { type: 'string' },
    json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...ENGINE_FLAG_SPECS,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const v = values as Record<string, string | undefined>;
  const reuse = Boolean(values.reuse);
  const engine = engineFlags(CMD, v);
  if (reuse && v.pairs !== undefined) throw new InputError(where, '--pairs', 'expected no --pairs with --reuse (each eval.json keeps the options it was made with)');
  const pairsPerCell = numberFlag(CMD, 'pairs', v.pairs, DEFAULT_V2_EVAL_OPTIONS.pairsPerCell, { min: 1, max: 10_000, integer: true });
  const options: Partial<V2EvalOptions> = { ...hooks.v2Options, pairsPerCell };
  const modelsDir = v.models ?? DEFAULT_MODELS;
  const out = checkOutPath(CMD, '--out', v.out ?? DEFAULT_OUT, 'dir');
  // Smallest first, seeds in order: the progress reads like the ladder.
  const entries = ladderDirs(modelsDir).map(ladderEntry).sort((a, b) => a.params - b.params || a.size.localeCompare(b.size) || a.seed - b.seed);
  // Refuses a size with two parameter counts or a size × seed twice before any model is evaluated.
  summarizeLadder(entries.map((e) => ({ ...e, headline: {} })));
  const reused = reuse ? entries.map((e) => readEvalHeadline(e.dir)) : null;
  const note = (text: string) => console.error(`${where}: ${text}`);

  const results: ModelResult[] = [];
  for (const [i, e] of entries.entries()) {
    const tag = `[${i + 1}/${entries.length}] ${e.name} (${shownPath(e.dir)}, ${e.params} parameters)`;
    if (reused) {
      const r = reused[i];
      results.push({ ...e, source: 'eval.json', headline: r.headline, options: r.options, seconds: r.seconds });
      note(`${tag}: read eval.json`);
      continue;
    }
    note(`${tag}: evaluating next to its untrained twin`);
    const ev = await evaluateDir(e.dir, options, engine);
    writeFileAtomic(join(out, 'eval', `${e.name}.json`), toJson(ev));
    results.push({ ...e, source: 'evaluated', headline: ev.headline, options: ev.options, seconds: ev.seconds });
    const h = ev.headline;
    note(`${tag}: held-out ${f3(((h['judge.main.heldout-act'] ?? NaN) + (h['judge.main.heldout-category'] ?? NaN)) / 2)}, rho ${f3(h['rho.leaveCategoryOut.best'] ?? NaN)}, gap ${f3(h.gap ?? NaN)} (${ev.seconds.toFixed(1)} s)`);
  }
  const distinctOptions = new Set(results.map((r) => JSON.stringify(r.options)));
  if (distinctOptions.size > 1) note(`warning: the models were evaluated with ${distinctOptions.size} different option sets (see ladder.json models[].options)`);

  const ladder = summarizeLadder(results);
  const models: ModelResult[] = ladder.models.map((m, i) => ({ ...results[i], headline: m.headline }));
  const positions = models.map((m) => m.headline['baseline.position']).filter(Number.isFinite);
  const positionBaseline = positions.length ? positions.reduce((a, b) => a + b, 0) / positions.length : NaN;
  const record = {
    command: `lvh ${CMD}`, modelsDir: shownPath(resolve(modelsDir)), out: shownPath(out), reuse,
    evalOptions: reuse ? null : { ...DEFAULT_V2_EVAL_OPTIONS, ...options },
    keys: LADDER_KEYS, targets: LADDER_TARGETS, chance: CHANCE, positionBaseline,
    sizes: ladder.sizes, checks: ladder.checks, models,
  };
  const subtitle = `${models.length} models, ${ladder.sizes.length} sizes (${ladder.sizes.map((s) => `${s.size} ×${s.n}`).join(', ')}); ${reuse ? 'eval.json of each model' : `evaluateV2, ${pairsPerCell} pairs per (split, pair kind)`}`;
  const svg = await ladderSvg(ladder, positionBaseline, subtitle);
  const passed = ladder.checks.filter((c) => c.holds).length;
  const modelRows = models.map((m) => [m.name, m.params, m.source, f3(m.headline[HELDOUT_KEY]), f3(m.headline['rho.leaveCategoryOut.best']), f3(m.headline.gap), f3(m.headline['baseline.position'])]);
  const html = htmlReport({
    title: 'Organism v2 capacity ladder',
    intro: `Models from ${record.modelsDir}; ${subtitle}. Held-out judgment agreement is the mean of the held-out-act and held-out-category agreement of the main principle (harmless) over every layout and both orders. ${passed} of ${ladder.checks.length} checks hold.`,
    sections: [
      {
        heading: 'Judgment agreement, rho and gap against parameters',
        svg,
        caption: `Filled points: the mean over seeds of each size, joined by lines; vertical bars: min to max over seeds; small dots: each seed. Dashed: chance (${CHANCE}) and the position baseline (always the first response shown) on the same cases. Gap = agreement.judge − agreement.generation.`,
        data: plotData(ladder),
        html: htmlTable(OVERVIEW_HEADER, overviewRows(ladder.sizes), { caption: 'Per size: mean ± sd over seeds.' }),
      },
      {
        heading: 'Checks (issue #11: ladder)',
        html: htmlTable(CHECK_HEADER, checkRows(ladder), { rowClass: (row) => (row[3] === 'FAIL' ? 'outside' : undefined), caption: 'Rows marked in red do not hold.' }),
      },
      ...ladder.sizes.map((s) => ({
        heading: `Size ${s.size}: ${s.params} parameters, seeds ${s.seeds.join(', ')}`,
        html: htmlTable(SIZE_HEADER, sizeRows(s), { caption: 'Every headline quantity of the ladder over this size\'s seeds.' }),
      })),
      { heading: 'Models', html: htmlTable(['model', 'parameters', 'source', 'held-out agreement', 'rho', 'gap', 'position baseline'], modelRows) },
    ],
    data: record,
  });
  writeFileAtomic(join(out, 'ladder.json'), toJson(record));
  writeFileAtomic(join(out, 'ladder.svg'), svg);
  writeFileAtomic(join(out, 'report.html'), html);

  if (values.json) {
    console.log(toJson(record).trimEnd());
    return 0;
  }
  console.log(`ladder of ${models.length} models from ${record.modelsDir} (${reuse ? 'eval.json reused' : `evaluated, ${pairsPerCell} pairs per cell`}); chance ${CHANCE}, position baseline ${f3(positionBaseline)}`);
  console.log(textTable(OVERVIEW_HEADER, overviewRows(ladder.sizes)));
  for (const s of ladder.sizes) {
    console.log(`\nsize ${s.size} (${s.params} parameters, seeds ${s.seeds.join(', ')}):`);
    console.log(textTable(SIZE_HEADER, sizeRows(s)));
  }
  console.log('\nchecks:');
  console.log(textTable(CHECK_HEADER, checkRows(ladder)));
  console.log(`\n${passed} of ${ladder.checks.length} checks hold; written ${['ladder.json', 'ladder.svg', 'report.html'].map((f) => shownPath(join(out, f))).join(', ')}`);
  return 0;
}
