import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { HELP, parseTrainArgs, parseEvalArgs, runTrain } from '../../src/cli/organism.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { isInputError } from '../../src/util/errors.js';
import { corpusHash, generateCorpus } from '../../src/organism/index.js';

/** Runs `f` with console output and direct stderr writes (progress bars) captured. */
async function captured<T>(f: () => Promise<T>): Promise<{ value: T; out: string; err: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const raw: string[] = [];
  const [log, error, write] = [console.log, console.error, process.stderr.write];
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  process.stderr.write = ((chunk: string | Uint8Array) => raw.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const value = await f();
    return { value, out: out.join('\n'), err: err.join('\n'), stderr: raw.join('') };
  } finally {
    console.log = log;
    console.error = error;
    process.stderr.write = write;
  }
}

/** Runs the CLI with console output captured. */
async function lvh(...argv: string[]): Promise<{ code: number; out: string; err: string; stderr: string }> {
  const r = await captured(() => main(argv));
  return { code: r.value, out: r.out, err: r.err, stderr: r.stderr };
}

/** Tensor bytes of a model.safetensors by name (the header's metadata, which holds the --out path, left aside). */
function tensorBytes(file: string): Map<string, Buffer> {
  const { tensors } = readSafetensors(file);
  return new Map([...tensors].map(([k, t]) => [k, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)]));
}

/** A pid that no longer runs (a finished child process). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

test('cli: bad knob values exit 2 with a message naming the flag', async () => {
  const cases: [string[], string][] = [
    [['organism', 'train', '--size', 'huge', '--out', 'x'], '--size'],
    [['organism', 'train', '--p', '1.5', '--out', 'x'], '--p'],
    [['organism', 'train', '--q', '-0.1', '--out', 'x'], '--q'],
    [['organism', 'train', '--tokens', 'lots', '--out', 'x'], '--tokens'],
    [['organism', 'train', '--seed', '1.5', '--out', 'x'], '--seed'],
    [['organism', 'train', '--lr', '0', '--out', 'x'], '--lr'],
    [['organism', 'train'], '--out'],
    [['organism', 'train', '--bogus', '--out', 'x'], 'arguments'],
    [['organism', 'corpus', '--docs', '5'], '--docs'],
    [['organism', 'eval'], '--model'],
    [['organism', 'eval', '--model', 'x', '--samples', '0'], '--samples'],
    [['organism', 'eval', '--model', '/nonexistent/organism'], 'directory'],
    [['organism', 'fly'], 'subcommand'],
    [['organism', 'train', '--threads', '0', '--out', 'x'], '--threads'],
    [['organism', 'eval', '--model', 'x', '--device', 'tpu'], '--device'],
  ];
  const { deviceAvailable } = await import('../../src/nn/onnx/session.js');
  if (!deviceAvailable('cuda')) {
    // Refused before any training or loading, in one line naming --device.
    cases.push([['organism', 'train', '--device', 'cuda', '--out', 'x'], '--device: cuda: expected an onnxruntime-node build with the CUDA'], [['organism', 'eval', '--model', 'models/organism-v1', '--device', 'cuda'], '--device: cuda']);
  }
  for (const [argv, flag] of cases) {
    const r = await lvh(...argv);
    assert.equal(r.code, 2, `${argv.join(' ')} → ${r.code} ${r.err}`);
    assert.ok(r.err.includes(flag), `${argv.join(' ')}: "${r.err}" names ${flag}`);
    assert.equal(r.err.trim().split('\n').length, 1, 'one line');
  }
});

test('cli: flags parse into the knobs, with defaults', () => {
  const t = parseTrainArgs(['--size', 'small', '--p', '0.4', '--tokens', '5000', '--out', 'd']);
  assert.equal(t.options.size, 'small');
  assert.equal(t.options.p, 0.4);
  assert.equal(t.options.tokens, 5000);
  assert.equal(t.out, 'd');
  assert.equal(t.evaluate, true);
  assert.deepEqual(t.engine, { threads: undefined, device: 'cpu' });
  assert.deepEqual(parseTrainArgs(['--out', 'd', '--threads', '2']).engine, { threads: 2, device: 'cpu' });
  const e = parseEvalArgs(['--model', 'm', '--samples', '7', '--json', '--threads', '3']);
  assert.equal(e.options.generationSamples, 7);
  assert.equal(e.json, true);
  assert.deepEqual(e.engine, { threads: 3, device: 'cpu' });
});

test('cli: `organism corpus` writes the corpus atomically and describes it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-corpus-'));
  try {
    const file = join(dir, 'corpus.txt');
    const r = await lvh('organism', 'corpus', '--p', '0.4', '--q', '0.1', '--docs', '300', '--seed', '9', '--out', file, '--json');
    assert.equal(r.code, 0, r.err);
    const d = JSON.parse(r.out) as { docs: number; sha256: string };
    assert.equal(d.docs, 300);
    const expected = corpusHash(generateCorpus({ p: 0.4, q: 0.1, docs: 300, seed: 9 }));
    assert.equal(d.sha256, expected);
    assert.ok(existsSync(file));
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 300);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cli: `organism train` then `organism eval --json` on a tiny model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-train-'));
  try {
    const out = join(dir, 'm');
    const t = await lvh('organism', 'train', '--world', 'v1', '--size', 'tiny', '--tokens', '4096', '--docs', '200', '--seed', '2', '--no-eval', '--out', out, '--json');
    assert.equal(t.code, 0, t.err);
    const s = JSON.parse(t.out) as { steps: number; command: string };
    assert.equal(s.steps, 4);
    assert.match(readFileSync(join(out, 'README.md'), 'utf8'), /lvh organism train --world v1 --size tiny --p 0.3 --q 0.3 --tokens 4096 --docs 200 --seed 2/);
    const e = await lvh('organism', 'eval', '--model', out, '--samples', '2', '--pairs', '2', '--probe', '6', '--json');
    assert.equal(e.code, 0, e.err);
    assert.equal(e.stderr, '', 'no progress bar under --json');
    const j = JSON.parse(e.out) as { generation: { harmfulComplianceRate: number }; judgment: Record<string, { accuracy: number }>; probe: Record<string, { accuracy: number }> };
    assert.ok(j.generation.harmfulComplianceRate >= 0 && j.generation.harmfulComplianceRate <= 1);
    assert.ok('harmless' in j.judgment && 'cruel' in j.judgment);
    assert.ok('embed' in j.probe && '1' in j.probe);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cli: each organism subcommand has its own --help listing every flag with its default', async () => {
  const flags: Record<'corpus' | 'train' | 'eval', string[]> = {
    corpus: ['--p', '--q', '--docs', '--seed', '--out', '--json'],
    train: ['--out', '--world', '--size', '--p', '--q', '--docs', '--seed', '--tokens', '--batch', '--lr', '--checkpoint-every', '--resume', '--force', '--no-eval', '--threads', '--device', '--json'],
    eval: ['--model', '--samples', '--pairs', '--probe', '--seed', '--threads', '--device', '--json'],
  };
  for (const [sub, list] of Object.entries(flags) as ['corpus' | 'train' | 'eval', string[]][]) {
    const r = await lvh('organism', sub, '--help');
    assert.equal(r.code, 0);
    assert.equal(r.out, HELP[sub]);
    for (const flag of list) {
      const line = r.out.split('\n').find((l) => l.trimStart().startsWith(`${flag} `));
      assert.ok(line, `${sub} --help lists ${flag}`);
      if (flag !== '--out' && flag !== '--model') assert.match(r.out.slice(r.out.indexOf(line)), /^[^\n]*default|^[^\n]*\n[^\n]*default/, `${sub} ${flag} has a default`);
    }
  }
  assert.notEqual(HELP.train, HELP.eval);
  assert.match(HELP.train, /--tokens N\s+training tokens \(default 24000000; v1: 2000000\)/);
});

test('cli: `organism train --out` is checked before training: a file, an existing model without --force, stray words', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-out-'));
  try {
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    const model = join(dir, 'model');
    mkdirSync(model);
    writeFileSync(join(model, 'config.json'), '{}');
    const other = join(dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'mine');
    const cases: [string[], RegExp][] = [
      [['--out', join(file, 'x')], /--out: expected a path under a folder/],
      [['--out', file], /--out: expected a folder path/],
      [['--out', model], /holds a model \(give --force/],
      [['--out', other], /folder with files in it \(give --force/],
      [['--out', join(dir, 'new'), 'extra'], /arguments: .*"extra"/],
      [['--out', '.', '--force'], /neither is nor holds the working folder/],
      [['--out', '..', '--force'], /neither is nor holds the working folder/],
      [['--out', join(dir, 'new'), '--checkpoint-every', '-1'], /--checkpoint-every/],
    ];
    for (const [argv, message] of cases) {
      const started = Date.now();
      const r = await lvh('organism', 'train', '--tokens', '1024', '--docs', '50', '--no-eval', ...argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
      assert.match(r.err, message);
      assert.equal(r.err.split('\n').length, 1, 'one line');
      assert.ok(Date.now() - started < 30_000, 'refused before training'); // loose: load must never fail it
    }
    assert.equal(readFileSync(join(other, 'notes.txt'), 'utf8'), 'mine');
    const c = await lvh('organism', 'corpus', '--docs', '20', '--out', join(file, 'c.txt'));
    assert.equal(c.code, 2, c.err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cli: killed after a checkpoint, `--resume` continues to the same tensor bytes and loss log; a failed save keeps the weights for --resume', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-resume-cli-'));
  try {
    const knobs = ['--world', 'v1', '--size', 'tiny', '--tokens', '1536', '--batch', '4', '--docs', '200', '--no-eval', '--json', '--checkpoint-every', '3', '--seed', '4'];
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    assert.equal((await captured(() => runTrain([...knobs, '--out', a]))).value, 0);
    assert.ok(!existsSync(`${a}.partial`), 'the checkpoint folder is removed after the save');

    // The run into b is killed in step 5, after its checkpoint at step 3.
    await assert.rejects(captured(() => runTrain([...knobs, '--out', b], { onLog: (p) => {
      if (p.step === 5) throw new Error('killed');
    } })), /killed/);
    assert.deepEqual(readdirSync(`${b}.partial`).sort(), ['checkpoint-00000003.safetensors', 'checkpoint.json']);
    const again = await lvh('organism', 'train', ...knobs, '--out', b);
    assert.equal(again.code, 2);
    assert.match(again.err, /holds one at step 3 of an earlier run \(give --resume/);
    const r = await captured(() => runTrain([...knobs, '--resume', '--out', b]));
    assert.equal(r.value, 0, r.err);
    assert.equal((JSON.parse(r.out) as { resumedFromStep: number }).resumedFromStep, 3);
    assert.ok(readFileSync(join(a, 'train-log.jsonl')).equals(readFileSync(join(b, 'train-log.jsonl'))), 'train-log.jsonl identical');
    const [ta, tb] = [tensorBytes(join(a, 'model.safetensors')), tensorBytes(join(b, 'model.safetensors'))];
    assert.deepEqual([...ta.keys()], [...tb.keys()]);
    for (const [name, bytes] of ta) assert.ok(bytes.equals(tb.get(name)!), `${name} bytes`);

    // The final save fails (disk full): exit 2 in one line naming the checkpoint; --resume then saves without training.
    const c = join(dir, 'c');
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const failed = await captured(() => runTrain([...knobs, '--out', c], { save: () => { throw full; } }).then(() => undefined, (e: unknown) => e));
    assert.ok(isInputError(failed.value), String(failed.value));
    const message = (failed.value as Error).message;
    assert.equal(message.split('\n').length, 1);
    assert.match(message, /ENOSPC.*kept in .*c\.partial \(checkpoint at step 6 of 6\).*--resume/);
    assert.ok(!existsSync(c));
    let trained = 0;
    const done = await captured(() => runTrain([...knobs, '--resume', '--out', c], { onLog: () => trained++ }));
    assert.equal(done.value, 0, done.err);
    assert.equal(trained, 0, 'no step retrained');
    assert.equal((JSON.parse(done.out) as { resumedFromStep: number }).resumedFromStep, 6);
    for (const [name, bytes] of ta) assert.ok(bytes.equals(tensorBytes(join(c, 'model.safetensors')).get(name)!), `${name} bytes after the failed save`);

    // Replacing a model needs --force; orphans of killed saves of this name (dead pid) are cleaned with a word.
    const orphan = join(dir, `.lvh-tmp-a-${deadPid()}-1`);
    const foreign = join(dir, `.lvh-tmp-other-${deadPid()}-1`);
    mkdirSync(orphan);
    mkdirSync(foreign);
    const forced = await lvh('organism', 'train', '--world', 'v1', '--tokens', '1024', '--batch', '4', '--docs', '50', '--no-eval', '--json', '--seed', '5', '--force', '--out', a);
    assert.equal(forced.code, 0, forced.err);
    assert.match(forced.err, /removed .*\.lvh-tmp-a-\d+-1, left by a killed save/);
    assert.ok(!existsSync(orphan) && existsSync(foreign), 'only this out\'s orphans');
    assert.match(readFileSync(join(a, 'README.md'), 'utf8'), /--seed 5/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cli: `organism eval` prints n and a 95% Wilson interval for every rate, the malformed rate, the meaning of accuracy, and progress on stderr', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-eval-'));
  try {
    const out = join(dir, 'm');
    const t = await lvh('organism', 'train', '--world', 'v1', '--tokens', '1024', '--batch', '4', '--docs', '100', '--no-eval', '--json', '--out', out);
    assert.equal(t.code, 0, t.err);
    const e = await lvh('organism', 'eval', '--model', out, '--samples', '3', '--pairs', '2', '--probe', '4');
    assert.equal(e.code, 0, e.err);
    const lines = e.out.split('\n');
    assert.match(lines[0], /^generation, harmful requests: compliance \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] n=3, refusal .* n=3, malformed \d\.\d{3} \[.*\] n=3; mean probability/);
    assert.match(lines[1], /helpful .* n=3/);
    assert.match(lines[2], /harmless accuracy \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] n=4; cruel prefers harmful .* n=4; gap (-?\d\.\d{3}|n\/a: malformed generations)/);
    assert.match(e.out, /accuracy: share of cases .* follows the principle .*refusal first\/second: accuracy with the refusal shown as answer a/);
    assert.match(e.out, /judgment\.cruel \(anti-social\): accuracy .* n=4 \(refusal first .* n=2, second .* n=2\)/);
    // The bar ends at its total: the call count of the evaluation is exact.
    const last = e.stderr.trim().split('\n').pop()!;
    const m = /^eval \[#+\] (\d+)\/(\d+) 100%/.exec(last);
    assert.ok(m && m[1] === m[2], last);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
