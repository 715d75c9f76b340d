// The parameters a model config implies: Hugging Face names, shapes and initialisation (shared by both engines and io).
import { dims, type ModelConfig } from './config.js';

/** How a parameter is initialised: normal(0, std), zeros or ones. */
export interface ParamSpec {
  name: string;
  shape: number[];
  init: { kind: 'normal'; std: number } | { kind: 'zeros' } | { kind: 'ones' };
}

/** Every parameter a config needs, with HF names (GPT-2 with the `transformer.` prefix) and shapes. */
export function paramSpecs(config: ModelConfig): ParamSpec[] {
  const k = dims(config);
  const std = typeof config.initializer_range === 'number' ? config.initializer_range : 0.02;
  const projStd = std / Math.sqrt(2 * k.layers); // GPT-2's scaled init of the residual projections
  const normal = (s: number) => ({ kind: 'normal' as const, std: s });
  const zeros = { kind: 'zeros' as const };
  const ones = { kind: 'ones' as const };
  const specs: ParamSpec[] = [];
  const add = (name: string, shape: number[], init: ParamSpec['init']) => specs.push({ name, shape, init });
  if (config.model_type === 'gpt2') {
    add('transformer.wte.weight', [k.vocab, k.d], normal(std));
    add('transformer.wpe.weight', [k.maxPositions, k.d], normal(std / 2));
    for (let l = 0; l < k.layers; l++) {
      const p = `transformer.h.${l}.`;
      add(`${p}ln_1.weight`, [k.d], ones);
      add(`${p}ln_1.bias`, [k.d], zeros);
      add(`${p}attn.c_attn.weight`, [k.d, 3 * k.d], normal(std)); // Conv1D stores [in, out]
      add(`${p}attn.c_attn.bias`, [3 * k.d], zeros);
      add(`${p}attn.c_proj.weight`, [k.d, k.d], normal(projStd));
      add(`${p}attn.c_proj.bias`, [k.d], zeros);
      add(`${p}ln_2.weight`, [k.d], ones);
      add(`${p}ln_2.bias`, [k.d], zeros);
      add(`${p}mlp.c_fc.weight`, [k.d, k.ffn], normal(std));
      add(`${p}mlp.c_fc.bias`, [k.ffn], zeros);
      add(`${p}mlp.c_proj.weight`, [k.ffn, k.d], normal(projStd));
      add(`${p}mlp.c_proj.bias`, [k.d], zeros);
    }
    add('transformer.ln_f.weight', [k.d], ones);
    add('transformer.ln_f.bias', [k.d], zeros);
    return specs;
  }
  const qOut = k.heads * k.headDim;
  const kvOut = k.kvHeads * k.headDim;
  add('model.embed_tokens.weight', [k.vocab, k.d], normal(std));
  for (let l = 0; l < k.layers; l++) {
    const p = `model.layers.${l}.`;
    add(`${p}input_layernorm.weight`, [k.d], ones);
    add(`${p}self_attn.q_proj.weight`, [qOut, k.d], normal(std)); // nn.Linear stores [out, in]
    add(`${p}self_attn.k_proj.weight`, [kvOut, k.d], normal(std));
    add(`${p}self_attn.v_proj.weight`, [kvOut, k.d], normal(std));
    if (config.attention_bias) {
      add(`${p}self_attn.q_proj.bias`, [qOut], zeros);
      add(`${p}self_attn.k_proj.bias`, [kvOut], zeros);
      add(`${p}self_attn.v_proj.bias`, [kvOut], zeros);
    }
    add(`${p}self_attn.o_proj.weight`, [k.d, qOut], normal(projStd));
    add(`${p}post_attention_layernorm.weight`, [k.d], ones);
    add(`${p}mlp.gate_proj.weight`, [k.ffn, k.d], normal(std));
    add(`${p}mlp.up_proj.weight`, [k.ffn, k.d], normal(std));
    add(`${p}mlp.down_proj.weight`, [k.d, k.ffn], normal(projStd));
  }
  add('model.norm.weight', [k.d], ones);
  if (!config.tie_word_embeddings) add('lm_head.weight', [k.vocab, k.d], normal(std));
  return specs;
}
