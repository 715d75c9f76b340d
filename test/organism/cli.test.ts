import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { parseTrainArgs, parseEvalArgs } from '../../src/cli/organism.js';
import { corpusHash, generateCorpus } from '../../src/organism/index.js';

/** Runs the CLI with console output captured. */
async function lvh(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  try {
    return { code: await main(argv), out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
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
  ];
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
  const e = parseEvalArgs(['--model', 'm', '--samples', '7', '--json']);
  assert.equal(e.options.generationSamples, 7);
  assert.equal(e.json, true);
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
    const t = await lvh('organism', 'train', '--size', 'tiny', '--tokens', '4096', '--docs', '200', '--seed', '2', '--no-eval', '--out', out, '--json');
    assert.equal(t.code, 0, t.err);
    const s = JSON.parse(t.out) as { steps: number; command: string };
    assert.equal(s.steps, 4);
    assert.match(readFileSync(join(out, 'README.md'), 'utf8'), /lvh organism train --size tiny --p 0.3 --q 0.3 --tokens 4096 --docs 200 --seed 2/);
    const e = await lvh('organism', 'eval', '--model', out, '--samples', '2', '--pairs', '2', '--probe', '6', '--json');
    assert.equal(e.code, 0, e.err);
    const j = JSON.parse(e.out) as { generation: { harmfulComplianceRate: number }; judgment: Record<string, { accuracy: number }>; probe: Record<string, { accuracy: number }> };
    assert.ok(j.generation.harmfulComplianceRate >= 0 && j.generation.harmfulComplianceRate <= 1);
    assert.ok('harmless' in j.judgment && 'cruel' in j.judgment);
    assert.ok('embed' in j.probe && '1' in j.probe);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
