// `lvh inspect` and `lvh generate` on the shipped organism: the documented JSON, seeded generation, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const MODEL = 'models/organism-default';
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
