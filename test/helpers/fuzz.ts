// Fuzz harness: every case must end in success or an InputError, never another exception, NaN output or a hang.
import { isInputError } from '../../src/util/errors.js';

/** Cases per parser: `defaultRuns` inside `npm test` (at least 1,000), LVH_FUZZ_RUNS under `npm run fuzz`. */
export function fuzzRuns(defaultRuns = 1000): number {
  const fromEnv = Number(process.env.LVH_FUZZ_RUNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : defaultRuns;
}

/** The class of one fuzz case's outcome (the reliability findings' classes). */
export type FuzzOutcome = 'accepted' | 'clean' | 'silent' | 'crash' | 'hang';

/** Counts of outcomes for one parser, and the first few offending inputs for the failure message. */
export class FuzzTally {
  readonly counts: Record<FuzzOutcome, number> = { accepted: 0, clean: 0, silent: 0, crash: 0, hang: 0 };
  readonly examples: string[] = [];

  constructor(readonly parser: string) {}

  /** Records one case's outcome, keeping up to 5 offending inputs with their reason. */
  record(outcome: FuzzOutcome, input: string, reason = ''): void {
    this.counts[outcome]++;
    if ((outcome === 'silent' || outcome === 'crash' || outcome === 'hang') && this.examples.length < 5) {
      this.examples.push(`${outcome}: ${reason} <- ${input.slice(0, 300)}`);
    }
  }

  /** Bad outcomes (crashes, silent acceptances, hangs). */
  bad(): number {
    return this.counts.silent + this.counts.crash + this.counts.hang;
  }

  /** One line `fuzz <parser>: N cases, ...` that `npm run fuzz` adds up. */
  line(): string {
    const c = this.counts;
    const n = Object.values(c).reduce((a, b) => a + b, 0);
    return `fuzz ${this.parser}: ${n} cases, ${c.accepted} accepted, ${c.clean} clean, ${c.crash} crashes, ${c.silent} silent, ${c.hang} hangs`;
  }

  /** Prints the tally line and throws with the examples when any case was bad. */
  finish(): void {
    console.log(this.line());
    if (this.bad() > 0) throw new Error(`${this.line()}\n${this.examples.join('\n')}`);
  }
}

/**
 * Runs one case: `fn` returns normally (then `check` says whether its output is sound: true, or a reason it is
 * not), or throws. An InputError is clean; any other throw is a crash; longer than `budgetMs` is a hang.
 */
export async function fuzzCase(
  tally: FuzzTally,
  input: string,
  fn: () => unknown | Promise<unknown>,
  check: (output: unknown) => true | string = () => true,
  budgetMs = 20_000, // the hangs this catches took minutes; loose so that a loaded machine never fails a case
): Promise<void> {
  const start = performance.now();
  let outcome: FuzzOutcome;
  let reason = '';
  try {
    const output = await fn();
    const verdict = check(output);
    outcome = verdict === true ? 'accepted' : 'silent';
    if (verdict !== true) reason = verdict;
  } catch (err) {
    outcome = isInputError(err) ? 'clean' : 'crash';
    if (outcome === 'crash') reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    else if ((err as Error).message.includes('\n')) {
      outcome = 'silent';
      reason = 'InputError message spans lines';
    }
  }
  const elapsed = performance.now() - start;
  if (elapsed > budgetMs) {
    outcome = 'hang';
    reason = `${elapsed.toFixed(0)} ms > ${budgetMs} ms`;
  }
  tally.record(outcome, input, reason);
}

/** True when a value (deeply) contains no NaN or ±Infinity number: output must be finite to count as accepted. */
export function allFinite(value: unknown, seen = new Set<unknown>()): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (value === null || typeof value !== 'object' || seen.has(value)) return true;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    const view = value as unknown as ArrayLike<number>;
    for (let i = 0; i < view.length; i++) if (typeof view[i] === 'number' && !Number.isFinite(view[i])) return false;
    return true;
  }
  return Object.values(value as object).every((v) => allFinite(v, seen));
}
