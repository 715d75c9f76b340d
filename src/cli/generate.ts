// `lvh generate --model DIR --prompt TEXT [--max-tokens N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--threads N] [--device D] [--json]`.
import { numberFlag } from '../util/args.js';
import { InputError } from '../util/errors.js';
import { dims, stopTokenIds } from '../io/config.js';
import { ENGINE_FLAG_HELP, engineFlags } from './engine-flags.js';
import { loadModelAndPrompt, parseModelPromptArgs } from './model-prompt.js';

const HELP = `usage: lvh generate --model DIR --prompt TEXT [--max-tokens N] [--temperature T] [--top-k K] [--top-p P] [--seed S]
       [--threads N] [--device cpu|cuda] [--json]

Continues TEXT with the model (key/value cache). Temperature 0 (default) is greedy; otherwise tokens are
sampled, after top-k and top-p filtering, from a generator seeded by --seed (default 0), so the same
flags give the same text. Prints the prompt followed by the continuation, or with --json one object
{ prompt, promptIds, ids, text, stop } where stop says why generation ended: "eos" (an end token), "max-tokens"
or "context" (the model's context is full; also said on stderr). A prompt longer than the context is refused.
Runs on ONNX Runtime:
${ENGINE_FLAG_HELP}`;

/** Runs `lvh generate`. */
export async function run(args: string[]): Promise<number> {
  const values = parseModelPromptArgs('generate', args, ['max-tokens', 'temperature', 'top-k', 'top-p', 'seed'], HELP);
  if (!values) return 0;
  const maxTokens = numberFlag('generate', 'max-tokens', values['max-tokens'], 32, { min: 1, integer: true });
  const temperature = numberFlag('generate', 'temperature', values.temperature, 0, { min: 0 });
  const topK = numberFlag('generate', 'top-k', values['top-k'], 0, { min: 0, integer: true });
  const topP = numberFlag('generate', 'top-p', values['top-p'], 1, { min: 0, max: 1 });
  const seed = numberFlag('generate', 'seed', values.seed, 0, { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER });
  const engine = engineFlags('generate', values as { threads?: string; device?: string });
  const { nn, model, tokenizer, ids: promptIds, warning } = await loadModelAndPrompt('generate', values.model, values.prompt, 'the text to continue', engine);
  const stopTokens = stopTokenIds(model.config);
  let ids: number[];
  try {
    // Finite weights can still overflow float32 on the way (a weight of 1e30): refuse rather than print <pad> forever.
    if (!(await nn.engineNextTokenLogits(model, promptIds)).every(Number.isFinite)) {
      throw new InputError(values.model!, 'weights', "expected weights that give finite activations; the prompt's next-token logits overflowed to NaN or Infinity (weights too large?)");
    }
    ids = await nn.engineGenerate(model, promptIds, { maxTokens, temperature, topK, topP, seed, stopTokens });
  } finally {
    await nn.releaseEngineModel(model);
  }
  if (warning) console.error(warning);
  const text = tokenizer.decode(ids);
  const stop = ids.length > 0 && stopTokens.includes(ids[ids.length - 1]) ? 'eos' : ids.length >= maxTokens ? 'max-tokens' : 'context';
  if (stop === 'context') {
    const context = dims(model.config).maxPositions;
    console.error(`lvh generate: stopped at the model's context of ${context} tokens (${promptIds.length} of the prompt, ${ids.length} generated)`);
  }
  if (values.json) console.log(JSON.stringify({ prompt: values.prompt, promptIds, ids, text, stop }));
  else console.log(`${tokenizer.decode(promptIds)}${text.startsWith(' ') || text === '' ? '' : ' '}${text}`);
  return 0;
}
