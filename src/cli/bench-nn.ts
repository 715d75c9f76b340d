// `lvh bench nn [--steps N] [--batch B] [--threads N] [--json]`: forward and training tokens/s of small GPT-2 configs on the WASM backend.
import { parseCommandArgs, numberFlag } from '../util/args.js';

const HELP = `usage: lvh bench nn [--steps N] [--batch B] [--threads N] [--json]

For GPT-2 configs d=64/2 layers, d=128/4 layers and d=256/4 layers (4 heads, vocabulary 512, context 64):
forward tokens/s on 64-token prompts (batch 1, median of N runs) and training tokens/s (AdamW steps on
B × 64 tokens, default B = 8, median of N steps after 2 warm-up steps; default N = 8). --threads sets the
WASM backend's XNNPACK threads (default: LVH_THREADS, else 1; at most 8).`;

/** One measured configuration. */
export interface NnBenchRow {
  config: string;
  params: number;
  forwardTokensPerSecond: number;
  trainTokensPerSecond: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Measures forward and training throughput for the three bench configs. */
export async function benchNn(steps: number, batch: number, threads?: number): Promise<NnBenchRow[]> {
  const nn = await import('../nn/index.js');
  await nn.initBackend({ threads });
  const rows: NnBenchRow[] = [];
  const context = 64;
  for (const [d, layers] of [[64, 2], [128, 4], [256, 4]]) {
    const model = nn.initModel(nn.gpt2Config({ vocabSize: 512, nPositions: context, nEmbd: d, nLayer: layers, nHead: 4 }), 1);
    const sample = nn.windowSampler(Array.from({ length: 20000 }, (_, i) => (i * 31 + (i >> 3)) % 512), batch, context, 1);
    const prompt = [sample().inputs[0]];
    const forwardTimes: number[] = [];
    for (let i = 0; i < steps + 2; i++) {
      const t0 = performance.now();
      const logits = nn.forward(model, prompt);
      logits.dataSync();
      logits.dispose();
      if (i >= 2) forwardTimes.push((performance.now() - t0) / 1000);
    }
    const trainRates: number[] = [];
    nn.train(model, { trainBatches: () => sample(), steps: steps + 2, lr: 1e-3, warmupSteps: 1, weightDecay: 0.1, clipNorm: 1, onStep: (s) => { if (s.step >= 2) trainRates.push(s.tokensPerSecond); } });
    rows.push({ config: `d=${d}/${layers} layers`, params: nn.countParams(model), forwardTokensPerSecond: Math.round(context / median(forwardTimes)), trainTokensPerSecond: Math.round(median(trainRates)) });
    nn.disposeModel(model);
  }
  return rows;
}

/** Runs `lvh bench nn`. */
export async function run(args: string[]): Promise<number> {
  const { values: raw } = parseCommandArgs('bench nn', args, { steps: { type: 'string' }, batch: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  const values = raw as Record<string, string | undefined> & { help?: boolean; json?: boolean };
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const steps = numberFlag('bench nn', 'steps', values.steps, 8, { min: 1, integer: true });
  const batch = numberFlag('bench nn', 'batch', values.batch, 8, { min: 1, integer: true });
  const threads = values.threads === undefined ? undefined : numberFlag('bench nn', 'threads', values.threads, 1, { min: 1, max: 8, integer: true });
  const rows = await benchNn(steps, batch, threads);
  const { backendThreads } = await import('../nn/backend.js');
  const used = backendThreads();
  if (values.json) {
    console.log(JSON.stringify({ backend: 'wasm', threads: used, context: 64, batch, rows }));
    return 0;
  }
  console.log(`nn engine (tfjs WASM, ${used} thread${used === 1 ? '' : 's'}), context 64, training batch ${batch} x 64, median of ${steps}:`);
  console.log(`  ${'config'.padEnd(16)} ${'params'.padStart(9)} ${'forward tok/s'.padStart(14)} ${'train tok/s'.padStart(12)}`);
  for (const r of rows) {
    console.log(`  ${r.config.padEnd(16)} ${String(r.params).padStart(9)} ${String(r.forwardTokensPerSecond).padStart(14)} ${String(r.trainTokensPerSecond).padStart(12)}`);
  }
  return 0;
}
