import { readFileSync } from 'node:fs';
import { closest } from '../util/args.js';
import { fsInputError, isFsError, isInputError } from '../util/errors.js';

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
  score: { summary: 'log-probabilities of candidate continuations (JSONL), batched', load: () => import('./score.js') },
  lab: { summary: 'the model lab: refusal direction, probes, directions as safetensors/GGUF (run folder, report)', load: () => import('./lab.js') },
  audit: { summary: 'audit constitutions on an organism model: activated direction, RLAIF prediction, verdict', load: () => import('./audit.js') },
  demo: { summary: 'the main job end to end on the shipped defaults', load: () => import('./demo.js') },
};

/** Usage text listing every command. */
export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: lvh <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun \`lvh <command> --help\` for a command's options; \`lvh --version\` prints the version.`;
}

/** The package's version, from package.json (two folders up from src/cli and from dist/cli alike). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** Runs the CLI with `argv` (without node and script); returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    console.log(`lvh ${version()}`);
    return 0;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!entry) {
    const guess = closest(name, Object.keys(commands));
    console.error(`lvh: unknown command "${oneLine(name)}"${guess ? ` (did you mean ${guess}?)` : ''}; expected one of ${Object.keys(commands).join(', ')}`);
    return 2;
  }
  try {
    const { run } = await entry.load();
    return await run(rest);
  } catch (err) {
    // A file-system error that escaped a command (a write into a full or read-only place) is the user's to fix.
    const input = isFsError(err) ? fsInputError(err) : err;
    if (isInputError(input)) {
      // Flag errors already name the command (`lvh simulate: --pairs: ...`); file errors get it in front.
      const message = oneLine(input.message);
      console.error(message.startsWith(`lvh ${name}`) ? message : `lvh ${name}: ${message}`);
      return 2;
    }
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    return 1;
  }
}

/** The message on one line: the CLI's contract for exit 2. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
