/**
 * Reading a model on batches of prompts: residual streams at chosen positions, and next-token log-probabilities
 * after each prompt under interventions. Batches are left-padded (with an attention mask) so that negative
 * positions name the same token of every prompt: −1 is each prompt's last token.
 */
import { dims } from '../io/config.js';
import { engineForward, type EngineModel } from '../nn/engine.js';
import type { Intervention } from '../nn/onnx/forward.js';

/** Prompts per forward pass. */
export const LAB_BATCH = 64;

/** Prompts left-padded with id 0 to one width, and the attention mask (0 on padding). */
export function leftPadded(prompts: number[][]): { ids: number[][]; mask: number[][] } {
  const width = Math.max(...prompts.map((p) => p.length));
  return {
    ids: prompts.map((p) => [...new Array<number>(width - p.length).fill(0), ...p]),
    mask: prompts.map((p) => Array.from({ length: width }, (_, t) => (t < width - p.length ? 0 : 1))),
  };
}

/** Activations at `hooks` and prompt positions `positions` (negative: from the end): result.get(hook)[position index][prompt]. */
export async function collectActivations(model: EngineModel, prompts: number[][], hooks: string[], positions: number[], batch = LAB_BATCH): Promise<Map<string, Float64Array[][]>> {
  const out = new Map(hooks.map((h) => [h, positions.map(() => [] as Float64Array[])]));
  for (const p of prompts) for (const pos of positions) if (pos >= 0 ? pos >= p.length : -pos > p.length) throw new Error(`collectActivations: position ${pos} outside a prompt of ${p.length} tokens`);
  for (let i = 0; i < prompts.length; i += batch) {
    const chunk = prompts.slice(i, i + batch);
    const { ids, mask } = leftPadded(chunk);
    const time = ids[0].length;
    const { cache } = await engineForward(model, ids, { attentionMask: mask, names: hooks });
    for (const h of hooks) {
      const t = cache.get(h)!;
      const d = t.shape[2];
      positions.forEach((pos, j) => {
        chunk.forEach((p, b) => {
          const at = pos < 0 ? time + pos : time - p.length + pos;
          const offset = (b * time + at) * d;
          out.get(h)![j].push(Float64Array.from(t.data.subarray(offset, offset + d)));
        });
      });
    }
  }
  return out;
}

/** log softmax of one row of logits, in float64. */
export function logSoftmax(row: Float32Array): Float64Array {
  let max = -Infinity;
  for (const x of row) max = Math.max(max, x);
  let sum = 0;
  for (const x of row) sum += Math.exp(x - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(row, (x) => x - lse);
}

/** Next-token log-probabilities (natural log, V each) after every prompt, with optional interventions. */
export async function nextTokenLogProbs(model: EngineModel, prompts: number[][], interventions: Intervention[] = [], batch = LAB_BATCH): Promise<Float64Array[]> {
  const out: Float64Array[] = [];
  for (let i = 0; i < prompts.length; i += batch) {
    const { ids, mask } = leftPadded(prompts.slice(i, i + batch));
    const { logits } = await engineForward(model, ids, { attentionMask: mask, interventions, lastOnly: true });
    const V = logits.shape[2];
    for (let b = 0; b < ids.length; b++) out.push(logSoftmax(logits.data.subarray(b * V, (b + 1) * V)));
  }
  return out;
}

/** KL(p ‖ q) in nats of two log-probability vectors. */
export function klDivergence(logP: Float64Array, logQ: Float64Array): number {
  let kl = 0;
  for (let i = 0; i < logP.length; i++) {
    const p = Math.exp(logP[i]);
    if (p > 0) kl += p * (logP[i] - logQ[i]);
  }
  return Math.max(0, kl);
}

/** The block-input hook names `blocks.L.hook_resid_pre`, L = 0 … layers − 1. */
export function residPreHooks(model: EngineModel): string[] {
  return Array.from({ length: dims(model.config).layers }, (_, l) => `blocks.${l}.hook_resid_pre`);
}

/** The hooks a direction is ablated at "everywhere": every block's input and middle, and the last block's output. */
export function everywhereHooks(model: EngineModel): string[] {
  const layers = dims(model.config).layers;
  const out: string[] = [];
  for (let l = 0; l < layers; l++) out.push(`blocks.${l}.hook_resid_pre`, `blocks.${l}.hook_resid_mid`);
  out.push(`blocks.${layers - 1}.hook_resid_post`);
  return out;
}

/**
 * Directional ablation of `basis` from the whole residual stream (Arditi et al.): projected out of every block's
 * input and middle and of the last block's output, at every position, so no component reads it.
 */
export function ablateEverywhere(model: EngineModel, basis: ArrayLike<number>[]): Intervention[] {
  return everywhereHooks(model).map((hook) => ({ kind: 'ablate', hook, basis }));
}
