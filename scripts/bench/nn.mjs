#!/usr/bin/env node
// Neural-engine throughput (run by `npm run bench` after the build): forward and training tokens/s of small GPT-2 configs.
import { run } from '../../dist/cli/bench-nn.js';

process.exitCode = await run(process.argv.slice(2));
