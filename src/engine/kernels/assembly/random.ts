// Counter-based random fills: element i depends only on (seed, offset + i) — SplitMix64 evaluated
// at that counter (see vecmath.ts) — so any thread split gives identical tensors. Advance `offset`
// by n between calls with the same seed.
import { shareStart, at, randomBits, streamBase, uniform24 } from './vecmath';

/** out[i] = lo + (hi − lo)·u, u uniform in [0, 1) with 24 bits. */
export function rand_uniform_f32(n: i32, out: usize, lo: f32, hi: f32, seed: u32, offset: u32, tid: i32, nt: i32): void {
  const s = shareStart(n, tid, nt, 4);
  const e = shareStart(n, tid + 1, nt, 4);
  const base = streamBase(seed);
  const span = hi - lo;
  for (let i = s; i < e; i++) store<f32>(at(out, i), lo + span * uniform24(randomBits(base, <u64>offset + <u64>i)));
}

/** out[i] = mean + std·z, z standard normal by Box–Muller (cosine branch) from one 64-bit draw:
 *  u1 ∈ (0, 1] from the high 32 bits, u2 ∈ [0, 1) from the low 32 bits (|z| ≤ 6.66). */
export function rand_normal_f32(n: i32, out: usize, mean: f32, std: f32, seed: u32, offset: u32, tid: i32, nt: i32): void {
  const s = shareStart(n, tid, nt, 4);
  const e = shareStart(n, tid + 1, nt, 4);
  const base = streamBase(seed);
  const TWO_PI: f64 = 6.283185307179586;
  const INV_2_32: f64 = 1.0 / 4294967296.0;
  for (let i = s; i < e; i++) {
    const h = randomBits(base, <u64>offset + <u64>i);
    const u1 = (<f64>(<u32>(h >> 32)) + 1.0) * INV_2_32;
    const u2 = <f64>(<u32>h) * INV_2_32;
    const z = Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(TWO_PI * u2);
    store<f32>(at(out, i), <f32>(<f64>mean + <f64>std * z));
  }
}
