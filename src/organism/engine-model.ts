/**
 * The bridge from the neural engine (ONNX Runtime) to evaluation: an engine model (loaded from a directory or
 * in memory) seen as an `OrganismModel`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dims } from '../io/config.js';
import * as nn from '../nn/engine.js';
import { InputError } from '../util/errors.js';
import { evaluateModel, type EvalOptions, type OrganismEval, type OrganismModel } from './evaluate.js';
import { PAD_ID, buildTokenizerConfig, worldTokenizer, type WorldTokenizer } from './tokenizer.js';

/** Prompts per forward pass when reading residual streams or scoring. */
const CHUNK = 32;

/** Wraps an engine model and the world tokenizer as an OrganismModel. */
export function engineOrganismModel(model: nn.EngineModel, tokenizer: WorldTokenizer): OrganismModel {
  const layers = dims(model.config).layers;
  const names = ['blocks.0.hook_resid_pre', ...Array.from({ length: layers }, (_, l) => `blocks.${l}.hook_resid_post`)];
  const labels = ['embed', ...Array.from({ length: layers }, (_, l) => String(l))];
  return {
    tokenizer,
    scoreContinuations: (items) => nn.engineContinuationLogProbs(model, items, { batchSize: CHUNK }),
    generate: (prompt, opts) => nn.engineGenerate(model, prompt, opts),
    lastTokenResiduals: async (prompts) => {
      const vectors: Float64Array[][] = names.map(() => []);
      for (let i = 0; i < prompts.length; i += CHUNK) {
        const chunk = prompts.slice(i, i + CHUNK);
        const time = Math.max(...chunk.map((p) => p.length));
        // Right padding is exact for the last real token under causal attention.
        const ids = chunk.map((p) => [...p, ...new Array<number>(time - p.length).fill(PAD_ID)]);
        const { cache } = await nn.engineForward(model, ids, { names });
        names.forEach((name, l) => {
          const t = cache.get(name)!;
          const d = t.shape[2];
          chunk.forEach((p, b) => {
            const offset = (b * time + p.length - 1) * d;
            vectors[l].push(Float64Array.from(t.data.subarray(offset, offset + d)));
          });
        });
      }
      return { layers: labels, vectors };
    },
  };
}

/** Loads an organism model directory (config, weights, the world's tokenizer) onto the engine as an OrganismModel. */
export async function loadOrganismModel(dir: string, engine: nn.EngineOptions = {}): Promise<{ model: nn.EngineModel; organism: OrganismModel }> {
  const tokPath = join(dir, 'tokenizer.json');
  if (!existsSync(dir)) throw new InputError(dir, 'directory', 'expected an existing model directory (from `lvh organism train`)');
  if (!existsSync(tokPath)) throw new InputError(dir, 'tokenizer.json', 'expected the world tokenizer written by `lvh organism train`');
  // loadEngineModelDir read tokenizer.json once, size-limited and checked against vocab_size; build the world's view of it.
  const { model, tokenizer: read } = await nn.loadEngineModelDir(dir, engine);
  const tokenizer = worldTokenizer(read!.json as Record<string, unknown>, buildTokenizerConfig());
  if (tokenizer.encode('assistant').length !== 1 || tokenizer.encode('assistant')[0] === 1) {
    throw new InputError(tokPath, 'model.vocab', 'expected the world vocabulary (word "assistant" missing: not an organism model)');
  }
  return { model, organism: engineOrganismModel(model, tokenizer) };
}

/** Loads the organism in `dir` and evaluates it (the JSON of `lvh organism eval`; used by `lvh demo`). */
export async function evaluateOrganism(dir: string, options: Partial<EvalOptions> = {}, engine: nn.EngineOptions = {}): Promise<OrganismEval> {
  const { model, organism } = await loadOrganismModel(dir, engine);
  try {
    return await evaluateModel(organism, options);
  } finally {
    await nn.releaseEngineModel(model);
  }
}
