/**
 * Generation on the ONNX engine: the prompt runs once filling the key/value cache, then each new token is one
 * single-position pass reading it (only the last position's logits come back). Sampling is the tfjs engine's
 * `sampleToken` on the same seeded generator, so the same seed gives the same tokens as `nn.generate`.
 * `engineGenerateBatch` does the same for several prompts in one left-padded batch.
 */
import { createRng } from '../../linalg/rng.js';
import { dims } from '../../io/config.js';
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

/**
 * Continues several prompts at once: left-padded into one batch, one cache, one pass per step for every row
 * still running. Row b samples from its own `createRng(seeds[b] ?? seed)`, so it returns what `engineGenerate`
 * (and `nn.generate`) return for that prompt and seed, up to float differences between a padded and a lone row.
 * Interventions apply at every position (positioned ones would count from the padded start, so they are refused).
 */
export async function engineGenerateBatch(m: EngineModel, prompts: number[][], opts: Omit<EngineGenerateOptions, 'hooks' | 'noCache'> & { seeds?: number[] }): Promise<number[][]> {
  if (prompts.some((p) => p.length === 0)) throw new Error('generate: the prompt must hold at least one token');
  if (opts.interventions?.some((iv) => iv.positions)) throw new Error('generateBatch: interventions at chosen positions are not supported in a batch (use engineGenerate)');
  const maxPositions = dims(m.config).maxPositions;
  const outs: number[][] = prompts.map(() => []);
  // Rows whose prompt already fills more than the context generate nothing (as nn.generate), and stay out of the batch.
  const rows = prompts.map((_, b) => b).filter((b) => prompts[b].length <= maxPositions);
  if (opts.maxTokens <= 0 || rows.length === 0) return outs;
  const rngs = rows.map((b) => createRng(opts.seeds?.[b] ?? opts.seed ?? 0));
  const stop = new Set(opts.stopTokens ?? []);
  const width = Math.max(...rows.map((b) => prompts[b].length));
  let ids = rows.map((b) => [...new Array<number>(width - prompts[b].length).fill(0), ...prompts[b]]); // (B, T) left-padded
  let mask = rows.map((b) => Array.from({ length: width }, (_, t) => (t < width - prompts[b].length ? 0 : 1)));
  let kv: EngineKvCache | undefined;
  const running = rows.map(() => true);
  for (let step = 0; step < opts.maxTokens && running.some(Boolean); step++) {
    const r = await engineForward(m, ids, { attentionMask: mask, interventions: opts.interventions, lastOnly: true, past: kv, returnKv: true });
    kv = r.kv;
    const V = r.logits.shape[2];
    ids = rows.map((b, i) => {
      if (!running[i]) return [0];
      const token = sampleToken(r.logits.data.subarray(i * V, (i + 1) * V), opts, rngs[i]);
      outs[b].push(token);
      // Done after a stop token, or when the next pass would exceed the row's context.
      if (stop.has(token) || prompts[b].length + outs[b].length > maxPositions) running[i] = false;
      return [token];
    });
    mask = running.map((on) => [on ? 1 : 0]); // a finished row feeds a masked placeholder, so the batch stays rectangular
  }
  return outs;
}

/** The next-token logit vector (V) after `ids`. */
export async function engineNextTokenLogits(m: EngineModel, ids: number[], opts: { interventions?: Intervention[]; hooks?: EngineHook[] } = {}): Promise<Float32Array> {
  const r = await engineForward(m, [ids], { interventions: opts.interventions, hooks: opts.hooks, lastOnly: true });
  return Float32Array.from(r.logits.data);
}
