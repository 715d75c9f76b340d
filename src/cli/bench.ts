// `lvh bench <workload>`: one file per workload, loaded lazily.
import { closest } from '../util/args.js';
import { InputError } from '../util/errors.js';

interface Workload {
  summary: string;
  load: () => Promise<{ run: (args: string[]) => Promise<number> }>;
}

const workloads: Record<string, Workload> = {
  'reward-fit': { summary: 'the reward-fit reference workload (../shared/bench): sampling, labels, Newton-CG fit', load: () => import('./bench-reward-fit.js') },
  simulate: { summary: 'lvh simulate vs the numpy reference (../shared/bench) at d = 256 and 512, alternating, then once at d = 1024', load: () => import('./bench-simulate.js') },
  nn: { summary: 'forward and training tokens/s of three small GPT-2 configs on the ONNX engine, alternating with PyTorch when installed', load: () => import('./bench-nn.js') },
};

/** Usage text of `lvh bench`, listing the workloads. */
export function benchUsage(): string {
  const width = Math.max(...Object.keys(workloads).map((w) => w.length));
  const lines = Object.entries(workloads).map(([name, w]) => `  ${name.padEnd(width)}  ${w.summary}`);
  return `usage: lvh bench <workload> [options]\n\nworkloads:\n${lines.join('\n')}\n\nRun \`lvh bench <workload> --help\` for a workload's options and defaults.`;
}

/** Runs `lvh bench <workload> [options]`. */
export async function run(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(benchUsage());
    return name === undefined ? 2 : 0;
  }
  const workload = Object.hasOwn(workloads, name) ? workloads[name] : undefined;
  if (!workload) {
    const guess = closest(name, Object.keys(workloads));
    throw new InputError('lvh bench', 'workload', `expected one of ${Object.keys(workloads).join(', ')}, got "${name}"${guess ? ` (did you mean ${guess}?)` : ''}`);
  }
  return (await workload.load()).run(rest);
}
