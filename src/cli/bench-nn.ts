// `lvh bench nn`: forward and training tokens/s of small GPT-2 configs on the ONNX engine (or the tfjs reference),
// alternating with PyTorch's ../shared/bench/torch_gpt_ref.py when torch is installed, plus the GPT-2-small forward.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../util/errors.js';
import { numberFlag, numberListFlag, oneOf, parseCommandArgs } from '../util/args.js';

const HELP = `usage: lvh bench nn [--steps N] [--batch B] [--threads LIST] [--pairs P] [--engine onnx|tfjs] [--no-torch] [--gpt2-small] [--gpt2-small-only] [--gpt2-dir DIR] [--json]

For GPT-2 configs d=64/2 layers, d=128/4 layers and d=256/4 layers (4 heads, vocabulary 512, context 64):
forward tokens/s on 64-token prompts (batch 1, median of N runs after 2 warm-up runs, every position's logits)
and training tokens/s (AdamW steps on B × 64 tokens, median of N steps after 2 warm-up steps), on the ONNX
engine (onnxruntime-node, CPU) or the tfjs-wasm reference engine (--engine tfjs).
When \`/usr/bin/python3 -c 'import torch'\` works (and without --no-torch), each thread count in --threads runs
P pairs alternating ours and ../shared/bench/torch_gpt_ref.py (same configs and parameter counts), and prints
each side's medians, the median of the paired ratios torch/ours (tokens/s; below 1 means ours is faster) and the
load average before and after. --gpt2-small adds the GPT-2-small-shaped forward (64 tokens of prompt.txt) against
torch_gpt2_forward_ref.py on a directory made by make_gpt2_small.py (--gpt2-dir, default a temporary folder);
--gpt2-small-only runs that comparison alone (at the largest of --threads).
--json prints one object instead of the tables.
Defaults: --steps 8 --batch 8 --threads LVH_THREADS, else 1 --pairs 5 --engine onnx.
Ranges: --steps 1-1000, --batch 1-256, --threads 1-8 (comma-separated), --pairs 1-50.`;

/** One measured configuration. */
export interface NnBenchRow {
  config: string;
  params: number;
  forwardTokensPerSecond: number;
  trainTokensPerSecond: number;
}

const CONFIGS: [number, number][] = [[64, 2], [128, 4], [256, 4]];
const CONTEXT = 64;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// The token stream torch_gpt_ref.py samples from.
const stream = () => Array.from({ length: 20000 }, (_, i) => (i * 31 + (i >> 3)) % 512);

/** Measures forward and training throughput of the three bench configs on the ONNX engine. */
export async function benchOnnx(steps: number, batch: number, threads: number): Promise<NnBenchRow[]> {
  const { gpt2Config, windowSampler } = await import('../nn/index.js');
  const { engineForward, engineModel, initWeights, releaseEngineModel } = await import('../nn/onnx/forward.js');
  const { engineParamCount, trainEngine } = await import('../nn/onnx/train.js');
  const rows: NnBenchRow[] = [];
  for (const [d, layers] of CONFIGS) {
    const config = gpt2Config({ vocabSize: 512, nPositions: CONTEXT, nEmbd: d, nLayer: layers, nHead: 4 });
    const model = engineModel(config, initWeights(config, 1), { threads, weightMode: 'initializers' });
    const sample = windowSampler(stream(), batch, CONTEXT, 1);
    const prompt = [sample().inputs[0]];
    const forwardTimes: number[] = [];
    for (let i = 0; i < steps + 2; i++) {
      const t0 = performance.now();
      await engineForward(model, prompt);
      if (i >= 2) forwardTimes.push((performance.now() - t0) / 1000);
    }
    await releaseEngineModel(model);
    const rates: number[] = [];
    await trainEngine(model, { trainBatches: () => sample(), steps: steps + 2, lr: 1e-3, warmupSteps: 1, weightDecay: 0.1, clipNorm: 1, onStep: (s) => { if (s.step >= 2) rates.push(s.tokensPerSecond); } });
    rows.push({ config: `d=${d}/${layers} layers`, params: engineParamCount(config), forwardTokensPerSecond: Math.round(CONTEXT / median(forwardTimes)), trainTokensPerSecond: Math.round(median(rates)) });
  }
  return rows;
}

/** The same on the tfjs-wasm reference engine. */
export async function benchTfjs(steps: number, batch: number, threads: number): Promise<NnBenchRow[]> {
  const nn = await import('../nn/index.js');
  await nn.initBackend({ threads });
  const rows: NnBenchRow[] = [];
  for (const [d, layers] of CONFIGS) {
    const model = nn.initModel(nn.gpt2Config({ vocabSize: 512, nPositions: CONTEXT, nEmbd: d, nLayer: layers, nHead: 4 }), 1);
    const sample = nn.windowSampler(stream(), batch, CONTEXT, 1);
    const prompt = [sample().inputs[0]];
    const forwardTimes: number[] = [];
    for (let i = 0; i < steps + 2; i++) {
      const t0 = performance.now();
      const logits = nn.forward(model, prompt);
      logits.dataSync();
      logits.dispose();
      if (i >= 2) forwardTimes.push((performance.now() - t0) / 1000);
    }
    const rates: number[] = [];
    nn.train(model, { trainBatches: () => sample(), steps: steps + 2, lr: 1e-3, warmupSteps: 1, weightDecay: 0.1, clipNorm: 1, onStep: (s) => { if (s.step >= 2) rates.push(s.tokensPerSecond); } });
    rows.push({ config: `d=${d}/${layers} layers`, params: nn.countParams(model), forwardTokensPerSecond: Math.round(CONTEXT / median(forwardTimes)), trainTokensPerSecond: Math.round(median(rates)) });
    nn.disposeModel(model);
  }
  return rows;
}

/** The folder of the reference scripts: `LVH_BENCH_REF`, else ../shared/bench beside the repository. */
export function benchRefDir(): string {
  if (process.env.LVH_BENCH_REF) return resolve(process.env.LVH_BENCH_REF);
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return resolve(root, '..', 'shared', 'bench');
}

const PYTHON = '/usr/bin/python3';

/** True when Debian's python3 imports torch. */
export function torchAvailable(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function runPython(args: string[]): Record<string, unknown> {
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${args[0]} failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Record<string, unknown>;
}

function load(): { loadAverage1m: number; uptime: string } {
  const u = spawnSync('uptime', { encoding: 'utf8' });
  return { loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100, uptime: (u.stdout ?? '').trim() };
}

/** The paired comparison at one thread count. */
interface PairedResult {
  threads: number;
  ours: NnBenchRow[][];
  torch: NnBenchRow[][];
  /** Per config: median over pairs of torch/ours (tokens/s). */
  ratios: { config: string; train: number; forward: number }[];
}

async function pairedRun(engine: 'onnx' | 'tfjs', steps: number, batch: number, threads: number, pairs: number, withTorch: boolean): Promise<PairedResult> {
  const ours: NnBenchRow[][] = [];
  const torch: NnBenchRow[][] = [];
  const ref = join(benchRefDir(), 'torch_gpt_ref.py');
  for (let p = 0; p < pairs; p++) {
    ours.push(engine === 'onnx' ? await benchOnnx(steps, batch, threads) : await benchTfjs(steps, batch, threads));
    if (withTorch) torch.push(runPython([ref, '--threads', String(threads), '--steps', String(steps), '--batch', String(batch), '--json']).rows as NnBenchRow[]);
  }
  const ratios = withTorch
    ? ours[0].map((row, c) => ({
        config: row.config,
        train: median(ours.map((o, p) => torch[p][c].trainTokensPerSecond / o[c].trainTokensPerSecond)),
        forward: median(ours.map((o, p) => torch[p][c].forwardTokensPerSecond / o[c].forwardTokensPerSecond)),
      }))
    : [];
  return { threads, ours, torch, ratios };
}

/** Our GPT-2-small forward of the directory's prompt.txt (ms, median of n after 2 warm-up), in both weight modes. */
async function oursGpt2Small(dir: string, n: number, threads: number): Promise<{ ids: number[]; ms: Record<string, number>; lastRow: number[] }> {
  const { readModelConfig, readModelWeights } = await import('../io/model-dir.js');
  const { engineForward, engineModel, engineWeights, releaseEngineModel } = await import('../nn/onnx/forward.js');
  const config = readModelConfig(dir);
  const weights = engineWeights(config, readModelWeights(dir, config));
  const vocab = (JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
  const ids = readFileSync(join(dir, 'prompt.txt'), 'utf8').split(/\s+/).filter(Boolean).map((w) => vocab[w] ?? 0);
  const ms: Record<string, number> = {};
  let lastRow: number[] = [];
  for (const mode of ['inputs', 'initializers'] as const) {
    const model = engineModel(config, weights, { threads, weightMode: mode });
    const times: number[] = [];
    for (let i = 0; i < n + 2; i++) {
      const t0 = performance.now();
      const r = await engineForward(model, [ids]);
      if (i >= 2) times.push(performance.now() - t0);
      if (i === 0) lastRow = Array.from(r.logits.data.subarray((ids.length - 1) * r.logits.shape[2]));
    }
    ms[mode] = Math.round(median(times) * 10) / 10;
    await releaseEngineModel(model);
  }
  return { ids, ms, lastRow };
}

async function gpt2SmallRun(dirFlag: string | undefined, n: number, threads: number, pairs: number) {
  const refDir = benchRefDir();
  const dir = dirFlag ? resolve(dirFlag) : join(os.tmpdir(), 'lvh-bench-gpt2-small');
  if (!existsSync(join(dir, 'model.safetensors'))) {
    const made = spawnSync(PYTHON, [join(refDir, 'make_gpt2_small.py'), dir], { encoding: 'utf8' });
    if (made.status !== 0) throw new InputError(dir, 'gpt2-small', `expected make_gpt2_small.py to write the directory (${made.stderr.trim().split('\n').at(-1)})`);
  }
  const tmp = mkdtempSync(join(os.tmpdir(), 'lvh-bench-'));
  try {
    const rows: { oursMs: Record<string, number>; torchMs: number; maxAbsDiffLastLogits?: number }[] = [];
    for (let p = 0; p < pairs; p++) {
      const ours = await oursGpt2Small(dir, n, threads);
      const compare = join(tmp, 'ours.json');
      writeFileSync(compare, JSON.stringify({ ids: ours.ids, lastRow: ours.lastRow }));
      const t = runPython([join(refDir, 'torch_gpt2_forward_ref.py'), dir, String(n), '--threads', String(threads), '--compare', compare]);
      rows.push({ oursMs: ours.ms, torchMs: t.forwardMs as number, maxAbsDiffLastLogits: t.maxAbsDiffLastLogits as number });
    }
    const best = (r: (typeof rows)[number]) => Math.min(...Object.values(r.oursMs));
    return { dir, threads, pairs: rows, ratioOursOverTorch: median(rows.map((r) => best(r) / r.torchMs)) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Runs `lvh bench nn`. */
export async function run(args: string[]): Promise<number> {
  const { values: raw } = parseCommandArgs('bench nn', args, {
    steps: { type: 'string' }, batch: { type: 'string' }, threads: { type: 'string' }, pairs: { type: 'string' }, engine: { type: 'string' },
    'no-torch': { type: 'boolean' }, 'gpt2-small': { type: 'boolean' }, 'gpt2-small-only': { type: 'boolean' }, 'gpt2-dir': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  const values = raw as Record<string, string | undefined> & { help?: boolean; json?: boolean; 'no-torch'?: boolean; 'gpt2-small'?: boolean; 'gpt2-small-only'?: boolean };
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const steps = numberFlag('bench nn', 'steps', values.steps, 8, { min: 1, max: 1000, integer: true });
  const batch = numberFlag('bench nn', 'batch', values.batch, 8, { min: 1, max: 256, integer: true });
  const pairs = numberFlag('bench nn', 'pairs', values.pairs, 5, { min: 1, max: 50, integer: true });
  const engine = oneOf('bench nn', 'engine', values.engine ?? 'onnx', ['onnx', 'tfjs'] as const);
  const { engineThreads } = await import('../nn/onnx/session.js');
  const threadList = values.threads === undefined ? [engineThreads()] : numberListFlag('bench nn', 'threads', values.threads, { min: 1, max: 8, integer: true, maxItems: 8 });
  const withTorch = !values['no-torch'] && torchAvailable();
  const before = load();
  const results: PairedResult[] = [];
  const only = values['gpt2-small-only'] === true;
  if (!only) for (const threads of threadList) results.push(await pairedRun(engine, steps, batch, threads, withTorch ? pairs : 1, withTorch));
  const gpt2Small = (values['gpt2-small'] || only) && withTorch ? await gpt2SmallRun(values['gpt2-dir'], steps, Math.max(...threadList), pairs) : undefined;
  const after = load();
  const summary = (side: 'ours' | 'torch', r: PairedResult) => (r[side][0] ?? []).map((row, c) => ({
    config: row.config,
    params: row.params,
    forwardTokensPerSecond: median(r[side].map((rows) => rows[c].forwardTokensPerSecond)),
    trainTokensPerSecond: median(r[side].map((rows) => rows[c].trainTokensPerSecond)),
  }));
  if (values.json) {
    console.log(JSON.stringify({
      engine, context: CONTEXT, batch, steps, pairs: withTorch ? pairs : 1, torch: withTorch, load: { before, after },
      results: results.map((r) => ({ threads: r.threads, ours: summary('ours', r), torch: withTorch ? summary('torch', r) : undefined, ratiosTorchOverOurs: r.ratios, oursRuns: r.ours, torchRuns: r.torch })),
      gpt2Small,
    }));
    return 0;
  }
  const name = engine === 'onnx' ? 'ONNX engine (onnxruntime-node, CPU)' : 'tfjs-wasm reference engine';
  console.log(`${name}, context ${CONTEXT}, training batch ${batch} x ${CONTEXT}, medians of ${steps} runs/steps; load before: ${before.uptime}`);
  for (const r of results) {
    console.log(`\nthreads ${r.threads}${withTorch ? `, ${pairs} alternating pairs with torch` : ' (ours only: --no-torch, or torch not installed)'}:`);
    console.log(`  ${'config'.padEnd(16)} ${'params'.padStart(9)} ${'fwd tok/s'.padStart(10)} ${'train tok/s'.padStart(12)}${withTorch ? `  ${'torch fwd'.padStart(10)} ${'torch train'.padStart(12)}  ${'fwd t/o'.padStart(8)} ${'train t/o'.padStart(9)}` : ''}`);
    const mine = summary('ours', r);
    const theirs = withTorch ? summary('torch', r) : [];
    mine.forEach((row, c) => {
      let line = `  ${row.config.padEnd(16)} ${String(row.params).padStart(9)} ${String(row.forwardTokensPerSecond).padStart(10)} ${String(row.trainTokensPerSecond).padStart(12)}`;
      if (withTorch) line += `  ${String(theirs[c].forwardTokensPerSecond).padStart(10)} ${String(theirs[c].trainTokensPerSecond).padStart(12)}  ${r.ratios[c].forward.toFixed(2).padStart(8)} ${r.ratios[c].train.toFixed(2).padStart(9)}`;
      console.log(line);
    });
  }
  if (withTorch) console.log('\n(t/o: median of the paired ratios torch tokens/s over ours; below 1 means ours is faster)');
  if (gpt2Small) {
    console.log(`\nGPT-2-small forward, 64 tokens, ${gpt2Small.threads} threads, ${pairs} pairs (ms: ours inputs / initializers, torch):`);
    for (const p of gpt2Small.pairs) console.log(`  ${p.oursMs.inputs} / ${p.oursMs.initializers}  vs  ${p.torchMs}  (max |Δ| last logits ${p.maxAbsDiffLastLogits?.toExponential(1)})`);
    console.log(`  median ratio ours/torch (time): ${gpt2Small.ratioOursOverTorch.toFixed(2)}`);
  }
  console.log(`load after: ${after.uptime}`);
  return 0;
}
