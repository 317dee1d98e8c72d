/**
 * Neural-network ops with fused kernels: softmax, logSoftmax, logSumExp, layerNorm, dropout.
 * Row-wise ops work on the last axis; another axis is moved last by a transpose and back.
 */
import { record } from '../autograd.js';
import { binary, contiguous } from '../backend.js';
import * as K from '../kernels/wrappers.js';
import { engine } from '../runtime.js';
import { Tensor, empty } from '../tensor.js';
import { normAxis, permute, reshape, transpose } from './shape.js';

/** Applies a last-axis row op to any axis by transposing it last and back. */
function onAxis(x: Tensor, axis: number, op: string, fn: (t: Tensor) => Tensor): Tensor {
  const a = normAxis(axis, x.ndim, op);
  if (a === x.ndim - 1) return fn(x);
  return transpose(fn(transpose(x, a, -1)), a, -1);
}

function rowsOf(x: Tensor): { rows: number; n: number } {
  const n = x.shape[x.ndim - 1] ?? 1;
  return { rows: n === 0 ? 0 : x.size / n, n };
}

/**
 * Softmax along `axis` (default last). Rows that are entirely −∞ give zeros, not NaN, so fully
 * padded attention rows stay finite.
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  return onAxis(x, axis, 'softmax', (t) => {
    const xc = contiguous(t);
    const { rows, n } = rowsOf(xc);
    const y = empty(xc.shape);
    K.softmax(engine().runner, rows, n, xc.ptr, y.ptr);
    return record(y, 'softmax', [t], (g) => {
      const dx = empty(y.shape);
      K.softmaxBwd(engine().runner, rows, n, y.ptr, contiguous(g).ptr, dx.ptr);
      return [dx];
    });
  });
}

/** log(softmax(x)) along `axis`, computed stably. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return onAxis(x, axis, 'logSoftmax', (t) => {
    const xc = contiguous(t);
    const { rows, n } = rowsOf(xc);
    const y = empty(xc.shape);
    K.logSoftmax(engine().runner, rows, n, xc.ptr, y.ptr);
    return record(y, 'logSoftmax', [t], (g) => {
      const dx = empty(y.shape);
      K.logSoftmaxBwd(engine().runner, rows, n, y.ptr, contiguous(g).ptr, dx.ptr);
      return [dx];
    });
  });
}

/** log Σ exp(x) along `axis` (removed, or kept as size 1). */
export function logSumExp(x: Tensor, axis = -1, keepDim = false): Tensor {
  const a = normAxis(axis, x.ndim, 'logSumExp');
  // Move the axis last keeping the other dims in order, so the result reshapes correctly.
  const order = [...[...Array(x.ndim).keys()].filter((d) => d !== a), a];
  const moved = a === x.ndim - 1 ? x : permute(x.detach(), order);
  const xc = contiguous(moved);
  const { rows, n } = rowsOf(xc);
  const lse = empty(xc.shape.slice(0, -1));
  if (lse.size) K.logsumexp(engine().runner, rows, n, xc.ptr, lse.ptr);
  const keptShape = x.shape.map((d, i) => (i === a ? 1 : d));
  const out = reshape(lse, keepDim ? keptShape : x.shape.filter((_, i) => i !== a));
  return record(out.detach(), 'logSumExp', [x], (g) => [binary('MUL', reshape(g, keptShape), softmax(x.detach(), a))]);
}

/**
 * Layer normalization over the last dim (biased variance, as PyTorch), with optional affine
 * gamma/beta of shape [n].
 */
export function layerNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, eps = 1e-5): Tensor {
  const xc = contiguous(x);
  const { rows, n } = rowsOf(xc);
  for (const [p, name] of [[gamma, 'gamma'], [beta, 'beta']] as const) {
    if (p && (p.ndim !== 1 || p.shape[0] !== n)) throw new Error(`layerNorm: ${name} must be [${n}], got [${p.shape.join(', ')}]`);
  }
  const g = gamma ? contiguous(gamma) : null, b = beta ? contiguous(beta) : null;
  const y = empty(xc.shape);
  const meanBuf = empty([rows]), rstdBuf = empty([rows]);
  K.layerNorm(engine().runner, rows, n, xc.ptr, g?.ptr ?? 0, b?.ptr ?? 0, eps, y.ptr, meanBuf.ptr, rstdBuf.ptr);
  const inputs = [x, ...(gamma ? [gamma] : []), ...(beta ? [beta] : [])];
  return record(y, 'layerNorm', inputs, (dy) => {
    const e = engine();
    const dx = empty(xc.shape);
    const partials = empty([e.threads, 2 * n]);
    const dParams = empty([2 * n]);
    K.layerNormBwd(e.runner, e.mem, {
      rows, n, x: xc.ptr, gamma: g?.ptr ?? 0, dy: contiguous(dy).ptr, mean: meanBuf.ptr, rstd: rstdBuf.ptr, dx: dx.ptr,
      dParams: dParams.ptr, partials: partials.ptr,
    });
    const grads: (Tensor | null)[] = [dx];
    if (gamma) grads.push(sliceRaw(dParams, 0, n));
    if (beta) grads.push(sliceRaw(dParams, n, n));
    return grads;
  });
}

/** A contiguous 1-D window of a contiguous 1-D tensor (no autograd). */
function sliceRaw(t: Tensor, start: number, len: number): Tensor {
  return new Tensor(t.storage, [len], [1], t.offset + start, t.dtype);
}

/**
 * Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1−p).
 * Identity when p = 0 or `training` is false (modules pass their own mode).
 */
export function dropout(x: Tensor, p: number, training = engine().training): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const xc = contiguous(x);
  const y = empty(xc.shape), mask = empty(xc.shape);
  const seed = engine().nextSeed();
  K.dropout(engine().runner, y.size, xc.ptr, y.ptr, mask.ptr, p, seed);
  return record(y, 'dropout', [x], (g) => [binary('MUL', g, mask)]);
}
