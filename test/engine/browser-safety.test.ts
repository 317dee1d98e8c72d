// The engine core must run in a browser: no static Node-only imports outside the files meant for Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const NODE_ONLY = new Set(['checkpoint.ts', 'node.ts']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? (n === 'assembly' ? [] : files(p)) : p.endsWith('.ts') ? [p] : [];
  });
}

test('engine core has no static node: imports', () => {
  const offenders: string[] = [];
  for (const f of files('src/engine')) {
    if (NODE_ONLY.has(f.split('/').pop()!)) continue;
    const src = readFileSync(f, 'utf8');
    // Static `import ... from 'node:x'` / bare builtins; dynamic import() behind detection is allowed.
    if (/^\s*import[^;(]*from\s+['"](node:|fs['"]|path['"]|worker_threads['"]|os['"])/m.test(src)) offenders.push(f);
    if (/\brequire\(/.test(src)) offenders.push(`${f} (require)`);
  }
  assert.deepEqual(offenders, [], `Node-only imports in browser-safe engine files: ${offenders.join(', ')}`);
});
