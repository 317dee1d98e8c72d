// Optimizer update kernels (in place over flat parameter buffers; elements split across threads).
// `gradScale` multiplies the raw gradient first (gradient clipping / loss-scale undo for free).
import { shareStart, at, loadPartial, storePartial } from './vecmath';

/**
 * torch.optim.AdamW step: p -= lr·wd·p (decoupled decay); m = β1·m + (1−β1)·g;
 * v = β2·v + (1−β2)·g²; p -= lr·(m/bc1)/(sqrt(v/bc2) + eps), with g = grad·gradScale,
 * bc1 = 1 − β1^t and bc2 = 1 − β2^t computed by the caller.
 */
export function adamw_f32(n: i32, param: usize, grad: usize, m: usize, v: usize, lr: f32, beta1: f32, beta2: f32, eps: f32, weightDecay: f32, bc1: f32, bc2: f32, gradScale: f32, tid: i32, nt: i32): void {
  const s = shareStart(n, tid, nt, 4);
  const e = shareStart(n, tid + 1, nt, 4);
  const decay = f32x4.splat(1 - lr * weightDecay);
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(1 - beta2);
  const step = f32x4.splat(lr / bc1);
  const invSqrtBc2 = f32x4.splat(<f32>(1.0 / Math.sqrt(<f64>bc2)));
  const veps = f32x4.splat(eps), gs = f32x4.splat(gradScale);
  for (let i = s; i < e; i += 4) {
    const k = min<i32>(4, e - i);
    const full = k == 4;
    const g = f32x4.mul(full ? v128.load(at(grad, i)) : loadPartial(at(grad, i), k), gs);
    const p = f32x4.mul(full ? v128.load(at(param, i)) : loadPartial(at(param, i), k), decay);
    const mm = f32x4.add(f32x4.mul(b1, full ? v128.load(at(m, i)) : loadPartial(at(m, i), k)), f32x4.mul(c1, g));
    const vv = f32x4.add(f32x4.mul(b2, full ? v128.load(at(v, i)) : loadPartial(at(v, i), k)), f32x4.mul(c2, f32x4.mul(g, g)));
    const denom = f32x4.add(f32x4.mul(f32x4.sqrt(vv), invSqrtBc2), veps);
    const pn = f32x4.sub(p, f32x4.div(f32x4.mul(step, mm), denom));
    if (full) { v128.store(at(param, i), pn); v128.store(at(m, i), mm); v128.store(at(v, i), vv); }
    else { storePartial(at(param, i), pn, k); storePartial(at(m, i), mm, k); storePartial(at(v, i), vv, k); }
  }
}

/**
 * torch.optim.SGD step: g = grad·gradScale + wd·p; with momentum: buf = g on the first step
 * (first != 0), else buf = momentum·buf + (1 − dampening)·g; g = nesterov ? g + momentum·buf : buf;
 * p -= lr·g. `buf` is unused (may be 0) when momentum == 0.
 */
export function sgd_momentum_f32(n: i32, param: usize, grad: usize, buf: usize, lr: f32, momentum: f32, dampening: f32, weightDecay: f32, nesterov: i32, gradScale: f32, first: i32, tid: i32, nt: i32): void {
  const s = shareStart(n, tid, nt, 4);
  const e = shareStart(n, tid + 1, nt, 4);
  for (let i = s; i < e; i++) {
    const p = load<f32>(at(param, i));
    let g = load<f32>(at(grad, i)) * gradScale;
    if (weightDecay != 0) g += weightDecay * p;
    if (momentum != 0) {
      const b: f32 = first ? g : momentum * load<f32>(at(buf, i)) + (1 - dampening) * g;
      store<f32>(at(buf, i), b);
      g = nesterov ? g + momentum * b : b;
    }
    store<f32>(at(param, i), p - lr * g);
  }
}

/** shadow = decay·shadow + (1 − decay)·param (exponential moving average of weights). */
export function ema_f32(n: i32, shadow: usize, param: usize, decay: f32, tid: i32, nt: i32): void {
  const s = shareStart(n, tid, nt, 4);
  const e = shareStart(n, tid + 1, nt, 4);
  const d = f32x4.splat(decay), c = f32x4.splat(1 - decay);
  let i = s;
  for (; i + 4 <= e; i += 4) v128.store(at(shadow, i), f32x4.add(f32x4.mul(d, v128.load(at(shadow, i))), f32x4.mul(c, v128.load(at(param, i)))));
  for (; i < e; i++) store<f32>(at(shadow, i), decay * load<f32>(at(shadow, i)) + (1 - decay) * load<f32>(at(param, i)));
}
