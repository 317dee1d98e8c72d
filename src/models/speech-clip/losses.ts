/**
 * Speech-Clip objectives.
 *
 *  - `infoNCE`: CLIP's symmetric contrastive loss (Radford et al. 2021). For N matched pairs of
 *    L2-normalised embeddings a_i, b_i and logit scale s = 1/τ:
 *        logits = s · A·Bᵀ                          [N, N], matched pairs on the diagonal
 *        loss   = ½ (CE(logits, diag) + CE(logitsᵀ, diag))
 *    i.e. text→mel and mel→text classification over the batch. Used at utterance level (pooled
 *    embeddings) and at phoneme level (CLAPSpeech: each phoneme's text state against the mel
 *    frames pooled over that phoneme; every other phoneme in the batch is a negative).
 *  - `logitScaleOf`: CLIP's learnable temperature, stored as ln s, initialised at ln(1/0.07) and
 *    clamped to [0, ln 100] so a growing scale cannot destabilise training (the clamp passes no
 *    gradient beyond the bound, which pins the parameter there, as CLIP's in-place clamp does).
 *  - `durationLoss`: FastSpeech 2's duration loss, MSE between predicted and target log(1 + frames)
 *    over real phonemes.
 */
import {
  type Tensor, add, arange, clamp, crossEntropy, exp, matmul, mseLoss, mul, rsqrt, square, sum, tensor,
} from '../../engine/index.js';

/** Rows of x [N, P] scaled to unit L2 norm (eps keeps all-zero rows finite). */
export function l2Normalize(x: Tensor, eps = 1e-12): Tensor {
  return mul(x, rsqrt(add(sum(square(x), -1, { keepDim: true }), eps)));
}

/** s = exp(clamp(ln s, 0, ln maxScale)): the logit scale actually applied. */
export function logitScaleOf(logScale: Tensor, maxScale: number): Tensor {
  return exp(clamp(logScale, 0, Math.log(maxScale)));
}

export interface InfoNCEResult {
  /** ½ (text→mel CE + mel→text CE), a scalar. */
  loss: Tensor;
  /** s · A·Bᵀ [N, N] (rows: a, columns: b). */
  logits: Tensor;
}

/**
 * Symmetric InfoNCE over N pairs. `a`, `b` [N, P] must already be L2-normalised; `scale` is the
 * logit scale (a number, or a [1] tensor to learn it).
 * @example const { loss } = infoNCE(l2Normalize(textEmb), l2Normalize(melEmb), logitScaleOf(model.logScale, 100));
 */
export function infoNCE(a: Tensor, b: Tensor, scale: Tensor | number): InfoNCEResult {
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
    throw new Error(`infoNCE: a and b must both be [N, P], got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
  const n = a.shape[0]!;
  const targets = arange(n, { dtype: 'int32' });
  const scaleT = typeof scale === 'number' ? tensor([scale]) : scale;
  // Both directions as row-wise softmaxes: B·Aᵀ is (A·Bᵀ)ᵀ without a transposed copy.
  const logits = mul(matmul(a, b, { transB: true }), scaleT);
  const logitsT = mul(matmul(b, a, { transB: true }), scaleT);
  const loss = mul(add(crossEntropy(logits, targets), crossEntropy(logitsT, targets)), 0.5);
  return { loss, logits };
}

/** Targets log(1 + frames) of FastSpeech 2's duration loss, as a [B, T] tensor. */
export function logDurationTargets(durations: Int32Array, shape: readonly [number, number]): Tensor {
  const out = new Float32Array(durations.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.log1p(Math.max(0, durations[i]!));
  return tensor(out, [...shape]);
}

/** MSE in the log domain over real phonemes: mean over mask of (pred − log(1 + d))². */
export function durationLoss(predictedLogDurations: Tensor, durations: Int32Array, phonemeMask: Tensor): Tensor {
  const [B, T] = predictedLogDurations.shape as [number, number];
  return mseLoss(predictedLogDurations, logDurationTargets(durations, [B, T]), { mask: phonemeMask });
}
