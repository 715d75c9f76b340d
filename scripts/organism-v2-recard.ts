// Re-renders the card (README.md) of trained v2 models from their organism.json and eval.json, keeping the recorded wall time:
//   npx tsx scripts/organism-v2-recard.ts models/organism-default models/ladder/*-s[123]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { v2Card } from '../src/organism/v2/card.js';
import { writeFileAtomic } from '../src/util/atomic.js';

/** Stops with one line naming the file and what it should hold (exit 2). */
function bad(file: string, what: string): never {
  console.error(`${file}: ${what}`);
  process.exit(2);
}

for (const dir of process.argv.slice(2)) {
  for (const f of ['README.md', 'organism.json', 'eval.json']) if (!existsSync(join(dir, f))) bad(join(dir, f), 'missing: expected a v2 model folder written by lvh organism train');
  const m = /wall time of the command: ([0-9.]+) s/.exec(readFileSync(join(dir, 'README.md'), 'utf8'));
  if (!m) bad(join(dir, 'README.md'), 'field "wall time of the command": expected a v2 model card written by lvh organism train');
  const rec = JSON.parse(readFileSync(join(dir, 'organism.json'), 'utf8'));
  if (rec.world !== 'v2') bad(join(dir, 'organism.json'), `field "world": expected "v2", got ${JSON.stringify(rec.world)}`);
  writeFileAtomic(join(dir, 'README.md'), v2Card(rec, Number(m[1]), JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8'))));
}
