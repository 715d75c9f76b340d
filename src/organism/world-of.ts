/** Which organism world a model directory belongs to (engine-free): `organism.json`'s `world`, v1 without the file. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../util/errors.js';
import { parseJsonStrict } from '../util/json.js';
import { INPUT_LIMITS, readInputText } from '../util/read-input.js';

/** The organism worlds. */
export type OrganismWorld = 'v1' | 'v2';

/** The parsed `organism.json` of a directory (an object), or undefined when there is none. */
export function readOrganismRecord(dir: string): Record<string, unknown> | undefined {
  const file = join(dir, 'organism.json');
  if (!existsSync(file)) return undefined;
  const raw = parseJsonStrict(readInputText(file, { what: 'an organism record ({"world": "v1"|"v2", ...})', maxBytes: INPUT_LIMITS.text }), file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(file, 'organism.json', 'expected a JSON object with a "world" field');
  return raw as Record<string, unknown>;
}

/** Whether training stages asked judgment words as questions (a stage whose corpus has `judgmentShare` > 0). */
export function stagesAskJudgingWords(stages: readonly unknown[]): boolean {
  return stages.some((s) => {
    const share = (s as { corpus?: { judgmentShare?: unknown } } | null)?.corpus?.judgmentShare;
    return typeof share === 'number' && share > 0;
  });
}

/** Whether a model directory's recorded stages (`organism.json`) asked judgment words as questions. */
export function askedJudgingWords(dir: string): boolean {
  const stages = readOrganismRecord(dir)?.stages;
  return Array.isArray(stages) && stagesAskJudgingWords(stages);
}

/** The world of a model directory: `organism.json`'s `world` ("v1" or "v2"), v1 when there is no such file. */
export function organismWorld(dir: string): OrganismWorld {
  const record = readOrganismRecord(dir);
  if (record === undefined) return 'v1';
  const world = record.world;
  if (world !== 'v1' && world !== 'v2') throw new InputError(join(dir, 'organism.json'), 'world', `expected "v1" or "v2", got ${JSON.stringify(world) ?? 'nothing'}`);
  return world;
}
