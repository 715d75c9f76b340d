// PLACEHOLDER: replaced by the issue that builds `lvh simulate`.
/** Runs `lvh simulate`. */
export async function run(_args: string[]): Promise<number> {
  console.error('lvh simulate: not built yet');
  return 1;
}
