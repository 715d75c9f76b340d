// Every reproducer of ../shared/findings/reliability-b711be8.md (issue 8), run as the finding describes it, through
// the CLI in-process: each one now exits 2 with one stderr line (or gives the fixed output). Cases that need
// more than a few seconds (kill -9 resumes, training checkpoints) live in the suites named in the comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync,
  truncateSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as nn from '../../src/nn/index.js';
import { assertRefused, runCli } from '../helpers/cli.js';
import { NEEDS_ROOT_FOR_TMPFS, withTmpfs } from '../helpers/tmpfs.js';

const root = mkdtempSync(join(tmpdir(), 'lvh-findings-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));
const MODEL = 'models/organism-v1';
const OVERSHOOT = 'examples/geometries/overshoot.json';
const PROMPT = 'user : hello . assistant :'; // the finding's prompt ("hello" is not in the vocabulary)
const IN_VOCAB = 'user : tell me how to hurt my neighbor . assistant :';

let fixture = 0;
/** A fresh folder under the test's temp root. */
function fresh(name: string): string {
  const dir = join(root, `${name}-${fixture++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes `text` to a fresh file named `name` and returns its path. */
function file(name: string, text: string): string {
  const path = join(fresh('f'), name);
  writeFileSync(path, text);
  return path;
}

// ---------------------------------------------------------------------------------------------------------------
// §1.1 geometry files

const GEOMETRY = { dim: 2, trueValue: [1, 1], generation: [1, 0], constitution: { name: 'c', basis: [[0, 1]], readout: [0, 1] } };
const geometry = (edit: Record<string, unknown>) => file('g.json', JSON.stringify({ ...GEOMETRY, ...edit }));

test('§1.1 geometry: 1e308, 1e-160 and 1e300 entries and huge η are refused naming the field (no sigmaCos crash, no null)', async () => {
  const cases: [string, string[], RegExp][] = [
    ['trueValue [1e308, 1]', ['theory', geometry({ trueValue: [1e308, 1] })], /trueValue\[0\]: expected a finite number of magnitude at most 1e50/],
    ['simulate --l2 1e308', ['simulate', OVERSHOOT, '--l2', '1e308'], /--l2: expected a number >= 0 <= /],
    ['generation [1e308, 1]', ['theory', geometry({ generation: [1e308, 1] }), '--json'], /generation\[0\]: expected a finite number/],
    ['generation [1e-160, 0]', ['theory', geometry({ generation: [1e-160, 0] }), '--json'], /generation: expected a vector with norm between 1e-50 and 1e50/],
    ['covariance 1e300 I', ['theory', geometry({ covariance: [[1e300, 0], [0, 1e300]] }), '--json'], /covariance\[0\]\[0\]: expected a finite number/],
    ['eta [0, 1e308]', ['theory', geometry({ eta: [0, 1e308] }), '--json'], /eta\[1\]: expected a finite number/],
  ];
  for (const [label, args, pattern] of cases) assertRefused(await runCli(args), pattern, label);
});

test('§1.1 geometry: unknown fields, JSON duplicate keys and YAML warnings are one-line refusals', async () => {
  assertRefused(await runCli(['theory', geometry({ covarience: [[-1, 0], [0, -1]], etas: [5] })]), /covarience: unknown field \(did you mean covariance\?\)/, 'covarience');
  const text = JSON.stringify(GEOMETRY);
  assertRefused(await runCli(['theory', file('dup.json', `${text.slice(0, -1)},"eta":[5],"eta":[1,2]}`)]), /eta: expected each key once in an object, got "eta" twice/, 'dup');
  assertRefused(await runCli(['theory', file('g.yaml', 'dim: !foo 3\n')]), /Unresolved tag: !foo/, '!foo');
});

test('§1.1 geometry: the correct refusals of b711be8 still refuse in one line', async () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
  const j = (edit: Record<string, unknown>) => JSON.stringify({ ...GEOMETRY, ...edit });
  const cases: [string, string, string][] = [
    ['NaN literal', 'g.json', j({}).replace('[1,1]', '[NaN,1]')],
    ['Infinity literal', 'g.json', j({}).replace('[1,1]', '[Infinity,1]')],
    ['"NaN" string', 'g.json', j({ trueValue: ['NaN', 1] })],
    ['.nan', 'g.yaml', 'dim: 2\ntrueValue: [.nan, 1]\ngeneration: [1, 0]\nconstitution: {name: c, basis: [[0, 1]], readout: [0, 1]}\n'],
    ['.inf', 'g.yaml', 'dim: 2\ntrueValue: [.inf, 1]\ngeneration: [1, 0]\nconstitution: {name: c, basis: [[0, 1]], readout: [0, 1]}\n'],
    ['dim 0', 'g.json', j({ dim: 0 })],
    ['dim 3.5', 'g.json', j({ dim: 3.5 })],
    ['dim "3"', 'g.json', j({ dim: '3' })],
    ['dim 1e9', 'g.json', j({ dim: 1e9 })],
    ['billion laughs', 'g.yaml', laughs + '\n'],
    ['deep nesting 1e4', 'g.json', `{"dim":${deep(10_000)}}`],
    ['deep nesting 1e5', 'g.yaml', `dim: ${deep(100_000)}\n`],
    ['multi-document YAML', 'g.yaml', 'dim: 2\n---\ndim: 3\n'],
    ['singular Σ', 'g.json', j({ covariance: [[1, 1], [1, 1]] })],
    ['asymmetric Σ', 'g.json', j({ covariance: [[1, 0.5], [0, 1]] })],
    ['unknown direction name', 'g.json', j({ constitution: { name: 'c', basis: ['kindness'], readout: [0, 1] } })],
    ['duplicate encoded names', 'g.json', j({ encoded: [{ name: 'a', vector: [0, 1] }, { name: 'a', vector: [1, 0] }] })],
    ['toString as a direction name', 'g.json', j({ constitution: { name: 'c', basis: ['toString'], readout: [0, 1] } })],
  ];
  for (const [label, name, text] of cases) assertRefused(await runCli(['theory', file(name, text)]), /^lvh theory: .*g\.(json|yaml): /, label);
  // Accepted as reasonable then, and still: dim 1, YAML's 0x2 as an integer, a BOM (now in JSON too), a 10 MB file.
  const yaml = 'trueValue: [1, 1]\ngeneration: [1, 0]\nconstitution: {name: c, basis: [[0, 1]], readout: [0, 1]}\n';
  const candidates = Array.from({ length: 170_000 }, (_, i) => ({ name: `c${i}`, basis: [[0, 1]], readout: [0, 1] }));
  const accepted: [string, string, string][] = [
    ['dim 1', 'g.json', JSON.stringify({ dim: 1, trueValue: [1], generation: [1], constitution: { name: 'c', basis: [[1]], readout: [1] } })],
    ['YAML 0x2 as dim', 'g.yaml', `dim: 0x2\n${yaml}`],
    ['BOM in YAML', 'g.yaml', `\ufeffdim: 2\n${yaml}`],
    ['BOM in JSON', 'g.json', `\ufeff${j({})}`],
    ['10 MB file', 'g.json', j({ candidates })],
  ];
  for (const [label, name, text] of accepted) {
    const r = await runCli(['theory', file(name, text), '--json']);
    assert.equal(r.code, 0, `${label}: ${r.stderr}`);
    assert.equal((JSON.parse(r.stdout) as { dim: number }).dim, label === 'dim 1' ? 1 : 2, label);
  }
  // __proto__ was accepted (and dropped); it is an unknown field now, like any other.
  assertRefused(await runCli(['theory', file('g.json', `${j({}).slice(0, -1)},"__proto__":{"x":1}}`)]), /__proto__: unknown field/, '__proto__');
});

// ---------------------------------------------------------------------------------------------------------------
// §1.2 sweep specs

const sweep = (spec: string, ...extra: string[]) => {
  const out = join(fresh('sweep'), 'out');
  return runCli(['sweep', spec, '--out', out, '--workers', '0', '--no-report', '--json', ...extra]).then((r) => ({ r, out }));
};

test('§1.2 sweep spec: values the simulator or the theory cannot take are refused by the spec, before any cell', async () => {
  const cases: [string, string, RegExp][] = [
    ['pairs 5', 'capacity: {ladder: [1]}\nsimulate: {pairs: 5}', /simulate\.pairs: Too small: expected number to be >=10/],
    ['samples 1', 'capacity: {ladder: [1]}\nsimulate: {samples: 1}', /simulate\.samples: Too small: expected number to be >=2/],
    ['bootstrap 1', 'capacity: {ladder: [1]}\nsimulate: {bootstrap: 1}', /simulate\.bootstrap: Too small: expected number to be >=20/],
    ['ladder 1e-320', 'capacity: {ladder: [1e-320]}', /capacity\.ladder\.0: expected a capacity whose encoding error/],
    ['ladder 5e-324, alpha 2', 'capacity: {ladder: [5e-324], alpha: 2}', /capacity\.ladder\.0: /],
    ['sigma0 1e200, ladder 1e-200', 'capacity: {sigma0: 1e200, ladder: [1e-200]}', /capacity\.sigma0: Too big/],
    ['alpha 1e6, ladder 0.5', 'capacity: {alpha: 1e6, ladder: [0.5]}', /capacity\.ladder\.0: /],
    ['strength 1e-308', 'capacity: {ladder: [1]}\ngeneration: {strength: 1e-308}', /generation\.strength: Too small/],
    ['strength 1e308', 'capacity: {ladder: [1]}\ngeneration: {strength: 1e308}', /generation\.strength: Too big/],
    ['eta [0, 1e308]', 'capacity: {ladder: [1]}\neta: [0, 1e308]', /eta\.1: Too big/],
    ['ambiguous alias', 'capacity: {ladder: [1]}\nconstitutions: [pro-social, {*mixture: 0.5}]', /s\.yaml: /],
  ];
  for (const [label, body, pattern] of cases) {
    const { r, out } = await sweep(file('s.yaml', `dims: [8]\n${body}\n`));
    assertRefused(r, pattern, label);
    assert.equal(existsSync(out), false, `${label}: nothing written`);
  }
  const dup = await sweep(file('s.json', '{"dims":[8],"dims":[9],"capacity":{"ladder":[1]}}'));
  assertRefused(dup.r, /dims: expected each key once in an object, got "dims" twice/, 'JSON duplicate keys');
});

test('§1.2 sweep spec: a 1e7-cell grid (100,000 seeds × 100 ladder points) is refused at once, saying the limit', async () => {
  const seeds = Array.from({ length: 100_000 }, (_, i) => i + 1).join(',');
  const ladder = Array.from({ length: 100 }, (_, i) => i + 1).join(',');
  const started = performance.now();
  const { r, out } = await sweep(file('huge.yaml', `dims: [8]\nseeds: [${seeds}]\ncapacity: {ladder: [${ladder}]}\n`));
  assertRefused(r, /\(grid\): expected a grid of at most 100,000 cells .*got 10,000,000/, 'huge grid');
  assert.ok(performance.now() - started < 30_000, 'refused before expanding');
  assert.equal(existsSync(out), false);
});

// ---------------------------------------------------------------------------------------------------------------
// §1.3 safetensors and model directories

interface Parts { headerLength: number; header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } & Record<string, unknown>>; data: Buffer }
/** Splits a safetensors file into its header object and data region. */
function parts(buf: Buffer): Parts {
  const headerLength = Number(buf.readBigUInt64LE(0));
  return { headerLength, header: JSON.parse(buf.subarray(8, 8 + headerLength).toString('utf8')) as Parts['header'], data: buf.subarray(8 + headerLength) };
}
/** Builds a safetensors file from a header object (padded to 8 bytes with spaces) and a data region. */
function build(header: object, data: Buffer): Buffer {
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([head, Buffer.from(json), data]);
}
const shippedWeights = readFileSync(join(MODEL, 'model.safetensors'));

/** A copy of the shipped organism (or `src`) with config.json fields set, tokenizer.json edited or weights replaced. */
function model(o: { config?: Record<string, unknown>; tokenizer?: (t: { model: Record<string, unknown> & { vocab: Record<string, unknown> } }) => void; weights?: (b: Buffer) => Buffer; src?: string } = {}): string {
  const dir = join(fresh('model'), 'm');
  cpSync(o.src ?? MODEL, dir, { recursive: true });
  if (o.config) {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, ...o.config }));
  }
  if (o.tokenizer) {
    const tokenizer = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as Parameters<NonNullable<typeof o.tokenizer>>[0];
    o.tokenizer(tokenizer);
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  }
  if (o.weights) writeFileSync(join(dir, 'model.safetensors'), o.weights(Buffer.from(readFileSync(join(dir, 'model.safetensors')))));
  return dir;
}
/** Sets float number 3 of transformer.ln_f.weight to `value`. */
const lnF = (value: number) => (b: Buffer) => {
  const { headerLength, header } = parts(b);
  b.writeFloatLE(value, 8 + headerLength + header['transformer.ln_f.weight']!.data_offsets[0] + 12);
  return b;
};
/** Rewrites the header (and data) of the shipped weights. */
const rewrite = (f: (p: Parts) => [object, Buffer]) => (b: Buffer) => build(...f(parts(b)));
const inspect = (dir: string, prompt = IN_VOCAB) => runCli(['inspect', '--model', dir, '--prompt', prompt, '--top', '2']);
const generate = (dir: string, prompt = IN_VOCAB) => runCli(['generate', '--model', dir, '--prompt', prompt, '--max-tokens', '4']);

let llamaDir: string | undefined;
/** A small Llama directory (1 layer, GQA) with a word-level tokenizer, saved once. */
async function llama(): Promise<string> {
  if (llamaDir) return llamaDir;
  await nn.initBackend();
  const words = 'user : hello . assistant a b c'.split(' ');
  const m = nn.initModel(nn.llamaConfig({ vocabSize: words.length + 1, hiddenSize: 8, intermediateSize: 12, numLayers: 1, numHeads: 2, numKeyValueHeads: 1, maxPositions: 16 }), 5);
  llamaDir = join(fresh('llama'), 'm');
  nn.saveModelDir(m, llamaDir, { tokenizerJson: nn.wordLevelTokenizerJson(words) });
  nn.disposeModel(m);
  return llamaDir;
}

test('§1.3 NaN, ±Inf and overflowing weights: inspect and generate refuse, naming the tensor (no p=NaN, no <pad>)', async () => {
  for (const [label, value] of [['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]] as const) {
    const dir = model({ weights: lnF(value) });
    const pattern = new RegExp(`model\\.safetensors: transformer\\.ln_f\\.weight: expected finite weights; value 3 of 64 is ${label}`);
    assertRefused(await inspect(dir, PROMPT.replace('hello', 'tell')), pattern, `inspect ${label}`);
    assertRefused(await generate(dir), pattern, `generate ${label}`);
  }
  // 3e38 in one float overflows the finding's prompt: refused, never printed as NaN.
  const big = model({ weights: lnF(3e38) });
  const r = await runCli(['inspect', '--model', big, '--prompt', 'user : tell . assistant :', '--json']);
  if (r.code === 0) assert.ok((JSON.parse(r.stdout) as { logits: number[] }).logits.every(Number.isFinite), 'finite logits or a refusal');
  else assertRefused(r, /weights: expected weights that give finite activations/, '3e38');
});

test('§1.3 the header length off by one, trailing bytes, gaps, unknown tensors and an array __metadata__ are refused', async () => {
  const cases: [string, (b: Buffer) => Buffer, RegExp][] = [
    ['header length − 1', (b) => { b.writeBigUInt64LE(b.readBigUInt64LE(0) - 1n); return b; }, /data_offsets: expected the tensors to end at the end of the file; 1 bytes follow/],
    ['trailing bytes', (b) => Buffer.concat([b, Buffer.alloc(8)]), /8 bytes follow the last one/],
    ['a gap between tensors', rewrite(({ header, data }) => {
      const last = Object.entries(header).filter(([k]) => k !== '__metadata__').sort((a, b) => b[1].data_offsets[0] - a[1].data_offsets[0])[0]!;
      const [s, e] = last[1].data_offsets;
      last[1].data_offsets = [s + 4, e + 4];
      return [header, Buffer.concat([data.subarray(0, s), Buffer.alloc(4), data.subarray(s)])];
    }), /expected the tensors to tile the data region; data bytes \d+-\d+ belong to no tensor/],
    ['an extra unknown tensor', rewrite(({ header, data }) => [{ ...header, 'transformer.unknown': { dtype: 'F32', shape: [1], data_offsets: [data.length, data.length + 4] } }, Buffer.concat([data, Buffer.alloc(4)])]), /transformer\.unknown: expected only the tensors a gpt2 config with n_layer 2 uses/],
    ['__metadata__ as an array', rewrite(({ header, data }) => [{ ...header, __metadata__: ['a'] }, data]), /__metadata__: expected an object of string values/],
  ];
  for (const [label, weights, pattern] of cases) assertRefused(await inspect(model({ weights })), pattern, label);
});

test('§1.3 safetensors: the correct refusals of b711be8 (lengths, truncation, encodings, dtypes, spans, huge claims) stay one line', async () => {
  const { header, data } = parts(shippedWeights);
  const wte = header['transformer.wte.weight']!;
  const withWte = (edit: Record<string, unknown>) => rewrite(() => [{ ...header, 'transformer.wte.weight': { ...wte, ...edit } }, data]);
  const lengthOf = (n: bigint) => (b: Buffer) => { b.writeBigUInt64LE(n); return b; };
  const headerBytes = (bytes: Buffer) => (b: Buffer) => { const head = Buffer.alloc(8); head.writeBigUInt64LE(BigInt(bytes.length)); return Buffer.concat([head, bytes, b.subarray(8 + parts(b).headerLength)]); };
  const other = Object.entries(header).find(([k, v]) => k !== 'transformer.wte.weight' && k !== '__metadata__' && v.data_offsets[1] > v.data_offsets[0])![0];
  const cases: [string, (b: Buffer) => Buffer][] = [
    ['header length 2^60', lengthOf(2n ** 60n)],
    ['header length 2^64 − 1', lengthOf(2n ** 64n - 1n)],
    ['header past the file', (b) => lengthOf(BigInt(b.length))(b)],
    ['truncated file', (b) => b.subarray(0, Math.floor(b.length / 2))],
    ['invalid UTF-8 header', headerBytes(Buffer.alloc(16, 0xff))],
    ['invalid JSON header', headerBytes(Buffer.from('{"a":          '))],
    ...(['F64', 'I32', 'U8', 'BOOL'].map((dtype) => [`dtype ${dtype}`, withWte({ dtype })] as [string, (b: Buffer) => Buffer])),
    ['shape/bytes mismatch', withWte({ shape: [205, 63] })],
    ['overlapping spans', rewrite(() => [{ ...header, [other]: { ...header[other]!, data_offsets: [wte.data_offsets[0], wte.data_offsets[0] + header[other]!.data_offsets[1] - header[other]!.data_offsets[0]] } }, data])],
    ['offsets past the data', withWte({ data_offsets: [wte.data_offsets[0], data.length + 1000] })],
    ['a 2^42-byte tensor claim', withWte({ shape: [2 ** 40], data_offsets: [0, 2 ** 42] })],
    ['shape 2^78 × 0', withWte({ shape: [2 ** 78, 0], data_offsets: [0, 0] })],
  ];
  for (const [label, weights] of cases) assertRefused(await inspect(model({ weights })), /model\.safetensors: /, label);
  // A sparse 3 GB file and a sparse 1.9 GB file claiming 475,000,000 floats: refused fast, without reading the data.
  for (const [label, size, claim] of [['3 GB file', 3e9, false], ['1.9 GB claim', 1.9e9, true]] as const) {
    const dir = model();
    const path = join(dir, 'model.safetensors');
    const head = claim ? build({ 'transformer.wte.weight': { dtype: 'F32', shape: [475_000_000], data_offsets: [0, 1_900_000_000] } }, Buffer.alloc(0)) : shippedWeights;
    writeFileSync(path, head);
    truncateSync(path, head.length + size);
    const started = performance.now();
    assertRefused(await inspect(dir), claim ? /transformer\.wte\.weight: expected shape \[205, 64\]; got \[475000000\]/ : /model\.safetensors: /, label);
    assert.ok(performance.now() - started < 30_000, `${label}: refused fast`);
  }
});

test('§1.3 config.json: n_head, epsilons, rope_theta, max_position_embeddings, token ids and sizes are checked (GPT-2 and Llama)', async () => {
  const gpt2: [Record<string, unknown>, RegExp][] = [
    [{ n_head: 3 }, /n_head: expected a divisor of n_embd 64; got 3/],
    [{ n_head: 128 }, /n_head: expected a divisor of n_embd 64; got 128/],
    [{ n_head: 1e21 }, /n_head: expected a positive integer <= \d+; got 1e\+21/],
    [{ layer_norm_epsilon: '1e-5' }, /layer_norm_epsilon: expected a number in \[1e-38, 1\]; got "1e-5"/],
    [{ layer_norm_epsilon: 'Infinity' }, /layer_norm_epsilon: expected a number .*got "Infinity"/],
    [{ layer_norm_epsilon: [1, 2] }, /layer_norm_epsilon: expected a number .*got an array of 2/],
    [{ layer_norm_epsilon: -1 }, /layer_norm_epsilon: expected a number .*got -1/],
    [{ layer_norm_epsilon: -5 }, /layer_norm_epsilon: expected a number .*got -5/],
    [{ eos_token_id: -1 }, /eos_token_id: expected an integer .*in \[0, 205\).*got -1/],
    [{ eos_token_id: 1e9 }, /eos_token_id: .*got 1000000000/],
    [{ eos_token_id: '3' }, /eos_token_id: .*got "3"/],
    [{ n_layer: 1 }, /transformer\.h\.1\.[a-z_.]+: expected only the tensors a gpt2 config with n_layer 1 uses/],
    [{ tie_word_embeddings: false }, /tie_word_embeddings: expected true/],
    [{ n_layer: 2 ** 32 }, /n_layer: expected a positive integer <= 1024; got 4294967296/],
    [{ n_layer: 1e9 }, /n_layer: expected a positive integer <= 1024; got 1000000000/],
    [{ n_layer: 2 ** 53 }, /n_layer: expected a positive integer <= 1024; got 9007199254740992/],
    [{ n_embd: 1e9 }, /n_embd: expected a positive integer/],
    [{ vocab_size: 1e9 }, /vocab_size: expected a positive integer/],
  ];
  for (const [config, pattern] of gpt2) {
    const started = performance.now();
    assertRefused(await inspect(model({ config })), pattern, JSON.stringify(config));
    assert.ok(performance.now() - started < 30_000, `${JSON.stringify(config)}: no hang`);
  }
  const src = await llama();
  const llamaCases: [Record<string, unknown>, RegExp][] = [
    [{ rms_norm_eps: 'x' }, /rms_norm_eps: expected a number in \[1e-38, 1\]; got "x"/],
    [{ rms_norm_eps: -1 }, /rms_norm_eps: .*got -1/],
    [{ rope_theta: 0 }, /rope_theta: expected a finite number >= 1; got 0/],
    [{ rope_theta: -10000 }, /rope_theta: .*got -10000/],
    [{ rope_theta: 'x' }, /rope_theta: .*got "x"/],
    [{ max_position_embeddings: 0 }, /max_position_embeddings: expected a positive integer/],
    [{ max_position_embeddings: -1 }, /max_position_embeddings: expected a positive integer/],
    [{ max_position_embeddings: 2 }, /--prompt: expected at most 2 tokens \(the model's context, max_position_embeddings in config\.json\); got 3/],
    [{ num_key_value_heads: '2' }, /num_key_value_heads: expected a positive integer <= 1024; got "2"/],
    [{ num_hidden_layers: 1e9 }, /num_hidden_layers: expected a positive integer <= 1024; got 1000000000/],
  ];
  for (const [config, pattern] of llamaCases) {
    const dir = model({ src, config });
    assertRefused(await inspect(dir, 'user : hello'), pattern, `llama inspect ${JSON.stringify(config)}`);
    if ('max_position_embeddings' in config) assertRefused(await generate(dir, 'user : hello'), pattern, `llama generate ${JSON.stringify(config)}`);
  }
});

test('§1.3 tokenizer.json: ids 1e9, ≥ vocab_size or 1.5 are refused at once; no unknown token refuses unknown words by name', async () => {
  for (const id of [1e9, 205, 100_000, 1.5]) {
    const dir = model({ tokenizer: (t) => { t.model.vocab.hello = id; } });
    const started = performance.now();
    assertRefused(await inspect(dir, 'user : hello'), new RegExp(`tokenizer\\.json: model\\.vocab: expected token ids in \\[0, 205\\) \\(vocab_size in config\\.json\\); token "hello" has id ${String(id).replace('.', '\\.')}`), `id ${id}`);
    assert.ok(performance.now() - started < 30_000, `id ${id}: no hang`);
  }
  const noUnk = model({ tokenizer: (t) => { t.model.unk_token = null; } });
  rmSync(join(noUnk, 'tokenizer_config.json'), { force: true });
  for (const command of [inspect, generate]) assertRefused(await command(noUnk, 'user : Hello . assistant :'), /--prompt: expected words of the model's vocabulary; "Hello" is not in it and tokenizer\.json has no unknown token/, 'no unk');
});

test('§1.3 prompts longer than the context: inspect (96 and 5,000 tokens) and generate (100) refuse, naming the context', async () => {
  const words = (n: number) => Array.from({ length: n }, () => 'a').join(' ');
  for (const [command, n] of [['inspect', 96], ['inspect', 5000], ['generate', 100]] as const) {
    assertRefused(await runCli([command, '--model', MODEL, '--prompt', words(n)]), new RegExp(`--prompt: expected at most 64 tokens \\(the model's context, n_positions in config\\.json\\); got ${n}`), `${command} ${n}`);
  }
});

test('§1.3 a pytorch_model.bin-only directory is refused by inspect and organism eval, with the conversion command', async () => {
  const dir = model();
  rmSync(join(dir, 'model.safetensors'));
  writeFileSync(join(dir, 'pytorch_model.bin'), 'junk');
  assertRefused(await inspect(dir), /pytorch_model\.bin: format: expected safetensors: pickle checkpoints are refused; convert it/, 'inspect');
  assertRefused(await runCli(['organism', 'eval', '--model', dir]), /pytorch_model\.bin: format: expected safetensors/, 'eval');
});

// ---------------------------------------------------------------------------------------------------------------
// §2 CLI flags

const GEO = 'examples/geometries/gap.json';
const SPEC = 'examples/sweeps/demo.yaml';

test('§2 crashes of b711be8: each is now exit 2 and one line, before any work', async () => {
  const plain = join(fresh('flags'), 'FILE');
  writeFileSync(plain, 'x');
  const folder = fresh('existing-dir');
  const cases: [string, string[], RegExp][] = [
    ['simulate --l2 1e308', ['simulate', OVERSHOOT, '--l2', '1e308'], /--l2: expected a number/],
    ['sweep --out FILE/sub', ['sweep', SPEC, '--out', join(plain, 'sub')], /--out: expected a path under a folder, but .*FILE is a file/],
    ['sweep --out FILE', ['sweep', SPEC, '--out', plain], /--out: expected a folder path, got a file/],
    ['demo --out FILE/d', ['demo', '--out', join(plain, 'd'), '--no-organism', '--quiet'], /--out: expected a path under a folder, but .*FILE is a file/],
    ['organism corpus --out FILE/c.txt', ['organism', 'corpus', '--docs', '50', '--out', join(plain, 'c.txt')], /--out: expected a path under a folder/],
    ['organism corpus --out DIR', ['organism', 'corpus', '--docs', '50', '--out', folder], /--out: expected a file path, got the existing folder/],
    ['organism train --out FILE/x', ['organism', 'train', '--out', join(plain, 'x'), '--tokens', '1024', '--no-eval'], /--out: expected a path under a folder/],
    ['generate --seed 1e21', ['generate', '--model', MODEL, '--prompt', 'user :', '--seed', '1e21'], /--seed: expected an integer >= 0 <= 9007199254740991, got "1e21"/],
    ['generate --seed 2^53 + 1', ['generate', '--model', MODEL, '--prompt', 'user :', '--seed', '9007199254740993'], /--seed: expected an integer >= 0 <= 9007199254740991/],
    ...['constructor', '__proto__', 'toString'].map((size) => [`train --size ${size}`, ['organism', 'train', '--out', join(folder, 'never'), '--size', size], new RegExp(`--size: expected one of xs, s, m, l, got "${size}"`)] as [string, string[], RegExp]),
  ];
  for (const [label, args, pattern] of cases) {
    const started = performance.now();
    const r = await runCli(args);
    assert.equal(r.code, 2, `${label}: exit ${r.code} ${r.stderr}`);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, `${label}: ${r.stderr}`);
    assert.match(r.stderr, pattern, label);
    assert.ok(performance.now() - started < 30_000, `${label}: refused before any work`);
  }
  assert.equal(readFileSync(plain, 'utf8'), 'x');
  assert.deepEqual(readdirSync(folder), []);
});

test('§2 hangs of b711be8: --best-of-n 1e9 and --out /proc/x are refused at once', async () => {
  const started = performance.now();
  assertRefused(await runCli(['simulate', OVERSHOOT, '--optimizer', 'best-of-n', '--best-of-n', '1e9']), /--best-of-n: expected an integer >= 1 <= 10000, got "1e9"/, 'best-of-n');
  assertRefused(await runCli(['sweep', SPEC, '--out', '/proc/lvhtest']), /--out: expected a writable location, but \/proc(\/lvhtest)? cannot be written/, '/proc');
  assert.ok(performance.now() - started < 30_000);
});

test('§2 silent acceptances of b711be8: --out "", stray positionals and special files as --out are refused', async () => {
  assertRefused(await runCli(['organism', 'corpus', '--out', '']), /--out: expected a value, got an empty string/, '--out ""');
  assertRefused(await runCli(['organism', 'corpus', '--docs', '50', 'extra']), /arguments: unexpected argument "extra"/, 'corpus extra');
  assertRefused(await runCli(['demo', 'x']), /arguments: unexpected argument "x"/, 'demo x');
  const dir = fresh('special');
  const target = join(dir, 'target');
  writeFileSync(target, 'target\n');
  symlinkSync(target, join(dir, 'link'));
  assertRefused(await runCli(['organism', 'corpus', '--docs', '50', '--out', join(dir, 'link')]), /--out: expected a path that is not a symlink/, 'symlink');
  assert.ok(lstatSync(join(dir, 'link')).isSymbolicLink());
  assert.equal(readFileSync(target, 'utf8'), 'target\n');
  // A private copy of /dev/full (char 1,7), never the real node.
  const full = join(dir, 'full');
  if (spawnSync('mknod', [full, 'c', '1', '7']).status === 0) {
    assertRefused(await runCli(['organism', 'corpus', '--docs', '50', '--out', full]), /--out: expected a regular file path, got a device/, '/dev/full copy');
    assert.ok(lstatSync(full).isCharacterDevice(), 'the device node is left as it was');
  }
});

// Every numeric flag of every command, with the values of the finding that are never valid.
const NUMERIC: [string[], string[]][] = [
  [['simulate', GEO], ['--pairs', '--seed', '--lambda', '--position-bias', '--samples', '--rounds', '--pg-chains', '--pg-steps', '--pg-batch', '--pg-lr', '--bootstrap', '--level', '--l2', '--eta', '--best-of-n']],
  [['simulate', GEO, '--pairs-grid', '100,200'], ['--seeds']],
  [['simulate', GEO], ['--pairs-grid']],
  [['sweep', SPEC, '--out', join(root, 'never-sweep')], ['--workers', '--max-cells']],
  [['bench', 'reward-fit'], ['--dim', '--pairs', '--lam', '--l2', '--seed']],
  [['bench', 'nn'], ['--steps', '--batch', '--pairs', '--threads']],
  [['inspect', '--model', MODEL, '--prompt', 'user :'], ['--top']],
  [['generate', '--model', MODEL, '--prompt', 'user :'], ['--max-tokens', '--temperature', '--top-k', '--top-p', '--seed']],
  [['organism', 'corpus'], ['--p', '--q', '--docs', '--seed']],
  [['organism', 'train', '--out', join(root, 'never-train')], ['--p', '--q', '--docs', '--seed', '--tokens', '--batch', '--lr', '--checkpoint-every']],
  [['organism', 'eval', '--model', MODEL], ['--samples', '--pairs', '--probe', '--seed']],
  [['demo', '--out', join(root, 'never-demo')], ['--workers']],
];
const NEVER_VALID = ['0x10', 'abc', '', ' ', 'NaN', 'Infinity', '-Infinity', '1e309', '--json'];

test('§2 every numeric flag: hexadecimal (the 24 silent acceptances), words, empty, NaN, ±Infinity, 1e309, a flag, a missing value → exit 2, one line naming the flag', async () => {
  let n = 0;
  for (const [prefix, flags] of NUMERIC) {
    for (const flag of flags) {
      for (const value of [...NEVER_VALID, undefined]) {
        const args = value === undefined ? [...prefix, flag] : [...prefix, flag, value];
        const r = await runCli(args);
        const label = `${args.join(' ')} (${JSON.stringify(value)})`;
        assertRefused(r, new RegExp(`${flag}\\b`), label);
        n++;
      }
    }
  }
  assert.ok(n >= 400, `${n} cases`);
});

test('§2 switches given a value (--json=1 and the like) and unknown flags are refused in one line', async () => {
  const cases: string[][] = [
    ['theory', GEO, '--json=1'], ['simulate', GEO, '--debias=1'], ['sweep', SPEC, '--out', join(root, 'never'), '--no-report=1'],
    ['sweep', SPEC, '--out', join(root, 'never'), '--fresh=1'], ['bench', 'reward-fit', '--detail=1'], ['organism', 'train', '--out', join(root, 'never'), '--force=1'],
    ['organism', 'train', '--out', join(root, 'never'), '--resume=1'], ['organism', 'train', '--out', join(root, 'never'), '--no-eval=1'],
    ['demo', '--no-organism=1'], ['demo', '--quiet=1'], ['inspect', '--model', MODEL, '--prompt', 'x', '--json=1'],
    ['simulate', GEO, '--optimizer', 'newton'], ['simulate', GEO, '--value-function', 'quartic'], ['simulate', GEO, '--eta', '1,,2'],
    ['simulate', GEO, '--best-of-n', '0'], ['simulate', GEO, '--pairs-grid', '100,abc'], ['simulate', GEO, '--bogus'], ['organism', 'corpus', '--bogus', '1'], ['simulate', GEO, '--seed', '1', '--seed', '2'],
    ['organism', 'bogus'], ['organism', 'toString'], ['bench', 'bogus'], ['bogus'],
  ];
  for (const args of cases) assertRefused(await runCli(args), /^lvh( [a-z -]+)?: /, args.join(' '));
});

// ---------------------------------------------------------------------------------------------------------------
// §3 faults. Kill -9 of a sweep at every point, the report phase and a cut line: test/sweep/resume.test.ts; a
// tampered cells.jsonl line: 'every cells.jsonl line carries a checksum' there. A training killed mid-run or in
// its save, --resume to the same bytes, orphaned .lvh-tmp folders: test/organism/cli.test.ts, test/organism/train.test.ts,
// test/nn/checkpoint.test.ts and test/util/orphans.test.ts. Short writes by fault injection: test/util/atomic.test.ts.

const THEORY_SPEC = 'name: faults\nseeds: [1, 2]\ndims: [32]\ncapacity: {sigma0: 3, alpha: 0.5, ladder: [1, 10, 100, 1000]}\nharmful: {p: [0, 0.25, 0.5, 0.75, 1], cosine: -0.8}\nconstitutions: [pro-social, neutral, adversarial, {mixture: 0.5}]\neta: [0, 0.25, 0.5, 1, 2, 4, 8, 16, 32]\n';

test('§3.3 organism corpus --docs 40000 into a full 1 MB file system: exit 2, no truncated file', { skip: NEEDS_ROOT_FOR_TMPFS }, async (t) => {
  const mounted = await withTmpfs(root, 'size=1m', async (mount) => {
    const out = join(mount, 'corpus.txt');
    assertRefused(await runCli(['organism', 'corpus', '--docs', '40000', '--out', out]), /corpus\.txt: output: no space left on the device \(ENOSPC\); nothing was written/, 'corpus');
    assert.deepEqual(readdirSync(mount), []);
  });
  if (!mounted) t.skip('mount -t tmpfs not permitted here');
});

test('§3.3 sweep: results.json on a full disk, and cells.jsonl filling the disk, exit 2 in one line; the copy resumes to the same results.json', { skip: NEEDS_ROOT_FOR_TMPFS }, async (t) => {
  const spec = file('faults.yaml', THEORY_SPEC);
  const base = join(fresh('sweep-base'), 'out');
  const ok = await runCli(['sweep', spec, '--out', base, '--workers', '0', '--no-report', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  const kept = statSync(join(base, 'cells.jsonl')).size + statSync(join(base, 'spec.json')).size;
  const results = statSync(join(base, 'results.json')).size;
  // Room for the finished cells.jsonl and spec.json, not for results.json.
  const mounted = await withTmpfs(root, `size=${Math.ceil((kept + results / 2) / 4096) * 4}k`, async (mount) => {
    const out = join(mount, 's');
    mkdirSync(out);
    for (const f of ['cells.jsonl', 'spec.json']) cpSync(join(base, f), join(out, f));
    assertRefused(await runCli(['sweep', spec, '--out', out, '--workers', '0', '--no-report', '--json']), /results\.json: output: no space left on the device \(ENOSPC\); nothing was written/, 'results.json');
    assert.equal(existsSync(join(out, 'results.json')), false, 'no truncated results.json');
  });
  if (!mounted) return t.skip('mount -t tmpfs not permitted here');
  const copy = join(fresh('sweep-copy'), 'out');
  await withTmpfs(root, `size=${Math.ceil(kept / 2 / 4096) * 4}k`, async (mount) => {
    const out = join(mount, 's');
    assertRefused(await runCli(['sweep', spec, '--out', out, '--workers', '2', '--no-report', '--json']), /cells\.jsonl: output: no space left on the device \(ENOSPC\); the line was not appended/, 'cells.jsonl');
    assert.ok(readFileSync(join(out, 'cells.jsonl'), 'utf8').endsWith('\n'), 'no cut line');
    cpSync(out, copy, { recursive: true });
  });
  const resumed = await runCli(['sweep', spec, '--out', copy, '--workers', '0', '--no-report', '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.ok(readFileSync(join(copy, 'results.json')).equals(readFileSync(join(base, 'results.json'))), 'results.json identical to the uninterrupted run');
});

test('§3.1 a tampered but parseable cells.jsonl line ("rho":0. → "rho":9.) is recomputed on resume, with a word; results.json unchanged', async () => {
  const spec = file('faults.yaml', THEORY_SPEC);
  const out = join(fresh('tamper'), 'out');
  const args = ['sweep', spec, '--out', out, '--workers', '0', '--no-report'];
  assert.equal((await runCli(args)).code, 0);
  const results = readFileSync(join(out, 'results.json'));
  const lines = readFileSync(join(out, 'cells.jsonl'), 'utf8').split('\n');
  assert.match(lines[0]!, /"rho":0\./);
  lines[0] = lines[0]!.replace('"rho":0.', '"rho":9.');
  writeFileSync(join(out, 'cells.jsonl'), lines.join('\n'));
  const r = await runCli(args);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /recomputed 1 tampered/);
  assert.ok(readFileSync(join(out, 'results.json')).equals(results), 'results.json identical to the untampered run');
});

test('§3.2/§3.3 a read-only file system: sweep, organism corpus, organism train and demo exit 2 in one line, before any work', { skip: NEEDS_ROOT_FOR_TMPFS }, async (t) => {
  const mounted = await withTmpfs(root, 'size=64k,ro', async (mount) => {
    const cases: [string, string[]][] = [
      ['sweep', ['sweep', SPEC, '--out', join(mount, 's')]],
      ['corpus', ['organism', 'corpus', '--docs', '50', '--out', join(mount, 'c.txt')]],
      ['train', ['organism', 'train', '--out', join(mount, 'x'), '--tokens', '1024', '--no-eval']],
      ['demo', ['demo', '--out', join(mount, 'd'), '--no-organism', '--quiet']],
    ];
    for (const [label, args] of cases) {
      const started = performance.now();
      const r = await runCli(args);
      assert.equal(r.code, 2, `${label}: ${r.stderr}`);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `${label}: ${r.stderr}`);
      assert.match(r.stderr, /read-only \(EROFS\)/, label);
      assert.ok(performance.now() - started < 30_000, `${label}: before any work`);
      assert.equal(r.stdout, '', `${label}: nothing printed before the refusal`);
    }
  });
  if (!mounted) t.skip('mount -t tmpfs not permitted here');
});

test('§3.2 organism train into a full 300 KB file system: refused before training (exit 2, one line), no half-written model', { skip: NEEDS_ROOT_FOR_TMPFS }, async (t) => {
  const mounted = await withTmpfs(root, 'size=300k', async (mount) => {
    const out = join(mount, 'x');
    const r = await runCli(['organism', 'train', '--out', out, '--tokens', '1024', '--docs', '50', '--batch', '4', '--no-eval', '--json']);
    assertRefused(r, /--out: expected room for a checkpoint and the saved model \(about [\d.]+ MiB\), but .* has [\d.]+ MiB free$/m, 'train');
    assert.equal(existsSync(out), false, 'no model directory');
    assert.equal(existsSync(`${out}.partial`), false, 'no checkpoint folder');
    assert.deepEqual(readdirSync(mount).filter((f) => f.startsWith('.lvh-tmp')), [], 'no temp folder left');
  });
  if (!mounted) t.skip('mount -t tmpfs not permitted here');
});

test('§3.2 organism train killed with SIGKILL after a checkpoint: the rerun asks for --resume, which ends in the same tensor bytes and loss log', async () => {
  const dir = fresh('kill');
  const knobs = ['organism', 'train', '--world', 'v1', '--size', 'tiny', '--tokens', '8192', '--batch', '4', '--docs', '300', '--no-eval', '--json', '--checkpoint-every', '4', '--seed', '3'];
  const base = join(dir, 'base');
  const killed = join(dir, 'killed');
  assert.equal((await runCli([...knobs, '--out', base])).code, 0);
  const script = `import(${JSON.stringify(resolve('src/cli/main.ts'))}).then((m) => m.main(${JSON.stringify([...knobs, '--out', killed])}))`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: 'ignore' });
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  const started = Date.now();
  while (!existsSync(join(`${killed}.partial`, 'checkpoint.json')) && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  await exited;
  assert.ok(existsSync(join(`${killed}.partial`, 'checkpoint.json')), 'a checkpoint was committed before the kill');
  assert.equal(existsSync(killed), false, 'no half-written model');
  assertRefused(await runCli([...knobs, '--out', killed]), /holds one at step \d+ of an earlier run \(give --resume/, 'rerun without --resume');
  const resumed = await runCli([...knobs, '--resume', '--out', killed]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const tensors = (path: string) => { const p = parts(readFileSync(path)); delete p.header.__metadata__; return { header: p.header, data: p.data }; };
  assert.deepEqual(tensors(join(killed, 'model.safetensors')), tensors(join(base, 'model.safetensors')));
  assert.ok(readFileSync(join(killed, 'train-log.jsonl')).equals(readFileSync(join(base, 'train-log.jsonl'))), 'train-log.jsonl identical');
});

// ---------------------------------------------------------------------------------------------------------------
// §5 security

test('§5 links to /etc/passwd quote nothing; /dev/zero and FIFOs as any input are refused at once', async () => {
  for (const name of ['config.json', 'tokenizer.json']) {
    const dir = model();
    rmSync(join(dir, name));
    symlinkSync('/etc/passwd', join(dir, name));
    const r = await inspect(dir);
    assertRefused(r, new RegExp(`${name.replace('.', '\\.')}: \\(file\\): expected valid JSON`), `${name} → /etc/passwd`);
    assert.doesNotMatch(r.stderr, /root|:x:0/, 'no bytes of the target quoted');
  }
  for (const name of ['config.json', 'model.safetensors']) {
    const dir = model();
    rmSync(join(dir, name));
    symlinkSync('/dev/zero', join(dir, name));
    assertRefused(await inspect(dir), /\(file\): expected .* as a regular file, got a device/, `${name} → /dev/zero`);
  }
  const started = performance.now();
  assertRefused(await runCli(['theory', '/dev/zero']), /\/dev\/zero: \(file\): expected a geometry file .* got a device/, 'theory /dev/zero');
  assertRefused(await runCli(['sweep', '/dev/zero', '--out', join(root, 'never')]), /\/dev\/zero: \(file\): expected a sweep spec file .* got a device/, 'sweep /dev/zero');
  const fifo = join(fresh('fifo'), 'g.json');
  if (spawnSync('mkfifo', [fifo]).status === 0) {
    assertRefused(await runCli(['theory', fifo]), /got a FIFO/, 'theory FIFO');
    assertRefused(await runCli(['sweep', fifo, '--out', join(root, 'never')]), /got a FIFO/, 'sweep FIFO');
  }
  assert.ok(performance.now() - started < 30_000, 'never read');
});

test('§5 symlinked model folders and weight files still load (the Hugging Face cache is made of them)', async () => {
  const dir = fresh('links');
  symlinkSync(resolve(MODEL), join(dir, 'model'));
  const r = await inspect(join(dir, 'model'));
  assert.equal(r.code, 0, r.stderr);
  const copy = model();
  rmSync(join(copy, 'model.safetensors'));
  symlinkSync(resolve(MODEL, 'model.safetensors'), join(copy, 'model.safetensors'));
  assert.equal((await inspect(copy)).stdout, r.stdout);
});

test('§5 shard names in model.safetensors.index.json cannot leave the folder; a shard linked to /etc/passwd is a corrupt header', async () => {
  const names = Object.keys(parts(shippedWeights).header).filter((k) => k !== '__metadata__');
  const sharded = (bad?: string): string => {
    const dir = model();
    cpSync(join(dir, 'model.safetensors'), join(dir, 'part1.safetensors'));
    rmSync(join(dir, 'model.safetensors'));
    const weightMap = Object.fromEntries(names.map((n) => [n, 'part1.safetensors']));
    if (bad !== undefined) weightMap[names[0]!] = bad;
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    return dir;
  };
  assert.equal((await inspect(sharded())).code, 0, 'a good sharded folder loads');
  for (const bad of ['../../../../etc/passwd', '/etc/passwd', 'part1.safetensors/..', '..\\x', '..', '']) {
    assertRefused(await inspect(sharded(bad)), /model\.safetensors\.index\.json: weight_map: expected shard file names in the directory/, JSON.stringify(bad));
  }
  const linked = sharded('evil.safetensors');
  symlinkSync('/etc/passwd', join(linked, 'evil.safetensors'));
  const r = await inspect(linked);
  assertRefused(r, /evil\.safetensors: header length: expected at most/, 'shard → /etc/passwd');
  assert.doesNotMatch(r.stderr, /root/);
});

test('§5 a sweep spec name with markup and ../ writes nothing outside --out and no raw <script> into report.html', async () => {
  const name = '</script><script>alert(1)</script><img src=x onerror=alert(2)>../../../tmp/evil';
  const spec = file('evil.yaml', `name: ${JSON.stringify(name)}\ndims: [8]\ncapacity: {ladder: [1, 10]}\n`);
  const parent = fresh('evil');
  const out = join(parent, 'out');
  const r = await runCli(['sweep', spec, '--out', out, '--workers', '0', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(parent), ['out']);
  assert.equal(existsSync(resolve(out, '../../../tmp/evil')), false);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.ok(!html.includes('<script>alert'), 'no raw script');
  assert.ok(!html.includes('<img src=x'), 'no raw img');
});

test('§5 no network: src/ opens no sockets and fetches nothing (no fetch, http, https, net, dgram, tls or WebSocket)', () => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|js|mjs)$/.test(entry.name)) {
        const text = readFileSync(path, 'utf8');
        if (/\bfetch\(|from ['"](node:)?(https?|net|dgram|tls|http2)['"]|require\(['"](node:)?(https?|net|dgram|tls)['"]\)|new WebSocket|XMLHttpRequest/.test(text)) offenders.push(path);
      }
    }
  };
  walk('src');
  assert.deepEqual(offenders, []);
});
