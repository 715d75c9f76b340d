/**
 * The bridge from the neural engine to evaluation: an engine model (loaded from a directory or in memory)
 * seen as an `OrganismModel`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as nn from '../nn/index.js';
import { InputError } from '../util/errors.js';
import { evaluateModel, type EvalOptions, type OrganismEval, type OrganismModel } from './evaluate.js';
import { PAD_ID, buildTokenizerConfig, worldTokenizer, type WorldTokenizer } from './tokenizer.js';

/** Prompts per forward pass when reading residual streams or scoring. */
const CHUNK = 32;

/** Wraps an engine model and the world tokenizer as an OrganismModel. */
export function engineOrganismModel(model: nn.Model, tokenizer: WorldTokenizer): OrganismModel {
  const layers = nn.dims(model.config).layers;
  const names = ['blocks.0.hook_resid_pre', ...Array.from({ length: layers }, (_, l) => `blocks.${l}.hook_resid_post`)];
  const labels = ['embed', ...Array.from({ length: layers }, (_, l) => String(l))];
  return {
    tokenizer,
    scoreContinuations: (items) => nn.continuationLogProbsBatch(model, items, { batchSize: CHUNK }),
    generate: (prompt, opts) => nn.generate(model, prompt, opts),
    lastTokenResiduals: (prompts) => {
      const vectors: Float64Array[][] = names.map(() => []);
      for (let i = 0; i < prompts.length; i += CHUNK) {
        const chunk = prompts.slice(i, i + CHUNK);
        const time = Math.max(...chunk.map((p) => p.length));
        // Right padding is exact for the last real token under causal attention.
        const ids = chunk.map((p) => [...p, ...new Array<number>(time - p.length).fill(PAD_ID)]);
        const { logits, cache } = nn.runWithCache(model, ids, { names });
        logits.dispose();
        names.forEach((name, l) => {
          const t = cache.get(name)!;
          const data = t.dataSync() as Float32Array;
          const d = t.shape[2]!;
          chunk.forEach((p, b) => {
            const offset = (b * time + p.length - 1) * d;
            vectors[l].push(Float64Array.from(data.subarray(offset, offset + d)));
          });
        });
        cache.forEach((t) => t.dispose());
      }
      return { layers: labels, vectors };
    },
  };
}

/** Loads an organism model directory (config, weights, the world's tokenizer) as an OrganismModel. */
export async function loadOrganismModel(dir: string): Promise<{ model: nn.Model; organism: OrganismModel }> {
  const tokPath = join(dir, 'tokenizer.json');
  if (!existsSync(dir)) throw new InputError(dir, 'directory', 'expected an existing model directory (from `lvh organism train`)');
  if (!existsSync(tokPath)) throw new InputError(dir, 'tokenizer.json', 'expected the world tokenizer written by `lvh organism train`');
  // loadModelDir read tokenizer.json once, size-limited and checked against vocab_size; build the world's view of it.
  const { model, tokenizer: read } = await nn.loadModelDir(dir);
  const tokenizer = worldTokenizer(read!.json as Record<string, unknown>, buildTokenizerConfig());
  if (tokenizer.encode('assistant').length !== 1 || tokenizer.encode('assistant')[0] === 1) {
    throw new InputError(tokPath, 'model.vocab', 'expected the world vocabulary (word "assistant" missing: not an organism model)');
  }
  return { model, organism: engineOrganismModel(model, tokenizer) };
}

/** Loads the organism in `dir` and evaluates it (the JSON of `lvh organism eval`; used by `lvh demo`). */
export async function evaluateOrganism(dir: string, options: Partial<EvalOptions> = {}): Promise<OrganismEval> {
  const { model, organism } = await loadOrganismModel(dir);
  try {
    return await evaluateModel(organism, options);
  } finally {
    nn.disposeModel(model);
  }
}
