/**
 * What a model family module gets from the engine when it writes its forward graph, and the
 * registry of families. A family module exports one function `(g, config, io) => logits (B, T, V)`.
 */
import { dims, type ModelConfig } from '../../io/config.js';
import type { Graph, Value } from './graph.js';
import { gpt2Forward } from './gpt2.js';
import { llamaForward } from './llama.js';

/** The graph inputs and services a family's forward uses. */
export interface FamilyIO {
  /** Token ids (B, T), int64. */
  ids: Value;
  /** Position ids (B, T), int64: real tokens counted from 0 (left padding is transparent). */
  positions: Value;
  /** Additive attention bias (B, 1, T, S) with 0 where a query may attend and −1e9 elsewhere (causal and padding). */
  attnBias: Value;
  /** The parameter named in Hugging Face form (GPT-2 with the `transformer.` prefix). */
  param(name: string): Value;
  /** True when the model has the parameter (optional biases, untied heads). */
  hasParam(name: string): boolean;
  /** A hook point: returns the activation to continue with (an intervention may change it; a requested hook becomes an output). */
  point(name: string, x: Value): Value;
  /** With a key/value cache: joins layer l's past keys/values (B, kvH, P, hd) to this call's, returning (B, kvH, P + T, hd). */
  kv?: (layer: number, k: Value, v: Value) => { k: Value; v: Value };
  /** When set, the head is applied to the last position only: (B, T, d) → (B, 1, d). */
  lastOnly?: (h: Value) => Value;
}

/** A family's forward graph. */
export type FamilyForward = (g: Graph, config: ModelConfig, io: FamilyIO) => Value;

/** The forward builder of a config's family. */
export function familyForward(config: ModelConfig): FamilyForward {
  if (config.model_type === 'gpt2') return gpt2Forward as FamilyForward;
  if (config.model_type === 'llama' || config.model_type === 'mistral' || config.model_type === 'qwen2') return llamaForward as FamilyForward;
  throw new Error(`onnx engine: model_type ${config.model_type} is not built yet`);
}

/** Every hook point name of a config, in forward order (TransformerLens names). */
export function hookPointNames(config: ModelConfig): string[] {
  const k = dims(config);
  const names = config.model_type === 'gpt2' ? ['hook_embed', 'hook_pos_embed'] : ['hook_embed'];
  for (let l = 0; l < k.layers; l++) {
    for (const s of ['hook_resid_pre', 'attn.hook_pattern', 'hook_attn_out', 'hook_resid_mid', 'mlp.hook_post', 'hook_mlp_out', 'hook_resid_post']) names.push(`blocks.${l}.${s}`);
  }
  names.push('ln_final.hook_normalized');
  return names;
}
