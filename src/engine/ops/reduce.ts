/**
 * Reductions over axes: sum, mean, max, min, var; cumsum; argmax/argmin/topk (no gradient).
 */
import { record } from '../autograd.js';
import { argReduce, binary, contiguous, copyContiguous, reduceAxis, unary } from '../backend.js';
import * as K from '../kernels/wrappers.js';
import { engine } from '../runtime.js';
import { Tensor, contiguousStrides, empty, sizeOf } from '../tensor.js';
import { expand, normAxis, reshape, sumAxesRaw } from './shape.js';
import { mul, sub } from './elementwise.js';

export interface ReduceOptions {
  /** Keep reduced dimensions as size 1 (default false). */
  keepDim?: boolean;
}

function axesOf(x: Tensor, axes: number | readonly number[] | undefined, op: string): number[] {
  if (axes === undefined) return [...Array(x.ndim).keys()];
  const list = typeof axes === 'number' ? [axes] : [...axes];
  const norm = list.map((a) => normAxis(a, x.ndim, op));
  if (new Set(norm).size !== norm.length) throw new Error(`${op}: repeated axis in [${list.join(', ')}]`);
  return norm;
}

function reducedShape(x: Tensor, axes: readonly number[], keepDim: boolean): number[] {
  return keepDim ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
}

/** Sum over `axes` (all by default). */
export function sum(x: Tensor, axes?: number | readonly number[], opts: ReduceOptions = {}): Tensor {
  const ax = axesOf(x, axes, 'sum');
  let kept = sumAxesRaw(x, ax);
  if (kept === x) kept = copyContiguous(x);
  const result = reshapeRaw(kept, reducedShape(x, ax, opts.keepDim ?? false));
  const inShape = x.shape;
  const keptShape = reducedShape(x, ax, true);
  return record(result, 'sum', [x], (g) => [contiguous(expand(reshape(g, keptShape), inShape))]);
}

/** A contiguous tensor's storage under another shape of the same size (no autograd). */
function reshapeRaw(t: Tensor, shape: readonly number[]): Tensor {
  return new Tensor(t.storage, [...shape], contiguousStrides(shape), t.offset, t.dtype);
}

/** Mean over `axes` (all by default). */
export function mean(x: Tensor, axes?: number | readonly number[], opts: ReduceOptions = {}): Tensor {
  const ax = axesOf(x, axes, 'mean');
  const count = ax.reduce((n, a) => n * x.shape[a]!, 1);
  const s = sum(x, ax, opts);
  const y = unary('AFFINE', s, 1 / count, 0);
  return record(y, 'mean', [s], (g) => [unary('AFFINE', g, 1 / count, 0)]);
}

/** Max or min over axes; the gradient is shared equally among tied extrema (like torch.amax). */
function extremum(kind: 'MAX' | 'MIN', x: Tensor, axes: number | readonly number[] | undefined, opts: ReduceOptions): Tensor {
  const ax = axesOf(x, axes, kind.toLowerCase());
  let t = x;
  for (const a of ax) t = reduceAxis(kind, t, a, true);
  const keptShape = reducedShape(x, ax, true);
  const kept = t;
  const result = reshapeRaw(kept, reducedShape(x, ax, opts.keepDim ?? false));
  return record(result, kind.toLowerCase(), [x], (g) => {
    const isExt = binary('EQ', x, kept);
    const count = sumAxesRaw(isExt, ax);
    const share = binary('DIV', reshape(g, keptShape), count);
    return [binary('MUL', isExt, share)];
  });
}

export function max(x: Tensor, axes?: number | readonly number[], opts: ReduceOptions = {}): Tensor {
  return extremum('MAX', x, axes, opts);
}

export function min(x: Tensor, axes?: number | readonly number[], opts: ReduceOptions = {}): Tensor {
  return extremum('MIN', x, axes, opts);
}

/** Variance over axes; `correction` 1 = unbiased (torch default), 0 = biased (layer norm). */
export function variance(x: Tensor, axes?: number | readonly number[], opts: ReduceOptions & { correction?: number } = {}): Tensor {
  const ax = axesOf(x, axes, 'var');
  const n = ax.reduce((c, a) => c * x.shape[a]!, 1);
  const correction = opts.correction ?? 1;
  const centered = sub(x, mean(x, ax, { keepDim: true }));
  const ss = sum(mul(centered, centered), ax, opts);
  const denom = Math.max(0, n - correction);
  const y = unary('AFFINE', ss, 1 / denom, 0);
  return record(y, 'var', [ss], (g) => [unary('AFFINE', g, 1 / denom, 0)]);
}

/** Cumulative sum along `axis`. */
export function cumsum(x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.ndim, 'cumsum');
  const run = (t: Tensor, reverse: boolean): Tensor => {
    const tc = contiguous(t);
    const out = empty(t.shape);
    K.cumsum(engine().runner, sizeOf(t.shape.slice(0, a)), t.shape[a]!, sizeOf(t.shape.slice(a + 1)), tc.ptr, out.ptr, reverse);
    return out;
  };
  const y = run(x, false);
  return record(y, 'cumsum', [x], (g) => [run(g, true)]);
}

/** Index of the largest element along `axis` (int32, first on ties). */
export function argmax(x: Tensor, axis = -1, opts: ReduceOptions = {}): Tensor {
  return argReduce('argmax', x, normAxis(axis, x.ndim, 'argmax'), opts.keepDim ?? false);
}

export function argmin(x: Tensor, axis = -1, opts: ReduceOptions = {}): Tensor {
  return argReduce('argmin', x, normAxis(axis, x.ndim, 'argmin'), opts.keepDim ?? false);
}

/** The k largest values along the last axis, descending, with their int32 indices. */
export function topk(x: Tensor, k: number): { values: Tensor; indices: Tensor } {
  const n = x.shape[x.ndim - 1] ?? 1;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`topk: k = ${k} must be in 1..${n}`);
  const xc = contiguous(x);
  const rows = x.size / n;
  const shape = [...x.shape.slice(0, -1), k];
  const values = empty(shape), indices = empty(shape, 'int32');
  K.topk(engine().runner, rows, n, k, xc.ptr, values.ptr, indices.ptr);
  return { values, indices };
}
