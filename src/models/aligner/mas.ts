/**
 * Monotonic Alignment Search (Glow-TTS, Kim et al. 2020): the monotonic, non-skipping path through a
 * [F, T] log-attention matrix that maximises the summed log-probability, by dynamic programming
 * (O(F·T)). Each frame goes to exactly one token, tokens are visited in order, each at least once
 * (when F ≥ T): the path's per-token frame counts are the durations, summing to F.
 */

/**
 * Durations (frames per token) of the best monotonic path. `logAttn` holds row f (frame) at
 * offset + f·rowStride, column t = token. When F < T no path gives every token a frame; then the
 * frames are spread evenly (some tokens get 0), so the durations still sum to F.
 */
export function monotonicAlignmentSearch(logAttn: ArrayLike<number>, frames: number, tokens: number, rowStride = tokens, offset = 0): Int32Array {
  const F = frames, T = tokens;
  const durations = new Int32Array(T);
  if (T === 0) return durations;
  if (F < T) {
    for (let t = 0; t < T; t++) durations[t] = Math.floor(((t + 1) * F) / T) - Math.floor((t * F) / T);
    return durations;
  }
  const Q = new Float64Array(F * T).fill(-Infinity);
  Q[0] = logAttn[offset]!;
  for (let f = 1; f < F; f++) {
    const row = offset + f * rowStride;
    // Token t is reachable at frame f only if t ≤ f, and can still reach T − 1 only if t ≥ T − F + f.
    const lo = Math.max(0, T - F + f), hi = Math.min(T - 1, f);
    for (let t = lo; t <= hi; t++) {
      const stay = Q[(f - 1) * T + t]!;
      const advance = t > 0 ? Q[(f - 1) * T + t - 1]! : -Infinity;
      Q[f * T + t] = (stay > advance ? stay : advance) + logAttn[row + t]!;
    }
  }
  let t = T - 1;
  for (let f = F - 1; f >= 0; f--) {
    durations[t]!++;
    // Step back to the previous token when staying is impossible (t = f) or worse (Glow-TTS's rule).
    if (f > 0 && t > 0 && (t === f || Q[(f - 1) * T + t]! < Q[(f - 1) * T + t - 1]!)) t--;
  }
  return durations;
}

/** A [F, T] 0/1 matrix (row-major) from durations: frame f → the token whose span holds f. */
export function durationsToHardAttention(durations: ArrayLike<number>, frames: number, rowStride = durations.length, out?: Float32Array, offset = 0): Float32Array {
  const T = durations.length;
  const m = out ?? new Float32Array(frames * rowStride);
  let f = 0;
  for (let t = 0; t < T; t++) for (let k = 0; k < durations[t]!; k++, f++) if (f < frames) m[offset + f * rowStride + t] = 1;
  return m;
}
