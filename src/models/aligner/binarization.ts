/**
 * Binarization loss (RAD-TTS §3.3): once the soft alignment has converged, −Σ hard·ln soft / Σ hard
 * pulls the soft attention towards its own MAS path, closing the gap between the soft alignment the
 * model learns and the hard durations a TTS model uses. Its weight ramps in linearly.
 */
import { type Tensor, mul, neg, sum, tensor, div } from '../../engine/index.js';
import { logSoftAttention } from './model.js';
import { durationsToHardAttention, monotonicAlignmentSearch } from './mas.js';

/** MAS durations for every item of a [B, F, T] attention log-prob tensor (values read once). */
export function batchDurations(attnLogProb: Tensor, textLengths: ArrayLike<number>, melLengths: ArrayLike<number>): Int32Array[] {
  const [B, F, T] = attnLogProb.shape as [number, number, number];
  const v = attnLogProb.toFloat32Array();
  const out: Int32Array[] = [];
  for (let b = 0; b < B; b++) out.push(monotonicAlignmentSearch(v, melLengths[b]!, textLengths[b]!, T, b * F * T));
  return out;
}

/** Hard attention [B, F, T] (0/1) from per-item durations. */
export function hardAttention(durations: readonly Int32Array[], frames: number, tokens: number): Float32Array {
  const out = new Float32Array(durations.length * frames * tokens);
  durations.forEach((d, b) => {
    let total = 0;
    for (const x of d) total += x;
    durationsToHardAttention(d, total, tokens, out, b * frames * tokens);
  });
  return out;
}

/** −Σ hard·ln soft / Σ hard, with soft = softmax over text of `attnLogProb`. */
export function binarizationLoss(attnLogProb: Tensor, hard: Float32Array): Tensor {
  let n = 0;
  for (const x of hard) n += x;
  const logSoft = logSoftAttention(attnLogProb);
  return div(neg(sum(mul(logSoft, tensor(hard, attnLogProb.shape)))), Math.max(1, n));
}

/** The binarization weight at a 1-based step: 0 before `start`, then a linear ramp over `warmup` steps. */
export function binarizationWeight(step: number, start: number, warmup: number, weight: number): number {
  if (step < start) return 0;
  if (warmup <= 0) return weight;
  return weight * Math.min(1, (step - start + 1) / warmup);
}
