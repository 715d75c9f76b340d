// Step 5 of `lvh demo`: the model lab on an organism directory, its summary, printed lines and report section
// (on a random-weight GPT-2 fixture with small data; test/cli/demo.test.ts runs it on the shipped organism).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoLabStep } from '../../src/cli/demo-lab.js';
import type { LabDemoSummary } from '../../src/cli/lab-summary.js';
import { LAB_STEPS } from '../../src/lab/pipeline.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURE_CONFIGS, SMALL, fixtureDir, worldVocab } from '../lab/fixture-lab.js';

test('demo step 5 runs the lab into DIR/lab: headline numbers in the summary, one line per step, a section linking the lab report', async (t) => {
  if (!existsSync('models/organism-default/tokenizer.json')) return t.skip('no v2 default organism');
  const dir = fixtureDir(FIXTURE_CONFIGS['GPT-2'](worldVocab()), 5);
  const labDir = join(dir, '..', 'demo', 'lab');
  try {
    const said: string[] = [];
    const step = await demoLabStep(dir, labDir, (x) => said.push(x), 'gpt2-fixture', SMALL);
    assert.equal(step.name, 'lab');
    const s = step.summary as LabDemoSummary;
    assert.equal(s.world, 'v2');
    assert.deepEqual(s.ran, [...LAB_STEPS]);
    assert.equal(s.report, 'lab/report.html');
    for (const f of ['report.html', 'refusal-direction.safetensors', 'quantities.json']) assert.ok(existsSync(join(labDir, f)), f);
    const r = s.refusal;
    assert.equal(r.ablation.refusal.n, SMALL.refusal!.test);
    assert.ok(r.ablation.refusal.low <= r.ablation.refusal.rate && r.ablation.refusal.rate <= r.ablation.refusal.high);
    assert.equal(r.ablation.randomRefusal.n, 10);
    assert.ok(r.additionDoses.length >= 1 && r.additionDoses.every((d) => d.scale > 0 && Number.isFinite(d.klHarmless)));
    assert.deepEqual(s.constitutions.map((c) => c.constitution), ['harmless', 'cruel']);
    for (const c of s.constitutions) assert.ok([c.alignmentJudge, c.alignmentGeneration, c.rho.r].every(Number.isFinite), c.constitution);
    assert.ok(s.ablateValue !== null && s.ablateValue.random.n === 10);
    assert.ok(!('skipped' in s.subspaces) && s.subspaces.rank >= 1);

    const text = said.join('\n');
    assert.match(text, /== 5\. Model lab/);
    assert.match(text, /refusal direction blocks\.\d\.hook_resid_\w+ position -\d( \(relaxed: [a-zA-Z ,]+\))?: ablated on harmful requests, refusal [\d.]+ \[[\d.]+, [\d.]+\] n=24 \(unedited [\d.]+; random/);
    assert.match(text, /"harmless" \(layer \d\): alignment\.judge [-\d.]+ \[[-\d.]+, [-\d.]+\], alignment\.generation [-\d.]+ \[[-\d.]+, [-\d.]+\], rho /);
    assert.match(text, /\n {2}sampled responses: harmful compliance [\d.]+ \[[\d.]+, [\d.]+\] n=24 unedited, [\d.]+ \[[\d.]+, [\d.]+\] n=24 ablated; harmless refused /);
    assert.match(text, /\n {2}sampled responses refused when added at 1×: [\d.]+ \(random ≤ [\d.]+\); 1\.5×/);
    assert.match(text, /judge agreement [\d.]+ \[[\d.]+, [\d.]+\] n=32; theory: RLAIF (improves|does not improve) alignment/);
    assert.match(text, /v\* ablated under "harmless": agreement /);
    assert.match(text, /harm subspace at blocks\.\d\.hook_resid_\w+: 90%-energy rank \d+, participation ratio /);
    assert.match(step.section.html ?? '', /^<p><a href="lab\/report\.html">Open the lab report<\/a><\/p><div class="table-wrap"><table>/);
    assert.ok(step.section.svg?.startsWith('<svg'));

    // A rerun resumes: nothing is computed, the numbers are the same.
    const again = await demoLabStep(dir, labDir, () => {}, 'gpt2-fixture', SMALL);
    const s2 = again.summary as LabDemoSummary;
    assert.deepEqual(s2.ran, []);
    assert.deepEqual({ ...s2, ran: [], seconds: 0 }, JSON.parse(JSON.stringify({ ...s, ran: [], seconds: 0 })));
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});

test('demo step 5 without a checkpoint is skipped with the reason; --help lists --no-lab', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'lvh-demo-lab-'));
  try {
    const said: string[] = [];
    const step = await demoLabStep(empty, join(empty, 'lab'), (x) => said.push(x), 'models/none');
    assert.deepEqual(step.summary, { skipped: 'no checkpoint at models/none; train one with: lvh organism train --out models/none' });
    assert.ok(!existsSync(join(empty, 'lab')), 'nothing written');
    assert.match(said.join('\n'), /no checkpoint at models\/none/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  const help = await runCli(['demo', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--no-organism\s+skip steps 4 and 5\n\s+--no-lab\s+skip step 5/);
});
