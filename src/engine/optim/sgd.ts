/**
 * SGD with torch.optim.SGD semantics:
 *   g = grad·gradScale + wd·p
 *   momentum ≠ 0: buf = g on a parameter's first update, else buf = μ·buf + (1 − dampening)·g;
 *                 g = nesterov ? g + μ·buf : buf
 *   p ← p − lr·g
 * One fused kernel pass (`sgd_momentum_f32`); the momentum buffer ("momentum_buffer") is
 * allocated only when momentum ≠ 0. Weight decay here is L2 (coupled), as in torch's SGD.
 */
import * as K from '../kernels/wrappers.js';
import { engine } from '../runtime.js';
import type { Tensor } from '../tensor.js';
import { Optimizer, type OptimizerOptions, type ParamSource } from './optimizer.js';

export interface SGDOptions extends OptimizerOptions {
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;

  /** Defaults: lr 1e-2 (torch requires one; pass yours), no momentum, no weight decay. */
  constructor(params: ParamSource, opts: SGDOptions = {}) {
    super('sgd', params, opts, 1e-2, 0);
    this.momentum = opts.momentum ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.nesterov = opts.nesterov ?? false;
    if (!(this.momentum >= 0)) throw new Error(`sgd: momentum must be ≥ 0, got ${this.momentum}`);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new Error('sgd: nesterov momentum requires momentum > 0 and dampening 0');
  }

  protected update(name: string, p: Tensor, grad: Tensor, k: number, lr: number, gradScale: number): void {
    const buf = this.momentum !== 0 ? this.slot(name, p, 'momentum_buffer').ptr : 0;
    K.sgdMomentum(engine().runner, p.size, p.ptr, grad.ptr, buf, {
      lr, momentum: this.momentum, dampening: this.dampening, weightDecay: this.decayFor(name, p), nesterov: this.nesterov, gradScale, first: k === 1,
    });
  }

  protected hyper(): Record<string, number | boolean> {
    return { momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov, weightDecay: this.weightDecay, ...(typeof this.lr === 'number' ? { lr: this.lr } : {}) };
  }
}
