#!/usr/bin/env node
// `lvh simulate` against ../shared/bench/numpy_simulate_ref.py (run by `npm run bench` after the build): alternating pairs
// at d = 256 and 512 with stage timings side by side, then d = 1024 once. Arguments pass through to `lvh bench simulate`.
import { existsSync } from 'node:fs';
import { run } from '../../dist/cli/bench-simulate.js';

if (!existsSync(new URL('../../../shared/bench/numpy_simulate_ref.py', import.meta.url))) {
  console.log('simulate: ../shared/bench/numpy_simulate_ref.py not found; skipping');
  process.exit(0);
}
process.exitCode = await run(process.argv.slice(2));
