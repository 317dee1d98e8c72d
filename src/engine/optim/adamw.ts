/**
 * AdamW with torch.optim.AdamW semantics (decoupled weight decay, bias-corrected moments):
 *   p ← p·(1 − lr·wd)
 *   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + eps)
 * with g = grad·gradScale and t the parameter's own update count. One fused kernel pass
 * (`adamw_f32`) per parameter; m ("exp_avg") and v ("exp_avg_sq") live on the heap.
 * Defaults as torch: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2.
 */
import * as K from '../kernels/wrappers.js';
import { engine } from '../runtime.js';
import type { Tensor } from '../tensor.js';
import { Optimizer, type OptimizerOptions, type ParamSource } from './optimizer.js';

export interface AdamWOptions extends OptimizerOptions {
  betas?: readonly [number, number];
  eps?: number;
}

/**
 * @example
 *   const opt = new AdamW(model, { lr: noamSchedule({ dModel: 256, warmupSteps: 4000 }), noDecay: noDecayBiasAndNorm });
 *   tidy(() => { opt.zeroGrad(); backward(loss(model)); opt.step(); });
 */
export class AdamW extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;

  constructor(params: ParamSource, opts: AdamWOptions = {}) {
    super('adamw', params, opts, 1e-3, 1e-2);
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    for (const [b, n] of [[this.beta1, 'beta1'], [this.beta2, 'beta2']] as const) {
      if (!(b >= 0 && b < 1)) throw new Error(`adamw: ${n} must be in [0, 1), got ${b}`);
    }
    if (!(this.eps >= 0)) throw new Error(`adamw: eps must be ≥ 0, got ${this.eps}`);
  }

  protected update(name: string, p: Tensor, grad: Tensor, k: number, lr: number, gradScale: number): void {
    const m = this.slot(name, p, 'exp_avg'), v = this.slot(name, p, 'exp_avg_sq');
    K.adamw(engine().runner, p.size, p.ptr, grad.ptr, m.ptr, v.ptr, {
      lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.decayFor(name, p), step: k, gradScale,
    });
  }

  protected hyper(): Record<string, number | boolean> {
    return { beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay, ...(typeof this.lr === 'number' ? { lr: this.lr } : {}) };
  }
}
