// PLACEHOLDER: replaced by the issue that builds `lvh inspect`.
/** Runs `lvh inspect`. */
export async function run(_args: string[]): Promise<number> {
  console.error('lvh inspect: not built yet');
  return 1;
}
