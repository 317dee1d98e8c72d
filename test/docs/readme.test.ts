// The README's engine example must run as written (with the package name mapped to the build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

test('README engine example runs and learns', () => {
  const readme = readFileSync('README.md', 'utf8');
  const block = /```ts\n(import \* as E from 'clip-tts\/engine';[\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has the engine example');
  const engineUrl = pathToFileURL(resolve('dist/src/engine/index.js')).href;
  const dir = mkdtempSync(join(tmpdir(), 'clip-tts-readme-'));
  try {
    const file = join(dir, 'example.mjs');
    writeFileSync(file, block[1]!.replace("'clip-tts/engine'", `'${engineUrl}'`));
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const m = /final loss ([\d.e-]+)/.exec(r.stdout);
    assert.ok(m, `unexpected output: ${r.stdout}`);
    assert.ok(Number(m[1]) < 1e-3, `the example should fit its two points, got loss ${m[1]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
