/**
 * Tensor-level calls into the wasm kernels: allocation of outputs, broadcasting and dimension
 * collapsing for strided kernels, and the `work` estimates that decide threading. Ops (ops/*.ts)
 * use only this module, never raw pointers.
 */
import { engine } from './runtime.js';
import { type DType, type Shape, Tensor, empty, sizeOf } from './tensor.js';
import { BinaryOp, UnaryOp, ReduceOp } from './kernels/opcodes.js';
import { allocGemmScratch, gemm as gemmKernel, gemmBatched } from './kernels/gemm.js';
import * as K from './kernels/wrappers.js';

export type UnaryOpName = keyof typeof UnaryOp;
export type BinaryOpName = keyof typeof BinaryOp;
export type ReduceOpName = keyof typeof ReduceOp;

function run(name: string, args: readonly number[], work: number): void {
  engine().runner.run(name, args, work);
}

/** Broadcast shape of two shapes (NumPy rules), with a clear error on mismatch. */
export function broadcastShapes(a: Shape, b: Shape, op = 'broadcast'): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`${op}: shapes [${a.join(', ')}] and [${b.join(', ')}] cannot be broadcast together`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides of `t` viewed at broadcast shape `shape` (0 where broadcast). */
function broadcastStrides(t: Tensor, shape: Shape): number[] {
  const n = shape.length;
  const out = new Array<number>(n).fill(0);
  for (let i = 0; i < t.ndim; i++) {
    const j = n - t.ndim + i;
    out[j] = t.shape[i] === 1 && shape[j] !== 1 ? 0 : t.strides[i]!;
  }
  return out;
}

/** Copies any view into a new contiguous tensor (same dtype). */
export function copyContiguous(t: Tensor, persistent = false): Tensor {
  const out = empty(t.shape, t.dtype, persistent);
  if (out.size) K.copyStrided(engine().runner, engine().mem, t.shape, t.ptr, t.strides, out.ptr);
  return out;
}

/** `t` itself when contiguous, else a contiguous copy. */
export function contiguous(t: Tensor): Tensor {
  return t.isContiguous() ? t : copyContiguous(t);
}

export function fill(t: Tensor, value: number): void {
  if (!t.isContiguous()) throw new Error('fill needs a contiguous tensor');
  if (t.size === 0) return;
  (t.dtype === 'float32' ? K.fillF32 : K.fillI32)(engine().runner, t.size, t.ptr, value);
}

export function full(shape: Shape, value: number, dtype: DType = 'float32', persistent = false): Tensor {
  const t = empty(shape, dtype, persistent);
  fill(t, value);
  return t;
}

/** out = f(x) elementwise. */
export function unary(op: UnaryOpName, x: Tensor, alpha = 0, beta = 0): Tensor {
  const xc = contiguous(x);
  const y = empty(x.shape);
  if (y.size) K.unary(engine().runner, UnaryOp[op], y.size, xc.ptr, y.ptr, alpha, beta);
  return y;
}

/** dx = dy · f'(x) (y = f(x) where the derivative is cheaper from the output). */
export function unaryGrad(op: UnaryOpName, x: Tensor, y: Tensor, dy: Tensor, alpha = 0, beta = 0): Tensor {
  const xc = contiguous(x), yc = contiguous(y), dyc = contiguous(dy);
  const dx = empty(x.shape);
  if (dx.size) K.unaryGrad(engine().runner, UnaryOp[op], dx.size, xc.ptr, yc.ptr, dyc.ptr, dx.ptr, false, alpha, beta);
  return dx;
}

/** Broadcasting binary op; the output is a new contiguous tensor. */
export function binary(op: BinaryOpName, a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error(`${String(op).toLowerCase()}: operands must be float32 (got ${a.dtype}, ${b.dtype})`);
  const shape = broadcastShapes(a.shape, b.shape, String(op).toLowerCase());
  const out = empty(shape);
  if (out.size === 0) return out;
  const e = engine();
  K.binary(e.runner, e.mem, BinaryOp[op], shape, out.ptr, a.ptr, broadcastStrides(a, shape), b.ptr, broadcastStrides(b, shape));
  return out;
}

/** where(cond != 0, a, b) with broadcasting. */
export function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const condF = cond.dtype === 'float32' ? cond : cast(cond, 'float32');
  const shape = broadcastShapes(broadcastShapes(condF.shape, a.shape, 'where'), b.shape, 'where');
  const out = empty(shape);
  if (out.size === 0) return out;
  const e = engine();
  K.where(e.runner, e.mem, shape, out.ptr, condF.ptr, broadcastStrides(condF, shape), a.ptr, broadcastStrides(a, shape), b.ptr, broadcastStrides(b, shape));
  return out;
}

export function cast(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const src = contiguous(t);
  const out = empty(t.shape, dtype);
  if (out.size) (dtype === 'float32' ? K.castI32ToF32 : K.castF32ToI32)(engine().runner, out.size, src.ptr, out.ptr);
  return out;
}

/**
 * Reduces one axis of any tensor (no autograd). Returns shape with that axis removed (or kept as
 * 1). An empty axis sums to 0; it has no max or min (error).
 */
export function reduceAxis(op: ReduceOpName, x: Tensor, axis: number, keepDim: boolean): Tensor {
  const red = x.shape[axis]!;
  const shape = keepDim ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis);
  if (red === 0 && op !== 'SUM') throw new Error(`${op.toLowerCase()}: cannot reduce an empty axis`);
  const out = empty(shape);
  if (out.size === 0) return out;
  if (red === 0) { fill(out, 0); return out; }
  const xc = contiguous(x);
  K.reduce(engine().runner, ReduceOp[op], sizeOf(x.shape.slice(0, axis)), red, sizeOf(x.shape.slice(axis + 1)), xc.ptr, out.ptr);
  return out;
}

/** argmax/argmin over one axis → int32 indices. */
export function argReduce(kind: 'argmax' | 'argmin', x: Tensor, axis: number, keepDim: boolean): Tensor {
  const xc = contiguous(x);
  const outer = sizeOf(x.shape.slice(0, axis));
  const red = x.shape[axis]!;
  const inner = sizeOf(x.shape.slice(axis + 1));
  if (red === 0) throw new Error(`${kind}: cannot reduce an empty axis`);
  const shape = keepDim ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis);
  const out = empty(shape, 'int32');
  if (out.size) (kind === 'argmax' ? K.argmax : K.argmin)(engine().runner, outer, red, inner, xc.ptr, out.ptr);
  return out;
}

/** In-place dst += src (same shape; src may be any view). */
export function addInto(src: Tensor, dst: Tensor): void {
  const s = contiguous(src);
  if (!dst.isContiguous()) throw new Error('addInto: destination must be contiguous');
  if (s.size !== dst.size) throw new Error(`addInto: size mismatch ${s.size} vs ${dst.size}`);
  if (s.size) K.addInplace(engine().runner, s.size, s.ptr, dst.ptr);
}

/** In-place dst = src (same size). */
export function copyInto(src: Tensor, dst: Tensor): void {
  if (!dst.isContiguous()) throw new Error('copyInto: destination must be contiguous');
  if (src.size !== dst.size) throw new Error(`copyInto: size mismatch ${src.size} vs ${dst.size}`);
  if (src.size) K.copyStrided(engine().runner, engine().mem, src.shape, src.ptr, src.strides, dst.ptr);
}

/** In-place y = alpha·x (+ y when accumulate): gradient scaling and clipping. */
export function scaleInPlace(t: Tensor, alpha: number): void {
  if (!t.isContiguous()) throw new Error('scaleInPlace needs a contiguous tensor');
  if (t.size) K.scale(engine().runner, t.size, alpha, t.ptr, t.ptr);
}

/** Σ x² over all elements, accumulated in f64 (per-thread partials). */
export function sumOfSquares(t: Tensor): number {
  const c = contiguous(t);
  return K.sumsq(engine().runner, engine().mem, c.size, c.ptr);
}

/** Fills `t` with uniform [lo, hi) or normal(mean, std) values from a counter-based RNG. */
export function randomFill(t: Tensor, dist: 'uniform' | 'normal', p0: number, p1: number, seed: number): void {
  if (!t.isContiguous() || t.dtype !== 'float32') throw new Error('randomFill needs a contiguous float32 tensor');
  (dist === 'uniform' ? K.randUniform : K.randNormal)(engine().runner, t.size, t.ptr, p0, p1, seed >>> 0);
}

/**
 * C = alpha·op(A)·op(B) + beta·C, row-major, optionally batched (strides in elements, 0 =
 * broadcast). Pointers are byte offsets.
 */
export function gemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
  a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
  batch = 1, strideA = 0, strideB = 0, strideC = 0,
): void {
  const e = engine();
  // The worker pool owns per-thread packing buffers; other runners get one allocated here.
  if (!e.gemmScratch) e.gemmScratch = (e.runner as { gemmScratch?: number }).gemmScratch ?? allocGemmScratch(e.mem, e.threads);
  const args = { transA, transB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc };
  if (batch === 1) gemmKernel(e.runner, e.gemmScratch, args);
  else gemmBatched(e.runner, e.gemmScratch, { ...args, batch, strideA, strideB, strideC });
}

/** Raw kernel call for ops with bespoke kernels (softmax, layerNorm, gemm, ...). */
export function runKernel(name: string, args: readonly number[], work: number): void {
  run(name, args, work);
}


