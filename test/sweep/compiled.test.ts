import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { runSweep, sweepPaths } from '../../src/simulate/sweep/index.js';
import { smallSpec, tempDir } from './helpers.js';

const root = resolve(import.meta.dirname, '../..');

// The CLI runs compiled JavaScript (dist/), where workers load worker.js; tests run the TypeScript sources, where
// workers bootstrap tsx. Compile the sweep to a temporary tree and check both give the same bytes.
test('compiled JavaScript runs the sweep on worker threads and writes the same bytes as the TypeScript sources', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const build = join(dir, 'build');
    const tsc = spawnSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '--outDir', build, '--rootDir', join(root, 'src'), '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--skipLibCheck', '--types', 'node', '--noCheck', join(root, 'src/simulate/sweep/index.ts')],
      { encoding: 'utf8' },
    );
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const spec = smallSpec();
    const script = `import { runSweep } from ${JSON.stringify(join(build, 'simulate/sweep/index.js'))};
const s = await runSweep(${JSON.stringify(spec)}, { out: ${JSON.stringify(join(dir, 'js'))}, workers: 2, quiet: true, report: false });
console.log(JSON.stringify(s));`;
    writeFileSync(join(dir, 'run.mjs'), script);
    const child = spawnSync(process.execPath, [join(dir, 'run.mjs')], { encoding: 'utf8', cwd: dir });
    assert.equal(child.status, 0, child.stderr);
    const summary = JSON.parse(child.stdout) as { complete: boolean; computed: number; workers: number };
    assert.deepEqual([summary.complete, summary.workers], [true, 2]);
    await runSweep(spec, { out: join(dir, 'ts'), workers: 0, quiet: true, report: false });
    assert.equal(readFileSync(sweepPaths(join(dir, 'js')).results, 'utf8'), readFileSync(sweepPaths(join(dir, 'ts')).results, 'utf8'));
  } finally {
    cleanup();
  }
});
