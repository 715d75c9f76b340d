import { parseArgs } from 'node:util';
import { InputError } from './errors.js';

/** Option spec for `parseCommandArgs`, as in node:util parseArgs. */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean }>;

/** Parses a command's flags; unknown flags or missing values become an InputError naming the flag. */
export function parseCommandArgs(command: string, args: string[], options: OptionSpec) {
  // `--eta -1` would read as an option named 1: a negative number after a value flag is that flag's value.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : '';
    if (options[name]?.type === 'string' && i + 1 < args.length && /^-\d|^-\.\d/.test(args[i + 1])) {
      joined.push(`${args[i]}=${args[i + 1]}`);
      i++;
    } else joined.push(args[i]);
  }
  try {
    return parseArgs({ args: joined, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new InputError(`lvh ${command}`, 'arguments', (err as Error).message.split('\n')[0]);
  }
}

/** Reads a numeric flag: undefined → `fallback`; otherwise a finite number within [min, max] (integer when asked). */
export function numberFlag(
  command: string,
  name: string,
  raw: string | undefined,
  fallback: number,
  opts: { min?: number; max?: number; integer?: boolean } = {},
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const { min = -Infinity, max = Infinity, integer = false } = opts;
  const kind = integer ? 'an integer' : 'a number';
  if (raw.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    const range = `${Number.isFinite(min) ? ` >= ${min}` : ''}${Number.isFinite(max) ? ` <= ${max}` : ''}`;
    throw new InputError(`lvh ${command}`, `--${name}`, `expected ${kind}${range}, got "${raw}"`);
  }
  return value;
}

/** Parses a comma-separated list of numbers such as `100,1000,10000` for flag `name`. */
export function numberListFlag(command: string, name: string, raw: string, opts: { min?: number; integer?: boolean } = {}): number[] {
  return raw.split(',').map((part) => numberFlag(command, name, part.trim(), NaN, opts));
}
