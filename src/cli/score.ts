// `lvh score --model DIR --input FILE.jsonl [--batch N] [--no-bos] [--threads N] [--device D] [--json]`: log-probabilities of candidate continuations.
import { z } from 'zod';
import { numberFlag } from '../util/args.js';
import { ENGINE_FLAG_HELP, engineFlags, parseModelCommand } from './engine-flags.js';
import { InputError } from '../util/errors.js';
import { parseJsonStrict } from '../util/json.js';
import { INPUT_LIMITS, readInputText } from '../util/read-input.js';

const HELP = `usage: lvh score --model DIR --input FILE.jsonl [--batch N] [--no-bos] [--threads N] [--device cpu|cuda] [--json]

Scores candidate continuations with a model directory. Each non-blank line of FILE.jsonl is an object
{ "prompt": TEXT, "continuations": [TEXT, ...] }; each continuation is appended to the prompt (with one
space unless it starts with whitespace) and its log-probability (nats, summed over its tokens) given the
prompt is computed, batched --batch items at a time (default 16). The choice is the continuation with the
highest log-probability (first on ties). The model's <bos> token (config bos_token_id) is put in front of
every prompt unless --no-bos. Prints one line per input, or with --json one array of
{ line, prompt, continuations, tokens, logProbs, choice }. Runs on ONNX Runtime:
${ENGINE_FLAG_HELP}`;

const LineSchema = z.object({ prompt: z.string(), continuations: z.array(z.string()).min(1) });

/** One scored input line. */
export interface ScoredLine {
  line: number;
  prompt: string;
  continuations: string[];
  /** Token ids of each continuation. */
  tokens: number[][];
  logProbs: number[];
  choice: number;
}

/** Parses the JSONL text of `file` into prompts and continuations; an InputError names the line and field. */
export function parseScoreInput(text: string, file: string): { line: number; prompt: string; continuations: string[] }[] {
  const out: { line: number; prompt: string; continuations: string[] }[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const where = `${file}:${i + 1}`;
    const parsed = LineSchema.safeParse(parseJsonStrict(raw, where));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.length ? issue.path.join('.') : '(line)';
      throw new InputError(where, field, 'expected {"prompt": string, "continuations": [string, ...]} (at least one continuation)');
    }
    out.push({ line: i + 1, ...parsed.data });
  });
  if (out.length === 0) throw new InputError(file, '(file)', 'expected at least one line {"prompt": ..., "continuations": [...]}');
  return out;
}

/** Runs `lvh score`. */
export async function run(args: string[]): Promise<number> {
  const values = parseModelCommand('score', args, { model: { type: 'string' }, input: { type: 'string' }, batch: { type: 'string' }, 'no-bos': { type: 'boolean' } }, HELP, {
    model: 'expected a model directory (config.json, model.safetensors, tokenizer.json)',
    input: 'expected a JSONL file of {"prompt": ..., "continuations": [...]}',
  });
  if (!values) return 0;
  const dir = values.model as string;
  const input = values.input as string;
  const batchSize = numberFlag('score', 'batch', values.batch as string | undefined, 16, { min: 1, max: 4096, integer: true });
  const lines = parseScoreInput(readInputText(input, { what: 'a JSONL file of {"prompt", "continuations"}', maxBytes: INPUT_LIMITS.text }), input);
  const engine = engineFlags('score', values as { threads?: string; device?: string });
  const nn = await import('../nn/engine.js');
  const { dims } = await import('../io/config.js');
  const { model, tokenizer } = await nn.loadEngineModelDir(dir, engine);
  if (!tokenizer) throw new InputError(dir, 'tokenizer.json', 'expected a tokenizer.json next to the weights');
  const bos = model.config.bos_token_id;
  const lead = !values['no-bos'] && typeof bos === 'number' ? [bos] : [];
  const maxPositions = dims(model.config).maxPositions;
  const items: { prompt: number[]; continuation: number[] }[] = [];
  const tokens: number[][][] = [];
  for (const l of lines) {
    const promptIds = [...lead, ...tokenizer.encode(l.prompt)];
    if (promptIds.length === 0) throw new InputError(`${input}:${l.line}`, 'prompt', 'expected text that tokenizes to at least one token (or a model with bos_token_id)');
    tokens.push(l.continuations.map((c, j) => {
      const joined = l.prompt === '' || /^\s/.test(c) ? `${l.prompt}${c}` : `${l.prompt} ${c}`;
      const whole = [...lead, ...tokenizer.encode(joined)];
      // The continuation's tokens as they come after the prompt; encoded alone when the prompt's tokens change at the seam.
      const seamKept = promptIds.every((t, k) => whole[k] === t);
      const ids = seamKept ? whole.slice(promptIds.length) : tokenizer.encode(c);
      if (ids.length === 0) throw new InputError(`${input}:${l.line}`, `continuations.${j}`, 'expected text that tokenizes to at least one token');
      if (promptIds.length + ids.length > maxPositions) {
        throw new InputError(`${input}:${l.line}`, `continuations.${j}`, `expected prompt and continuation within the model's ${maxPositions} positions, got ${promptIds.length + ids.length} tokens`);
      }
      items.push({ prompt: promptIds, continuation: ids });
      return ids;
    }));
  }
  let scores: number[];
  try {
    scores = await nn.engineContinuationLogProbs(model, items, { batchSize });
  } finally {
    await nn.releaseEngineModel(model);
  }
  let k = 0;
  const out: ScoredLine[] = lines.map((l, i) => {
    const logProbs = l.continuations.map(() => scores[k++]);
    const choice = logProbs.reduce((best, v, j) => (v > logProbs[best] ? j : best), 0);
    return { line: l.line, prompt: l.prompt, continuations: l.continuations, tokens: tokens[i], logProbs, choice };
  });
  if (values.json) console.log(JSON.stringify(out, null, 2));
  else {
    for (const r of out) {
      const parts = r.continuations.map((c, j) => `${j === r.choice ? '*' : ' '}${JSON.stringify(c)} ${r.logProbs[j].toFixed(4)}`);
      console.log(`line ${r.line}: choice ${r.choice}  ${parts.join('  ')}`);
    }
  }
  return 0;
}
