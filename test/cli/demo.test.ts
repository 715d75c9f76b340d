// `lvh demo` end to end on the shipped defaults: every step's numbers, the report, and a seeded rerun.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

/** A demo summary with wall-clock fields removed, for byte comparison of two runs. */
function withoutTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimes);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'seconds' || k === 'resumed' || k === 'computed') continue;
      out[k] = withoutTimes(v);
    }
    return out;
  }
  return value;
}

/** The parts of demo.json this test reads. */
interface DemoSummary {
  theory: Record<string, { alignment: { generation: number }; peak: { eta: number } }>;
  simulation: { checks: unknown[]; outside: string[] };
  sweep: { cells: number; complete: boolean; resumed: number };
  organism: {
    probe: Record<string, { accuracy: number }>;
    judgment: Record<string, { accuracy: number; prefersHarmful: number }>;
    generation: { harmfulComplianceRate: number };
  };
}

test('lvh demo: theory, simulation, sweep and organism on the shipped defaults; a rerun gives the same numbers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-demo-'));
  try {
    const first = await runCli(['demo', '--out', dir, '--json']);
    assert.equal(first.code, 0, first.stderr);
    const summary = JSON.parse(first.stdout) as DemoSummary;
    const written = JSON.parse(readFileSync(join(dir, 'demo.json'), 'utf8')) as unknown;
    assert.deepEqual(withoutTimes(written), withoutTimes(summary));

    // 1. Theory: the overshoot example of THEORY.md.
    const overshoot = summary.theory['overshoot.json'];
    assert.ok(Math.abs(overshoot.alignment.generation - 0.563) < 1e-3);
    assert.ok(Math.abs(overshoot.peak.eta - 1.376) < 1e-3);
    assert.equal(Object.keys(summary.theory).length, 9);

    // 2. Simulation: most predictions inside their 95% intervals (46 checks; 2.3 outside expected by chance).
    assert.ok(summary.simulation.checks.length >= 40);
    assert.ok(summary.simulation.outside.length <= 6, `outside: ${summary.simulation.outside.join(', ')}`);

    // 3. Sweep: the whole grid, with its report.
    assert.equal(summary.sweep.cells, 160);
    assert.equal(summary.sweep.complete, true);

    // 4. The default organism shows the acceptance numbers of issue #5.
    const org = summary.organism;
    assert.ok(Math.max(...Object.values(org.probe).map((p) => p.accuracy)) >= 0.95);
    assert.ok(org.judgment.harmless.accuracy >= 0.85);
    assert.ok(org.judgment.cruel.prefersHarmful >= 0.7);
    assert.ok(org.generation.harmfulComplianceRate > 0.05);

    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.equal((html.match(/<h2>/g) ?? []).length, 4);
    assert.ok(html.includes('<svg'));
    assert.ok(!/(src|href)="https?:/.test(html), 'the report makes no network references');

    const second = await runCli(['demo', '--out', dir, '--json']);
    assert.equal(second.code, 0, second.stderr);
    const again = JSON.parse(second.stdout) as DemoSummary;
    assert.equal(again.sweep.resumed, 160, 'the rerun resumes the finished sweep');
    assert.deepEqual(withoutTimes(again), withoutTimes(summary));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
