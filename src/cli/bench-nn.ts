// PLACEHOLDER: replaced by the issue that builds `lvh bench` workload bench-nn.
/** Runs the benchmark workload. */
export async function run(_args: string[]): Promise<number> {
  console.error('lvh bench-nn: not built yet');
  return 1;
}
