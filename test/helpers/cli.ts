// Runs the lvh CLI in-process (capturing console output) or as a real child process, for CLI tests.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

/** The outcome of one CLI run: exit code and everything written to stdout and stderr. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `lvh <args>` in this process, capturing console.log/info (stdout) and console.error/warn (stderr). */
export async function runCli(args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { log: console.log, info: console.info, error: console.error, warn: console.warn };
  const capture = (sink: string[]) => (...parts: unknown[]) => {
    sink.push(parts.map(String).join(' ') + '\n');
  };
  console.log = capture(out);
  console.info = capture(out);
  console.error = capture(err);
  console.warn = capture(err);
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    Object.assign(console, saved);
  }
}

const mainModule = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Runs `lvh <args>` as a real Node process through tsx (end to end: the actual exit code). */
export function spawnCli(args: string[]): CliResult {
  const script = `import(${JSON.stringify(mainModule)}).then((m) => m.main(${JSON.stringify(args)})).then((c) => { process.exitCode = c; });`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Asserts the contract for user-caused errors: exit 2, exactly one stderr line matching `pattern`. */
export function assertRefused(r: CliResult, pattern: RegExp, label: string): void {
  assert.equal(r.code, 2, `${label}: exit ${r.code}\n${r.stdout.slice(0, 300)}${r.stderr}`);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, `${label}: ${r.stderr}`);
  assert.match(r.stderr, pattern, label);
}
