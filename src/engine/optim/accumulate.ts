/**
 * Gradient accumulation: gradients add up in `param.grad` across `backward()` calls until
 * `zeroGrad()`, so N micro-batches followed by one step with gradScale = 1/N equal one step on the
 * union batch (when each micro-batch loss is a mean over equally sized micro-batches).
 *
 * GradientAccumulator wraps that pattern and folds optional global-norm clipping into the same
 * gradScale (the norm is measured on the averaged gradient, as torch would see it), so no extra
 * pass over the gradients is made.
 *
 * @example
 *   const acc = new GradientAccumulator(opt, 4, { maxGradNorm: 1 });
 *   for (const batch of microBatches) tidy(() => { acc.backward(lossOf(batch)); });
 */
import { backward } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { clipFactor, gradNorm } from './clip.js';
import type { Optimizer } from './optimizer.js';

export interface AccumulatorOptions {
  /** Clip the averaged gradient to this global L2 norm before stepping. */
  maxGradNorm?: number;
}

/** A plain object type (not an interface) so it can be returned from tidy(). */
export type AccumulationResult = {
  /** True when this call completed a group and the optimizer stepped. */
  stepped: boolean;
  /** Global norm of the averaged gradient before clipping (when a group completed), else null. */
  gradNorm: number | null;
  /** True when a group completed but the norm was NaN/∞: the step was skipped and grads zeroed. */
  skipped: boolean;
};

export class GradientAccumulator {
  private count = 0;

  constructor(readonly optimizer: Optimizer, readonly microBatches: number, private readonly opts: AccumulatorOptions = {}) {
    if (!Number.isInteger(microBatches) || microBatches < 1) throw new Error(`GradientAccumulator: microBatches must be a positive integer, got ${microBatches}`);
  }

  /** Micro-batches accumulated since the last step. */
  get pending(): number { return this.count; }

  /** backward(loss); after every `microBatches`-th call, steps the optimizer and zeroes the grads. */
  backward(loss: Tensor): AccumulationResult {
    backward(loss);
    this.count++;
    if (this.count < this.microBatches) return { stepped: false, gradNorm: null, skipped: false };
    return this.flush();
  }

  /** Steps with whatever has been accumulated (e.g. a short last group at the end of an epoch). */
  flush(): AccumulationResult {
    if (this.count === 0) return { stepped: false, gradNorm: null, skipped: false };
    const scale = 1 / this.count;
    this.count = 0;
    const opt = this.optimizer;
    const needNorm = this.opts.maxGradNorm !== undefined;
    const norm = needNorm ? gradNorm(opt.params, scale) : null;
    if (norm !== null && !Number.isFinite(norm)) {
      opt.zeroGrad();
      return { stepped: false, gradNorm: norm, skipped: true };
    }
    const factor = norm !== null ? clipFactor(norm, this.opts.maxGradNorm!) : 1;
    opt.step({ gradScale: scale * factor });
    opt.zeroGrad();
    return { stepped: true, gradNorm: norm, skipped: false };
  }
}
