// Shared helpers of the sweep tests: temporary folders and small specs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateSweepSpec, type SweepSpec } from '../../src/simulate/sweep/index.js';

/** A fresh temporary folder; `cleanup()` removes it. */
export function tempDir(prefix = 'lvh-sweep-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A small theory-only spec (fast: milliseconds per cell) with overrides. */
export function smallSpec(overrides: Record<string, unknown> = {}): SweepSpec {
  return validateSweepSpec(
    {
      name: 'small',
      seeds: [1, 2],
      dims: [8],
      capacity: { sigma0: 2, alpha: 0.5, ladder: [1, 10, 100] },
      harmful: { p: [0, 0.5, 1] },
      constitutions: ['pro-social', 'neutral', 'adversarial', { mixture: 0.5 }],
      eta: [0, 1, 4, 16],
      ...overrides,
    },
    'test-spec',
  );
}
