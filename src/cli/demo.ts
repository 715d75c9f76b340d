// PLACEHOLDER: replaced by the issue that builds `lvh demo`.
/** Runs `lvh demo`. */
export async function run(_args: string[]): Promise<number> {
  console.error('lvh demo: not built yet');
  return 1;
}
