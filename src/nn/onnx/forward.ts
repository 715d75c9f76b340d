/**
 * The forward pass on ONNX Runtime: a family's graph with its inputs (ids, position ids, attention bias),
 * hook points as extra outputs, interventions as extra inputs, and an optional key/value cache; sessions
 * are compiled once per variant (which hooks, which interventions) and cached on the model.
 */
import type * as ort from 'onnxruntime-node';
import { matchWeights } from '../../io/model-dir.js';
import { orthonormalBasis } from '../../linalg/basis.js';
import { batchLayout, type CachedPositions } from '../batch-layout.js';
import { createRng } from '../../linalg/rng.js';
import { InputError } from '../../util/errors.js';
import { dims, type ModelConfig } from '../../io/config.js';
import { paramSpecs } from '../../io/params.js';
import { familyForward, hookPointNames, type FamilyIO } from './family.js';
import { Graph, type Value } from './graph.js';
import { createSession, type EngineOptions, type GraphSession, type HostTensor } from './session.js';

/** Named float32 weights in Hugging Face names and shapes. */
export type Weights = Map<string, { shape: number[]; data: Float32Array }>;

/** How weights enter a graph: fed as inputs on every run (one small graph for every variant) or baked in as initializers. */
export type WeightMode = 'inputs' | 'initializers';

/** A model on the ONNX engine: config, weights, options and its compiled sessions. */
export interface EngineModel {
  config: ModelConfig;
  weights: Weights;
  options: EngineOptions & { weightMode?: WeightMode };
  /** Compiled sessions by variant key. */
  sessions: Map<string, Promise<GraphSession>>;
  /** ORT tensors over the weights (made once). */
  weightTensors?: Map<string, HostTensor>;
}

/**
 * The weights a config needs, taken from named tensors (GPT-2 keys with or without `transformer.`), matched
 * against the config's names and shapes by io's `matchWeights` (missing, misshapen or foreign tensors are refused).
 */
export function engineWeights(config: ModelConfig, named: Map<string, { shape: number[]; data: Float32Array }>, file = 'model.safetensors'): Weights {
  const matched = matchWeights(config, new Map([...named].map(([name, t]) => [name, t.shape])), () => file);
  return new Map(paramSpecs(config).map((spec) => [spec.name, { shape: spec.shape, data: named.get(matched.get(spec.name)!)!.data }]));
}

/** Freshly initialised weights, deterministic in `seed`: the same values as the tfjs engine's `initModel(config, seed)`. */
export function initWeights(config: ModelConfig, seed: number): Weights {
  const rng = createRng(seed);
  const out: Weights = new Map();
  for (const spec of paramSpecs(config)) {
    const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    if (spec.init.kind === 'ones') data.fill(1);
    else if (spec.init.kind === 'normal') for (let i = 0; i < data.length; i++) data[i] = rng.normal() * spec.init.std;
    out.set(spec.name, { shape: spec.shape, data });
  }
  return out;
}

/** A model on the ONNX engine from a config and its weights. */
export function engineModel(config: ModelConfig, weights: Weights, options: EngineOptions & { weightMode?: WeightMode } = {}): EngineModel {
  return { config, weights, options, sessions: new Map() };
}

/** Frees every compiled session of the model. */
export async function releaseEngineModel(m: EngineModel): Promise<void> {
  const all = [...m.sessions.values()];
  m.sessions.clear();
  for (const s of all) await (await s).release();
}

/** An edit of the activation at a hook point, at chosen positions (absolute, negative from the end; all when omitted). */
export type Intervention =
  | { kind: 'add'; hook: string; vector: ArrayLike<number>; scale?: number; positions?: number[] }
  | { kind: 'ablate'; hook: string; basis: ArrayLike<number>[]; positions?: number[] }
  | { kind: 'replace'; hook: string; value: ArrayLike<number>; positions?: number[] };

/** What a forward graph computes besides the logits. */
export interface GraphVariant {
  /** Hook points returned as outputs (named as the hook point). */
  hooks: string[];
  /** (hook, kind) of each intervention, in order; their tensors are inputs `{hook}#{i}:vector|basis|mask`. */
  interventions: { hook: string; kind: Intervention['kind'] }[];
  /** Inputs `past.{L}.key|value` (B, kvH, P, hd) and outputs `present.{L}.key|value`. */
  kvCache: boolean;
  /** Logits of the last position only (B, 1, V). */
  lastOnly: boolean;
  /**
   * One segment of a forward cut at JavaScript hooks: the values at the hook points `cutsBefore` come in as inputs
   * `segment_in:{hook}` (already hooked), and the value at `to` (after its interventions) goes out as `segment_out`
   * instead of the logits. Hook outputs and kv outputs are declared only between the last cut before and `to`.
   */
  segment?: { cutsBefore: string[]; to?: string };
}

/** Builds the forward graph of a variant: inputs `input_ids`, `position_ids`, `attention_bias`, output `logits` (B, T, V). */
export function buildForwardGraph(config: ModelConfig, variant: GraphVariant, weights: { mode: WeightMode; values?: Weights }): Graph {
  const k = dims(config);
  const known = new Set(hookPointNames(config));
  for (const h of [...variant.hooks, ...variant.interventions.map((i) => i.hook)]) {
    if (!known.has(h)) throw new InputError('hook', h, `expected a hook point of this model (e.g. blocks.0.hook_resid_post, ln_final.hook_normalized)`);
  }
  const g = new Graph({ inference: true });
  const specs = new Map(paramSpecs(config).map((s) => [s.name, s]));
  const params = new Map<string, Value>();
  const param = (name: string): Value => {
    let v = params.get(name);
    if (v) return v;
    const spec = specs.get(name);
    if (!spec) throw new Error(`onnx engine: the model has no parameter "${name}"`);
    if (weights.mode === 'inputs') v = g.input(name, 'float32', spec.shape);
    else {
      const w = weights.values?.get(name);
      if (!w) throw new Error(`onnx engine: no weight for "${name}"`);
      v = g.initializer(name, w.data, spec.shape);
    }
    params.set(name, v);
    return v;
  };
  // Segments: before the last cut nothing is output (earlier segments did), after `to` nothing is needed.
  const cuts = variant.segment?.cutsBefore ?? [];
  const cutsBefore = Object.assign(new Set(cuts), { last: cuts.at(-1) });
  let inside = cuts.length === 0;
  const io: FamilyIO = {
    ids: g.input('input_ids', 'int64', ['batch', 'time']),
    positions: g.input('position_ids', 'int64', ['batch', 'time']),
    attnBias: g.input('attention_bias', 'float32', ['batch', 1, 'time', 'keys']),
    param,
    hasParam: (name) => specs.has(name),
    point: (name, x) => {
      if (cutsBefore.has(name)) {
        if (name === cutsBefore.last) inside = true;
        return g.input(`segment_in:${name}`, x.dtype, [...x.shape]);
      }
      variant.interventions.forEach((iv, i) => {
        if (iv.hook !== name) return;
        const at = `${name}#${i}`;
        const mask = g.input(`${at}:mask`, 'float32', ['batch', 'time', 1]); // 1 at the edited positions
        if (iv.kind === 'add') x = g.add(x, g.mul(mask, g.input(`${at}:vector`, 'float32', [x.shape[x.shape.length - 1]])));
        else if (iv.kind === 'replace') x = g.add(x, g.mul(mask, g.sub(g.input(`${at}:vector`, 'float32', [x.shape[x.shape.length - 1]]), x)));
        else {
          const basis = g.input(`${at}:basis`, 'float32', ['rank', x.shape[x.shape.length - 1]]); // orthonormal rows Q (k, width)
          x = g.sub(x, g.mul(mask, g.matmul(g.matmul(x, g.transpose(basis, [1, 0])), basis))); // x − mask·(x Qᵀ) Q
        }
      });
      if (inside && name === variant.segment?.to) {
        g.output(g.identity(x), 'segment_out');
        inside = false;
      } else if (inside && variant.hooks.includes(name)) g.output(g.identity(x), name);
      return x;
    },
  };
  if (variant.kvCache) {
    io.kv = (l, key, value) => {
      const past = (what: string) => g.input(`past.${l}.${what}`, 'float32', ['batch', k.kvHeads, 'past', k.headDim]);
      const kk = g.concat([past('key'), key], 2);
      const vv = g.concat([past('value'), value], 2);
      if (inside) {
        g.output(kk, `present.${l}.key`);
        g.output(vv, `present.${l}.value`);
      }
      return { k: kk, v: vv };
    };
  }
  if (variant.lastOnly) io.lastOnly = (h) => g.slice(h, -1, 2 ** 62, 1);
  const logits = familyForward(config)(g, config, io);
  if (!variant.segment?.to) g.output(logits, 'logits');
  return g;
}

function variantKey(v: GraphVariant): string {
  return JSON.stringify([[...v.hooks].sort(), v.interventions, v.kvCache, v.lastOnly, v.segment ?? null]);
}

/** The compiled session of a variant (built and cached on first use). */
export function variantSession(m: EngineModel, variant: GraphVariant): Promise<GraphSession> {
  const key = variantKey(variant);
  let s = m.sessions.get(key);
  if (!s) {
    const mode = m.options.weightMode ?? 'inputs';
    s = createSession(buildForwardGraph(m.config, variant, { mode, values: m.weights }).toModel(), m.options);
    m.sessions.set(key, s);
    s.catch(() => m.sessions.delete(key));
  }
  return s;
}

/** The weights as feeds (for the `inputs` weight mode). */
export function weightFeeds(m: EngineModel): Record<string, HostTensor> {
  if ((m.options.weightMode ?? 'inputs') !== 'inputs') return {};
  m.weightTensors ??= new Map([...m.weights].map(([name, w]) => [name, { data: w.data, shape: w.shape }]));
  return Object.fromEntries(m.weightTensors);
}

/** Per-layer keys and values of the positions seen so far (ORT tensors), for incremental decoding. */
export interface EngineKvCache extends CachedPositions {
  layers: { k: ort.Tensor; v: ort.Tensor }[];
}

/** Options of a forward pass on the ONNX engine. */
export interface EngineForwardOptions {
  /** (B, T): 1 for real tokens, 0 for padding. */
  attentionMask?: number[][];
  /** Hook points to return. */
  names?: string[];
  interventions?: Intervention[];
  /** Continue from this cache (and return the extended one). */
  past?: EngineKvCache;
  /** Return a key/value cache (implied by `past`). */
  returnKv?: boolean;
  /** Only the last position's logits. */
  lastOnly?: boolean;
}

/** Logits (B, T or 1, V), the hook points asked for, and the extended cache when asked. */
export interface EngineForwardResult {
  logits: HostTensor & { data: Float32Array };
  cache: Map<string, HostTensor & { data: Float32Array }>;
  kv?: EngineKvCache;
}

/** Position ids, key mask and the additive attention bias of a batch (causal and padding), as the tfjs engine makes them. */
export function batchInputs(config: ModelConfig, rows: number[][], mask: number[][] | undefined, past?: EngineKvCache) {
  const layout = batchLayout(config, rows, mask, past);
  const { batch, time, pastLen, totalLen: total, keyMask, nextPosition, bias } = layout;
  const positions = BigInt64Array.from(layout.positions, (p) => BigInt(p));
  const ids = BigInt64Array.from(rows.flat(), (t) => BigInt(t));
  return {
    feeds: {
      input_ids: { data: ids, shape: [batch, time] },
      position_ids: { data: positions, shape: [batch, time] },
      attention_bias: { data: bias, shape: [batch, 1, time, total] },
    } as Record<string, HostTensor>,
    keyMask,
    nextPosition,
    batch,
    time,
    pastLen,
  };
}

// The width of the activation at a hook point where interventions apply (the MLP's hidden width at mlp.hook_post).
function interventionWidth(config: ModelConfig, hook: string): number {
  if (hook.endsWith('attn.hook_pattern')) throw new InputError('intervention', hook, 'expected a hook point of the residual stream, attention or MLP output (attention patterns take JavaScript hooks)');
  const k = dims(config);
  return hook.endsWith('mlp.hook_post') ? k.ffn : k.d;
}

function interventionFeeds(config: ModelConfig, ivs: Intervention[], batch: number, time: number, offset: number): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  ivs.forEach((iv, i) => {
    const d = interventionWidth(config, iv.hook);
    const at = `${iv.hook}#${i}`;
    const mask = new Float32Array(batch * time);
    if (!iv.positions) mask.fill(1);
    else {
      for (const p of iv.positions) {
        // Negative positions count from the end of the sequence seen so far (−1: the last token).
        const at = p < 0 ? offset + time + p : p;
        if (!Number.isInteger(p) || at < 0) throw new InputError('intervention', iv.hook, `expected positions that are integers within the ${offset + time} tokens (negative counts from the end), got ${p}`);
        const t = at - offset;
        if (t >= 0 && t < time) for (let b = 0; b < batch; b++) mask[b * time + t] = 1;
      }
    }
    feeds[`${at}:mask`] = { data: mask, shape: [batch, time, 1] };
    if (iv.kind === 'ablate') {
      if (iv.basis.some((row) => row.length !== d)) throw new InputError('intervention', iv.hook, `expected basis rows of length ${d}`);
      const q = orthonormalBasis(iv.basis).basis; // dependent rows dropped
      if (q.length === 0) throw new Error('ablate: the basis spans nothing (all rows zero)');
      const flat = new Float32Array(q.length * d);
      q.forEach((row, r) => flat.set(row, r * d));
      feeds[`${at}:basis`] = { data: flat, shape: [q.length, d] };
    } else {
      const src = iv.kind === 'add' ? iv.vector : iv.value;
      const scale = iv.kind === 'add' ? (iv.scale ?? 1) : 1;
      if (src.length !== d) throw new InputError('intervention', iv.hook, `expected a vector of length ${d}; got ${src.length}`);
      feeds[`${at}:vector`] = { data: Float32Array.from(src, (x) => x * scale), shape: [d] };
    }
  });
  return feeds;
}

/** A JavaScript hook: receives the activation at a hook point (B, T, ...) and returns the one to use instead (same shape). */
export type EngineHookFn = (activation: HostTensor & { data: Float32Array }, name: string, ctx: { positionOffset: number }) => HostTensor & { data: Float32Array };

/** A JavaScript hook bound to a hook point name (exact) or to every name a RegExp matches. */
export interface EngineHook {
  name: string | RegExp;
  fn: EngineHookFn;
}

/**
 * Runs the model on (B, T) ids on ORT: logits, requested hook points, interventions applied, key/value cache.
 * JavaScript hooks (`hooks`) cut the graph at their points into segments run one after another (each segment
 * recomputes from the last cut what it needs), so they cost a round trip per hooked point.
 */
export async function engineForward(m: EngineModel, ids: number[][], opts: EngineForwardOptions & { hooks?: EngineHook[] } = {}): Promise<EngineForwardResult> {
  const k = dims(m.config);
  const kvCache = Boolean(opts.past || opts.returnKv);
  const interventions = opts.interventions ?? [];
  const jsHooks = opts.hooks ?? [];
  const matches = (h: EngineHook, name: string) => (typeof h.name === 'string' ? h.name === name : h.name.test(name));
  const cuts = jsHooks.length === 0 ? [] : hookPointNames(m.config).filter((n) => jsHooks.some((h) => matches(h, n)));
  const names = opts.names ?? [];
  const base: GraphVariant = {
    hooks: names.filter((n) => !cuts.includes(n)),
    interventions: interventions.map((iv) => ({ hook: iv.hook, kind: iv.kind })),
    kvCache,
    lastOnly: opts.lastOnly ?? false,
  };
  const prep = batchInputs(m.config, ids, opts.attentionMask, opts.past);
  const feeds: Record<string, HostTensor | ort.Tensor> = { ...weightFeeds(m), ...prep.feeds, ...interventionFeeds(m.config, interventions, prep.batch, prep.time, prep.pastLen) };
  if (kvCache) {
    for (let l = 0; l < k.layers; l++) {
      const empty = { data: new Float32Array(0), shape: [prep.batch, k.kvHeads, 0, k.headDim] };
      feeds[`past.${l}.key`] = opts.past?.layers[l].k ?? empty;
      feeds[`past.${l}.value`] = opts.past?.layers[l].v ?? empty;
    }
  }
  const host = (t: ort.Tensor) => ({ data: t.data as Float32Array, shape: [...t.dims] });
  const cache = new Map<string, HostTensor & { data: Float32Array }>();
  const present = new Map<string, ort.Tensor>();
  let logits: ort.Tensor | undefined;
  for (let s = 0; s <= cuts.length; s++) {
    const variant: GraphVariant = cuts.length === 0 ? base : { ...base, segment: { cutsBefore: cuts.slice(0, s), to: cuts[s] } };
    const out = await (await variantSession(m, variant)).run(feeds);
    for (const name of base.hooks) if (out[name]) cache.set(name, host(out[name]));
    for (const [name, t] of Object.entries(out)) if (name.startsWith('present.')) present.set(name, t);
    if (s === cuts.length) {
      logits = out.logits;
      break;
    }
    let act = host(out.segment_out);
    for (const h of jsHooks) {
      if (!matches(h, cuts[s])) continue;
      const next = h.fn(act, cuts[s], { positionOffset: prep.pastLen });
      if (!next || next.shape.join(',') !== act.shape.join(',') || next.data.length !== act.data.length) throw new Error(`hook at ${cuts[s]} returned shape [${next?.shape}] instead of [${act.shape}]`);
      act = next;
    }
    feeds[`segment_in:${cuts[s]}`] = act;
    if (names.includes(cuts[s])) cache.set(cuts[s], act);
  }
  const result: EngineForwardResult = { logits: host(logits!), cache };
  if (kvCache) {
    result.kv = {
      layers: Array.from({ length: k.layers }, (_, l) => ({ k: present.get(`present.${l}.key`)!, v: present.get(`present.${l}.value`)! })),
      length: prep.pastLen + prep.time,
      keyMask: prep.keyMask,
      nextPosition: prep.nextPosition,
    };
  }
  return result;
}
