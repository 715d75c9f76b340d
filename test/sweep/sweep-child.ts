// Runs the lvh CLI from the TypeScript sources in a child process (the resume test kills it mid-run).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
