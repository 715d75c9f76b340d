// The whole lab (`lvh lab`, resume, `lvh audit --labelled`) runs unchanged on a random-weight Llama/GQA fixture (test/lab/fixture-lab.ts).
import { test } from 'node:test';
import { checkLabOnFixture } from './fixture-lab.js';

test('lvh lab and lvh audit run unchanged on a random-weight Llama/GQA v2 fixture (every step, files, resume)', (t) => checkLabOnFixture(t, 'Llama/GQA'));
