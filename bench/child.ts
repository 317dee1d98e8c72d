/**
 * Shared by the benchmarks that measure each thread count in a child process of their own (so
 * worker pools and memory do not interfere): run the child, echo its output line by line as it
 * comes, and hand back its figures, the last line it prints that is a JSON object.
 */
import { spawn } from 'node:child_process';

/**
 * Runs `script args` with `env` added; resolves to the child's figures, or null (with a message
 * naming `label`) when it fails or prints none.
 * @example const figures = await runBenchChild<{ rtf: number }>(self, [], { CHILD: '2' }, 'synth bench child (2 threads)');
 */
export function runBenchChild<T>(script: string, args: readonly string[], env: Record<string, string>, label: string): Promise<T | null> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let pending = '', figures = '';
    const take = (line: string): void => { if (line.startsWith('{')) figures = line; else console.log(line); };
    p.stdout.on('data', (d: Buffer) => {
      const lines = (pending + d.toString()).split('\n');
      pending = lines.pop()!;
      lines.forEach(take);
    });
    p.on('close', (code) => {
      if (pending) take(pending);
      if (code !== 0) { console.error(`${label} exited with ${code}`); resolve(null); return; }
      try { resolve(JSON.parse(figures) as T); } catch { resolve(null); }
    });
  });
}
