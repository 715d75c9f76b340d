/**
 * Hugging Face model directories: `config.json`, `model.safetensors` (or shards listed in
 * `model.safetensors.index.json`) and `tokenizer.json`. Saving writes the same layout, with key names
 * and shapes that Python `transformers` loads (GPT-2 Conv1D weights [in, out]; Llama Linear [out, in]).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../util/errors.js';
import type { ModelConfig } from '../nn/config.js';
import { paramSpecs, type Model } from '../nn/model.js';
import { tf } from '../nn/ops.js';
import { readSafetensors, serializeSafetensors, type NamedTensor } from './safetensors.js';
import { tokenizerFromJson, type TextTokenizer } from './tokenizer.js';

const FAMILIES = ['gpt2', 'llama', 'mistral', 'qwen2'];

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(path, 'file', `expected a readable JSON file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(path, 'JSON', `expected valid JSON (${(err as Error).message})`);
  }
}

/** Reads and checks `config.json` of a model directory. */
export function readModelConfig(dir: string): ModelConfig {
  const path = join(dir, 'config.json');
  const raw = readJson(path) as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null) throw new InputError(path, '(root)', 'expected a JSON object');
  const type = raw.model_type;
  if (typeof type !== 'string' || !FAMILIES.includes(type)) {
    throw new InputError(path, 'model_type', `expected one of ${FAMILIES.join(', ')}; got ${JSON.stringify(type)}`);
  }
  const need = (field: string) => {
    const v = raw[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new InputError(path, field, `expected a positive integer; got ${JSON.stringify(v)}`);
  };
  if (type === 'gpt2') {
    ['vocab_size', 'n_positions', 'n_embd', 'n_layer', 'n_head'].forEach(need);
    const act = raw.activation_function ?? 'gelu_new';
    if (act !== 'gelu_new' && act !== 'gelu_pytorch_tanh') throw new InputError(path, 'activation_function', `expected gelu_new; got ${JSON.stringify(act)}`);
    return {
      n_inner: null,
      layer_norm_epsilon: 1e-5,
      activation_function: 'gelu_new',
      tie_word_embeddings: true,
      ...raw,
    } as ModelConfig;
  }
  ['vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads'].forEach(need);
  const act = raw.hidden_act ?? 'silu';
  if (act !== 'silu') throw new InputError(path, 'hidden_act', `expected silu; got ${JSON.stringify(act)}`);
  if (raw.rope_scaling != null) throw new InputError(path, 'rope_scaling', 'expected null (scaled rotary positions are not supported)');
  return {
    num_key_value_heads: raw.num_attention_heads,
    max_position_embeddings: 2048,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: false, // transformers' default for all three families
    attention_bias: type === 'qwen2',
    hidden_act: 'silu',
    ...raw,
  } as ModelConfig;
}

/** Reads every weight of a directory: `model.safetensors`, or the shards of `model.safetensors.index.json`. */
export function readWeights(dir: string): Map<string, NamedTensor> {
  const single = join(dir, 'model.safetensors');
  const index = join(dir, 'model.safetensors.index.json');
  if (existsSync(single)) return readSafetensors(single).tensors;
  if (existsSync(index)) {
    const idx = readJson(index) as { weight_map?: Record<string, string> };
    if (!idx || typeof idx.weight_map !== 'object' || idx.weight_map === null) throw new InputError(index, 'weight_map', 'expected an object of tensor name → shard file');
    const out = new Map<string, NamedTensor>();
    for (const shard of new Set(Object.values(idx.weight_map))) {
      if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\')) throw new InputError(index, 'weight_map', `expected shard file names in the directory; got ${JSON.stringify(shard)}`);
      for (const [name, t] of readSafetensors(join(dir, shard)).tensors) out.set(name, t);
    }
    return out;
  }
  if (existsSync(join(dir, 'pytorch_model.bin'))) {
    throw new InputError(join(dir, 'pytorch_model.bin'), 'format', 'expected safetensors: pickle checkpoints are refused; convert it with `python -c "from transformers import AutoModelForCausalLM as M; M.from_pretrained(\'DIR\').save_pretrained(\'DIR\', safe_serialization=True)"`');
  }
  throw new InputError(dir, 'model.safetensors', 'expected a model.safetensors file (or model.safetensors.index.json with shards)');
}

/** Builds a model from a config and named weights, checking names and shapes (GPT-2 keys with or without `transformer.`). */
export function modelFromWeights(config: ModelConfig, weights: Map<string, NamedTensor>, file = 'model.safetensors'): Model {
  const params = new Map<string, tf.Variable | tf.Tensor>();
  const lookup = (name: string): NamedTensor | undefined => {
    const t = weights.get(name);
    if (t || config.model_type !== 'gpt2') return t;
    return weights.get(name.replace(/^transformer\./, '')); // GPT2Model checkpoints drop the prefix
  };
  const specs = paramSpecs(config);
  for (const spec of specs) {
    const t = lookup(spec.name);
    if (!t) {
      for (const p of params.values()) p.dispose();
      throw new InputError(file, spec.name, `expected a tensor of shape [${spec.shape.join(', ')}] (missing)`);
    }
    if (t.shape.join(',') !== spec.shape.join(',')) {
      for (const p of params.values()) p.dispose();
      throw new InputError(file, spec.name, `expected shape [${spec.shape.join(', ')}]; got [${t.shape.join(', ')}]`);
    }
    const initial = tf.tensor(t.data, spec.shape, 'float32');
    params.set(spec.name, tf.variable(initial, true));
    initial.dispose();
  }
  return { config, params };
}

/** A loaded model directory: the model, its tokenizer (when `tokenizer.json` exists) and the directory. */
export interface LoadedModel {
  model: Model;
  tokenizer: TextTokenizer | undefined;
  dir: string;
}

/** Loads a model directory (config.json, safetensors weights, tokenizer.json when present). */
export async function loadModelDir(dir: string): Promise<LoadedModel> {
  const { initBackend } = await import('../nn/backend.js');
  await initBackend();
  if (!existsSync(dir)) throw new InputError(dir, 'directory', 'expected an existing model directory');
  const config = readModelConfig(dir);
  const model = modelFromWeights(config, readWeights(dir), join(dir, existsSync(join(dir, 'model.safetensors')) ? 'model.safetensors' : 'model.safetensors.index.json'));
  const tokPath = join(dir, 'tokenizer.json');
  let tokenizer: TextTokenizer | undefined;
  if (existsSync(tokPath)) {
    const cfgPath = join(dir, 'tokenizer_config.json');
    const tokConfig = existsSync(cfgPath) ? (readJson(cfgPath) as object) : {};
    try {
      tokenizer = tokenizerFromJson(readJson(tokPath) as object, tokConfig);
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(tokPath, 'tokenizer', `expected a tokenizer.json that @huggingface/tokenizers reads (${(err as Error).message})`);
    }
  }
  return { model, tokenizer, dir };
}

/** The model's weights as named float32 arrays in HF names and shapes (what `save_pretrained` writes; the tied head is left out). */
export function modelWeights(model: Model): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  for (const [name, t] of model.params) out.set(name, { shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) });
  return out;
}

/** Options of `saveModelDir`. */
export interface SaveOptions {
  /** A parsed tokenizer.json to write alongside. */
  tokenizerJson?: object;
  /** Extra files to write (name → content), e.g. a `README.md` model card. */
  extraFiles?: Record<string, string>;
  /** Metadata strings stored in the safetensors header (`format: pt` is always set). */
  metadata?: Record<string, string>;
}

/** Writes config.json, model.safetensors (F32), tokenizer.json and extra files into `dir`, atomically (temp dir then rename). */
export function saveModelDir(model: Model, dir: string, opts: SaveOptions = {}): void {
  const target = resolve(dir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.lvh-tmp-${basename(target)}-${process.pid}-${Date.now()}`);
  mkdirSync(tmp);
  try {
    const config = { ...model.config, torch_dtype: 'float32' };
    writeFileSync(join(tmp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    writeFileSync(join(tmp, 'model.safetensors'), serializeSafetensors(modelWeights(model), { format: 'pt', ...opts.metadata }));
    if (opts.tokenizerJson) writeFileSync(join(tmp, 'tokenizer.json'), `${JSON.stringify(opts.tokenizerJson)}\n`);
    for (const [name, content] of Object.entries(opts.extraFiles ?? {})) {
      if (name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`saveModelDir: extra file name "${name}" must be a plain file name`);
      writeFileSync(join(tmp, name), content);
    }
    const old = `${tmp}-old`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(tmp, target);
    rmSync(old, { recursive: true, force: true });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
