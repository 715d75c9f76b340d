import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? testFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('every property test is seeded: no test file calls fc.assert or fc.check outside test/helpers/property.ts', () => {
  const offenders = testFiles('test').filter(
    (path) => !path.endsWith(join('helpers', 'property.ts')) && /\bfc\.(assert|check)\(/.test(readFileSync(path, 'utf8')),
  );
  assert.deepEqual(offenders, []);
});
