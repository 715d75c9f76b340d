// `lvh inspect --model DIR --prompt TEXT [--top N] [--threads N] [--device D] [--json]`: tokens, ids, top next tokens, residual streams.
import { numberFlag } from '../util/args.js';
import { dims } from '../io/config.js';
import { InputError } from '../util/errors.js';
import { ENGINE_FLAG_HELP, engineFlags } from './engine-flags.js';
import { loadModelAndPrompt, parseModelPromptArgs } from './model-prompt.js';

const HELP = `usage: lvh inspect --model DIR --prompt TEXT [--top N] [--threads N] [--device cpu|cuda] [--json]

Tokenizes TEXT with the model's tokenizer.json, runs the model and prints the tokens, their ids and the
N (default 10) most likely next tokens. With --json, prints one object: tokens, ids, logits (the full
next-token logit vector at the last position) and residPost (blocks.{L}.hook_resid_post at the last
position, one array per layer). A prompt longer than the model's context is refused; words outside the
vocabulary become the unknown token, with a one-line warning on stderr. Runs on ONNX Runtime:
${ENGINE_FLAG_HELP}`;

/** Runs `lvh inspect`. */
export async function run(args: string[]): Promise<number> {
  const values = parseModelPromptArgs('inspect', args, ['top'], HELP);
  if (!values) return 0;
  const top = numberFlag('inspect', 'top', values.top, 10, { min: 1, integer: true });
  const engine = engineFlags('inspect', values as { threads?: string; device?: string });
  const { nn, model, tokenizer, ids, warning } = await loadModelAndPrompt('inspect', values.model, values.prompt, 'the text to run', engine);
  const tokens = ids.map((id) => tokenizer.idToToken(id) ?? String(id));
  const layers = dims(model.config).layers;
  const names = Array.from({ length: layers }, (_, l) => `blocks.${l}.hook_resid_post`);
  let logitVec: number[];
  let residPost: number[][];
  try {
    const { logits, cache } = await nn.engineForward(model, [ids], { names });
    const last = ids.length - 1;
    logitVec = lastRow(logits, last);
    residPost = names.map((n) => lastRow(cache.get(n)!, last));
  } finally {
    await nn.releaseEngineModel(model);
  }
  // Finite weights can still overflow float32 on the way (a weight of 1e30): refuse rather than print NaN.
  const overflow = residPost.findIndex((row) => !row.every(Number.isFinite));
  if (overflow >= 0 || !logitVec.every(Number.isFinite)) {
    const where = overflow >= 0 ? names[overflow] : 'the logits';
    throw new InputError(values.model!, 'weights', `expected weights that give finite activations; ${where} overflowed to NaN or Infinity (weights too large?)`);
  }
  if (warning) console.error(warning);
  if (values.json) {
    console.log(JSON.stringify({ tokens, ids, logits: logitVec, residPost }));
    return 0;
  }
  const max = Math.max(...logitVec);
  const lse = max + Math.log(logitVec.reduce((s, z) => s + Math.exp(z - max), 0));
  const order = Array.from(logitVec.keys()).sort((a, b) => logitVec[b] - logitVec[a]).slice(0, top);
  console.log(`tokens (${ids.length}):`);
  tokens.forEach((t, i) => console.log(`  ${String(i).padStart(3)}  ${String(ids[i]).padStart(6)}  ${JSON.stringify(t)}`));
  console.log(`top ${order.length} next tokens:`);
  for (const id of order) {
    const p = Math.exp(logitVec[id] - lse);
    console.log(`  ${String(id).padStart(6)}  ${JSON.stringify(tokenizer.idToToken(id) ?? String(id)).padEnd(20)}  p=${p.toFixed(4)}  logit=${logitVec[id].toFixed(3)}`);
  }
  return 0;
}

// The row at time `t` of a (1, T, n) host tensor, as numbers.
function lastRow(x: { data: Float32Array; shape: number[] }, t: number): number[] {
  const n = x.shape[2];
  return Array.from(x.data.subarray(t * n, (t + 1) * n));
}
