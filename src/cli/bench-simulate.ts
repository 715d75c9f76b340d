// `lvh bench simulate`: `lvh simulate` against ../shared/bench/numpy_simulate_ref.py on random geometries, alternating.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberFlag, numberListFlag, parseCommandArgs } from '../util/args.js';
import { InputError } from '../util/errors.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEFAULT_REFERENCE = join(ROOT, '..', 'shared', 'bench');
const STAGES = ['pairs+judge', 'fit', 'covariance+draws', 'tilt', 'best-of-n', 'pg'];

const HELP = `usage: lvh bench simulate [--pairs K] [--dims LIST] [--big D] [--no-big] [--reference DIR] [--python PATH] [--json]

Times the whole process of \`lvh simulate GEOMETRY\` (its defaults: 20,000 pairs, 400 bootstrap draws, tilt,
best-of-n 1..32, policy gradient) against numpy_simulate_ref.py (the same pipeline in numpy) on geometries from
make_geometry.py, alternating ours and numpy K times at each dimension, and prints every run, each stage's
seconds side by side (medians), the paired ratios ours/numpy with their median, and the load average before
each pair (the machine may be shared: alternating pairs keep the ratio fair). Then runs ours (and numpy) once at
the big dimension and reports its time. Ours runs as \`node bin/lvh.js simulate\` (the build in dist/:
\`npm run bench simulate\` builds first).
  --pairs K        alternating pairs per dimension (default 5)
  --dims LIST      dimensions of the paired runs (default 256,512)
  --big D          the dimension run once (default 1024); --no-big skips it
  --reference DIR  folder of numpy_simulate_ref.py and make_geometry.py (default ../shared/bench of the checkout)
  --python PATH    the Python with numpy (default /usr/bin/python3 when present, else python3)
  --json           one JSON object on stdout instead of the table`;

/** One timed process: its wall seconds (spawn to exit) and the stage seconds it reported. */
interface Timed {
  seconds: number;
  stages: Record<string, number>;
}

/** What `--json` prints for one dimension. */
interface DimensionResult {
  dim: number;
  runs: Array<{ ours: Timed; numpy: Timed | null; ratio: number | null; load1: number }>;
  medianRatio: number | null;
  ratioRange: [number, number] | null;
  medianStages: { ours: Record<string, number>; numpy: Record<string, number> | null };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function spawnTimed(cmd: string, args: string[]): { wall: number; stdout: string; stderr: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw new Error(`bench simulate: could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`bench simulate: ${cmd} ${args.join(' ')} exited with ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { wall, stdout: r.stdout, stderr: r.stderr };
}

function lastJsonLine(text: string, what: string): Record<string, unknown> {
  const line = text.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`bench simulate: ${what} printed no JSON line`);
  }
}

function ours(geometry: string): Timed {
  const r = spawnTimed(process.execPath, [join(ROOT, 'bin', 'lvh.js'), 'simulate', geometry, '--json', '--timings']);
  const stages = lastJsonLine(r.stderr, 'lvh simulate --timings').stages as Record<string, number>;
  return { seconds: r.wall, stages };
}

function numpy(python: string, reference: string, geometry: string): Timed {
  const r = spawnTimed(python, [join(reference, 'numpy_simulate_ref.py'), geometry]);
  const stages = lastJsonLine(r.stdout, 'numpy_simulate_ref.py').stages as Record<string, number>;
  return { seconds: r.wall, stages };
}

const fmt = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined ? '-' : x.toFixed(digits));

function medianStages(list: Timed[]): Record<string, number> {
  return Object.fromEntries(STAGES.map((s) => [s, median(list.map((t) => t.stages[s] ?? 0))]));
}

/** Runs `lvh bench simulate`. */
export async function run(args: string[]): Promise<number> {
  const cmd = 'bench simulate';
  const parsed = parseCommandArgs(cmd, args, {
    pairs: { type: 'string' },
    dims: { type: 'string' },
    big: { type: 'string' },
    'no-big': { type: 'boolean' },
    reference: { type: 'string' },
    python: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const values = parsed.values as Record<string, string | undefined> & { 'no-big'?: boolean; json?: boolean; help?: boolean };
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const pairs = numberFlag(cmd, 'pairs', values.pairs, 5, { min: 1, max: 100, integer: true });
  const dims = values.dims === undefined ? [256, 512] : numberListFlag(cmd, 'dims', values.dims, { min: 2, max: 4096, integer: true });
  const big = values['no-big'] ? null : numberFlag(cmd, 'big', values.big, 1024, { min: 2, max: 4096, integer: true });
  const reference = values.reference ?? DEFAULT_REFERENCE;
  for (const f of ['make_geometry.py', 'numpy_simulate_ref.py']) {
    if (!existsSync(join(reference, f))) throw new InputError('lvh bench simulate', '--reference', `expected a folder holding ${f} (../shared/bench), got ${reference}`);
  }
  const python = values.python ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const say = (line: string): void => {
    if (!values.json) console.log(line);
  };
  const work = mkdtempSync(join(tmpdir(), 'lvh-bench-simulate-'));
  try {
    const geometryOf = (d: number): string => {
      const file = join(work, `g${d}.json`);
      if (!existsSync(file)) spawnTimed(python, [join(reference, 'make_geometry.py'), String(d), file]);
      return file;
    };
    const uptime = (): string => {
      const r = spawnSync('uptime', [], { encoding: 'utf8' });
      return r.status === 0 ? r.stdout.trim() : `load average ${loadavg().map((x) => x.toFixed(2)).join(', ')}`;
    };
    say(`bench simulate: lvh simulate GEOMETRY (defaults) vs numpy_simulate_ref.py, ${pairs} alternating pairs at d = ${dims.join(', ')}; ${python}`);
    say(`  load at start: ${uptime()}`);
    const results: DimensionResult[] = [];
    for (const d of dims) {
      const geometry = geometryOf(d);
      const runs: DimensionResult['runs'] = [];
      for (let i = 0; i < pairs; i++) {
        const load1 = loadavg()[0];
        const a = ours(geometry);
        const b = numpy(python, reference, geometry);
        runs.push({ ours: a, numpy: b, ratio: a.seconds / b.seconds, load1 });
        say(`  d=${d} pair ${i + 1}: ours ${fmt(a.seconds, 2)} s, numpy ${fmt(b.seconds, 2)} s, ratio ${fmt(a.seconds / b.seconds)} (1-min load ${load1.toFixed(2)})`);
      }
      const ratios = runs.map((r) => r.ratio!);
      const result: DimensionResult = {
        dim: d,
        runs,
        medianRatio: median(ratios),
        ratioRange: [Math.min(...ratios), Math.max(...ratios)],
        medianStages: { ours: medianStages(runs.map((r) => r.ours)), numpy: medianStages(runs.map((r) => r.numpy!)) },
      };
      results.push(result);
      const row = (label: string, cells: string[]): string => `    ${label.padEnd(8)}${cells.map((c) => c.padStart(18)).join('')}`;
      say(`  d=${d}, median seconds:`);
      say(row('', [...STAGES, 'whole process']));
      say(row('ours', [...STAGES.map((s) => fmt(result.medianStages.ours[s])), fmt(median(runs.map((r) => r.ours.seconds)))]));
      say(row('numpy', [...STAGES.map((s) => fmt(result.medianStages.numpy![s])), fmt(median(runs.map((r) => r.numpy!.seconds)))]));
      say(`  d=${d}: median ratio ours/numpy ${fmt(result.medianRatio)} over ${pairs} pairs (min ${fmt(result.ratioRange![0])}, max ${fmt(result.ratioRange![1])}); ${result.medianRatio! <= 1 ? 'at least as fast as numpy' : 'slower than numpy'}`);
    }
    let bigResult: { dim: number; ours: Timed; numpy: Timed; load1: number } | null = null;
    if (big !== null) {
      const geometry = geometryOf(big);
      const load1 = loadavg()[0];
      const a = ours(geometry);
      const b = numpy(python, reference, geometry);
      bigResult = { dim: big, ours: a, numpy: b, load1 };
      say(`  d=${big} (once): ours ${fmt(a.seconds, 2)} s, numpy ${fmt(b.seconds, 2)} s, ratio ${fmt(a.seconds / b.seconds)} (1-min load ${load1.toFixed(2)})`);
      say(`    ours stages  ${STAGES.map((s) => `${s} ${fmt(a.stages[s])}`).join(', ')}`);
      say(`    numpy stages ${STAGES.map((s) => `${s} ${fmt(b.stages[s])}`).join(', ')}`);
    }
    say(`  load at end: ${uptime()}`);
    if (values.json) console.log(JSON.stringify({ pairs, dims: results, big: bigResult, loadAtEnd: loadavg() }));
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
