/**
 * `npm run bench`: runs every benchmark in turn (each in its own process so thread pools and
 * memory do not interfere) and prints their output. Not a test: it measures and prints ratios.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benches = ['engine.js', 'audio.js', 'vocoder.js'];
let failed = 0;
for (const b of benches) {
  const file = join(here, b);
  if (!existsSync(file)) continue;
  console.log(`\n===== ${b.replace('.js', '')} =====`);
  const r = spawnSync(process.execPath, [file, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) { failed++; console.error(`${b} exited with ${r.status ?? r.signal}`); }
}
process.exit(failed ? 1 : 0);
