import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadGeometry, validateGeometry, type Geometry } from '../../src/theory/index.js';
import { createRng } from '../../src/linalg/index.js';
import { createNormalSource, maxNormalMoments, runSampleComplexity, runSimulation, type SimulateOptions } from '../../src/simulate/index.js';

const example = (name: string): Geometry => loadGeometry(fileURLToPath(new URL(`../../examples/geometries/${name}`, import.meta.url)));

// Small sizes for speed. Each check is a 99.9% interval, so a family of ~40 checks per run stays below 4% of
// false alarms in total; the fixed seeds make every run reproducible.
const small: Partial<SimulateOptions> = { pairs: 8000, policySamples: 2000, bestOfN: [1, 4, 16], bestOfNRounds: 1000, pgSteps: 200, pgChains: 4, bootstrap: 300, level: 0.999 };

function assertAllWithin(name: string, geometry: Geometry, options: Partial<SimulateOptions>): void {
  const r = runSimulation(geometry, { ...small, ...options });
  const outside = r.checks.filter((c) => !c.within).map((c) => `${c.quantity}: ${c.measured} [${c.low}, ${c.high}] vs ${c.predicted}`);
  assert.deepEqual(outside, [], `${name}: predictions outside their intervals`);
  assert.ok(r.checks.length >= 10);
  assert.ok(r.rewardFit.converged);
}

test('overshoot (THEORY.md example): every measured quantity agrees with the theory within its interval', () => {
  const geometry = example('overshoot.json');
  assertAllWithin('overshoot', geometry, { seed: 1 });
  // The measured path overshoots: the tilt's alignment near eta* = 1.376 beats both ends.
  const r = runSimulation(geometry, { ...small, optimizers: ['tilt'], eta: [0, 1.376, 100], seed: 2 });
  assert.ok(r.path[1].measured.alignment > r.path[2].measured.alignment + 0.1);
  assert.ok(r.path[1].measured.alignment > r.path[0].measured.alignment + 0.3);
});

test('dip and adversarial constitution agree with the theory; the adversarial reward points away from v*', () => {
  // More responses per policy: at eta = 1 the dip's θ(η) is short (||θ|| = 0.35), where the alignment of a noisy
  // mean is most nonlinear and the bootstrap interval least accurate (docs/simulator.md, coverage).
  assertAllWithin('dip', example('dip.yaml'), { seed: 3, policySamples: 8000 });
  const adversarial = example('adversarial.yaml');
  assertAllWithin('adversarial', adversarial, { seed: 4, optimizers: ['tilt', 'best-of-n'] });
  const r = runSimulation(adversarial, { ...small, optimizers: [], seed: 5 });
  assert.ok(r.measured.rewardAlignment < -0.7, `cos(w, v*) = ${r.measured.rewardAlignment}`);
});

test('a covariance, a position bias with debiasing, and a cubic value function still agree', () => {
  const geometry = validateGeometry(
    {
      dim: 3,
      trueValue: [1, 0, 0],
      generation: [0.2, 1, 0],
      encoded: [{ name: 'a', vector: [1, 0.3, 0] }],
      constitution: { name: 'c', basis: ['a'], readout: 'a' },
      covariance: [
        [2, 0.5, 0],
        [0.5, 1, 0.2],
        [0, 0.2, 0.5],
      ],
      eta: [0, 1, 10],
    },
    'sigma',
  );
  assertAllWithin('sigma', geometry, { seed: 6, positionBias: 1, debias: true });
  assertAllWithin('sigma cubic', geometry, { seed: 7, valueFunction: { kind: 'cubic' }, optimizers: ['tilt', 'best-of-n'] });
});

test('same seed gives identical JSON; another seed differs', () => {
  const geometry = example('overshoot.json');
  const options = { ...small, pairs: 2000, policySamples: 500, bestOfNRounds: 200, pgSteps: 50, bootstrap: 50 };
  const a = JSON.stringify(runSimulation(geometry, { ...options, seed: 9 }));
  assert.equal(JSON.stringify(runSimulation(geometry, { ...options, seed: 9 })), a);
  assert.notEqual(JSON.stringify(runSimulation(geometry, { ...options, seed: 10 })), a);
});

test('stage timings: every stage is timed, and timing a run does not change its result', () => {
  const geometry = example('overshoot.json');
  const options = { ...small, pairs: 2000, policySamples: 500, bestOfNRounds: 200, pgSteps: 50, bootstrap: 50, seed: 9 };
  const timings: Record<string, number> = {};
  const timed = runSimulation(geometry, options, timings);
  assert.deepEqual(Object.keys(timings), ['pairs+judge', 'fit', 'covariance+draws', 'tilt', 'best-of-n', 'pg']);
  for (const seconds of Object.values(timings)) assert.ok(seconds >= 0 && seconds < 60);
  assert.equal(JSON.stringify(timed), JSON.stringify(runSimulation(geometry, options)));
});

test('a random geometry at d = 64 (as ../shared/bench/make_geometry.py draws them) agrees with the theory', () => {
  // Exercises the SIMD products across several 4-column panels and the blocked Cholesky beyond one block.
  const d = 64;
  const normals = createNormalSource(createRng(31));
  const vec = (): number[] => {
    const v = new Float64Array(d);
    normals.fill(v, 0, d);
    const n = Math.hypot(...v);
    return Array.from(v, (x) => x / n);
  };
  const vStar = vec();
  const mix = (a: number[], b: number[], t: number): number[] => {
    const m = a.map((x, j) => t * x + b[j]);
    const n = Math.hypot(...m);
    return m.map((x) => x / n);
  };
  const geometry = validateGeometry(
    {
      dim: d,
      trueValue: vStar,
      generation: mix(vStar, vec(), 0.5),
      encoded: [0, 1, 2].map((i) => ({ name: `e${i}`, vector: mix(vStar, vec(), 0.4) })),
      constitution: { name: 'random', basis: ['e0', 'e1'], readout: mix(vStar, vec(), 1) },
      eta: [0, 1, 10],
    },
    'random-64',
  );
  assertAllWithin('random d = 64', geometry, { seed: 13, pairs: 6000 });
});

test('the intervals have power: the finite-λ judge is told apart from the λ → ∞ headline agreement', () => {
  const r = runSimulation(example('overshoot.json'), { ...small, optimizers: [], lambda: 1, level: 0.95, seed: 11 });
  const [low, high] = r.intervals.judgeAgreement;
  assert.ok(low <= r.predicted.judgeAgreement && r.predicted.judgeAgreement <= high);
  assert.ok(r.predicted.judgeAgreementLinear > high, 'the λ → ∞ prediction lies above the measured interval');
});

test('a non-monotone value function pulls agreement below the linear prediction, by the theory\'s amount', () => {
  const r = runSimulation(example('overshoot.json'), { ...small, optimizers: ['tilt'], eta: [0, 1], valueFunction: { kind: 'quadratic', center: 0.6 }, seed: 12 });
  const vf = r.valueFunction;
  assert.ok(vf.flipProbability > 0.3);
  assert.ok(vf.shortfall > 0.1, `shortfall ${vf.shortfall}`);
  assert.ok(vf.interval[0] <= vf.predictedAgreement && vf.predictedAgreement <= vf.interval[1]);
  assert.deepEqual(r.outside, []);
});

test('best-of-n gain: E[max of n normals] matches the exact small-n values', () => {
  assert.ok(Math.abs(maxNormalMoments(1)[0]) < 1e-10);
  assert.ok(Math.abs(maxNormalMoments(2)[0] - 1 / Math.sqrt(Math.PI)) < 1e-10);
  assert.ok(Math.abs(maxNormalMoments(3)[0] - 3 / (2 * Math.sqrt(Math.PI))) < 1e-10);
  assert.ok(Math.abs(maxNormalMoments(2)[1] - 1) < 1e-10, 'E[max(Z1, Z2)²] = 1');
});

test('sample complexity: 1 − cos(ŵ, v_c) falls like 1/N with the predicted constant', () => {
  // d = 16 so that each fit's angle error averages 15 orthogonal directions (d = 3 would need many more seeds).
  const e = (i: number) => Array.from({ length: 16 }, (_, j) => (j === i ? 1 : 0));
  const geometry = validateGeometry(
    { dim: 16, trueValue: e(0), generation: e(1), encoded: [{ name: 'a', vector: e(0).map((x, j) => 0.8 * x + (j === 2 ? 0.6 : 0)) }], constitution: { name: 'c', basis: ['a'], readout: 'a' } },
    'sample-complexity',
  );
  const r = runSampleComplexity(geometry, { grid: [300, 3000, 30000], seeds: 5, seed: 1, lambda: 2, positionBias: 0, debias: false, l2: 1e-3, level: 0.999 });
  assert.ok(Math.abs(r.rate.slopeN + 1) < 0.15, `slope ${r.rate.slopeN}`);
  assert.ok(r.rate.predictedConstant !== null && Math.abs(Math.log(r.rate.constant / r.rate.predictedConstant)) < 0.3);
  for (const row of r.rows) assert.equal(row.within, true, `N = ${row.pairs}`);
  // Σ = I: the constant is (d − 1)/g(λ).
  assert.ok(Math.abs(r.rate.predictedConstant! - 15 / r.rate.efficiency) < 1e-9);
});
