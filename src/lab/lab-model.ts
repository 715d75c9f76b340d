/**
 * Which organism world a model directory belongs to, and the lab's data for it. A v2 organism carries
 * `organism.json` `{"world": "v2", ...}`; a directory without it is read as a v1 organism (its tokenizer must hold
 * the v1 world's vocabulary); anything else is not an organism, and the lab's library functions take the user's
 * own token-id data for it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as nn from '../nn/engine.js';
import { InputError } from '../util/errors.js';
import { organismWorld, type OrganismWorld } from '../organism/world-of.js';
import type { QuantitiesData } from './quantities.js';
import type { RefusalData } from './refusal.js';
import { worldQuantitiesData, worldRefusalData } from './world-data.js';
import { worldQuantitiesDataV2, worldRefusalDataV2 } from './world-data-v2.js';
import { worldSubspaceData, worldSubspaceDataV2, type SubspaceData } from './subspaces.js';

/** The organism worlds the lab knows. */
export type { OrganismWorld };

/** An organism model on the engine with its world and the lab's data sets for it. */
export interface LabModel {
  model: nn.EngineModel;
  world: OrganismWorld;
  refusal: RefusalData;
  quantities: QuantitiesData;
  /** Per-category prompts for the `subspaces` step. */
  subspaces: SubspaceData;
}

/** Loads an organism model directory of either world and builds its refusal and quantities data (seeded). */
export async function loadLabModel(dir: string, engine: nn.EngineOptions = {}, seed = 0): Promise<LabModel> {
  if (!existsSync(dir)) throw new InputError(dir, 'directory', 'expected an existing model directory (from `lvh organism train`)');
  const world = organismWorld(dir);
  if (world === 'v1') {
    const { loadOrganismModel } = await import('../organism/engine-model.js');
    const { model, organism } = await loadOrganismModel(dir, engine);
    return { model, world, refusal: worldRefusalData(organism.tokenizer, seed), quantities: worldQuantitiesData(organism.tokenizer, seed), subspaces: worldSubspaceData(organism.tokenizer, seed) };
  }
  const tokPath = join(dir, 'tokenizer.json');
  if (!existsSync(tokPath)) throw new InputError(dir, 'tokenizer.json', 'expected the v2 world tokenizer saved with the organism');
  const { model, tokenizer } = await nn.loadEngineModelDir(dir, engine);
  // The dialogue and judging templates' words must be single tokens of the model's vocabulary.
  for (const w of ['user', 'assistant', 'request', 'question', 'answer', 'a', 'b']) {
    if (tokenizer!.tokenToId(w) === undefined) throw new InputError(tokPath, 'model.vocab', `expected the v2 world vocabulary (word "${w}" missing)`);
  }
  return { model, world, refusal: worldRefusalDataV2(tokenizer!, seed), quantities: worldQuantitiesDataV2(tokenizer!, seed), subspaces: worldSubspaceDataV2(tokenizer!, seed) };
}
