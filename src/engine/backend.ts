/**
 * Tensor-level calls into the wasm kernels: allocation of outputs, broadcasting and dimension
 * collapsing for strided kernels, and the `work` estimates that decide threading. Ops (ops/*.ts)
 * use only this module, never raw pointers.
 */
import { engine } from './runtime.js';
import { type DType, type Shape, Tensor, contiguousStrides, empty, sizeOf, viewOf } from './tensor.js';
import { BinaryOp, UnaryOp, ReduceOp } from './kernels/opcodes.js';
import { GEMM_SCRATCH_BYTES } from './kernels/gemm.js';

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

/**
 * Drops size-1 dims and merges dims that are contiguous in every operand, so the kernels iterate
 * as few (and as long) inner runs as possible.
 */
function collapse(shape: Shape, stridesList: number[][]): { shape: number[]; strides: number[][] } {
  const keep: number[] = [];
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 1) keep.push(i);
  let outShape = keep.map((i) => shape[i]!);
  let outStrides = stridesList.map((s) => keep.map((i) => s[i]!));
  if (outShape.length === 0) return { shape: [1], strides: stridesList.map(() => [1]) };
  const mergedShape = [outShape[0]!];
  const mergedStrides = outStrides.map((s) => [s[0]!]);
  for (let i = 1; i < outShape.length; i++) {
    const last = mergedShape.length - 1;
    const canMerge = outStrides.every((s, k) => mergedStrides[k]![last] === s[i]! * outShape[i]!);
    if (canMerge) {
      mergedShape[last]! *= outShape[i]!;
      outStrides.forEach((s, k) => { mergedStrides[k]![last] = s[i]!; });
    } else {
      mergedShape.push(outShape[i]!);
      outStrides.forEach((s, k) => mergedStrides[k]!.push(s[i]!));
    }
  }
  outShape = mergedShape;
  outStrides = mergedStrides;
  return { shape: outShape, strides: outStrides };
}

/** Writes i32 arrays into the engine scratch block and returns their pointers. */
function writeScratch(...arrays: number[][]): number[] {
  const e = engine();
  const i32 = e.mem.i32;
  let off = e.scratch;
  const ptrs: number[] = [];
  for (const a of arrays) {
    if (off + a.length * 4 > e.scratch + e.scratchBytes) throw new Error('engine scratch overflow (too many dimensions)');
    ptrs.push(off);
    i32.set(a, off >> 2);
    off += Math.max(16, a.length * 4);
  }
  return ptrs;
}

/** Copies any view into a new contiguous tensor (same dtype). */
export function copyContiguous(t: Tensor, persistent = false): Tensor {
  const out = empty(t.shape, t.dtype, persistent);
  if (out.size === 0) return out;
  const c = collapse(t.shape, [[...t.strides]]);
  const [shapePtr, stridesPtr] = writeScratch(c.shape, c.strides[0]!);
  run('copy_strided_32', [c.shape.length, shapePtr!, t.ptr, stridesPtr!, out.ptr], out.size);
  return out;
}

/** `t` itself when contiguous, else a contiguous copy. */
export function contiguous(t: Tensor): Tensor {
  return t.isContiguous() ? t : copyContiguous(t);
}

export function fill(t: Tensor, value: number): void {
  if (!t.isContiguous()) throw new Error('fill needs a contiguous tensor');
  if (t.size === 0) return;
  run(t.dtype === 'float32' ? 'fill_f32' : 'fill_i32', [t.size, t.ptr, value], t.size);
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
  if (y.size) run('unary_f32', [UnaryOp[op], y.size, xc.ptr, y.ptr, alpha, beta], y.size * 8);
  return y;
}

/** dx = dy · f'(x) (y = f(x) where the derivative is cheaper from the output). */
export function unaryGrad(op: UnaryOpName, x: Tensor, y: Tensor, dy: Tensor, alpha = 0, beta = 0): Tensor {
  const xc = contiguous(x), yc = contiguous(y), dyc = contiguous(dy);
  const dx = empty(x.shape);
  if (dx.size) run('unary_grad_f32', [UnaryOp[op], dx.size, xc.ptr, yc.ptr, dyc.ptr, dx.ptr, alpha, beta, 0], dx.size * 8);
  return dx;
}

/** Broadcasting binary op; the output is a new contiguous tensor. */
export function binary(op: BinaryOpName, a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error(`${String(op).toLowerCase()}: operands must be float32 (got ${a.dtype}, ${b.dtype})`);
  const shape = broadcastShapes(a.shape, b.shape, String(op).toLowerCase());
  const out = empty(shape);
  if (out.size === 0) return out;
  const c = collapse(shape, [broadcastStrides(a, shape), broadcastStrides(b, shape)]);
  const [sp, asp, bsp] = writeScratch(c.shape, c.strides[0]!, c.strides[1]!);
  run('binary_f32', [BinaryOp[op], c.shape.length, sp!, out.ptr, a.ptr, asp!, b.ptr, bsp!], out.size * 3);
  return out;
}

/** where(cond != 0, a, b) with broadcasting. */
export function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const condF = cond.dtype === 'float32' ? cond : cast(cond, 'float32');
  const shape = broadcastShapes(broadcastShapes(condF.shape, a.shape, 'where'), b.shape, 'where');
  const out = empty(shape);
  if (out.size === 0) return out;
  const c = collapse(shape, [broadcastStrides(condF, shape), broadcastStrides(a, shape), broadcastStrides(b, shape)]);
  const [sp, csp, asp, bsp] = writeScratch(c.shape, c.strides[0]!, c.strides[1]!, c.strides[2]!);
  run('where_f32', [c.shape.length, sp!, out.ptr, condF.ptr, csp!, a.ptr, asp!, b.ptr, bsp!], out.size * 4);
  return out;
}

export function cast(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const src = contiguous(t);
  const out = empty(t.shape, dtype);
  if (out.size) run(dtype === 'float32' ? 'cast_i32_f32' : 'cast_f32_i32', [out.size, src.ptr, out.ptr], out.size);
  return out;
}

/**
 * Reduces one axis of a contiguous tensor. Returns shape with that axis removed (or kept as 1).
 */
export function reduceAxis(op: ReduceOpName, x: Tensor, axis: number, keepDim: boolean): Tensor {
  const xc = contiguous(x);
  const outer = sizeOf(x.shape.slice(0, axis));
  const red = x.shape[axis]!;
  const inner = sizeOf(x.shape.slice(axis + 1));
  const shape = keepDim ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis);
  const out = empty(shape);
  if (out.size === 0) return out;
  run('reduce_f32', [ReduceOp[op], outer, red, inner, xc.ptr, out.ptr], x.size);
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
  if (out.size) run(kind === 'argmax' ? 'argmax_f32' : 'argmin_f32', [outer, red, inner, xc.ptr, out.ptr], x.size);
  return out;
}

/** In-place dst += src (same shape; src may be any view). */
export function addInto(src: Tensor, dst: Tensor): void {
  const s = contiguous(src);
  if (!dst.isContiguous()) throw new Error('addInto: destination must be contiguous');
  if (s.size !== dst.size) throw new Error(`addInto: size mismatch ${s.size} vs ${dst.size}`);
  if (s.size) run('add_inplace_f32', [s.size, s.ptr, dst.ptr], s.size * 3);
}

/** In-place dst = src (same size). */
export function copyInto(src: Tensor, dst: Tensor): void {
  if (!dst.isContiguous()) throw new Error('copyInto: destination must be contiguous');
  if (src.size !== dst.size) throw new Error(`copyInto: size mismatch ${src.size} vs ${dst.size}`);
  if (!src.size) return;
  const c = collapse(src.shape, [[...src.strides]]);
  const [sp, ssp] = writeScratch(c.shape, c.strides[0]!);
  run('copy_strided_32', [c.shape.length, sp!, src.ptr, ssp!, dst.ptr], src.size);
}

/** a + b into a new tensor (same shapes; used to sum gradients). */
export function addNew(a: Tensor, b: Tensor): Tensor {
  return binary('ADD', a, b);
}

/** In-place y = alpha·x (+ y when accumulate): gradient scaling and clipping. */
export function scaleInPlace(t: Tensor, alpha: number): void {
  if (!t.isContiguous()) throw new Error('scaleInPlace needs a contiguous tensor');
  if (t.size) run('scale_f32', [t.size, alpha, t.ptr, t.ptr], t.size * 2);
}

/** Σ x² over all elements, accurate (per-thread f64 partials). */
export function sumOfSquares(t: Tensor): number {
  const c = contiguous(t);
  if (!c.size) return 0;
  const e = engine();
  const partials = e.scratch + 2048; // 2 KiB of the scratch: room for 256 f64 partials
  const f64 = new Float64Array(e.mem.memory.buffer, partials, e.threads);
  f64.fill(0);
  run('sumsq_f32', [c.size, c.ptr, partials], c.size);
  let s = 0;
  for (let i = 0; i < e.threads; i++) s += new Float64Array(e.mem.memory.buffer, partials, e.threads)[i]!;
  return s;
}

/** Fills `t` with uniform [lo, hi) or normal(mean, std) values from a counter-based RNG. */
export function randomFill(t: Tensor, dist: 'uniform' | 'normal', p0: number, p1: number, seed: number): void {
  if (!t.isContiguous() || t.dtype !== 'float32') throw new Error('randomFill needs a contiguous float32 tensor');
  if (!t.size) return;
  run(dist === 'uniform' ? 'rand_uniform_f32' : 'rand_normal_f32', [t.size, t.ptr, p0, p1, seed >>> 0, 0], t.size * 4);
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
  if (!e.gemmScratch) e.gemmScratch = e.mem.alloc(e.threads * GEMM_SCRATCH_BYTES);
  const work = 2 * M * N * K * batch;
  if (batch === 1) run('gemm', [+transA, +transB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, e.gemmScratch], work);
  else run('gemm_batched', [+transA, +transB, M, N, K, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch, e.gemmScratch], work);
}

/** Raw kernel call for ops with bespoke kernels (softmax, layerNorm, gemm, ...). */
export function runKernel(name: string, args: readonly number[], work: number): void {
  run(name, args, work);
}

export { viewOf, contiguousStrides };

/** Namespaced re-export used by autograd.ts. */
export const kernels = { copyInto, addInto, addNew, fill };
