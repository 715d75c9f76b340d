/**
 * Generation on the ONNX engine: the prompt runs once filling the key/value cache, then each new token is one
 * single-position pass reading it (only the last position's logits come back). Sampling is the tfjs engine's
 * `sampleToken` on the same seeded generator, so the same seed gives the same tokens as `nn.generate`.
 */
import { createRng } from '../../linalg/rng.js';
import { dims } from '../config.js';
import { sampleToken, type GenerateOptions } from '../generate.js';
import { engineForward, type EngineHook, type EngineKvCache, type EngineModel, type Intervention } from './forward.js';

/** Sampling options as `nn.generate`'s; hooks are graph interventions (native speed) or JavaScript functions on host tensors. */
export interface EngineGenerateOptions extends Omit<GenerateOptions, 'hooks'> {
  /** Edits at hook points (positions absolute over prompt and generated tokens). */
  interventions?: Intervention[];
  /** JavaScript hooks (each costs a graph segment per step; `ctx.positionOffset` is the cache length). */
  hooks?: EngineHook[];
}

/** Continues `promptIds` by up to `maxTokens` tokens (key/value cache unless `noCache`; seeded); returns only the new tokens. */
export async function engineGenerate(m: EngineModel, promptIds: number[], opts: EngineGenerateOptions): Promise<number[]> {
  if (promptIds.length === 0) throw new Error('generate: the prompt must hold at least one token');
  const rng = createRng(opts.seed ?? 0);
  const maxPositions = dims(m.config).maxPositions;
  const stop = new Set(opts.stopTokens ?? []);
  const out: number[] = [];
  let kv: EngineKvCache | undefined;
  let input = promptIds;
  for (let step = 0; step < opts.maxTokens; step++) {
    if (promptIds.length + out.length > maxPositions) break; // the next pass would exceed the context
    const r = opts.noCache
      ? await engineForward(m, [[...promptIds, ...out]], { interventions: opts.interventions, hooks: opts.hooks, lastOnly: true })
      : await engineForward(m, [input], { interventions: opts.interventions, hooks: opts.hooks, lastOnly: true, past: kv, returnKv: true });
    kv = r.kv;
    const token = sampleToken(r.logits.data, opts, rng);
    out.push(token);
    input = [token];
    if (stop.has(token)) break;
  }
  return out;
}

/** The next-token logit vector (V) after `ids`. */
export async function engineNextTokenLogits(m: EngineModel, ids: number[], opts: { interventions?: Intervention[]; hooks?: EngineHook[] } = {}): Promise<Float32Array> {
  const r = await engineForward(m, [ids], { interventions: opts.interventions, hooks: opts.hooks, lastOnly: true });
  return Float32Array.from(r.logits.data);
}
