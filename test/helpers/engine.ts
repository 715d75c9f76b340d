// Helpers of the tests that compare the ORT engine (src/nn/onnx) with the tfjs reference (src/nn/forward.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import * as nn from '../../src/nn/index.js';
import type { Model } from '../../src/nn/index.js';
import type { ModelConfig } from '../../src/io/config.js';
import { engineForward, engineModel, engineWeights, releaseEngineModel, type EngineModel, type Intervention, type WeightMode } from '../../src/nn/onnx/forward.js';

/** The largest |a[i] − b[i]|; asserts the lengths agree. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The tfjs model's weights on the ORT engine (1 thread unless told; the engine's default weight mode unless told). */
export function onnxOf(model: Model, opts: { mode?: WeightMode; threads?: number } = {}): EngineModel {
  return engineModel(model.config, engineWeights(model.config, nn.modelWeights(model)), { weightMode: opts.mode, threads: opts.threads ?? 1 });
}

/** The tfjs reference's logits (B·T·V, flat). */
export function tfLogits(model: Model, ids: number[][], opts: nn.ForwardOptions = {}): Float32Array {
  const t = nn.forward(model, ids, opts);
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return v;
}

/** An ORT intervention and the tfjs hooks that should do the same. */
export interface InterventionCase {
  ivs: Intervention[];
  hooks: nn.Hook[];
}

/** Asserts that each case's ORT interventions give its tfjs hooks' logits (within 1e-4) and change the plain logits (by more than 1e-3); disposes the model. */
export async function assertInterventionsMatchHooks(model: Model, ids: number[][], cases: InterventionCase[]): Promise<void> {
  const em = onnxOf(model);
  const plain = await engineForward(em, ids);
  for (const [i, c] of cases.entries()) {
    const r = await engineForward(em, ids, { interventions: c.ivs });
    const want = tfLogits(model, ids, { hooks: c.hooks });
    assert.ok(maxAbsDiff(r.logits.data, want) < 1e-4, `case ${i}: ${maxAbsDiff(r.logits.data, want)}`);
    assert.ok(maxAbsDiff(r.logits.data, plain.logits.data) > 1e-3, `case ${i} changes the logits`);
  }
  await releaseEngineModel(em);
  nn.disposeModel(model);
}

/**
 * The weights of the numpy reference generators (test/nn/fixtures/*_numpy_ref.py): parameter k in sorted name order,
 * element i from s = sin(0.37i + 1.3k + 0.5) in float32, 1 + 0.2·s on the norm gains (`isGain`) and 0.15·s elsewhere.
 */
export function referenceWeights(config: ModelConfig, isGain: (name: string) => boolean): Map<string, { shape: number[]; data: Float32Array }> {
  const named = new Map<string, { shape: number[]; data: Float32Array }>();
  nn.paramSpecs(config).sort((a, b) => (a.name < b.name ? -1 : 1)).forEach((spec, k) => {
    const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    const gain = isGain(spec.name);
    for (let i = 0; i < data.length; i++) {
      const s = Math.sin(0.37 * i + 1.3 * k + 0.5);
      data[i] = gain ? 1 + 0.2 * s : 0.15 * s;
    }
    named.set(spec.name, { shape: spec.shape, data });
  });
  return named;
}

/** Moves the tfjs model's norm parameters and biases by seeded uniform noise in ±0.3 (so that every parameter kind matters); returns the model. */
export function perturbed(model: Model, seed: number): Model {
  let k = 0;
  for (const [name, t] of model.params) {
    if (name.includes('ln_') || name.endsWith('.bias')) (t as nn.tf.Variable).assign(nn.tf.tidy(() => nn.tf.add(t, nn.tf.randomUniform(t.shape, -0.3, 0.3, 'float32', seed * 100 + k++))));
  }
  return model;
}

/** One case of a numpy reference fixture: the config (validated), the ids and the float64 logits (T·V). */
export interface ReferenceCase {
  label: string;
  config: ModelConfig;
  ids: number[];
  logits: number[];
}

/** Reads the cases of a numpy reference fixture (test/nn/fixtures/onnx-*-numpy.json), each config validated. */
export function referenceCases(path: string): ReferenceCase[] {
  const fixture = JSON.parse(readFileSync(path, 'utf8')) as { cases: { label: string; config: unknown; ids: number[]; logits: number[] }[] };
  return fixture.cases.map((c) => ({ ...c, config: nn.validateModelConfig(c.config, basename(path)) }));
}

/** Asserts that ORT's logits for a reference case, on `weights`, have shape (1, T, V) and equal the numpy ones within 1e-4. */
export async function assertReferenceLogits(c: ReferenceCase, weights: Map<string, { shape: number[]; data: Float32Array }>, label: string, weightMode?: WeightMode): Promise<void> {
  const em = engineModel(c.config, engineWeights(c.config, weights), { threads: 1, weightMode });
  try {
    const got = (await engineForward(em, [c.ids])).logits;
    assert.deepEqual(got.shape, [1, c.ids.length, c.config.vocab_size]);
    const diff = maxAbsDiff(got.data, c.logits);
    assert.ok(diff < 1e-4, `${label}: max |ORT − numpy| ${diff}`);
  } finally {
    await releaseEngineModel(em);
  }
}
