// PLACEHOLDER: replaced by the issue that builds `lvh organism`.
/** Runs `lvh organism`. */
export async function run(_args: string[]): Promise<number> {
  console.error('lvh organism: not built yet');
  return 1;
}
