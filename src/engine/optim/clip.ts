/**
 * Global-norm gradient clipping (torch.nn.utils.clip_grad_norm_ with norm_type 2).
 *
 * The norm is accumulated in float64 per thread (`sumsq_f32`), so it is exact enough for large
 * models. Two ways to use it:
 *  - `clipGradNorm(params, maxNorm)` scales the gradients in place (one extra pass) and returns
 *    the pre-clip norm, exactly like torch;
 *  - `gradNorm` + `clipFactor` give the factor to pass as the optimizer's `gradScale`, folding the
 *    clipping into the update kernel (no extra pass). GradientAccumulator does this.
 */
import { scaleInPlace, sumOfSquares } from '../backend.js';
import { type ParamSource, namedParamsOf } from './optimizer.js';

/** torch adds this to the norm before dividing (avoids a division by ~0). */
export const CLIP_EPS = 1e-6;

/** L2 norm over every parameter gradient (times `gradScale`); parameters without a grad count as 0. */
export function gradNorm(params: ParamSource, gradScale = 1): number {
  let ss = 0;
  for (const [, p] of namedParamsOf(params)) if (p.grad) ss += sumOfSquares(p.grad);
  return Math.sqrt(ss) * Math.abs(gradScale);
}

/** min(1, maxNorm / (norm + 1e-6)): the factor that clips a gradient of norm `norm`. */
export function clipFactor(norm: number, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new Error(`clipping: maxNorm must be > 0, got ${maxNorm}`);
  return Math.min(1, maxNorm / (norm + CLIP_EPS));
}

/**
 * Scales all gradients so their global L2 norm is at most `maxNorm`; returns the norm before
 * clipping. A non-finite norm (NaN/∞ gradients) leaves the gradients untouched and is returned as
 * is, so the caller can skip the step.
 * @example const norm = clipGradNorm(model, 1.0); if (Number.isFinite(norm)) opt.step();
 */
export function clipGradNorm(params: ParamSource, maxNorm: number): number {
  const named = namedParamsOf(params);
  const norm = gradNorm(named);
  if (!Number.isFinite(norm)) return norm;
  const f = clipFactor(norm, maxNorm);
  if (f < 1) for (const [, p] of named) if (p.grad) scaleInPlace(p.grad, f);
  return norm;
}
