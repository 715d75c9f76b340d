/** Errors a user can cause: bad files, fields or flags. The CLI prints them in one line and exits 2. */
export class InputError extends Error {
  /** The file (or `argument`) at fault, the field inside it, and the form that was expected. */
  constructor(
    readonly file: string,
    readonly field: string,
    readonly expected: string,
  ) {
    super(`${file}: ${field}: ${expected}`);
    this.name = 'InputError';
  }
}

/** True when `err` is an InputError (also across module copies). */
export function isInputError(err: unknown): err is InputError {
  return err instanceof InputError || (err instanceof Error && err.name === 'InputError');
}
