/** Typed wrappers of the optimizer kernels (assembly/optim.ts): in-place updates of flat buffers. */
import type { KernelRunner } from './runner.js';
import { checkPtr, checkSize } from './elementwise.js';

export interface AdamWStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based step count (after incrementing), for the bias corrections 1 − β^step. */
  step: number;
  /** Multiplies the raw gradient (clipping factor / loss-scale undo); default 1. */
  gradScale?: number;
}

/** torch.optim.AdamW update of n parameters; m and v are the first/second moment buffers. */
export function adamw(runner: KernelRunner, n: number, param: number, grad: number, m: number, v: number, h: AdamWStep): void {
  checkSize('n', n);
  if (n === 0) return;
  checkPtr('param', param); checkPtr('grad', grad); checkPtr('m', m); checkPtr('v', v);
  if (!(h.step >= 1)) throw new RangeError(`adamw: step must be ≥ 1, got ${h.step}`);
  const bc1 = 1 - Math.pow(h.beta1, h.step);
  const bc2 = 1 - Math.pow(h.beta2, h.step);
  runner.run('adamw_f32', [n, param, grad, m, v, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, bc1, bc2, h.gradScale ?? 1], 12 * n);
}

export interface SgdStep {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  gradScale?: number;
  /** True on the first step with this momentum buffer (torch initialises buf = g). */
  first: boolean;
}

/** torch.optim.SGD update; `buf` (momentum buffer) may be 0 when momentum is 0. */
export function sgdMomentum(runner: KernelRunner, n: number, param: number, grad: number, buf: number, h: SgdStep): void {
  checkSize('n', n);
  if (n === 0) return;
  const momentum = h.momentum ?? 0;
  checkPtr('param', param); checkPtr('grad', grad); checkPtr('buf', buf, momentum === 0);
  runner.run('sgd_momentum_f32', [n, param, grad, buf, h.lr, momentum, h.dampening ?? 0, h.weightDecay ?? 0,
    h.nesterov ? 1 : 0, h.gradScale ?? 1, h.first ? 1 : 0], 6 * n);
}

/** shadow = decay·shadow + (1 − decay)·param */
export function ema(runner: KernelRunner, n: number, shadow: number, param: number, decay: number): void {
  checkSize('n', n);
  if (n === 0) return;
  checkPtr('shadow', shadow); checkPtr('param', param);
  runner.run('ema_f32', [n, shadow, param, decay], 3 * n);
}
