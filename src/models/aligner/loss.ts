/**
 * Forward-sum loss (RAD-TTS / "One TTS Alignment To Rule Them All" §3.1): the negative log of the total
 * probability of all monotonic alignments of the F frames to the T text tokens, computed exactly like
 * CTC with the text positions 1..T as the label sequence and a blank that absorbs frames no token
 * explains. As in RAD-TTS, a blank column with a fixed log-probability (−1) is prepended to the
 * attention log-probs and the log-softmax is taken over text + blank; per item the negative log-
 * likelihood is divided by T (torch CTC "mean" reduction) and items are averaged. Items with F < T
 * (no path exists) contribute 0, like torch's `zero_infinity=True`.
 *
 * Implementation choice: a custom autograd op with hand-written alpha/beta recursions in float64
 * over plain typed arrays, registered with `record()`. Expressed with engine ops the recursion would
 * be F sequential steps of ~6 small kernels each (≈ 5,000 kernel calls and tape nodes per batch of
 * 800-frame utterances); the direct recursion is O(B·F·T) scalar work (≈ 2·10⁶ cells per batch,
 * tens of milliseconds) and its gradient is exact: ∂(−ln P)/∂ln p[f, k] = −γ_f(k), the posterior
 * occupancy of column k at frame f.
 */
import { type Tensor, logSoftmax, maskedFill, pad, tensor } from '../../engine/index.js';

/** Log-probability given to padded text columns (finite, so no 0·∞ in gradients). */
const PADDED_LOG_PROB = -1e4;
import { record } from '../../engine/autograd.js';

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log(1 + Math.exp(b - a)) : b + Math.log(1 + Math.exp(a - b));
}

export interface ForwardSumItemResult {
  /** −ln P(text | frames), summed over all monotonic paths with blanks. +Infinity when F < T. */
  nll: number;
  /** ∂nll/∂logp[f, k] for f < F, k ≤ T (row stride `columns`), or null when nll is infinite. */
  grad: Float64Array | null;
}

/**
 * CTC forward-backward for one item over `logp` (row-major, row f at f·columns, column 0 = blank,
 * column j + 1 = text position j), F frames and T tokens, all labels distinct.
 */
export function forwardSumItem(logp: ArrayLike<number>, offset: number, columns: number, F: number, T: number, wantGrad = true): ForwardSumItemResult {
  const S = 2 * T + 1;
  if (F < T || T < 1 || F < 1) return { nll: Infinity, grad: null };
  // State s: even = blank (column 0), odd = token (s − 1)/2 (column (s + 1)/2).
  const col = (s: number): number => (s & 1 ? (s + 1) >> 1 : 0);
  const lp = (f: number, s: number): number => logp[offset + f * columns + col(s)]!;
  const alpha = new Float64Array(F * S).fill(-Infinity);
  alpha[0] = lp(0, 0);
  alpha[1] = lp(0, 1);
  for (let f = 1; f < F; f++) {
    const prev = (f - 1) * S, cur = f * S;
    // Only states still able to reach the end and reachable from the start can be non-zero.
    const lo = Math.max(0, S - 2 * (F - f) - 1), hi = Math.min(S - 1, 2 * f + 1);
    for (let s = lo; s <= hi; s++) {
      let a = alpha[prev + s]!;
      if (s >= 1) a = logAdd(a, alpha[prev + s - 1]!);
      if (s & 1 && s >= 3) a = logAdd(a, alpha[prev + s - 2]!);
      if (a !== -Infinity) alpha[cur + s] = a + lp(f, s);
    }
  }
  const last = (F - 1) * S;
  const logP = logAdd(alpha[last + S - 1]!, alpha[last + S - 2]!);
  if (logP === -Infinity) return { nll: Infinity, grad: null };
  if (!wantGrad) return { nll: -logP, grad: null };
  const beta = new Float64Array(F * S).fill(-Infinity);
  beta[last + S - 1] = lp(F - 1, S - 1);
  beta[last + S - 2] = lp(F - 1, S - 2);
  for (let f = F - 2; f >= 0; f--) {
    const next = (f + 1) * S, cur = f * S;
    const lo = Math.max(0, S - 2 * (F - f) - 1), hi = Math.min(S - 1, 2 * f + 1);
    for (let s = lo; s <= hi; s++) {
      let b = beta[next + s]!;
      if (s + 1 < S) b = logAdd(b, beta[next + s + 1]!);
      if (s & 1 && s + 2 < S) b = logAdd(b, beta[next + s + 2]!);
      if (b !== -Infinity) beta[cur + s] = b + lp(f, s);
    }
  }
  const grad = new Float64Array(F * columns);
  for (let f = 0; f < F; f++) {
    for (let s = 0; s < S; s++) {
      const a = alpha[f * S + s]!, b = beta[f * S + s]!;
      if (a === -Infinity || b === -Infinity) continue;
      // α and β both include frame f's emission: subtract it once.
      grad[f * columns + col(s)] -= Math.exp(a + b - lp(f, s) - logP);
    }
  }
  return { nll: -logP, grad };
}

/**
 * Mean over the batch of nll_b / T_b for log-probs [B, F, T + 1] (blank first), as a scalar tensor
 * whose gradient flows to `logp`.
 */
export function ctcForwardSum(logp: Tensor, textLengths: ArrayLike<number>, melLengths: ArrayLike<number>): Tensor {
  const [B, Fmax, C] = logp.shape as [number, number, number];
  const values = logp.toFloat32Array();
  const grad = new Float32Array(B * Fmax * C);
  let total = 0;
  for (let b = 0; b < B; b++) {
    const T = textLengths[b]!, F = melLengths[b]!;
    if (T + 1 > C || F > Fmax) throw new RangeError(`forward-sum: item ${b} has ${T} tokens / ${F} frames, tensor is [${logp.shape.join(', ')}]`);
    const r = forwardSumItem(values, b * Fmax * C, C, F, T, logp.requiresGrad);
    if (!Number.isFinite(r.nll)) continue; // zero_infinity
    total += r.nll / T;
    if (r.grad) {
      const w = 1 / (B * T), base = b * Fmax * C;
      for (let i = 0; i < F * C; i++) grad[base + i] = r.grad[i]! * w;
    }
  }
  const out = tensor(new Float32Array([total / B]), []);
  return record(out, 'ctcForwardSum', [logp], (g) => {
    const scaleBy = g.item();
    const gi = new Float32Array(grad.length);
    for (let i = 0; i < grad.length; i++) gi[i] = grad[i]! * scaleBy;
    return [tensor(gi, [B, Fmax, C])];
  });
}

/**
 * The forward-sum loss from attention log-probs [B, F, T]: mask padded text columns, prepend the
 * blank column, log-softmax over text + blank, CTC over each item's valid region.
 */
export function forwardSumLoss(attnLogProb: Tensor, textLengths: ArrayLike<number>, melLengths: ArrayLike<number>, blankLogProb = -1): Tensor {
  const [B, , T] = attnLogProb.shape as [number, number, number];
  // Padded text columns must take no probability mass in the softmax over text + blank.
  const padded = new Float32Array(B * T);
  for (let b = 0; b < B; b++) padded.fill(1, b * T + textLengths[b]!, (b + 1) * T);
  const masked = maskedFill(attnLogProb, tensor(padded, [B, 1, T]), PADDED_LOG_PROB);
  const withBlank = pad(masked, [1, 0], blankLogProb);
  return ctcForwardSum(logSoftmax(withBlank, -1), textLengths, melLengths);
}
