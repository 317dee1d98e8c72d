/**
 * Losses, composed from differentiable ops (so their gradients come for free): L1, MSE (with
 * optional masks for padded frames), cross-entropy over logits, binary cross-entropy with logits.
 */
import { Tensor, tensor } from '../tensor.js';
import { abs, div, mul, softplus, sub, neg } from './elementwise.js';
import { mean, sum } from './reduce.js';
import { logSoftmax } from './nn.js';
import { expand, reshape } from './shape.js';
import { embedding } from './indexing.js';

export type Reduction = 'mean' | 'sum' | 'none';

/**
 * Reduces an elementwise loss. With a mask (1 = real, 0 = padding, broadcastable to the loss),
 * 'mean' averages over real elements only: the convention for padded mel frames.
 */
function reduceLoss(loss: Tensor, reduction: Reduction, mask?: Tensor): Tensor {
  const masked = mask ? mul(loss, mask) : loss;
  if (reduction === 'none') return masked;
  if (reduction === 'sum') return sum(masked);
  if (!mask) return mean(masked);
  // Real-element count: the mask broadcast to the loss's shape, summed.
  const count = sum(expand(mask.detach(), loss.shape)).item();
  return div(sum(masked), Math.max(count, 1));
}

export interface LossOptions {
  reduction?: Reduction;
  /** 1 for real elements, 0 for padding; broadcast against the loss. */
  mask?: Tensor;
}

/** Mean absolute error. @example l1Loss(predMel, targetMel, { mask: frameMask }) */
export function l1Loss(pred: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  return reduceLoss(abs(sub(pred, target)), opts.reduction ?? 'mean', opts.mask);
}

/** Mean squared error. */
export function mseLoss(pred: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  const d = sub(pred, target);
  return reduceLoss(mul(d, d), opts.reduction ?? 'mean', opts.mask);
}

/**
 * Cross-entropy of logits [N, C] against int32 class ids [N] (torch.nn.functional.cross_entropy).
 */
export function crossEntropy(logits: Tensor, targets: Tensor, opts: LossOptions = {}): Tensor {
  if (logits.ndim !== 2) throw new Error(`crossEntropy: logits must be [N, C], got [${logits.shape.join(', ')}]`);
  const [N, C] = logits.shape as [number, number];
  if (targets.dtype !== 'int32' || targets.size !== N) throw new Error(`crossEntropy: targets must be int32 [${N}]`);
  const ids = targets.toArray();
  const flatIds = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const c = ids[i]!;
    if (c < 0 || c >= C) throw new Error(`crossEntropy: target ${c} at position ${i} is out of range [0, ${C})`);
    flatIds[i] = i * C + c;
  }
  // Pick each row's target log-probability by treating the [N·C] log-probs as a 1-column table.
  const logp = reshape(logSoftmax(logits, -1), [N * C, 1]);
  const picked = reshape(embedding(tensor(flatIds, [N], 'int32'), logp), [N]);
  return reduceLoss(neg(picked), opts.reduction ?? 'mean', opts.mask);
}

/** Binary cross-entropy on logits, stable form: softplus(x) − x·y. */
export function bceWithLogits(logits: Tensor, targets: Tensor, opts: LossOptions = {}): Tensor {
  return reduceLoss(sub(softplus(logits), mul(logits, targets)), opts.reduction ?? 'mean', opts.mask);
}
