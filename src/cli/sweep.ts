// PLACEHOLDER: replaced by the issue that builds `lvh sweep`.
/** Runs `lvh sweep`. */
export async function run(_args: string[]): Promise<number> {
  console.error('lvh sweep: not built yet');
  return 1;
}
