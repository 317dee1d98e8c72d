/**
 * Views and layout ops: reshape, permute/transpose, slice, expand, (un)squeeze, concat, split, pad.
 * Views share storage; their gradients are the inverse view or a scatter into zeros.
 */
import { record } from '../autograd.js';
import { contiguous, copyContiguous, full, reduceAxis } from '../backend.js';
import { copyStridedInto } from '../kernels/elementwise.js';
import { engine } from '../runtime.js';
import { type Shape, Tensor, contiguousStrides, empty, sizeOf, viewOf } from '../tensor.js';

function normAxis(axis: number, ndim: number, op: string): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(a) || a < 0 || a >= ndim) throw new Error(`${op}: axis ${axis} out of range for ${ndim} dimensions`);
  return a;
}
export { normAxis };

/**
 * Copies `src` (any view) into `dst` (any view of the same shape), in place.
 * The one strided copy that concat, pad, slice-backward and friends share.
 */
export function assignInto(dst: Tensor, src: Tensor): void {
  if (dst.ndim !== src.ndim || dst.shape.some((d, i) => d !== src.shape[i])) {
    throw new Error(`assign: shapes [${dst.shape.join(', ')}] and [${src.shape.join(', ')}] differ`);
  }
  if (dst.dtype !== src.dtype) throw new Error(`assign: dtypes ${dst.dtype} and ${src.dtype} differ`);
  const e = engine();
  copyStridedInto(e.runner, e.mem, dst.shape, src.ptr, src.strides, dst.ptr, dst.strides);
}

/**
 * Strides that show a tensor of `shape`/`strides` as `target` (same size) without moving data, or
 * null when no such view exists. Walks runs of dims that are contiguous with each other (a "chunk"
 * can be split or merged freely) and maps target dims onto them; size-1 dims fit anywhere.
 * This is PyTorch's computeStride.
 */
export function viewStrides(shape: readonly number[], strides: readonly number[], target: readonly number[]): number[] | null {
  const out = new Array<number>(target.length).fill(0);
  if (sizeOf(shape) === 0 || shape.length === 0) return contiguousStrides(target);
  let targetDim = target.length - 1;
  let chunkBase = strides[shape.length - 1]!;
  let chunkSize = 1, viewSize = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    chunkSize *= shape[d]!;
    // The chunk ends where the next dim out is not laid out right after this one.
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== chunkSize * chunkBase)) {
      while (targetDim >= 0 && (viewSize < chunkSize || target[targetDim] === 1)) {
        out[targetDim] = viewSize * chunkBase;
        viewSize *= target[targetDim]!;
        targetDim--;
      }
      if (viewSize !== chunkSize) return null;
      if (d > 0) {
        chunkBase = strides[d - 1]!;
        chunkSize = 1;
        viewSize = 1;
      }
    }
  }
  return targetDim === -1 ? out : null;
}

/** A new tensor with the same data and another shape (one dim may be -1). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((d) => d !== -1);
  const minus = shape.length - known.length;
  if (minus > 1) throw new Error('reshape: at most one dimension may be -1');
  const knownSize = sizeOf(known);
  const full = shape.map((d) => (d === -1 ? (knownSize === 0 ? 0 : x.size / knownSize) : d));
  if (sizeOf(full) !== x.size || full.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`reshape: cannot view [${x.shape.join(', ')}] (${x.size} elements) as [${shape.join(', ')}]`);
  }
  // A view when x's strides allow one (as torch's view()), e.g. dropping a size-1 dim of a
  // permuted tensor; otherwise one contiguous copy first.
  const strides = viewStrides(x.shape, x.strides, full);
  const src = strides ? x : contiguous(x);
  const out = viewOf(src, full, strides ?? contiguousStrides(full), src.offset);
  const inShape = x.shape;
  return record(out, 'reshape', [x], (g) => [reshape(g, inShape)]);
}

/** Reorders dimensions (a view). */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim || new Set(dims.map((d) => normAxis(d, x.ndim, 'permute'))).size !== x.ndim) {
    throw new Error(`permute: [${dims.join(', ')}] is not a permutation of ${x.ndim} dimensions`);
  }
  const p = dims.map((d) => normAxis(d, x.ndim, 'permute'));
  const out = viewOf(x, p.map((d) => x.shape[d]!), p.map((d) => x.strides[d]!), x.offset);
  const inverse = new Array<number>(p.length);
  p.forEach((d, i) => { inverse[d] = i; });
  return record(out, 'permute', [x], (g) => [permute(g, inverse)]);
}

/** Swaps two dimensions (a view). */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  const dims = [...Array(x.ndim).keys()];
  const i = normAxis(a, x.ndim, 'transpose'), j = normAxis(b, x.ndim, 'transpose');
  [dims[i], dims[j]] = [dims[j]!, dims[i]!];
  return permute(x, dims);
}

/** x[..., start:end:step, ...] along `axis` (a view). Negative start/end count from the end. */
export function slice(x: Tensor, axis: number, start: number, end?: number, step = 1): Tensor {
  const ax = normAxis(axis, x.ndim, 'slice');
  const n = x.shape[ax]!;
  if (!Number.isInteger(step) || step < 1) throw new Error('slice: step must be a positive integer');
  const clampIdx = (i: number): number => Math.min(n, Math.max(0, i < 0 ? i + n : i));
  const s = clampIdx(start), e = clampIdx(end ?? n);
  const len = Math.max(0, Math.ceil((e - s) / step));
  const shape = x.shape.map((d, i) => (i === ax ? len : d));
  const strides = x.strides.map((st, i) => (i === ax ? st * step : st));
  const out = viewOf(x, shape, strides, x.offset + s * x.strides[ax]!);
  const inShape = x.shape;
  return record(out, 'slice', [x], (g) => {
    const gx = full(inShape, 0);
    assignInto(viewOf(gx, shape, contiguousStrides(inShape).map((st, i) => (i === ax ? st * step : st)), s * contiguousStrides(inShape)[ax]!), g);
    return [gx];
  });
}

/** Broadcasts size-1 dims to `shape` without copying (a view with stride 0). */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (shape.length < x.ndim) throw new Error(`expand: cannot expand [${x.shape.join(', ')}] to fewer dims [${shape.join(', ')}]`);
  const lead = shape.length - x.ndim;
  const strides = shape.map((d, i) => {
    if (i < lead) return 0;
    const xd = x.shape[i - lead]!;
    if (xd === d) return x.strides[i - lead]!;
    if (xd === 1) return 0;
    throw new Error(`expand: dimension ${i - lead} of [${x.shape.join(', ')}] cannot become ${d}`);
  });
  const out = viewOf(x, shape, strides, x.offset);
  const inShape = x.shape;
  return record(out, 'expand', [x], (g) => [sumTo(g, inShape)]);
}

/** Sums a broadcast gradient back to `shape` (the adjoint of broadcasting). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (g.ndim === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  let t = g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  t = sumAxesRaw(t, axes);
  return reshape(t, shape);
}

/** Sum over axes keeping dims, no autograd (used by sumTo and reductions). */
export function sumAxesRaw(x: Tensor, axes: readonly number[]): Tensor {
  let t = x;
  // Reduce the largest axes first: each pass shrinks the data the next one reads.
  const sorted = [...axes].sort((a, b) => x.shape[b]! - x.shape[a]!);
  for (const ax of sorted) t = reduceAxis('SUM', t, ax, true);
  return t;
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  const ax = axis < 0 ? axis + x.ndim + 1 : axis;
  if (ax < 0 || ax > x.ndim) throw new Error(`unsqueeze: axis ${axis} out of range`);
  const shape = [...x.shape];
  shape.splice(ax, 0, 1);
  return reshape(x, shape);
}

export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const ax = normAxis(axis, x.ndim, 'squeeze');
  if (x.shape[ax] !== 1) throw new Error(`squeeze: dimension ${axis} has size ${x.shape[ax]}, not 1`);
  return reshape(x, x.shape.filter((_, i) => i !== ax));
}

/** Joins tensors along `axis`. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (!xs.length) throw new Error('concat: no tensors');
  const first = xs[0]!;
  const ax = normAxis(axis, first.ndim, 'concat');
  for (const t of xs) {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== ax && d !== first.shape[i]) || t.dtype !== first.dtype) {
      throw new Error(`concat: [${t.shape.join(', ')}] (${t.dtype}) does not match [${first.shape.join(', ')}] (${first.dtype}) outside axis ${ax}`);
    }
  }
  const total = xs.reduce((s, t) => s + t.shape[ax]!, 0);
  const shape = first.shape.map((d, i) => (i === ax ? total : d));
  const out = empty(shape, first.dtype);
  const strides = contiguousStrides(shape);
  let at = 0;
  const starts: number[] = [];
  for (const t of xs) {
    starts.push(at);
    assignInto(viewOf(out, t.shape, strides, at * strides[ax]!), t);
    at += t.shape[ax]!;
  }
  return record(out, 'concat', xs, (g) => xs.map((t, i) => slice(g, ax, starts[i]!, starts[i]! + t.shape[ax]!)));
}

/** Splits along `axis` into pieces of the given sizes (or `n` equal pieces). Views. */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const ax = normAxis(axis, x.ndim, 'split');
  const n = x.shape[ax]!;
  const parts = typeof sizes === 'number'
    ? (n % sizes === 0 ? new Array<number>(sizes).fill(n / sizes) : (() => { throw new Error(`split: ${n} is not divisible into ${sizes} pieces`); })())
    : [...sizes];
  if (parts.reduce((a, b) => a + b, 0) !== n) throw new Error(`split: sizes [${parts.join(', ')}] do not sum to ${n}`);
  let at = 0;
  return parts.map((len) => { const s = slice(x, ax, at, at + len); at += len; return s; });
}

/**
 * Pads with a constant. `pads` lists [before, after] pairs starting from the LAST dimension
 * (PyTorch F.pad order): pad(x, [1, 2]) pads the last dim by 1 before and 2 after.
 */
export function pad(x: Tensor, pads: readonly number[], value = 0): Tensor {
  if (pads.length % 2 || pads.length / 2 > x.ndim) throw new Error('pad: pads must hold [before, after] pairs for at most ndim dimensions');
  const before = new Array<number>(x.ndim).fill(0), after = new Array<number>(x.ndim).fill(0);
  for (let k = 0; k < pads.length / 2; k++) {
    const d = x.ndim - 1 - k;
    before[d] = pads[2 * k]!; after[d] = pads[2 * k + 1]!;
    if (before[d]! < 0 || after[d]! < 0) throw new Error('pad: negative padding is not supported (use slice)');
  }
  const shape = x.shape.map((d, i) => d + before[i]! + after[i]!);
  const out = full(shape, value, x.dtype);
  const strides = contiguousStrides(shape);
  const offset = before.reduce((s, b, i) => s + b * strides[i]!, 0);
  assignInto(viewOf(out, x.shape, strides, offset), x);
  return record(out, 'pad', [x], (g) => {
    const gc = contiguous(g);
    return [copyContiguous(viewOf(gc, x.shape, contiguousStrides(shape), gc.offset + offset))];
  });
}
