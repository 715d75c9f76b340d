import { createRng, type Rng } from '../linalg/rng.js';
import { dims } from '../io/config.js';
import { disposeKv, forwardInternal, type KvCache } from './forward.js';
import type { Hook } from './hooks.js';
import type { Model } from './model.js';
import { tf } from './ops.js';

/** Sampling options: temperature 0 (default) is greedy; top-k and top-p (nucleus) filter before sampling. */
export interface GenerateOptions {
  maxTokens: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  /** Generation stops after emitting one of these (it is included in the output). */
  stopTokens?: number[];
  hooks?: Hook[];
  /** Recompute the full sequence each step instead of using the key/value cache (for checking). */
  noCache?: boolean;
}

/** Picks a token from a logit vector under the options (greedy when temperature is 0). */
export function sampleToken(logits: Float32Array, opts: { temperature?: number; topK?: number; topP?: number }, rng: Rng): number {
  const temperature = opts.temperature ?? 0;
  if (temperature <= 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  let order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b);
  if (opts.topK && opts.topK > 0) order = order.slice(0, opts.topK);
  const max = logits[order[0]];
  let probs = order.map((i) => Math.exp((logits[i] - max) / temperature));
  let total = probs.reduce((a, b) => a + b, 0);
  if (opts.topP !== undefined && opts.topP < 1) {
    let acc = 0;
    let keep = 0;
    while (keep < probs.length) {
      acc += probs[keep] / total;
      keep++;
      if (acc >= opts.topP) break;
    }
    order = order.slice(0, keep);
    probs = probs.slice(0, keep);
    total = probs.reduce((a, b) => a + b, 0);
  }
  let u = rng.uniform() * total;
  for (let j = 0; j < order.length; j++) {
    u -= probs[j];
    if (u <= 0) return order[j];
  }
  return order[order.length - 1];
}

/** Continues `promptIds` by up to `maxTokens` tokens (key/value cache; seeded); returns only the new tokens. */
export function generate(model: Model, promptIds: number[], opts: GenerateOptions): number[] {
  if (promptIds.length === 0) throw new Error('generate: the prompt must hold at least one token');
  const rng = createRng(opts.seed ?? 0);
  const maxPositions = dims(model.config).maxPositions;
  const stop = new Set(opts.stopTokens ?? []);
  const out: number[] = [];
  let kv: KvCache | undefined;
  let input = promptIds;
  try {
    for (let step = 0; step < opts.maxTokens; step++) {
      if (promptIds.length + out.length > maxPositions) break; // the next pass would exceed the context
      let next: KvCache | undefined;
      const logits = tf.tidy(() => {
        const seq = opts.noCache ? [...promptIds, ...out] : input;
        const r = forwardInternal(model, [seq], { hooks: opts.hooks, past: opts.noCache ? undefined : kv, returnKv: !opts.noCache });
        next = r.kv; // its tensors are kept
        return tf.slice(r.logits2d, [seq.length - 1, 0], [1, -1]);
      });
      const values = logits.dataSync() as Float32Array;
      logits.dispose();
      disposeKv(kv);
      kv = next;
      const token = sampleToken(values, opts, rng);
      out.push(token);
      input = [token];
      if (stop.has(token)) break;
    }
  } finally {
    disposeKv(kv);
  }
  return out;
}
