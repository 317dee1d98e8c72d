/**
 * `npm run bench`: runs every benchmark in turn (each in its own process so thread pools and
 * memory do not interfere) and prints their output. Not a test: it measures and prints ratios.
 *
 * Each benchmark may end with one JSON line of figures; the last line printed here is all of them
 * merged into one JSON object (a key two benchmarks share is prefixed with the later one's name).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benches = ['engine.js', 'audio.js', 'vocoder.js', 'synth.js'];

/** Runs one benchmark, echoing its output live; resolves to its exit code and last output line. */
function runBench(file: string): Promise<{ code: number | null; lastLine: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [file, ...process.argv.slice(2)], { stdio: ['inherit', 'pipe', 'inherit'] });
    let tail = '';
    p.stdout.on('data', (d: Buffer) => {
      process.stdout.write(d);
      tail = (tail + d.toString()).slice(-100_000);
    });
    p.on('close', (code) => resolve({ code, lastLine: tail.trim().split('\n').at(-1) ?? '' }));
  });
}

let failed = 0;
const merged: Record<string, unknown> = {};
for (const b of benches) {
  const file = join(here, b);
  if (!existsSync(file)) continue;
  const name = b.replace('.js', '');
  console.log(`\n===== ${name} =====`);
  const r = await runBench(file);
  if (r.code !== 0) { failed++; console.error(`${b} exited with ${r.code}`); }
  try {
    const figures = JSON.parse(r.lastLine) as unknown;
    if (figures && typeof figures === 'object' && !Array.isArray(figures)) {
      for (const [k, v] of Object.entries(figures)) merged[k in merged ? `${name}_${k}` : k] = v;
    }
  } catch { /* this benchmark prints no JSON summary */ }
}
console.log(JSON.stringify(merged));
process.exit(failed ? 1 : 0);
