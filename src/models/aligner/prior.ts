/**
 * Beta-binomial alignment prior ("One TTS Alignment To Rule Them All", Badlani et al. 2022, §3.2):
 * for frame i of F (1-based), the probability of text position k of T is the beta-binomial pmf
 * BetaBinom(k; n = T − 1, α = ω·i, β = ω·(F + 1 − i)). Its mode walks along the diagonal, so it
 * pulls the early soft attention towards a monotonic path and speeds convergence a lot.
 *
 * RAD-TTS's reference code uses n = T with k < T, so its rows miss the k = T mass and do not quite
 * sum to 1; we use n = T − 1 so every row is a distribution over exactly the T text positions.
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * ln of the prior, row-major [F, T] (frame-major, like the attention logits). Entries are
 * ln(p + 1e-8), as RAD-TTS adds log(prior + 1e-8), so far-off-diagonal cells are ≈ −18.4, not −∞.
 */
export function betaBinomialLogPrior(textLength: number, frames: number, scaling = 1): Float32Array {
  const T = textLength, F = frames;
  if (!(Number.isInteger(T) && T >= 1 && Number.isInteger(F) && F >= 1)) throw new RangeError(`prior: text length and frames must be positive integers, got ${T}, ${F}`);
  const out = new Float32Array(F * T);
  const n = T - 1;
  const logChoose = new Float64Array(T);
  for (let k = 0; k < T; k++) logChoose[k] = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
  for (let i = 1; i <= F; i++) {
    const a = scaling * i, b = scaling * (F + 1 - i);
    const lb = logBeta(a, b);
    for (let k = 0; k < T; k++) {
      const p = Math.exp(logChoose[k]! + logBeta(k + a, n - k + b) - lb);
      out[(i - 1) * T + k] = Math.log(p + 1e-8);
    }
  }
  return out;
}

/** Caches prior matrices by (T, F, scaling): batches of similar lengths reuse them. */
export class PriorCache {
  private readonly map = new Map<string, Float32Array>();
  constructor(private readonly maxEntries = 4096) {}

  get(textLength: number, frames: number, scaling = 1): Float32Array {
    const key = `${textLength}x${frames}x${scaling}`;
    let p = this.map.get(key);
    if (!p) {
      if (this.map.size >= this.maxEntries) this.map.delete(this.map.keys().next().value!);
      p = betaBinomialLogPrior(textLength, frames, scaling);
      this.map.set(key, p);
    }
    return p;
  }

  /**
   * The padded batch prior [B, F, T] (row-major): item b's [F_b, T_b] matrix in the top-left
   * corner, 0 elsewhere (padding is masked in the logits instead).
   */
  batch(textLengths: ArrayLike<number>, melLengths: ArrayLike<number>, maxText: number, maxFrames: number, scaling = 1): Float32Array {
    const B = textLengths.length;
    const out = new Float32Array(B * maxFrames * maxText);
    for (let b = 0; b < B; b++) {
      const T = textLengths[b]!, F = melLengths[b]!;
      const p = this.get(T, F, scaling);
      for (let f = 0; f < F; f++) out.set(p.subarray(f * T, (f + 1) * T), (b * maxFrames + f) * maxText);
    }
    return out;
  }
}
