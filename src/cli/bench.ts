// PLACEHOLDER: replaced by the issue that builds `lvh bench`.
/** Runs `lvh bench`. */
export async function run(_args: string[]): Promise<number> {
  console.error('lvh bench: not built yet');
  return 1;
}
