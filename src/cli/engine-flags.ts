// The engine flags shared by the commands that run a model (`--threads`, `--device`); engine-free (no ORT import).
import { numberFlag, oneOf, parseCommandArgs, type OptionSpec } from '../util/args.js';
import { InputError } from '../util/errors.js';

/** parseCommandArgs specs of the engine flags. */
export const ENGINE_FLAG_SPECS = { threads: { type: 'string' }, device: { type: 'string' } } as const;

/** Help lines of the engine flags. */
export const ENGINE_FLAG_HELP = `  --threads N             ONNX Runtime intra-op threads (default: LVH_THREADS, else 1); same seed and threads, same bytes
  --device cpu|cuda       execution provider (default cpu; cuda needs an onnxruntime-node build with CUDA)`;

/** Engine options from the flag values (the device is checked against the installed binding when the model loads). */
export function engineFlags(command: string, values: { threads?: string; device?: string }): { threads?: number; device: 'cpu' | 'cuda' } {
  const threads = values.threads === undefined ? undefined : numberFlag(command, 'threads', values.threads, 1, { min: 1, max: 64, integer: true });
  return { threads, device: oneOf(command, 'device', values.device ?? 'cpu', ['cpu', 'cuda'] as const) };
}

/** Flag values of a model command: strings for value flags, booleans for switches. */
export type ModelCommandValues = Record<string, string | boolean | undefined>;

/**
 * Parses a model command's flags (its own `options` plus --json, --help and the engine flags); prints `help`
 * and returns null for --help; otherwise checks that each flag of `required` (flag → expected form) was given.
 */
export function parseModelCommand(command: string, args: string[], options: OptionSpec, help: string, required: Record<string, string>): ModelCommandValues | null {
  const { values } = parseCommandArgs(command, args, {
    ...options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...ENGINE_FLAG_SPECS,
  });
  if (values.help) {
    console.log(help);
    return null;
  }
  for (const [flag, expected] of Object.entries(required)) {
    if (!values[flag]) throw new InputError(`lvh ${command}`, `--${flag}`, expected);
  }
  return values as ModelCommandValues;
}
