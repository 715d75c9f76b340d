// PLACEHOLDER: replaced by the issue that builds `lvh generate`.
/** Runs `lvh generate`. */
export async function run(_args: string[]): Promise<number> {
  console.error('lvh generate: not built yet');
  return 1;
}
