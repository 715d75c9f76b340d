// The shared front of the commands that run a model directory on a prompt (`lvh inspect`, `lvh generate`).
import { InputError } from '../util/errors.js';

/** Checks `--model` and `--prompt`, loads the directory and tokenizes the prompt; InputErrors name the flag or file. */
export async function loadModelAndPrompt(command: string, dir: string | undefined, prompt: string | undefined, promptRole: string) {
  if (!dir) throw new InputError(`lvh ${command}`, '--model', 'expected a model directory (config.json, model.safetensors, tokenizer.json)');
  if (prompt === undefined) throw new InputError(`lvh ${command}`, '--prompt', `expected ${promptRole}`);
  const { loadModelDir } = await import('../io/model-dir.js');
  const nn = await import('../nn/index.js');
  const { model, tokenizer } = await loadModelDir(dir);
  if (!tokenizer) throw new InputError(dir, 'tokenizer.json', 'expected a tokenizer.json next to the weights');
  const ids = tokenizer.encode(prompt);
  if (ids.length === 0) throw new InputError(`lvh ${command}`, '--prompt', 'expected text that tokenizes to at least one token');
  return { nn, model, tokenizer, ids };
}
