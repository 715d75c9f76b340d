#!/usr/bin/env node
// The `lvh` command: runs the compiled CLI (`npm run build` writes dist/).
import { main } from '../dist/cli/main.js';

// A reader that stops early (`lvh theory g.json | head -1`) closes the pipe: stop quietly, as other tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
