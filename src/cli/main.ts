import { isInputError } from '../util/errors.js';

/** A CLI command: takes its arguments (after the command name) and resolves to an exit code. */
export type Command = (args: string[]) => Promise<number>;

interface CommandEntry {
  summary: string;
  load: () => Promise<{ run: Command }>;
}

// Commands load lazily so that `lvh theory` never pays for the neural engine's start-up.
const commands: Record<string, CommandEntry> = {
  theory: { summary: 'exact quantities of the latent value hypothesis for a geometry file', load: () => import('./theory.js') },
  simulate: { summary: 'Monte-Carlo RLAIF in the linear model, against the theory', load: () => import('./simulate.js') },
  sweep: { summary: 'grids of simulations from a spec file, resumable, with an HTML report', load: () => import('./sweep.js') },
  bench: { summary: 'benchmark workloads (reward-fit, nn)', load: () => import('./bench.js') },
  inspect: { summary: 'tokens, next-token logits and residual streams of a model directory', load: () => import('./inspect.js') },
  generate: { summary: 'sample a continuation from a model directory', load: () => import('./generate.js') },
  organism: { summary: 'the model organism: corpus, train, eval', load: () => import('./organism.js') },
  demo: { summary: 'the main job end to end on the shipped defaults', load: () => import('./demo.js') },
};

/** Usage text listing every command. */
export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: lvh <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun \`lvh <command> --help\` for a command's options.`;
}

/** Runs the CLI with `argv` (without node and script); returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const entry = commands[name];
  if (!entry) {
    console.error(`lvh: unknown command "${name}"; expected one of ${Object.keys(commands).join(', ')}`);
    return 2;
  }
  try {
    const { run } = await entry.load();
    return await run(rest);
  } catch (err) {
    if (isInputError(err)) {
      // Flag errors already name the command (`lvh simulate: --pairs: ...`); file errors get it in front.
      const message = (err as Error).message;
      console.error(message.startsWith(`lvh ${name}`) ? message : `lvh ${name}: ${message}`);
      return 2;
    }
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    return 1;
  }
}
