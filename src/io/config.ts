/**
 * Model configurations, kept in the Hugging Face `config.json` form (snake_case fields) so that a
 * config is written and read verbatim.
 */
import { InputError } from '../util/errors.js';

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
  bos_token_id?: number | null;
  /** End-of-text token (a list in some checkpoints: any of them stops generation). */
  eos_token_id?: number | number[] | null;
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
  bos_token_id?: number | null;
  /** End-of-text token (a list in some checkpoints: any of them stops generation). */
  eos_token_id?: number | number[] | null;
  architectures?: string[];
  [extra: string]: unknown;
}

/** A model config of either family. */
export type ModelConfig = Gpt2Config | LlamaConfig;

/** The family a config belongs to. */
export function family(config: ModelConfig): 'gpt2' | 'llama' {
  return config.model_type === 'gpt2' ? 'gpt2' : 'llama';
}

/** Upper bounds on config sizes, checked before any parameter list is built (so `n_layer: 2^32` fails at once). */
export const CONFIG_LIMITS = {
  /** vocab_size. */
  vocab: 1 << 22,
  /** n_embd / hidden_size. */
  width: 1 << 16,
  /** n_inner / intermediate_size. */
  ffn: 1 << 20,
  /** n_layer / num_hidden_layers. */
  layers: 1024,
  /** n_head / num_attention_heads / num_key_value_heads. */
  heads: 1024,
  /** head_dim. */
  headDim: 4096,
  /** n_positions / max_position_embeddings. */
  positions: 1 << 24,
} as const;

/** The model families a config.json may name in `model_type`. */
export const MODEL_TYPES = ['gpt2', 'llama', 'mistral', 'qwen2'] as const;

/**
 * Checks a parsed `config.json` and fills transformers' defaults: sizes are bounded positive integers, heads
 * divide the width, epsilons and rope_theta finite and in range, token ids inside the vocabulary. `file` names
 * it in the InputErrors; values of the file are quoted only when they are numbers, booleans or short names.
 */
export function validateModelConfig(raw: unknown, file: string): ModelConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError(file, '(root)', 'expected a JSON object');
  const cfg = raw as Record<string, unknown>;
  const type = cfg.model_type;
  if (typeof type !== 'string' || !(MODEL_TYPES as readonly string[]).includes(type)) {
    throw new InputError(file, 'model_type', `expected one of ${MODEL_TYPES.join(', ')}; got ${shown(type)}`);
  }
  const size = (field: string, max: number, fallback?: number): number => {
    const v = cfg[field] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > max) {
      throw new InputError(file, field, `expected a positive integer <= ${max}; got ${shown(cfg[field])}`);
    }
    return v;
  };
  const flag = (field: string, fallback: boolean): boolean => {
    const v = cfg[field] ?? fallback;
    if (typeof v !== 'boolean') throw new InputError(file, field, `expected true or false; got ${shown(v)}`);
    return v;
  };
  // Float32 rounds an epsilon below its normal range to 0 (0/0 on a constant row); above 1 it is no epsilon.
  const epsilon = (field: string, fallback: number): number => {
    const v = cfg[field] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 1e-38 || v > 1) {
      throw new InputError(file, field, `expected a number in [1e-38, 1]; got ${shown(cfg[field])}`);
    }
    return v;
  };
  const tokenId = (field: string, vocab: number): void => {
    const v = cfg[field];
    if (v === undefined || v === null) return;
    const ok = (id: unknown) => typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < vocab;
    const list = field === 'eos_token_id' && Array.isArray(v);
    if (list ? v.length === 0 || !v.every(ok) : !ok(v)) {
      throw new InputError(file, field, `expected ${field === 'eos_token_id' ? 'an integer (or a list of integers)' : 'an integer'} in [0, ${vocab}) (vocab_size) or no value; got ${shown(v)}`);
    }
  };
  const vocab = size('vocab_size', CONFIG_LIMITS.vocab);
  tokenId('bos_token_id', vocab);
  tokenId('eos_token_id', vocab);

  if (type === 'gpt2') {
    const width = size('n_embd', CONFIG_LIMITS.width);
    size('n_positions', CONFIG_LIMITS.positions);
    size('n_layer', CONFIG_LIMITS.layers);
    const heads = size('n_head', CONFIG_LIMITS.heads);
    if (width % heads !== 0) throw new InputError(file, 'n_head', `expected a divisor of n_embd ${width}; got ${heads}`);
    if (cfg.n_inner !== undefined && cfg.n_inner !== null) size('n_inner', CONFIG_LIMITS.ffn);
    const eps = epsilon('layer_norm_epsilon', 1e-5);
    const act = cfg.activation_function ?? 'gelu_new';
    if (act !== 'gelu_new' && act !== 'gelu_pytorch_tanh') throw new InputError(file, 'activation_function', `expected gelu_new; got ${shown(act)}`);
    // The GPT-2 forward always reads the head from wte; an untied head would be silently dropped.
    if (!flag('tie_word_embeddings', true)) {
      throw new InputError(file, 'tie_word_embeddings', 'expected true: GPT-2 ties the head to the token embedding (untied GPT-2 heads are not supported)');
    }
    return { n_inner: null, activation_function: 'gelu_new', tie_word_embeddings: true, ...cfg, layer_norm_epsilon: eps } as ModelConfig;
  }

  const width = size('hidden_size', CONFIG_LIMITS.width);
  size('intermediate_size', CONFIG_LIMITS.ffn);
  size('num_hidden_layers', CONFIG_LIMITS.layers);
  const heads = size('num_attention_heads', CONFIG_LIMITS.heads);
  const kvHeads = size('num_key_value_heads', CONFIG_LIMITS.heads, heads);
  if (heads % kvHeads !== 0) throw new InputError(file, 'num_key_value_heads', `expected a divisor of num_attention_heads ${heads}; got ${kvHeads}`);
  if (cfg.head_dim === undefined || cfg.head_dim === null) {
    if (width % heads !== 0) throw new InputError(file, 'num_attention_heads', `expected a divisor of hidden_size ${width} (or a head_dim); got ${heads}`);
  } else size('head_dim', CONFIG_LIMITS.headDim);
  const headDim = (cfg.head_dim as number | null | undefined) ?? width / heads;
  // Rotary positions rotate pairs of features: an odd head width has no pairing.
  if (headDim % 2 !== 0) throw new InputError(file, cfg.head_dim == null ? 'num_attention_heads' : 'head_dim', `expected an even head width for rotary positions; got ${headDim}`);
  size('max_position_embeddings', CONFIG_LIMITS.positions, 2048);
  const eps = epsilon('rms_norm_eps', 1e-6);
  const theta = cfg.rope_theta ?? 10000;
  // θ < 1 makes the inverse frequencies θ^(−2i/hd) grow past float32's range; real models use 1e4 to 1e7.
  if (typeof theta !== 'number' || !Number.isFinite(theta) || theta < 1) {
    throw new InputError(file, 'rope_theta', `expected a finite number >= 1; got ${shown(cfg.rope_theta)}`);
  }
  const act = cfg.hidden_act ?? 'silu';
  if (act !== 'silu') throw new InputError(file, 'hidden_act', `expected silu; got ${shown(act)}`);
  if (cfg.rope_scaling != null) throw new InputError(file, 'rope_scaling', 'expected null (scaled rotary positions are not supported)');
  const tied = flag('tie_word_embeddings', false); // transformers' default for all three families
  const bias = flag('attention_bias', type === 'qwen2');
  return {
    num_key_value_heads: kvHeads,
    max_position_embeddings: 2048,
    hidden_act: 'silu',
    ...cfg,
    rms_norm_eps: eps,
    rope_theta: theta,
    tie_word_embeddings: tied,
    attention_bias: bias,
  } as ModelConfig;
}

/** The end-of-text ids of a config (none, one, or the list some checkpoints give). */
export function stopTokenIds(config: ModelConfig): number[] {
  const eos = config.eos_token_id;
  return typeof eos === 'number' ? [eos] : Array.isArray(eos) ? [...eos] : [];
}

// A config value for an error message: numbers, booleans and null as JSON, short strings quoted, nothing else quoted.
function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'string') return v.length <= 40 && /^[\w .:/-]*$/.test(v) ? JSON.stringify(v) : `a string of ${v.length} characters`;
  return Array.isArray(v) ? `an array of ${v.length}` : 'an object';
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
