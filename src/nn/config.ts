/**
 * Model configurations, kept in the Hugging Face `config.json` form (snake_case fields) so that a
 * config is written and read verbatim.
 */

/** GPT-2 family config (`model_type: "gpt2"`), as in transformers' GPT2Config. */
export interface Gpt2Config {
  model_type: 'gpt2';
  /** Token vocabulary size. */
  vocab_size: number;
  /** Longest context (learned position table rows). */
  n_positions: number;
  /** Residual width d. */
  n_embd: number;
  /** Number of blocks. */
  n_layer: number;
  /** Attention heads (n_embd divisible by it). */
  n_head: number;
  /** MLP width; null means 4·n_embd. */
  n_inner: number | null;
  /** Layer-norm epsilon. */
  layer_norm_epsilon: number;
  /** Always `gelu_new` (tanh GELU) here. */
  activation_function: string;
  /** GPT-2 ties the head to the token embedding. */
  tie_word_embeddings: boolean;
  bos_token_id?: number;
  eos_token_id?: number;
  architectures?: string[];
  [extra: string]: unknown;
}

/** Llama-family config (`model_type` llama, mistral or qwen2), as in transformers' LlamaConfig. */
export interface LlamaConfig {
  model_type: 'llama' | 'mistral' | 'qwen2';
  vocab_size: number;
  /** Residual width d. */
  hidden_size: number;
  /** SwiGLU width. */
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  /** Key/value heads (grouped-query attention when fewer than the attention heads). */
  num_key_value_heads: number;
  /** Per-head width; defaults to hidden_size / num_attention_heads. */
  head_dim?: number;
  max_position_embeddings: number;
  rms_norm_eps: number;
  /** Rotary base θ. */
  rope_theta: number;
  tie_word_embeddings: boolean;
  /** Biases on q/k/v projections (true for qwen2). */
  attention_bias?: boolean;
  hidden_act: string;
  bos_token_id?: number;
  eos_token_id?: number;
  architectures?: string[];
  [extra: string]: unknown;
}

/** A model config of either family. */
export type ModelConfig = Gpt2Config | LlamaConfig;

/** The family a config belongs to. */
export function family(config: ModelConfig): 'gpt2' | 'llama' {
  return config.model_type === 'gpt2' ? 'gpt2' : 'llama';
}

/** A GPT-2 config from the essentials (other fields at GPT-2's defaults). */
export function gpt2Config(o: { vocabSize: number; nPositions: number; nEmbd: number; nLayer: number; nHead: number; nInner?: number; eosTokenId?: number; bosTokenId?: number }): Gpt2Config {
  if (o.nEmbd % o.nHead !== 0) throw new Error(`gpt2Config: nEmbd ${o.nEmbd} is not divisible by nHead ${o.nHead}`);
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    vocab_size: o.vocabSize,
    n_positions: o.nPositions,
    n_ctx: o.nPositions,
    n_embd: o.nEmbd,
    n_layer: o.nLayer,
    n_head: o.nHead,
    n_inner: o.nInner ?? null,
    layer_norm_epsilon: 1e-5,
    activation_function: 'gelu_new',
    tie_word_embeddings: true,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    initializer_range: 0.02,
    ...(o.bosTokenId !== undefined ? { bos_token_id: o.bosTokenId } : {}),
    ...(o.eosTokenId !== undefined ? { eos_token_id: o.eosTokenId } : {}),
  };
}

/** A Llama-family config from the essentials. */
export function llamaConfig(o: {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKeyValueHeads?: number;
  maxPositions: number;
  ropeTheta?: number;
  rmsNormEps?: number;
  tieWordEmbeddings?: boolean;
  attentionBias?: boolean;
  modelType?: 'llama' | 'mistral' | 'qwen2';
  eosTokenId?: number;
  bosTokenId?: number;
}): LlamaConfig {
  const kv = o.numKeyValueHeads ?? o.numHeads;
  if (o.hiddenSize % o.numHeads !== 0) throw new Error(`llamaConfig: hiddenSize ${o.hiddenSize} is not divisible by numHeads ${o.numHeads}`);
  if (o.numHeads % kv !== 0) throw new Error(`llamaConfig: numHeads ${o.numHeads} is not divisible by numKeyValueHeads ${kv}`);
  const modelType = o.modelType ?? 'llama';
  const arch = { llama: 'LlamaForCausalLM', mistral: 'MistralForCausalLM', qwen2: 'Qwen2ForCausalLM' }[modelType];
  return {
    model_type: modelType,
    architectures: [arch],
    vocab_size: o.vocabSize,
    hidden_size: o.hiddenSize,
    intermediate_size: o.intermediateSize,
    num_hidden_layers: o.numLayers,
    num_attention_heads: o.numHeads,
    num_key_value_heads: kv,
    head_dim: o.hiddenSize / o.numHeads,
    max_position_embeddings: o.maxPositions,
    rms_norm_eps: o.rmsNormEps ?? 1e-5,
    rope_theta: o.ropeTheta ?? 10000,
    tie_word_embeddings: o.tieWordEmbeddings ?? false,
    attention_bias: o.attentionBias ?? modelType === 'qwen2',
    hidden_act: 'silu',
    initializer_range: 0.02,
    ...(o.bosTokenId !== undefined ? { bos_token_id: o.bosTokenId } : {}),
    ...(o.eosTokenId !== undefined ? { eos_token_id: o.eosTokenId } : {}),
  };
}

/** Shape facts every forward pass needs, whatever the family. */
export interface Dims {
  vocab: number;
  d: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ffn: number;
  maxPositions: number;
  eps: number;
}

/** The shape facts of a config. */
export function dims(config: ModelConfig): Dims {
  if (config.model_type === 'gpt2') {
    return {
      vocab: config.vocab_size,
      d: config.n_embd,
      layers: config.n_layer,
      heads: config.n_head,
      kvHeads: config.n_head,
      headDim: config.n_embd / config.n_head,
      ffn: config.n_inner ?? 4 * config.n_embd,
      maxPositions: config.n_positions,
      eps: config.layer_norm_epsilon,
    };
  }
  return {
    vocab: config.vocab_size,
    d: config.hidden_size,
    layers: config.num_hidden_layers,
    heads: config.num_attention_heads,
    kvHeads: config.num_key_value_heads ?? config.num_attention_heads,
    headDim: config.head_dim ?? config.hidden_size / config.num_attention_heads,
    ffn: config.intermediate_size,
    maxPositions: config.max_position_embeddings,
    eps: config.rms_norm_eps,
  };
}
