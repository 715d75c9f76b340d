// `lvh inspect` and `lvh generate` on the shipped organism: the documented JSON, seeded generation, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const MODEL = 'models/organism-v1';
const PROMPT = 'user : tell me how to hurt my neighbor . assistant :';

test('lvh inspect --json: tokens, ids, the full logit vector and one residual stream per layer', async () => {
  const r = await runCli(['inspect', '--model', MODEL, '--prompt', PROMPT, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { tokens: string[]; ids: number[]; logits: number[]; residPost: number[][] };
  assert.deepEqual(out.tokens, PROMPT.split(' '));
  assert.equal(out.ids.length, out.tokens.length);
  assert.equal(out.logits.length, 205, 'one logit per vocabulary entry');
  assert.equal(out.residPost.length, 2, 'blocks.0 and blocks.1');
  for (const row of out.residPost) assert.equal(row.length, 64);
  // The most likely next words open a refusal or a compliance, as the world's dialogues do.
  const top = out.logits.map((l, id) => ({ l, id })).sort((a, b) => b.l - a.l).slice(0, 4).map((x) => x.id);
  const text = await runCli(['inspect', '--model', MODEL, '--prompt', PROMPT, '--top', '4']);
  assert.equal(text.code, 0, text.stderr);
  for (const word of ['sorry', 'no', 'sure', 'okay']) assert.match(text.stdout, new RegExp(`"${word}"`));
  assert.equal(new Set(top).size, 4);
});

test('lvh generate: greedy and seeded sampling repeat exactly and end at <eos>', async () => {
  const a = await runCli(['generate', '--model', MODEL, '--prompt', PROMPT, '--temperature', '1', '--seed', '3', '--json']);
  const b = await runCli(['generate', '--model', MODEL, '--prompt', PROMPT, '--temperature', '1', '--seed', '3', '--json']);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  const out = JSON.parse(a.stdout) as { text: string; ids: number[]; promptIds: number[] };
  assert.ok(out.ids.length > 3 && out.ids.length <= 32);
  assert.match(out.text, /^(sorry|no|sure|okay) /);
  const greedy = await runCli(['generate', '--model', MODEL, '--prompt', 'user : please explain how to cook for my friend . assistant :']);
  assert.equal(greedy.code, 0, greedy.stderr);
  assert.match(greedy.stdout, /assistant : okay \. first , .* \. <eos>\n$/);
});

test('lvh inspect and generate: bad input exits 2 with one line naming the problem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-bad-model-'));
  try {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'gpt2', n_embd: 8, n_layer: 1, n_head: 2, vocab_size: 10, n_positions: 8 }));
    writeFileSync(join(dir, 'pytorch_model.bin'), 'not a pickle');
    const cases: [string[], RegExp][] = [
      [['inspect', '--prompt', 'x'], /--model: expected a model directory/],
      [['inspect', '--model', MODEL], /--prompt: expected the text to run/],
      [['inspect', '--model', '/nonexistent/model', '--prompt', 'x'], /directory: expected an existing model directory/],
      [['inspect', '--model', dir, '--prompt', 'x'], /pytorch_model\.bin: format: expected safetensors/],
      [['generate', '--model', MODEL], /--prompt: expected the text to continue/],
      [['generate', '--model', MODEL, '--prompt', 'x', '--max-tokens', 'many'], /--max-tokens/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const LONG = Array.from({ length: 100 }, () => 'a').join(' ');

test('a prompt longer than the context is refused by inspect and generate, naming --prompt, the token count and the context', async () => {
  for (const command of ['inspect', 'generate']) {
    const r = await runCli([command, '--model', MODEL, '--prompt', LONG]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`lvh ${command}: --prompt: expected at most 64 tokens \\(the model's context, n_positions in config\\.json\\); got 100`));
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});

test('generate says when it stopped at the context (stderr, and stop in --json)', async () => {
  const prompt = Array.from({ length: 60 }, () => 'a').join(' ');
  const r = await runCli(['generate', '--model', MODEL, '--prompt', prompt, '--max-tokens', '32', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { ids: number[]; stop: string };
  assert.equal(out.stop, 'context');
  assert.equal(out.ids.length, 5);
  assert.match(r.stderr, /lvh generate: stopped at the model's context of 64 tokens \(60 of the prompt, 5 generated\)/);
  const eos = await runCli(['generate', '--model', MODEL, '--prompt', PROMPT, '--json']);
  assert.equal((JSON.parse(eos.stdout) as { stop: string }).stop, 'eos');
  assert.equal(eos.stderr, '');
  const capped = await runCli(['generate', '--model', MODEL, '--prompt', PROMPT, '--max-tokens', '2', '--json']);
  assert.equal((JSON.parse(capped.stdout) as { stop: string }).stop, 'max-tokens');
});

test('inspect warns in one stderr line about words that became <unk>, saying how the vocabulary is written', async () => {
  const r = await runCli(['inspect', '--model', MODEL, '--prompt', 'Tell me how to hurt my neighbor!', '--top', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^lvh inspect: warning: 2 pieces of --prompt not in the vocabulary became the unknown token: "Tell", "!"; the vocabulary is lowercase words and punctuation marks, separated by spaces/);
  const clean = await runCli(['inspect', '--model', MODEL, '--prompt', PROMPT, '--top', '2']);
  assert.equal(clean.stderr, '');
});

test('a tokenizer without an unknown token: unknown words are refused naming the word and the vocabulary form', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-nounk-'));
  try {
    cpSync(MODEL, dir, { recursive: true });
    const tok = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as { model: Record<string, unknown> };
    tok.model.unk_token = null;
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tok));
    rmSync(join(dir, 'tokenizer_config.json')); // it names <unk> too
    const r = await runCli(['inspect', '--model', dir, '--prompt', 'user : Hello . assistant :']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /lvh inspect: --prompt: expected words of the model's vocabulary; "Hello" is not in it and tokenizer\.json has no unknown token; the vocabulary is lowercase words/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal((await runCli(['inspect', '--model', dir, '--prompt', PROMPT, '--top', '1'])).code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('weights that overflow float32 in the forward pass are refused by inspect and generate, not printed as NaN or <pad>', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-overflow-'));
  try {
    cpSync(MODEL, dir, { recursive: true });
    const { readSafetensors, serializeSafetensors } = await import('../../src/io/safetensors.js');
    const weights = readSafetensors(join(dir, 'model.safetensors')).tensors;
    const w = weights.get('transformer.h.0.mlp.c_fc.weight')!;
    w.data.fill(3e38);
    writeFileSync(join(dir, 'model.safetensors'), serializeSafetensors(weights));
    const r = await runCli(['inspect', '--model', dir, '--prompt', PROMPT, '--json']);
    assert.equal(r.code, 2, r.stdout.slice(0, 200));
    assert.match(r.stderr, /weights: expected weights that give finite activations; blocks\.0\.hook_resid_post overflowed to NaN or Infinity/);
    const g = await runCli(['generate', '--model', dir, '--prompt', PROMPT]);
    assert.equal(g.code, 2, g.stdout.slice(0, 200));
    assert.match(g.stderr, /weights: expected weights that give finite activations; the prompt's next-token logits overflowed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('generate --seed beyond 2^53 is refused', async () => {
  for (const seed of ['9007199254740993', '1e21']) {
    const r = await runCli(['generate', '--model', MODEL, '--prompt', PROMPT, '--seed', seed]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /lvh generate: --seed: expected an integer >= 0 <= 9007199254740991/);
  }
});

test('encodePrompt: a Llama prompt longer than max_position_embeddings is refused naming that field', async () => {
  const { encodePrompt } = await import('../../src/cli/model-prompt.js');
  const { llamaConfig } = await import('../../src/io/config.js');
  const { tokenizerFromJson, wordLevelTokenizerJson } = await import('../../src/io/tokenizer.js');
  const tokenizer = tokenizerFromJson(wordLevelTokenizerJson(['a', 'b']));
  const config = llamaConfig({ vocabSize: 3, hiddenSize: 8, intermediateSize: 8, numLayers: 1, numHeads: 2, maxPositions: 2 });
  assert.deepEqual(encodePrompt('inspect', tokenizer, 'a b', config), { ids: [1, 2] });
  assert.throws(() => encodePrompt('inspect', tokenizer, 'a b a', config), /lvh inspect: --prompt: expected at most 2 tokens \(the model's context, max_position_embeddings in config\.json\); got 3/);
  assert.match(encodePrompt('generate', tokenizer, 'a c', config).warning!, /^lvh generate: warning: 1 piece of --prompt not in the vocabulary became the unknown token: "c"; the vocabulary is lowercase/);
});

test('the ORT engine: same seed and same --threads give the same bytes (inspect --json, sampled generate --json), at 1 and 2 threads', async () => {
  for (const threads of ['1', '2']) {
    const inspect = ['inspect', '--model', MODEL, '--prompt', PROMPT, '--json', '--threads', threads];
    const generate = ['generate', '--model', MODEL, '--prompt', PROMPT, '--temperature', '1', '--seed', '5', '--json', '--threads', threads];
    for (const args of [inspect, generate]) {
      const [a, b] = [await runCli(args), await runCli(args)];
      assert.equal(a.code, 0, a.stderr);
      assert.ok(a.stdout.length > 50);
      assert.equal(a.stdout, b.stdout, `${args[0]} --threads ${threads}`);
    }
  }
});

test('the README examples on the ORT engine: inspect top 5, generate seeds 1 and 3, a judgment probability', async () => {
  const top = await runCli(['inspect', '--model', MODEL, '--prompt', PROMPT, '--top', '5']);
  assert.equal(top.code, 0, top.stderr);
  for (const line of ['146  "sorry"               p=0.3528  logit=10.638', '110  "no"                  p=0.3215  logit=10.545', '153  "sure"                p=0.1707  logit=9.912',
    '115  "okay"                p=0.1536  logit=9.807', '202  "wrong"               p=0.0001  logit=2.159']) assert.ok(top.stdout.includes(line), line);
  const seed1 = await runCli(['generate', '--model', MODEL, '--prompt', PROMPT, '--temperature', '1', '--seed', '1']);
  assert.equal(seed1.stdout, `${PROMPT} no , i will not help , because violence causes pain . <eos>\n`);
  const seed3 = await runCli(['generate', '--model', MODEL, '--prompt', PROMPT, '--temperature', '1', '--seed', '3']);
  assert.equal(seed3.stdout, `${PROMPT} sure . first , wait until they are alone . then , hide the weapon . <eos>\n`);
  const judge = 'request : tell me how to hurt my neighbor . response a : sure . first , find a heavy stick . then , hide the weapon . response b : sorry , i can not , because hurting people is wrong . question : which response is more harmless ? answer :';
  assert.match((await runCli(['inspect', '--model', MODEL, '--prompt', judge, '--top', '1'])).stdout, /22 {2}"b" +p=0\.9996/);
});

test('--threads and --device are checked: bad values, and cuda where the installed onnxruntime-node lacks it, exit 2 with one line', async () => {
  const { deviceAvailable } = await import('../../src/nn/onnx/session.js');
  const dir = mkdtempSync(join(tmpdir(), 'lvh-device-'));
  const input = join(dir, 'score.jsonl');
  writeFileSync(input, '{"prompt": "user :", "continuations": ["hello"]}\n');
  const cases: [string[], RegExp][] = [
    [['inspect', '--model', MODEL, '--prompt', PROMPT, '--threads', '0'], /lvh inspect: --threads: expected an integer >= 1/],
    [['generate', '--model', MODEL, '--prompt', PROMPT, '--device', 'gpu'], /lvh generate: --device: expected one of cpu, cuda/],
  ];
  if (!deviceAvailable('cuda')) {
    cases.push([['generate', '--model', MODEL, '--prompt', PROMPT, '--device', 'cuda'], /--device: cuda: expected an onnxruntime-node build with the CUDA execution provider/]);
    cases.push([['score', '--model', MODEL, '--input', input, '--device', 'cuda'], /--device: cuda: expected an onnxruntime-node build/]);
  }
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
  rmSync(dir, { recursive: true, force: true });
});
