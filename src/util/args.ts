import { parseArgs } from 'node:util';
import { InputError } from './errors.js';

/** Option spec for `parseCommandArgs`, as in node:util parseArgs. */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean }>;

/** How many positional arguments a command takes (default none) and how its usage names them (`GEOMETRY`). */
export interface PositionalSpec {
  min?: number;
  max?: number;
  names?: string;
}

/** Options of `parseCommandArgs`. */
export interface ParseOptions {
  positionals?: PositionalSpec;
}

/**
 * Parses a command's flags. Each of these is an InputError naming `lvh <command>`: an unknown flag (with the
 * expected ones and a "did you mean"), a value flag without a value or given twice, a switch given a value, and
 * more or fewer positional arguments than `opts.positionals` allows (none by default; not checked under --help).
 */
export function parseCommandArgs(command: string, args: string[], options: OptionSpec, opts: ParseOptions = {}) {
  const where = `lvh ${command}`;
  // `--eta -1` would read as an option named 1: a negative number after a value flag is that flag's value.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : '';
    if (Object.hasOwn(options, name) && options[name].type === 'string' && i + 1 < args.length && /^-\d|^-\.\d/.test(args[i + 1])) {
      joined.push(`${args[i]}=${args[i + 1]}`);
      i++;
    } else joined.push(args[i]);
  }
  // A lenient pass for the tokens, so that every mistake gets this module's own one-line message.
  const { tokens } = parseArgs({ args: joined, options, allowPositionals: true, strict: false, tokens: true });
  const given = new Map<string, string>();
  let positionalCount = 0;
  let firstExtra: string | undefined;
  const spec = opts.positionals ?? {};
  const max = spec.max ?? 0;
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionalCount++;
      if (positionalCount === max + 1) firstExtra = token.value;
      continue;
    }
    if (token.kind !== 'option') continue;
    const flag = token.rawName;
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!option) throw new InputError(where, 'arguments', unknownFlagMessage(flag, options));
    const long = `--${token.name}`;
    if (option.type === 'boolean') {
      if (token.value !== undefined) throw new InputError(where, long, `takes no value, got "${flag}=${shown(token.value)}"`);
      continue;
    }
    if (token.value === undefined) throw new InputError(where, long, 'expected a value after it');
    if (token.value.trim() === '') throw new InputError(where, long, `expected a value, got ${token.value === '' ? 'an empty string' : 'only spaces'}`);
    if (!token.inlineValue && token.value.length > 1 && token.value.startsWith('-')) {
      throw new InputError(where, long, `expected a value, got the flag "${shown(token.value)}" (write ${long}=${shown(token.value)} if that is the value)`);
    }
    if (!option.multiple) {
      const before = given.get(token.name);
      if (before !== undefined) throw new InputError(where, long, `given twice ("${shown(before)}", then "${shown(token.value)}"); give it once`);
      given.set(token.name, token.value);
    }
  }
  let parsed;
  try {
    parsed = parseArgs({ args: joined, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new InputError(where, 'arguments', (err as Error).message.split('\n')[0]);
  }
  if (!(Object.hasOwn(options, 'help') && parsed.values.help === true)) {
    const min = spec.min ?? 0;
    const takes = spec.names ? ` (usage: ${where} ${spec.names})` : '';
    if (positionalCount > max) {
      const expected = max === 0 ? 'takes no positional arguments' : `takes at most ${max} positional argument${max === 1 ? '' : 's'}`;
      throw new InputError(where, 'arguments', `unexpected argument "${shown(firstExtra ?? '')}"; ${command} ${expected}${takes}`);
    }
    if (positionalCount < min) {
      throw new InputError(where, spec.names ?? 'arguments', `expected ${min} positional argument${min === 1 ? '' : 's'}, got ${positionalCount}${takes}`);
    }
  }
  return parsed;
}

/** "unknown flag --jsn (did you mean --json?); expected one of --json, --help". */
function unknownFlagMessage(flag: string, options: OptionSpec): string {
  const names = Object.keys(options).map((n) => `--${n}`);
  const guess = closest(flag.replace(/^-+/, '--'), names);
  const known = names.length > 0 ? `; expected one of ${names.join(', ')}` : '; this command takes no flags';
  return `unknown flag ${shown(flag)}${guess ? ` (did you mean ${guess}?)` : ''}${known}`;
}

/** A user's value as a message shows it: control characters escaped, at most 60 characters. */
function shown(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = raw.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return clean.length > 60 ? `${clean.slice(0, 57)}...` : clean;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads a numeric flag: undefined → `fallback`; otherwise a decimal number (no hexadecimal, octal, binary,
 * separators or spaces) that is finite and within [min, max]. Integers stay within ±Number.MAX_SAFE_INTEGER.
 */
export function numberFlag(
  command: string,
  name: string,
  raw: string | undefined,
  fallback: number,
  opts: { min?: number; max?: number; integer?: boolean } = {},
): number {
  if (raw === undefined) return fallback;
  const { integer = false } = opts;
  const safe = integer ? Number.MAX_SAFE_INTEGER : Infinity;
  const min = Math.max(opts.min ?? -Infinity, -safe);
  const max = Math.min(opts.max ?? Infinity, safe);
  const decimal = DECIMAL.test(raw);
  const value = decimal ? Number(raw) : NaN;
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    const kind = integer ? 'an integer' : 'a number';
    // The bounds given, and the safe-integer bound when that is the one crossed.
    const shownMin = opts.min !== undefined || value < min ? min : -Infinity;
    const shownMax = opts.max !== undefined || value > max ? max : Infinity;
    const range = `${Number.isFinite(shownMin) ? ` >= ${shownMin}` : ''}${Number.isFinite(shownMax) ? ` <= ${shownMax}` : ''}`;
    throw new InputError(`lvh ${command}`, `--${name}`, `expected ${kind}${range}${decimal ? '' : ' in decimal digits'}, got "${shown(raw)}"`);
  }
  return value;
}

/** The largest seed a flag takes: createRng (src/linalg/rng.ts) takes any safe integer. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** Reads a seed flag (default name `seed`): an integer from 0 to MAX_SEED, or `fallback` when not given. */
export function seedFlag(command: string, raw: string | undefined, fallback: number, name = 'seed'): number {
  return numberFlag(command, name, raw, fallback, { min: 0, max: MAX_SEED, integer: true });
}

/** Parses a comma-separated list of numbers such as `100,1000,10000` for flag `name` (at most `maxItems`, default 1000). */
export function numberListFlag(
  command: string,
  name: string,
  raw: string,
  opts: { min?: number; max?: number; integer?: boolean; maxItems?: number } = {},
): number[] {
  const parts = raw.split(',');
  const maxItems = opts.maxItems ?? 1000;
  if (parts.length > maxItems) throw new InputError(`lvh ${command}`, `--${name}`, `expected at most ${maxItems} comma-separated values, got ${parts.length}`);
  return parts.map((part) => numberFlag(command, name, part.trim(), NaN, opts));
}

/**
 * Reads a flag whose value is one of `choices` (a list, or the keys of a record such as a table of sizes);
 * own keys only, so `constructor`, `__proto__` and `toString` are refused. Throws an InputError otherwise.
 */
export function oneOf<K extends string>(command: string, name: string, raw: string, choices: readonly K[] | Readonly<Record<K, unknown>>): K {
  const list: string[] = Array.isArray(choices) ? [...choices] : Object.keys(choices);
  if (list.includes(raw) && (Array.isArray(choices) || Object.hasOwn(choices, raw))) return raw as K;
  const guess = closest(raw, list);
  throw new InputError(`lvh ${command}`, `--${name}`, `expected one of ${list.join(', ')}, got "${shown(raw)}"${guess ? ` (did you mean ${guess}?)` : ''}`);
}

/** The candidate nearest to `word` in edit distance (transpositions count 1), when near enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const core = word.replace(/^-+/, '');
  // One edit allowed from 2 characters on, two from 6: a one-character word is no typo of anything.
  const allowed = core.length < 2 ? 0 : Math.max(1, Math.floor(core.length / 3));
  return best !== undefined && bestDistance > 0 && bestDistance <= allowed ? best : undefined;
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return a === b ? 0 : Math.max(a.length, b.length); // no typo that long
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}
