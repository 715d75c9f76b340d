// The shared front of the commands that run a model directory on a prompt (`lvh inspect`, `lvh generate`), on the ORT engine.
import type { ModelConfig } from '../io/config.js';
import { dims } from '../io/config.js';
import type { TextTokenizer, UnknownPieceError } from '../io/tokenizer.js';
import type { EngineOptions } from '../nn/onnx/session.js';
import { InputError } from '../util/errors.js';
import { parseCommandArgs } from '../util/args.js';
import { ENGINE_FLAG_SPECS } from './engine-flags.js';

/** Parsed flags of a model-and-prompt command: the string flags by name, and the switches. */
export type ModelPromptFlags = Record<string, string | undefined> & { help?: boolean; json?: boolean };

/**
 * Parses the flags of a model-and-prompt command: --model, --prompt, the string flags `extra`, --json, the engine
 * flags and --help; prints `help` and returns undefined for --help.
 */
export function parseModelPromptArgs(command: string, args: string[], extra: readonly string[], help: string): ModelPromptFlags | undefined {
  const { values } = parseCommandArgs(command, args, {
    model: { type: 'string' },
    prompt: { type: 'string' },
    ...Object.fromEntries(extra.map((name) => [name, { type: 'string' as const }])),
    json: { type: 'boolean' },
    ...ENGINE_FLAG_SPECS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(help);
    return undefined;
  }
  return values as ModelPromptFlags;
}

/**
 * Checks `--model` and `--prompt`, loads the directory onto the ORT engine (threads and device from `engine`)
 * and tokenizes the prompt (see `encodePrompt`); InputErrors name the flag or file; `warning` is for after the run.
 */
export async function loadModelAndPrompt(command: string, dir: string | undefined, prompt: string | undefined, promptRole: string, engine: EngineOptions = {}) {
  if (!dir) throw new InputError(`lvh ${command}`, '--model', 'expected a model directory (config.json, model.safetensors, tokenizer.json)');
  if (prompt === undefined) throw new InputError(`lvh ${command}`, '--prompt', `expected ${promptRole}`);
  const nn = await import('../nn/engine.js');
  const { model, tokenizer } = await nn.loadEngineModelDir(dir, engine);
  if (!tokenizer) throw new InputError(dir, 'tokenizer.json', 'expected a tokenizer.json next to the weights');
  const { ids, warning } = encodePrompt(command, tokenizer, prompt, model.config);
  // The caller prints `warning` only once the run has worked, so that a refusal stays one line.
  return { nn, model, tokenizer, ids, warning };
}

/**
 * Token ids of `--prompt` for a model: refused (InputError naming --prompt) when a word has no id and the tokenizer
 * has no unknown token, when it is empty, or when it is longer than the model's context; `warning` is one line
 * naming the words that became the unknown token, if any.
 */
export function encodePrompt(command: string, tokenizer: TextTokenizer, prompt: string, config: ModelConfig): { ids: number[]; warning?: string } {
  const hint = tokenizer.vocabularyHint === '' ? '' : `; ${tokenizer.vocabularyHint}`;
  let encoded: { ids: number[]; unknown: string[] };
  try {
    encoded = tokenizer.encodeDetailed(prompt);
  } catch (err) {
    // By name: `--help` should not load the tokenizer library.
    if (!(err instanceof Error && err.name === 'UnknownPieceError')) throw err;
    const piece = (err as UnknownPieceError).piece;
    throw new InputError(`lvh ${command}`, '--prompt', `expected words of the model's vocabulary; ${shownWord(piece)} is not in it and tokenizer.json has no unknown token${hint}`);
  }
  const { ids, unknown } = encoded;
  if (ids.length === 0) throw new InputError(`lvh ${command}`, '--prompt', 'expected text that tokenizes to at least one token');
  const context = dims(config).maxPositions;
  if (ids.length > context) {
    const field = config.model_type === 'gpt2' ? 'n_positions' : 'max_position_embeddings';
    throw new InputError(`lvh ${command}`, '--prompt', `expected at most ${context} tokens (the model's context, ${field} in config.json); got ${ids.length}`);
  }
  if (unknown.length === 0) return { ids };
  const words = [...new Set(unknown)];
  const listed = words.slice(0, 5).map(shownWord).join(', ') + (words.length > 5 ? `, and ${words.length - 5} more` : '');
  const pieces = unknown.length === 1 ? 'piece' : 'pieces';
  return { ids, warning: `lvh ${command}: warning: ${unknown.length} ${pieces} of --prompt not in the vocabulary became the unknown token: ${listed}${hint}` };
}

// A word of the prompt for a message: JSON-quoted, cut to 40 characters.
function shownWord(word: string): string {
  return JSON.stringify(word.length > 40 ? `${word.slice(0, 40)}…` : word);
}
