/**
 * A typed ONNX graph builder with reverse-mode autodiff over its own ops.
 *
 * Every op method appends one ONNX node and returns its output `Value` (name, dtype and a shape whose
 * dims are numbers, or strings for symbolic/unknown sizes). Each op also records how to pull a gradient
 * back through it, written with the same op methods, so `grad(loss, wrt)` appends the backward graph to
 * the forward one. `toModel()` encodes the whole thing as an ONNX ModelProto (opset 18) with onnx-proto.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Element types used by the engine. */
export type DType = 'float32' | 'int64' | 'bool';

/** A dimension: a fixed size, or a name for a size known only at run time. */
export type Dim = number | string;

/** A tensor-valued node output or graph input. */
export interface Value {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly Dim[];
}

type Attr = number | number[] | string | { floats: number[] } | { float: number };

/** Pulls the gradients of a node's outputs back to its inputs (undefined: no gradient). */
type Backward = (g: Graph, outputGrads: (Value | undefined)[]) => (Value | undefined)[];

interface NodeRecord {
  op: string;
  inputs: (Value | undefined)[];
  outputs: Value[];
  attrs: Record<string, Attr>;
  domain?: string;
  backward?: Backward;
  /** The values `backward` returns gradients for, when not the node's inputs (a custom-gradient composite). */
  gradInputs?: Value[];
  /** Inside a custom-gradient composite: no backward of its own. */
  stopGrad?: boolean;
}

interface Initializer {
  name: string;
  dtype: DType;
  shape: number[];
  data: Float32Array | BigInt64Array;
}

const ELEM: Record<DType, number> = { float32: 1, int64: 7, bool: 9 };

/** ORT's contrib-op domain (fused CPU kernels such as FastGelu, MultiHeadAttention). */
export const MS_DOMAIN = 'com.microsoft';

// Ops whose trailing outputs are optional: the ones no node or graph output reads are left out of the model.
const OPTIONAL_OUTPUTS = new Set(['LayerNormalization', 'SkipLayerNormalization']);

/** The opset every graph is built for. */
export const OPSET = 18;

function isOne(d: Dim): boolean {
  return d === 1;
}

function broadcastShape(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (isOne(da)) out.push(db);
    else if (isOne(db)) out.push(da);
    else if (typeof da === 'number' && typeof db === 'number' && da !== db) throw new Error(`broadcast: [${a}] and [${b}] do not broadcast`);
    else out.push(typeof da === 'number' ? da : db);
  }
  return out;
}

function staticSize(shape: readonly Dim[], what: string): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') throw new Error(`${what}: needs a static shape, got [${shape}]`);
    n *= d;
  }
  return n;
}

/** Builds one ONNX graph; values are created by its op methods. */
export class Graph {
  private readonly nodes: NodeRecord[] = [];
  private readonly inputs: Value[] = [];
  private readonly outputs: Value[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly constants = new Map<string, Value>();
  private counter = 0;

  /**
   * `inference: true` marks a forward-only graph (no `grad`): families may then emit ORT's fused
   * com.microsoft kernels (FastGelu with its bias, MultiHeadAttention), which have no backward here.
   */
  constructor(readonly options: { inference?: boolean } = {}) {}

  /** True for a forward-only graph. */
  get inference(): boolean {
    return this.options.inference === true;
  }

  /** A fresh unique name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  /** Declares a graph input. */
  input(name: string, dtype: DType, shape: Dim[]): Value {
    const v = { name, dtype, shape };
    this.inputs.push(v);
    return v;
  }

  /** A constant tensor stored in the model (an initializer). */
  initializer(name: string, data: Float32Array | BigInt64Array, shape: number[]): Value {
    if (data.length !== staticSize(shape, 'initializer')) throw new Error(`initializer ${name}: ${data.length} values for shape [${shape}]`);
    const dtype: DType = data instanceof Float32Array ? 'float32' : 'int64';
    this.initializers.push({ name, dtype, shape, data });
    return { name, dtype, shape };
  }

  /** A float32 constant (scalar when `shape` is omitted); identical constants are shared. */
  scalar(value: number): Value {
    return this.floats([value], []);
  }

  /** A float32 constant tensor. */
  floats(values: number[], shape: number[] = [values.length]): Value {
    const key = `f:${shape}:${values}`;
    let v = this.constants.get(key);
    if (!v) {
      v = this.initializer(this.fresh('const'), Float32Array.from(values), shape);
      this.constants.set(key, v);
    }
    return v;
  }

  /** An int64 constant vector (shapes, axes, indices). */
  ints(values: number[]): Value {
    const key = `i:${values}`;
    let v = this.constants.get(key);
    if (!v) {
      v = this.initializer(this.fresh('ints'), BigInt64Array.from(values.map((x) => BigInt(x))), [values.length]);
      this.constants.set(key, v);
    }
    return v;
  }

  /** Marks `v` as a graph output named `name` (through an Identity node when the name differs). */
  output(v: Value, name: string = v.name): Value {
    const out = name === v.name ? v : this.node('Identity', [v], [{ name, dtype: v.dtype, shape: v.shape }], {}, (_g, [gy]) => [gy])[0];
    this.outputs.push(out);
    return out;
  }

  /** Marks the final value `v` (used by no node) as output `name` without a copy (renaming its node's output). */
  outputFinal(v: Value, name: string): Value {
    const out = this.rename(v, name);
    this.outputs.push(out);
    return out;
  }

  /** Names of the graph inputs declared so far. */
  inputNames(): string[] {
    return this.inputs.map((v) => v.name);
  }

  /** Names of the graph outputs declared so far. */
  outputNames(): string[] {
    return this.outputs.map((v) => v.name);
  }

  /** Appends a node; outputs given as (dtype, shape) get fresh names. */
  node(op: string, inputs: (Value | undefined)[], outputs: (Value | { dtype: DType; shape: Dim[] })[], attrs: Record<string, Attr>, backward?: Backward, domain?: string): Value[] {
    const outs = outputs.map((o) => ('name' in o ? o : { name: this.fresh(op.toLowerCase()), dtype: o.dtype, shape: o.shape }));
    this.nodes.push({ op, inputs, outputs: outs, attrs, backward, domain });
    return outs;
  }

  private unary(op: string, x: Value, backward?: (g: Graph, gy: Value, y: Value) => Value): Value {
    const [y] = this.node(op, [x], [{ dtype: x.dtype, shape: [...x.shape] }], {}, backward && ((g, [gy]) => [gy && backward(g, gy, y)]));
    return y;
  }

  // ---- elementwise (numpy broadcasting) ----

  /** a + b. */
  add(a: Value, b: Value): Value {
    const [y] = this.node('Add', [a, b], [{ dtype: a.dtype, shape: broadcastShape(a.shape, b.shape) }], {}, (g, [gy]) => (gy ? [g.unbroadcast(gy, a), g.unbroadcast(gy, b)] : []));
    return y;
  }

  /** a − b. */
  sub(a: Value, b: Value): Value {
    const [y] = this.node('Sub', [a, b], [{ dtype: a.dtype, shape: broadcastShape(a.shape, b.shape) }], {}, (g, [gy]) => (gy ? [g.unbroadcast(gy, a), g.unbroadcast(g.neg(gy), b)] : []));
    return y;
  }

  /** a · b. */
  mul(a: Value, b: Value): Value {
    const [y] = this.node('Mul', [a, b], [{ dtype: a.dtype, shape: broadcastShape(a.shape, b.shape) }], {}, (g, [gy]) => (gy ? [g.unbroadcast(g.mul(gy, b), a), g.unbroadcast(g.mul(gy, a), b)] : []));
    return y;
  }

  /** a / b. */
  div(a: Value, b: Value): Value {
    const [y] = this.node('Div', [a, b], [{ dtype: a.dtype, shape: broadcastShape(a.shape, b.shape) }], {}, (g, [gy]) =>
      gy ? [g.unbroadcast(g.div(gy, b), a), g.unbroadcast(g.neg(g.div(g.mul(gy, y), b)), b)] : [],
    );
    return y;
  }

  /** Elementwise minimum (gradient to the smaller side). */
  min(a: Value, b: Value): Value {
    const [y] = this.node('Min', [a, b], [{ dtype: a.dtype, shape: broadcastShape(a.shape, b.shape) }], {}, () => {
      throw new Error('min: no gradient (use it on values that need none)');
    });
    return y;
  }

  /** −x. */
  neg(x: Value): Value {
    return this.unary('Neg', x, (g, gy) => g.neg(gy));
  }

  /** eˣ. */
  exp(x: Value): Value {
    return this.unary('Exp', x, (g, gy, y) => g.mul(gy, y));
  }

  /** ln x. */
  log(x: Value): Value {
    return this.unary('Log', x, (g, gy) => g.div(gy, x));
  }

  /** tanh x. */
  tanh(x: Value): Value {
    return this.unary('Tanh', x, (g, gy, y) => g.mul(gy, g.sub(g.scalar(1), g.mul(y, y))));
  }

  /** σ(x) = 1 / (1 + e⁻ˣ). */
  sigmoid(x: Value): Value {
    return this.unary('Sigmoid', x, (g, gy, y) => g.mul(gy, g.mul(y, g.sub(g.scalar(1), y))));
  }

  /** softplus(x) = ln(1 + eˣ); its derivative is σ(x). */
  softplus(x: Value): Value {
    return this.unary('Softplus', x, (g, gy) => g.mul(gy, g.sigmoid(x)));
  }

  /** √x. */
  sqrt(x: Value): Value {
    return this.unary('Sqrt', x, (g, gy, y) => g.div(g.mul(gy, g.scalar(0.5)), y));
  }

  /** 1 / x. */
  reciprocal(x: Value): Value {
    return this.unary('Reciprocal', x, (g, gy, y) => g.neg(g.mul(gy, g.mul(y, y))));
  }

  /** Passes x through unchanged (gives a value a second name). */
  identity(x: Value): Value {
    return this.unary('Identity', x, (_g, gy) => gy);
  }

  /** cond ? a : b, elementwise. */
  where(cond: Value, a: Value, b: Value): Value {
    const [y] = this.node('Where', [cond, a, b], [{ dtype: a.dtype, shape: broadcastShape(cond.shape, broadcastShape(a.shape, b.shape)) }], {}, (g, [gy]) => {
      if (!gy) return [];
      const zero = g.scalar(0);
      return [undefined, g.unbroadcast(g.where(cond, gy, zero), a), g.unbroadcast(g.where(cond, zero, gy), b)];
    });
    return y;
  }

  /** Converts the element type (gradient passes through float → float only). */
  cast(x: Value, to: DType): Value {
    const [y] = this.node('Cast', [x], [{ dtype: to, shape: [...x.shape] }], { to: ELEM[to] });
    return y;
  }

  /** a == b, elementwise, as bool. */
  equal(a: Value, b: Value): Value {
    const [y] = this.node('Equal', [a, b], [{ dtype: 'bool', shape: broadcastShape(a.shape, b.shape) }], {});
    return y;
  }

  // ---- linear algebra ----

  /**
   * Matrix product: a (..., m, k) · b (k, n), or batched a (..., m, k) · b (..., k, n) with equal batch dims.
   * The gradient of a 2-D right factor sums over every leading dim of a.
   */
  matmul(a: Value, b: Value): Value {
    if (a.shape.length < 2 || b.shape.length < 2) throw new Error('matmul: operands need rank ≥ 2');
    const m = a.shape[a.shape.length - 2];
    const n = b.shape[b.shape.length - 1];
    const batch = b.shape.length === 2 ? a.shape.slice(0, -2) : broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    if (b.shape.length > 2 && a.shape.length !== b.shape.length) throw new Error('matmul: batched operands need equal ranks');
    const [y] = this.node('MatMul', [a, b], [{ dtype: 'float32', shape: [...batch, m, n] }], {}, (g, [gy]) => {
      if (!gy) return [];
      const swap = (r: number) => [...Array(r - 2).keys(), r - 1, r - 2];
      if (b.shape.length === 2) {
        const [k, nn] = b.shape;
        const da = g.matmul(gy, g.transpose(b, [1, 0]));
        if (a.shape.length > 2 && (typeof k !== 'number' || typeof nn !== 'number')) throw new Error('matmul: the gradient of a 2-D right factor of a batched product needs its static shape');
        const a2 = a.shape.length === 2 ? a : g.reshape(a, [-1, k as number]);
        const g2 = gy.shape.length === 2 ? gy : g.reshape(gy, [-1, nn as number]);
        return [da, g.matmul(g.transpose(a2, [1, 0]), g2)];
      }
      const r = a.shape.length;
      return [g.matmul(gy, g.transpose(b, swap(r))), g.matmul(g.transpose(a, swap(r)), gy)];
    });
    return y;
  }

  // ---- shapes ----

  /** Reshape; 0 copies the input's dim, −1 is inferred (as in ONNX). */
  reshape(x: Value, shape: number[]): Value {
    const out: Dim[] = shape.map((s, i) => (s === 0 ? x.shape[i] : s));
    const minus = out.indexOf(-1);
    if (minus >= 0) {
      const known = out.every((d, i) => i === minus || typeof d === 'number') && x.shape.every((d) => typeof d === 'number');
      out[minus] = known ? staticSize(x.shape, 'reshape') / out.reduce<number>((p, d, i) => (i === minus ? p : p * (d as number)), 1) : `${x.name}_r${minus}`;
    }
    const [y] = this.node('Reshape', [x, this.ints(shape)], [{ dtype: x.dtype, shape: out }], {}, (g, [gy]) => [gy && g.reshapeLike(gy, x)]);
    return y;
  }

  /** Reshapes x to the run-time shape of `like`. */
  reshapeLike(x: Value, like: Value): Value {
    const [y] = this.node('Reshape', [x, this.shapeOf(like)], [{ dtype: x.dtype, shape: [...like.shape] }], {}, (g, [gy]) => [gy && g.reshapeLike(gy, x)]);
    return y;
  }

  /** The run-time shape of x as an int64 vector. */
  shapeOf(x: Value): Value {
    const [y] = this.node('Shape', [x], [{ dtype: 'int64', shape: [x.shape.length] }], {});
    return y;
  }

  /** Permutes the axes. */
  transpose(x: Value, perm: number[]): Value {
    const inverse = perm.map((_, i) => perm.indexOf(i));
    const [y] = this.node('Transpose', [x], [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }], { perm }, (g, [gy]) => [gy && g.transpose(gy, inverse)]);
    return y;
  }

  /** Joins values along `axis` (gradient needs static sizes on that axis). */
  concat(xs: Value[], axis: number): Value {
    const rank = xs[0].shape.length;
    const ax = axis < 0 ? axis + rank : axis;
    const sizes = xs.map((x) => x.shape[ax]);
    const total = sizes.every((s) => typeof s === 'number') ? (sizes as number[]).reduce((a, b) => a + b, 0) : `${xs[0].name}_cat`;
    const shape = xs[0].shape.map((d, i) => (i === ax ? total : d));
    const [y] = this.node('Concat', xs, [{ dtype: xs[0].dtype, shape }], { axis: ax }, (g, [gy]) => {
      if (!gy) return [];
      const parts = g.split(gy, sizes.map((s) => {
        if (typeof s !== 'number') throw new Error('concat: gradient needs static sizes on the joined axis');
        return s;
      }), ax);
      return parts;
    });
    return y;
  }

  /** Cuts x along `axis` into pieces of the given static sizes. */
  split(x: Value, sizes: number[], axis: number): Value[] {
    const ax = axis < 0 ? axis + x.shape.length : axis;
    const outs = sizes.map((s) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === ax ? s : d)) }));
    const ys: Value[] = this.node('Split', [x, this.ints(sizes)], outs, { axis: ax }, (g, gys) => [g.concat(gys.map((gy, i) => gy ?? g.zerosLike(ys[i])), ax)]);
    return ys;
  }

  /** x[start:end] along `axis` (negative bounds count from the end; forward only, no gradient). */
  slice(x: Value, start: number, end: number, axis: number): Value {
    const ax = axis < 0 ? axis + x.shape.length : axis;
    const d = x.shape[ax];
    const size = typeof d === 'number' ? Math.min(d, end < 0 ? d + end : end) - (start < 0 ? d + start : start) : start < 0 && end >= 2 ** 62 ? -start : `${x.name}_sl`;
    const shape = x.shape.map((s, i) => (i === ax ? size : s));
    const [y] = this.node('Slice', [x, this.ints([start]), this.ints([Math.min(end, 2 ** 62)]), this.ints([ax])], [{ dtype: x.dtype, shape }], {});
    return y;
  }

  /** Inserts size-1 axes. */
  unsqueeze(x: Value, axes: number[]): Value {
    const shape: Dim[] = [...x.shape];
    for (const a of [...axes].sort((p, q) => p - q)) shape.splice(a < 0 ? a + shape.length + 1 : a, 0, 1);
    const [y] = this.node('Unsqueeze', [x, this.ints(axes)], [{ dtype: x.dtype, shape }], {}, (g, [gy]) => [gy && g.reshapeLike(gy, x)]);
    return y;
  }

  /** Broadcasts x to the run-time shape of `like`. */
  expandLike(x: Value, like: Value): Value {
    const [y] = this.node('Expand', [x, this.shapeOf(like)], [{ dtype: x.dtype, shape: [...like.shape] }], {}, (g, [gy]) => [gy && g.unbroadcast(gy, x)]);
    return y;
  }

  /** Zeros of x's run-time shape. */
  zerosLike(x: Value): Value {
    const [y] = this.node('ConstantOfShape', [this.shapeOf(x)], [{ dtype: 'float32', shape: [...x.shape] }], {});
    return y;
  }

  // ---- reductions and normalisations ----

  /** Sum over `axes` (all when omitted). */
  reduceSum(x: Value, axes?: number[], keepdims = false): Value {
    return this.reduce('ReduceSum', x, axes, keepdims, 1);
  }

  /** Mean over `axes` (gradient needs static sizes there). */
  reduceMean(x: Value, axes?: number[], keepdims = false): Value {
    const rank = x.shape.length;
    const ax = (axes ?? [...Array(rank).keys()]).map((a) => (a < 0 ? a + rank : a));
    const count = staticSize(ax.map((a) => x.shape[a]), 'reduceMean');
    return this.reduce('ReduceMean', x, axes, keepdims, 1 / count);
  }

  private reduce(op: string, x: Value, axes: number[] | undefined, keepdims: boolean, gradScale: number): Value {
    const rank = x.shape.length;
    const ax = (axes ?? [...Array(rank).keys()]).map((a) => (a < 0 ? a + rank : a));
    const shape = keepdims ? x.shape.map((d, i) => (ax.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !ax.includes(i));
    const [y] = this.node(op, [x, this.ints(ax)], [{ dtype: x.dtype, shape }], { keepdims: keepdims ? 1 : 0 }, (g, [gy]) => {
      if (!gy) return [];
      const kept = keepdims ? gy : g.unsqueeze(gy, ax);
      const scaled = gradScale === 1 ? kept : g.mul(kept, g.scalar(gradScale));
      return [g.expandLike(scaled, x)];
    });
    return y;
  }

  /** Softmax over the last axis. */
  softmax(x: Value): Value {
    const [y] = this.node('Softmax', [x], [{ dtype: x.dtype, shape: [...x.shape] }], { axis: -1 }, (g, [gy]) =>
      gy ? [g.mul(y, g.sub(gy, g.reduceSum(g.mul(gy, y), [-1], true)))] : [],
    );
    return y;
  }

  /** Log-softmax over the last axis. */
  logSoftmax(x: Value): Value {
    const [y] = this.node('LogSoftmax', [x], [{ dtype: x.dtype, shape: [...x.shape] }], { axis: -1 }, (g, [gy]) =>
      gy ? [g.sub(gy, g.mul(g.exp(y), g.reduceSum(gy, [-1], true)))] : [],
    );
    return y;
  }

  /** Layer norm over the last axis with gain and bias (the ONNX op forward; the backward recomputes mean and 1/σ). */
  layerNorm(x: Value, gain: Value, bias: Value, eps: number): Value {
    // Outputs Mean and InvStdDev (1/σ) are kept for the backward, which then needs no recomputation.
    const stats = { dtype: x.dtype, shape: [...x.shape.slice(0, -1), 1] };
    const [y, mean, rstd] = this.node('LayerNormalization', [x, gain, bias], [{ dtype: x.dtype, shape: [...x.shape] }, stats, stats], { axis: -1, epsilon: { float: eps } }, (g, [gy]) => {
      if (!gy) return [];
      const xhat = g.mul(g.sub(x, mean), rstd);
      const dxhat = g.mul(gy, gain);
      const dx = g.mul(rstd, g.sub(g.sub(dxhat, g.reduceMean(dxhat, [-1], true)), g.mul(xhat, g.reduceMean(g.mul(dxhat, xhat), [-1], true))));
      return [dx, g.unbroadcast(g.mul(gy, xhat), gain), g.unbroadcast(gy, bias)];
    });
    return y;
  }

  /** RMS norm over the last axis: x / √(mean(x²) + eps) · gain (built from primitives). */
  rmsNorm(x: Value, gain: Value, eps: number): Value {
    const rstd = this.reciprocal(this.sqrt(this.add(this.reduceMean(this.mul(x, x), [-1], true), this.scalar(eps))));
    return this.mul(this.mul(x, rstd), gain);
  }

  // ---- indexing ----

  /** Rows of `table` (V, ...) at int64 `ids`: (ids..., ...); the gradient scatter-adds into the table. */
  gather(table: Value, ids: Value): Value {
    const [y] = this.node('Gather', [table, ids], [{ dtype: table.dtype, shape: [...ids.shape, ...table.shape.slice(1)] }], { axis: 0 }, (g, [gy]) => {
      if (!gy) return [];
      const [dt] = g.node('ScatterND', [g.zerosLike(table), g.unsqueeze(ids, [-1]), gy], [{ dtype: 'float32', shape: [...table.shape] }], { reduction: 'add' });
      return [dt, undefined];
    });
    return y;
  }

  /** x[..., idx[...]] along `axis` (idx has x's rank); the gradient scatters back. */
  gatherElements(x: Value, idx: Value, axis: number): Value {
    const [y] = this.node('GatherElements', [x, idx], [{ dtype: x.dtype, shape: [...idx.shape] }], { axis }, (g, [gy]) => {
      if (!gy) return [];
      const [dx] = g.node('ScatterElements', [g.zerosLike(x), idx, gy], [{ dtype: 'float32', shape: [...x.shape] }], { axis, reduction: 'add' });
      return [dx, undefined];
    });
    return y;
  }

  // ---- trigonometry and broadcasting (rotary positions, grouped-query attention) ----

  /** cos x (its derivative is −sin x). */
  cos(x: Value): Value {
    return this.unary('Cos', x, (g, gy) => g.neg(g.mul(gy, g.sin(x))));
  }

  /** sin x (its derivative is cos x). */
  sin(x: Value): Value {
    return this.unary('Sin', x, (g, gy) => g.mul(gy, g.cos(x)));
  }

  /** Broadcasts x against a static shape (numpy rules, so 1s keep x's dims); the gradient sums back. */
  expand(x: Value, shape: number[]): Value {
    const [y] = this.node('Expand', [x, this.ints(shape)], [{ dtype: x.dtype, shape: broadcastShape(x.shape, shape) }], {}, (g, [gy]) => [gy && g.unbroadcast(gy, x)]);
    return y;
  }

  // ---- autodiff ----

  /** Sums `gy` (shaped like the broadcast result) down to `target`'s shape. */
  unbroadcast(gy: Value, target: Value): Value {
    const rank = gy.shape.length;
    const lead = rank - target.shape.length;
    const axes: number[] = [];
    for (let i = 0; i < rank; i++) {
      if (i < lead) axes.push(i);
      else if (isOne(target.shape[i - lead]) && !isOne(gy.shape[i])) axes.push(i);
    }
    if (axes.length === 0) return gy;
    // Only leading axes (a bias under a batch): one reduction that drops them; otherwise keep dims and reshape.
    if (axes.length === lead) return this.reduceSum(gy, axes, false);
    const summed = this.reduceSum(gy, axes, true);
    return lead === 0 ? summed : this.reshapeLike(summed, target);
  }

  /**
   * Gradients of the scalar `loss` with respect to each value of `wrt`, appended to the graph (reverse mode,
   * over the nodes recorded so far). A value `loss` does not depend on gets zeros.
   */
  grad(loss: Value, wrt: Value[], seed?: Value): Value[] {
    if (this.inference) throw new Error('grad: this graph was built for inference (fused forward-only kernels)');
    const count = this.nodes.length;
    const sources = (n: NodeRecord) => n.gradInputs ?? n.inputs;
    // Forward sweep: which values depend on a `wrt` value (only their nodes need a backward).
    const live = new Set(wrt.map((v) => v.name));
    const active: boolean[] = [];
    for (let i = 0; i < count; i++) {
      const n = this.nodes[i];
      const on = !n.stopGrad && sources(n).some((v) => v && live.has(v.name));
      active.push(on);
      if (on || (n.stopGrad && n.inputs.some((v) => v && live.has(v.name)))) for (const o of n.outputs) live.add(o.name);
    }
    const grads = new Map<string, Value>();
    grads.set(loss.name, seed ?? this.floats([1], loss.shape.map(() => 1)));
    for (let i = count - 1; i >= 0; i--) {
      if (!active[i]) continue;
      const n = this.nodes[i];
      const gys = n.outputs.map((o) => grads.get(o.name));
      if (gys.every((gy) => gy === undefined)) continue;
      if (!n.backward) throw new Error(`grad: op ${n.op} (${n.outputs[0].name}) has no gradient`);
      const gxs = n.backward(this, gys);
      sources(n).forEach((v, j) => {
        const gx = gxs[j];
        if (!v || !gx || !live.has(v.name)) return;
        const prev = grads.get(v.name);
        grads.set(v.name, prev ? this.add(prev, gx) : gx);
      });
    }
    return wrt.map((w) => grads.get(w.name) ?? this.zerosLike(w));
  }

  /**
   * A composite op with a hand-written gradient: `forward` builds the value from `inputs` with any ops (their own
   * gradients are not used), `backward` maps the output's gradient to one gradient per input.
   */
  customGradient(inputs: Value[], forward: () => Value, backward: (g: Graph, gy: Value) => (Value | undefined)[]): Value {
    const first = this.nodes.length;
    const raw = forward();
    for (let i = first; i < this.nodes.length; i++) this.nodes[i].stopGrad = true;
    const [y] = this.node('Identity', [raw], [{ dtype: raw.dtype, shape: [...raw.shape] }], {}, (g, [gy]) => (gy ? backward(g, gy) : []));
    this.nodes[this.nodes.length - 1].gradInputs = inputs;
    return y;
  }

  /** The value `v` under the name `name`: its node's output renamed when nothing uses `v` yet (no copy), else an Identity. */
  rename(v: Value, name: string): Value {
    const node = this.nodes.find((n) => n.outputs.includes(v));
    if (!node || this.nodes.some((n) => n.inputs.includes(v)) || this.outputs.includes(v)) {
      return this.node('Identity', [v], [{ name, dtype: v.dtype, shape: [...v.shape] }], {}, (_g, [gy]) => [gy])[0];
    }
    const renamed = { name, dtype: v.dtype, shape: v.shape };
    node.outputs[node.outputs.indexOf(v)] = renamed;
    return renamed;
  }

  // ---- encoding ----

  /** The graph as an encoded ONNX ModelProto (IR 8, opset 18). */
  toModel(name = 'latent-values'): Uint8Array {
    const shapeProto = (shape: readonly Dim[]) => ({ dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) });
    const valueInfo = (v: Value) => ({ name: v.name, type: { tensorType: { elemType: ELEM[v.dtype], shape: shapeProto(v.shape) } } });
    const attribute = (key: string, a: Attr) => {
      if (typeof a === 'number') return { name: key, type: onnx.AttributeProto.AttributeType.INT, i: a };
      if (typeof a === 'string') return { name: key, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(a) };
      if (Array.isArray(a)) return { name: key, type: onnx.AttributeProto.AttributeType.INTS, ints: a };
      if ('float' in a) return { name: key, type: onnx.AttributeProto.AttributeType.FLOAT, f: a.float };
      return { name: key, type: onnx.AttributeProto.AttributeType.FLOATS, floats: a.floats };
    };
    // Only what the outputs need: dead nodes, unused inputs and initializers are left out (a graph cut into segments relies on it).
    const needed = new Set(this.outputs.map((v) => v.name));
    const kept: NodeRecord[] = [];
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i];
      if (!n.outputs.some((o) => needed.has(o.name))) continue;
      kept.push(n);
      for (const v of n.inputs) if (v) needed.add(v.name);
    }
    kept.reverse();
    // Trailing outputs nobody reads are dropped (a forward-only LayerNormalization then skips Mean and InvStdDev).
    const outputsOf = (n: NodeRecord) => {
      if (!OPTIONAL_OUTPUTS.has(n.op)) return n.outputs.map((v) => v.name);
      let end = n.outputs.length;
      while (end > 1 && !needed.has(n.outputs[end - 1].name)) end--;
      return n.outputs.slice(0, end).map((v) => (needed.has(v.name) || v === n.outputs[0] ? v.name : ''));
    };
    const graph = {
      name,
      node: kept.map((n, i) => ({
        name: `${n.op}_${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: n.inputs.map((v) => v?.name ?? ''),
        output: outputsOf(n),
        attribute: Object.entries(n.attrs).map(([k, a]) => attribute(k, a)),
      })),
      input: this.inputs.filter((v) => needed.has(v.name)).map(valueInfo),
      output: this.outputs.map(valueInfo),
      initializer: this.initializers.filter((t) => needed.has(t.name)).map((t) => ({
        name: t.name,
        dataType: ELEM[t.dtype],
        dims: t.shape,
        rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      })),
    };
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'latent-values',
      opsetImport: [{ domain: '', version: OPSET }, ...(kept.some((n) => n.domain === MS_DOMAIN) ? [{ domain: MS_DOMAIN, version: 1 }] : [])],
      graph,
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
