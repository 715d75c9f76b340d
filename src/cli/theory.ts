// PLACEHOLDER: replaced by the issue that builds `lvh theory`.
/** Runs `lvh theory`. */
export async function run(_args: string[]): Promise<number> {
  console.error('lvh theory: not built yet');
  return 1;
}
