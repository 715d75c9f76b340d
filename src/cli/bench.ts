// `lvh bench <workload>`: one file per workload, loaded lazily.
const workloads: Record<string, () => Promise<{ run: (args: string[]) => Promise<number> }>> = {
  'reward-fit': () => import('./bench-reward-fit.js'),
  nn: () => import('./bench-nn.js'),
};

/** Runs `lvh bench <workload> [options]`. */
export async function run(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const load = name === undefined ? undefined : workloads[name];
  if (!load) {
    console.error(`lvh bench: expected a workload, one of ${Object.keys(workloads).join(', ')}${name ? `; got "${name}"` : ''}`);
    return 2;
  }
  return (await load()).run(rest);
}
