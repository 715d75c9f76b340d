#!/usr/bin/env node
// npm run fuzz: the suite's fuzz tests (test/fuzz) at LVH_FUZZ_RUNS cases per parser (default 10,000), with totals.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const runs = process.env.LVH_FUZZ_RUNS ?? '10000';
const files = readdirSync('test/fuzz').filter((f) => f.endsWith('.test.ts')).sort().map((f) => join('test/fuzz', f));
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  env: { ...process.env, LVH_FUZZ_RUNS: runs },
  encoding: 'utf8',
  maxBuffer: 1 << 28,
});
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
const totals = { cases: 0, accepted: 0, clean: 0, crashes: 0, silent: 0, hangs: 0 };
const lines = result.stdout.split('\n').filter((l) => /fuzz [^:]+: \d+ cases/.test(l));
for (const line of lines) {
  const m = /(\d+) cases, (\d+) accepted, (\d+) clean, (\d+) crashes, (\d+) silent, (\d+) hangs/.exec(line);
  if (!m) continue;
  const [, cases, accepted, clean, crashes, silent, hangs] = m.map(Number);
  Object.assign(totals, {
    cases: totals.cases + cases, accepted: totals.accepted + accepted, clean: totals.clean + clean,
    crashes: totals.crashes + crashes, silent: totals.silent + silent, hangs: totals.hangs + hangs,
  });
}
console.log(`\nfuzz totals (${lines.length} parsers, ${runs} runs each): ${totals.cases} cases, ${totals.accepted} accepted, ${totals.clean} clean (exit 2), ${totals.crashes} crashes, ${totals.silent} silent acceptances, ${totals.hangs} hangs`);
process.exit(result.status ?? 1);
