/**
 * Typed wrappers of the counter-based random kernels (assembly/random.ts). Element i depends only
 * on (seed, offset + i), whatever the thread count; use a fresh seed (or advance offset by n) for
 * each new draw.
 */
import type { KernelRunner } from './runner.js';
import { checkPtr, checkSize } from './elementwise.js';

function checkSeed(seed: number, offset: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be a u32, got ${seed}`);
  if (!Number.isInteger(offset) || offset < 0 || offset > 0xffffffff) throw new RangeError(`offset must be a u32, got ${offset}`);
}

/** out[i] = lo + (hi − lo)·u, u uniform in [0, 1) (24 bits). */
export function randUniform(runner: KernelRunner, n: number, out: number, lo: number, hi: number, seed: number, offset = 0): void {
  checkSize('n', n); checkSeed(seed, offset);
  if (n === 0) return;
  checkPtr('out', out);
  runner.run('rand_uniform_f32', [n, out, lo, hi, seed, offset], 10 * n);
}

/** out[i] = mean + std·z, z standard normal (Box–Muller). */
export function randNormal(runner: KernelRunner, n: number, out: number, mean: number, std: number, seed: number, offset = 0): void {
  checkSize('n', n); checkSeed(seed, offset);
  if (n === 0) return;
  checkPtr('out', out);
  runner.run('rand_normal_f32', [n, out, mean, std, seed, offset], 60 * n);
}
