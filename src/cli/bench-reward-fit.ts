// PLACEHOLDER: replaced by the issue that builds `lvh bench` workload bench-reward-fit.
/** Runs the benchmark workload. */
export async function run(_args: string[]): Promise<number> {
  console.error('lvh bench-reward-fit: not built yet');
  return 1;
}
