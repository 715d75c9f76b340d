/**
 * Hugging Face model directories: `config.json`, `model.safetensors` (or shards listed in
 * `model.safetensors.index.json`) and `tokenizer.json`. Saving writes the same layout, with key names
 * and shapes that Python `transformers` loads (GPT-2 Conv1D weights [in, out]; Llama Linear [out, in]).
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../util/errors.js';
import { parseJsonStrict } from '../util/json.js';
import { INPUT_LIMITS, readInputText } from '../util/read-input.js';
import { dims, validateModelConfig, type ModelConfig } from './config.js';
import { paramSpecs } from './params.js';
import { openSafetensors, serializeSafetensors, type NamedTensor, type SafetensorsReader } from './safetensors.js';
import { checkTokenizerJson, tokenizerFromJson, type TextTokenizer } from './tokenizer.js';

// A JSON file of the directory, size-limited, duplicate keys refused, its content never quoted in errors.
function readJsonFile(path: string, what: string, maxBytes: number = INPUT_LIMITS.text): unknown {
  return parseJsonStrict(readInputText(path, { what, maxBytes }), path);
}

/** Reads and checks `config.json` of a model directory (see `validateModelConfig` for what is checked). */
export function readModelConfig(dir: string): ModelConfig {
  const path = join(dir, 'config.json');
  return validateModelConfig(readJsonFile(path, 'a config.json'), path);
}

// Tensors some checkpoints carry that the model does not use: causal-mask buffers of old GPT-2 exports, rotary
// frequency buffers of old Llama exports, and a head stored next to the embedding it is tied to.
function ignorable(config: ModelConfig, name: string, shape: number[]): boolean {
  const k = dims(config);
  const mask = /^(?:transformer\.)?h\.(\d+)\.attn\.(?:bias|masked_bias)$/.exec(name);
  if (mask) return config.model_type === 'gpt2' && Number(mask[1]) < k.layers;
  const invFreq = /^model\.layers\.(\d+)\.self_attn\.rotary_emb\.inv_freq$/.exec(name);
  if (invFreq) return config.model_type !== 'gpt2' && Number(invFreq[1]) < k.layers;
  return name === 'lm_head.weight' && config.tie_word_embeddings === true && shape.join(',') === `${k.vocab},${k.d}`;
}

/**
 * Matches stored tensor names and shapes against the parameters `config` needs, before any value is decoded:
 * a missing tensor, a wrong shape or an unused tensor (weights of another config) is refused, naming it.
 * Returns parameter name → stored name (GPT-2 keys may drop the `transformer.` prefix). `fileOf` names the file.
 */
export function matchWeights(config: ModelConfig, shapes: Map<string, number[]>, fileOf: (name: string | undefined) => string): Map<string, string> {
  const matched = new Map<string, string>();
  const used = new Set<string>();
  for (const spec of paramSpecs(config)) {
    let stored = spec.name;
    if (!shapes.has(stored) && config.model_type === 'gpt2') stored = spec.name.replace(/^transformer\./, ''); // GPT2Model checkpoints drop the prefix
    const shape = shapes.get(stored);
    if (!shape) throw new InputError(fileOf(undefined), spec.name, `expected a tensor of shape [${spec.shape.join(', ')}] (missing)`);
    if (shape.join(',') !== spec.shape.join(',')) throw new InputError(fileOf(stored), spec.name, `expected shape [${spec.shape.join(', ')}]; got [${shape.join(', ')}]`);
    matched.set(spec.name, stored);
    used.add(stored);
  }
  const unused = [...shapes.keys()].filter((name) => !used.has(name) && !ignorable(config, name, shapes.get(name)!));
  if (unused.length > 0) {
    const layers = config.model_type === 'gpt2' ? `n_layer ${config.n_layer}` : `num_hidden_layers ${config.num_hidden_layers}`;
    const more = unused.length > 1 ? ` (and ${unused.length - 1} more)` : '';
    throw new InputError(fileOf(unused[0]), unused[0], `expected only the tensors a ${config.model_type} config with ${layers} uses; this one${more} is not one of them (config.json of other weights?)`);
  }
  return matched;
}

// The weight files of a directory, opened with checked headers: model.safetensors, or the shards of the index.
function openWeightFiles(dir: string): { readers: SafetensorsReader[]; source: string } {
  const single = join(dir, 'model.safetensors');
  const index = join(dir, 'model.safetensors.index.json');
  if (existsSync(single)) return { readers: [openSafetensors(single)], source: single };
  if (existsSync(index)) {
    const idx = readJsonFile(index, 'a model.safetensors.index.json') as { weight_map?: unknown };
    const map = idx && typeof idx === 'object' && !Array.isArray(idx) ? idx.weight_map : undefined;
    if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new InputError(index, 'weight_map', 'expected an object of tensor name → shard file');
    const readers: SafetensorsReader[] = [];
    try {
      for (const shard of new Set(Object.values(map as Record<string, unknown>))) {
        if (typeof shard !== 'string' || shard === '' || shard === '.' || shard === '..' || shard.includes('/') || shard.includes('\\')) {
          throw new InputError(index, 'weight_map', 'expected shard file names in the directory (no folders)');
        }
        readers.push(openSafetensors(join(dir, shard)));
      }
    } catch (err) {
      readers.forEach((r) => r.close());
      throw err;
    }
    return { readers, source: index };
  }
  if (existsSync(join(dir, 'pytorch_model.bin'))) {
    throw new InputError(join(dir, 'pytorch_model.bin'), 'format', 'expected safetensors: pickle checkpoints are refused; convert it with `python -c "from transformers import AutoModelForCausalLM as M; M.from_pretrained(\'DIR\').save_pretrained(\'DIR\', safe_serialization=True)"`');
  }
  throw new InputError(dir, 'model.safetensors', 'expected a model.safetensors file (or model.safetensors.index.json with shards)');
}

/**
 * Reads the weights `config` needs from a directory (`model.safetensors` or the shards of
 * `model.safetensors.index.json`): names and shapes are matched against the config before any value is
 * read (see `matchWeights`), then each tensor is decoded with its values checked finite. Keyed by parameter name.
 */
export function readModelWeights(dir: string, config: ModelConfig): Map<string, NamedTensor> {
  const { readers, source } = openWeightFiles(dir);
  try {
    const owner = new Map<string, SafetensorsReader>();
    const shapes = new Map<string, number[]>();
    for (const reader of readers) {
      for (const [name, e] of reader.header.entries) {
        if (owner.has(name)) throw new InputError(reader.file, name, `expected each tensor in one shard; it is also in ${basename(owner.get(name)!.file)}`);
        owner.set(name, reader);
        shapes.set(name, e.shape);
      }
    }
    const matched = matchWeights(config, shapes, (name) => (name === undefined ? source : owner.get(name)!.file));
    const out = new Map<string, NamedTensor>();
    for (const [param, stored] of matched) out.set(param, owner.get(stored)!.read(stored));
    return out;
  } finally {
    readers.forEach((r) => r.close());
  }
}

/** Reads and checks `tokenizer.json` (and `tokenizer_config.json` when present) against the model's vocabulary size. */
export function readTokenizer(dir: string, vocabSize: number): TextTokenizer {
  const tokPath = join(dir, 'tokenizer.json');
  const cfgPath = join(dir, 'tokenizer_config.json');
  let tokConfig: object = {};
  if (existsSync(cfgPath)) {
    const raw = readJsonFile(cfgPath, 'a tokenizer_config.json');
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError(cfgPath, '(root)', 'expected a JSON object');
    tokConfig = raw;
  }
  const json = readJsonFile(tokPath, 'a tokenizer.json', INPUT_LIMITS.tokenizer);
  checkTokenizerJson(json, vocabSize, tokPath);
  return tokenizerFromJson(json as object, tokConfig, tokPath);
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

/**
 * Writes config.json, model.safetensors (F32), tokenizer.json and extra files into `dir`, atomically (temp dir then
 * rename); `model` is a config with named weights (HF names and shapes).
 */
export function saveModelDir(model: { config: ModelConfig; weights: Map<string, NamedTensor> }, dir: string, opts: SaveOptions = {}): void {
  const target = resolve(dir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.lvh-tmp-${basename(target)}-${process.pid}-${Date.now()}`);
  const old = `${tmp}-old`;
  mkdirSync(tmp);
  try {
    const config = { ...model.config, torch_dtype: 'float32' };
    writeFileSync(join(tmp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    writeFileSync(join(tmp, 'model.safetensors'), serializeSafetensors(model.weights, { format: 'pt', ...opts.metadata }));
    if (opts.tokenizerJson) writeFileSync(join(tmp, 'tokenizer.json'), `${JSON.stringify(opts.tokenizerJson)}\n`);
    for (const [name, content] of Object.entries(opts.extraFiles ?? {})) {
      if (name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`saveModelDir: extra file name "${name}" must be a plain file name`);
      writeFileSync(join(tmp, name), content);
    }
    // Old aside, new in, then old removed: at every moment one complete model exists (a kill in between
    // leaves the old one as `<tmp>-old`, which `recoverInterruptedSaves` puts back or removes).
    if (existsSync(target)) renameSync(target, old);
    renameSync(tmp, target);
    rmSync(old, { recursive: true, force: true });
  } catch (err) {
    if (existsSync(old) && !existsSync(target)) renameSync(old, target);
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
