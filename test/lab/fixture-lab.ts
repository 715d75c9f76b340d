// The lab (`runLabDir`, what `lvh lab` runs) and `lvh audit` end to end on a random-weight model shaped like a v2 organism directory (the v2 world's
// tokenizer.json and organism.json, a random config.json + model.safetensors): test/lab/fixture-lab-*.test.ts, one
// file per architecture so that the two run in parallel.
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gpt2Config, llamaConfig, type ModelConfig } from '../../src/io/config.js';
import { engineModel, initWeights, saveEngineModelDir } from '../../src/nn/engine.js';
import { LAB_STEPS, loadDirection, runLabDir, type LabDataSizes, type LabResult } from '../../src/lab/index.js';
import { runCli } from '../helpers/cli.js';

const ORGANISM = 'models/organism-default';

/** The v2 world's vocabulary size, read from the shipped organism's tokenizer.json. */
export function worldVocab(): number {
  const tok = JSON.parse(readFileSync(join(ORGANISM, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } };
  return Math.max(...Object.values(tok.model.vocab)) + 1;
}

/** A v2-organism-shaped directory with random weights: config.json + model.safetensors, the world's tokenizer and organism.json. */
export function fixtureDir(config: ModelConfig, seed: number): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'lvh-fixture-lab-')), 'model');
  saveEngineModelDir(engineModel(config, initWeights(config, seed)), dir);
  for (const f of ['tokenizer.json', 'organism.json']) copyFileSync(join(ORGANISM, f), join(dir, f));
  return dir;
}

/** The path of every null inside `value` (JSON writes NaN and ±Infinity as null), array indices as `#`. */
function nullsIn(value: unknown, path = ''): string[] {
  if (value === null) return [path];
  if (typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => nullsIn(v, `${path}.${/^\d+$/.test(k) ? '#' : k}`));
}

/**
 * Where a step records "no number" on purpose: a refusal candidate filtered before scoring (its reason is in
 * `filtered`), a theory peak at η = ∞ (monotone path), the last layer's angles to a next layer that does not exist,
 * and the in-context rho of Llama's block-0 input (checked below). Any other null is a NaN that leaked.
 */
const EXPECTED_NULLS = [
  /^\.result\.candidates\.#\.(ablationScore|additionScore|kl)$/,
  /^\.result\.constitutions\.#\.theory\.peak\.eta$/,
  /^\.result\.layers\.#\.harmVsNextLayer$/,
  /^\.result\.inContext\.perHook\.#\.rho\.(r|low|high)$/,
];

/**
 * Smaller data sets than `lvh lab`'s defaults (the lab's cost is the number of forward passes, whatever the model's
 * size): the steps and code paths are those of `lvh lab`, which calls the same `runLabDir` with the defaults.
 */
export const SMALL: LabDataSizes = { refusal: { train: 24, val: 12, test: 24 }, quantities: { train: 16, test: 16, commentary: 16 }, subspaces: { perCategory: 8, harmless: 24 } };

/** The fixtures: d = 16, 2 layers, the world's vocabulary and context (Llama with 4 query heads on 2 key-value heads). */
export const FIXTURE_CONFIGS = {
  'Llama/GQA': (vocab: number): ModelConfig => llamaConfig({ vocabSize: vocab, hiddenSize: 16, intermediateSize: 32, numLayers: 2, numHeads: 4, numKeyValueHeads: 2, maxPositions: 96 }),
  'GPT-2': (vocab: number): ModelConfig => gpt2Config({ vocabSize: vocab, nPositions: 96, nEmbd: 16, nLayer: 2, nHead: 2 }),
} as const;

/** Runs the lab (as `lvh lab` does; twice: resume) and `lvh audit --labelled` on a fresh random-weight fixture of `name`; checks every step. */
export async function checkLabOnFixture(t: TestContext, name: keyof typeof FIXTURE_CONFIGS): Promise<void> {
  if (!existsSync(join(ORGANISM, 'tokenizer.json'))) return t.skip('no v2 default organism');
  const config = FIXTURE_CONFIGS[name](worldVocab());
  const dir = fixtureDir(config, 11);
  const run = join(dir, '..', 'run');
  try {
    const first = await runLabDir(dir, run, { engine: { threads: 1 }, sizes: SMALL });
    assert.equal(first.world, 'v2');
    // Through JSON, as `lvh lab --json` prints it and as the step files hold it.
    const out = JSON.parse(JSON.stringify(first.result)) as LabResult;
    const records = { refusal: out.refusal, probes: out.probes, quantities: out.quantities, 'ablate-value': out.ablateValue, subspaces: out.subspaces };
    assert.deepEqual(Object.keys(records), [...LAB_STEPS]);
    // Every step ran (the v2 world has categories and constitutions), and none was recorded as skipped.
    assert.deepEqual(out.ran, [...LAB_STEPS]);
    for (const step of LAB_STEPS) {
      const rec = records[step];
      assert.ok(rec !== undefined, `${step} present`);
      assert.equal(rec.step, step);
      assert.ok(Number.isFinite(rec.seconds) && rec.seconds >= 0, `${step} seconds`);
      assert.ok(existsSync(join(run, `${step}.json`)), `${step}.json`);
    }
    assert.equal(out.subspaces.result.skipped, undefined);

    // Refusal: the selected direction lives in the fixture's residual stream; rates inside their intervals; finite KL.
    const r = out.refusal.result;
    assert.equal(r.layers, 2);
    for (const x of [r.ablation.refusal, r.addition.refusal, r.baseline.harmful, r.baseline.harmless]) {
      assert.ok(x.n > 0 && x.low <= x.rate + 1e-12 && x.rate <= x.high + 1e-12, JSON.stringify(x));
    }
    assert.ok(r.ablation.klHarmless >= 0 && Number.isFinite(r.addition.klHarmless));
    assert.equal(r.randomAblation.refusalRate.n, 10);
    const dirFile = loadDirection(join(run, 'refusal-direction.safetensors'));
    assert.ok('vector' in dirFile && dirFile.vector.length === 16 && dirFile.vector.every(Number.isFinite));
    assert.equal(dirFile.provenance.hook, r.selected.hook);

    // Probes: the two block inputs and the last block's output, three direction files each.
    assert.equal(out.probes.result.layers.length, 3);
    for (const l of out.probes.result.layers) {
      assert.ok(Number.isFinite(l.probeAccuracy) && Number.isFinite(l.cosDiffProbe) && Number.isFinite(l.cosDiffPca), `probes layer ${l.layer}`);
      for (const f of l.files) assert.ok(existsSync(join(run, f)), f);
    }

    // Quantities under the default constitutions, and v* ablated against random directions.
    const q = out.quantities!.result;
    assert.deepEqual(q.constitutions.map((c) => c.constitution), ['harmless', 'cruel']);
    for (const c of q.constitutions) {
      assert.ok(Number.isFinite(c.alignment.judge) && Number.isFinite(c.alignment.generation), `${c.constitution} alignments`);
      assert.ok(Math.abs(c.alignment.judge) <= 1 + 1e-9 && Math.abs(c.alignment.generation) <= 1 + 1e-9);
      assert.ok(c.layers.length > 0 && c.layers.every((l) => Number.isFinite(l.rho.r)), `${c.constitution} rho per layer`);
    }
    const ab = out.ablateValue!.result;
    assert.equal(ab.random.n, 10);
    assert.ok([ab.baseline.rate, ab.ablated.rate, ab.random.mean].every(Number.isFinite));
    // Llama has no position embeddings: its block-0 input at a response's last token (<eos>) is the same embedding in
    // every prompt, so there is no in-context direction there (not ablated, not listed); every other hook has one.
    for (const h of ab.inContext?.perHook ?? []) {
      assert.ok(Number.isFinite(h.rho.r) || (name === 'Llama/GQA' && h.hook === 'blocks.0.hook_resid_pre'), `in-context rho at ${h.hook}`);
    }

    // Subspaces: effective ranks and the ablation points are finite, the basis files were written.
    const s = out.subspaces.result;
    // Llama has no position embeddings, so its block-0 input at the last prompt token is the same token embedding for
    // every request: every harm direction there is zero, a rank-0 subspace. Any other layer has a rank of at least 1.
    for (const l of s.layers!) {
      assert.ok(Number.isFinite(l.participationRatio) && l.singularValues.every(Number.isFinite), `subspaces layer ${l.layer}`);
      assert.ok(l.energyRank90 >= 1 || l.singularValues.every((x) => x === 0), `subspaces layer ${l.layer}: rank 0 only for a zero subspace`);
    }
    assert.ok(s.layers!.filter((l) => l.layer > 0).every((l) => l.energyRank90 >= 1));
    assert.ok(Number.isFinite(s.ablation!.subspace.compliance.rate) && Number.isFinite(s.ablation!.subspace.klHarmless));
    assert.ok(s.files.some((f) => f.endsWith('.safetensors')));
    for (const f of s.files) assert.ok(existsSync(join(run, f)), f);

    // No NaN or infinity hides anywhere in the records: every null is a recorded skip.
    for (const step of LAB_STEPS) {
      const nulls = nullsIn(JSON.parse(readFileSync(join(run, `${step}.json`), 'utf8')));
      assert.deepEqual(nulls.filter((p) => !EXPECTED_NULLS.some((re) => re.test(p))), [], `${step}: unexpected nulls`);
    }
    for (const c of r.candidates) assert.ok(Number.isFinite(c.ablationScore) || c.filtered.length > 0, `candidate ${c.hook} ${c.position}: no score and no reason`);
    assert.equal(s.layers!.at(-1)!.harmVsNextLayer, null);
    assert.match(readFileSync(join(run, 'report.html'), 'utf8'), /Refusal direction[\s\S]*Safety subspaces/);

    // Resume: a second run skips every step and leaves the records as they were.
    const before = statSync(join(run, 'refusal.json')).mtimeMs;
    const second = await runLabDir(dir, run, { engine: { threads: 1 }, sizes: SMALL });
    assert.deepEqual(second.result.ran, [], 'a second run skips every step');
    assert.equal(statSync(join(run, 'refusal.json')).mtimeMs, before);

    // The audit on the labelled set: one entry per wording, a verdict each, a detection accuracy.
    const audit = await runCli(['audit', '--model', dir, '--constitution', 'examples/constitutions/labelled-v2.json', '--labelled', '--json', '--threads', '1']);
    assert.equal(audit.code, 0, audit.stderr);
    const a = JSON.parse(audit.stdout) as { entries: { verdict: string; cosValue: number | null }[]; detection: { accuracy: { rate: number; n: number } } };
    const labelled = JSON.parse(readFileSync('examples/constitutions/labelled-v2.json', 'utf8')) as unknown[];
    assert.equal(a.entries.length, labelled.length);
    for (const e of a.entries) assert.ok(['safe', 'suspicious', 'adversarial'].includes(e.verdict) && (e.cosValue === null || Number.isFinite(e.cosValue)));
    assert.equal(a.detection.accuracy.n, labelled.length);
    assert.ok(a.detection.accuracy.rate >= 0 && a.detection.accuracy.rate <= 1);
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
  }
