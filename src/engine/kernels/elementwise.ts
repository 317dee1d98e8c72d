/**
 * Typed wrappers of the elementwise kernels (assembly/elementwise.ts). Pointers are byte offsets
 * into the engine memory; sizes and strides are in elements. Strided wrappers collapse the shape
 * (drop size-1 dims, merge dims that are contiguous for every operand) before writing it into a
 * per-memory 1 KiB scratch block: run() is synchronous fork-join, so reusing it is safe.
 */
import type { EngineMemory } from '../memory.js';
import type { KernelRunner } from './runner.js';
import { UNARY_GRAD_USES_Y, type BinaryOpCode, BinaryOp, type UnaryOpCode, UnaryOp } from './opcodes.js';

// ---------------------------------------------------------------------------------------------
// Argument checks shared by the wrapper modules (cheap: no bounds checks, wasm traps on those).

/** Throws unless `v` is a non-negative integer that fits an i32. */
export function checkSize(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new RangeError(`kernel argument ${name} must be a non-negative i32, got ${v}`);
}

/** Throws unless `p` is a 4-byte aligned pointer; 0 is accepted only when `optional`. */
export function checkPtr(name: string, p: number, optional = false): void {
  if (!Number.isInteger(p) || p < 0 || p > 0xffffffff || (p & 3) !== 0) throw new RangeError(`kernel pointer ${name} must be a 4-byte aligned offset, got ${p}`);
  if (p === 0 && !optional) throw new RangeError(`kernel pointer ${name} is null`);
}

const SCRATCH_BYTES = 1024;
const scratchByMemory = new WeakMap<EngineMemory, number>();

function scratch(mem: EngineMemory): number {
  let p = scratchByMemory.get(mem);
  if (p === undefined) {
    p = mem.alloc(SCRATCH_BYTES);
    scratchByMemory.set(mem, p);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Unary

/** Rough FLOPs per element, for the runner's parallel threshold. */
function unaryCost(op: UnaryOpCode): number {
  switch (op) {
    case UnaryOp.EXP: case UnaryOp.LOG: case UnaryOp.TANH: case UnaryOp.SIGMOID: case UnaryOp.SILU:
      return 20;
    case UnaryOp.GELU: case UnaryOp.GELU_TANH:
      return 30;
    case UnaryOp.SIN: case UnaryOp.COS: case UnaryOp.POW_SCALAR: case UnaryOp.LOG1P: case UnaryOp.EXPM1: case UnaryOp.SOFTPLUS:
      return 60; // scalar f64 libm
    default:
      return 2;
  }
}

/** y = f(x) over n floats (in place allowed). alpha/beta as documented on UnaryOp. */
export function unary(runner: KernelRunner, op: UnaryOpCode, n: number, x: number, y: number, alpha = 0, beta = 0): void {
  checkSize('n', n);
  if (n === 0) return;
  checkPtr('x', x); checkPtr('y', y);
  runner.run('unary_f32', [op, n, x, y, alpha, beta], n * unaryCost(op));
}

/**
 * dx = dy·f'(x), or dx += when `accumulate`. Ops in UNARY_GRAD_USES_Y read y = f(x) (x may be 0);
 * all others read x (y may be 0).
 */
export function unaryGrad(runner: KernelRunner, op: UnaryOpCode, n: number, x: number, y: number, dy: number, dx: number,
  accumulate = false, alpha = 0, beta = 0): void {
  checkSize('n', n);
  if (n === 0) return;
  const usesY = UNARY_GRAD_USES_Y.has(op);
  checkPtr('x', x, usesY); checkPtr('y', y, !usesY); checkPtr('dy', dy); checkPtr('dx', dx);
  runner.run('unary_grad_f32', [op, n, x, y, dy, dx, alpha, beta, accumulate ? 1 : 0], n * (unaryCost(op) + 2));
}

// ---------------------------------------------------------------------------------------------
// Strided kernels

/** A shape with one stride array per operand, after collapsing. */
export interface CollapsedLayout {
  shape: number[];
  strides: number[][];
  /** Product of the shape (0 = nothing to do). */
  size: number;
}

/**
 * Drops size-1 dims and merges dim d into d+1 where every operand has stride[d] ==
 * stride[d+1]·shape[d+1] (the output is contiguous, so it always qualifies). Fewer, longer rows
 * mean fewer index divisions and more SIMD in the kernels.
 */
export function collapseLayout(shape: readonly number[], strides: readonly (readonly number[])[]): CollapsedLayout {
  const ndim = shape.length;
  for (const s of strides) {
    if (s.length !== ndim) throw new RangeError(`stride array length ${s.length} does not match shape [${shape.join(', ')}]`);
  }
  let size = 1;
  for (const d of shape) { checkSize('shape[d]', d); size *= d; }
  if (size > 0x7fffffff) throw new RangeError(`tensor of ${size} elements exceeds the kernels' i32 indexing`);
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < ndim; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last]! === s[d]! * n)) {
      // Previous kept dim is contiguous over this one: merge (the merged dim takes this stride).
      outShape[last]! *= n;
      strides.forEach((s, k) => { outStrides[k]![last] = s[d]!; });
      continue;
    }
    outShape.push(n);
    strides.forEach((s, k) => outStrides[k]!.push(s[d]!));
  }
  if (outShape.length === 0 && size > 0) { outShape.push(1); strides.forEach((_, k) => outStrides[k]!.push(0)); }
  return { shape: outShape, strides: outStrides, size };
}

/** Writes shape and stride arrays (i32) into the scratch block; returns their pointers. */
function writeLayout(mem: EngineMemory, layout: CollapsedLayout): number[] {
  const ndim = layout.shape.length;
  const needed = 4 * ndim * (1 + layout.strides.length);
  if (needed > SCRATCH_BYTES) throw new RangeError(`strided kernel: ${ndim} dims after collapsing is too many`);
  const base = scratch(mem);
  const i32 = mem.i32;
  const ptrs: number[] = [];
  const arrays = [layout.shape, ...layout.strides];
  arrays.forEach((arr, k) => {
    const p = base + 4 * ndim * k;
    for (let d = 0; d < ndim; d++) {
      const v = arr[d]!;
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RangeError(`stride ${v} is not an i32`);
      i32[(p >>> 2) + d] = v;
    }
    ptrs.push(p);
  });
  return ptrs;
}

function binaryCost(op: BinaryOpCode): number {
  return op === BinaryOp.POW || op === BinaryOp.ATAN2 ? 60 : 2;
}

/**
 * out = a op b with broadcasting: `shape` is the (contiguous) output shape, aStrides/bStrides the
 * operands' element strides over it (0 where broadcast; negative allowed).
 */
export function binary(runner: KernelRunner, mem: EngineMemory, op: BinaryOpCode, shape: readonly number[], out: number,
  a: number, aStrides: readonly number[], b: number, bStrides: readonly number[]): void {
  const outStrides = contiguousStrides(shape);
  const layout = collapseLayout(shape, [outStrides, aStrides, bStrides]);
  if (layout.size === 0) return;
  checkPtr('out', out); checkPtr('a', a); checkPtr('b', b);
  const collapsed: CollapsedLayout = { shape: layout.shape, strides: layout.strides.slice(1), size: layout.size };
  const [pShape, pA, pB] = writeLayout(mem, collapsed);
  runner.run('binary_f32', [op, collapsed.shape.length, pShape!, out, a, pA!, b, pB!], layout.size * binaryCost(op));
}

/** out = cond != 0 ? a : b (cond is f32; NaN counts as true), strided/broadcast like `binary`. */
export function where(runner: KernelRunner, mem: EngineMemory, shape: readonly number[], out: number,
  cond: number, condStrides: readonly number[], a: number, aStrides: readonly number[], b: number, bStrides: readonly number[]): void {
  const layout = collapseLayout(shape, [contiguousStrides(shape), condStrides, aStrides, bStrides]);
  if (layout.size === 0) return;
  checkPtr('out', out); checkPtr('cond', cond); checkPtr('a', a); checkPtr('b', b);
  const collapsed: CollapsedLayout = { shape: layout.shape, strides: layout.strides.slice(1), size: layout.size };
  const [pShape, pC, pA, pB] = writeLayout(mem, collapsed);
  runner.run('where_f32', [collapsed.shape.length, pShape!, out, cond, pC!, a, pA!, b, pB!], layout.size * 3);
}

/** Copies a strided view of 4-byte elements (f32 or i32) into the contiguous buffer `dst`. */
export function copyStrided(runner: KernelRunner, mem: EngineMemory, shape: readonly number[], src: number, srcStrides: readonly number[], dst: number): void {
  const layout = collapseLayout(shape, [contiguousStrides(shape), srcStrides]);
  if (layout.size === 0) return;
  checkPtr('src', src); checkPtr('dst', dst);
  const collapsed: CollapsedLayout = { shape: layout.shape, strides: layout.strides.slice(1), size: layout.size };
  const [pShape, pS] = writeLayout(mem, collapsed);
  runner.run('copy_strided_32', [collapsed.shape.length, pShape!, src, pS!, dst], layout.size * 2);
}

/**
 * Copies a strided view into another strided view of the same shape (4-byte elements): concat,
 * pad and slice gradients write into windows of a larger tensor. At most 8 dims after collapsing.
 */
export function copyStridedInto(runner: KernelRunner, mem: EngineMemory, shape: readonly number[], src: number, srcStrides: readonly number[],
  dst: number, dstStrides: readonly number[]): void {
  const layout = collapseLayout(shape, [dstStrides, srcStrides]);
  if (layout.size === 0) return;
  checkPtr('src', src); checkPtr('dst', dst);
  if (layout.shape.length > 8) throw new RangeError(`strided copy: ${layout.shape.length} dims after collapsing (at most 8)`);
  const [pShape, pDst, pSrc] = writeLayout(mem, layout);
  runner.run('copy_strided2_32', [layout.shape.length, pShape!, src, pSrc!, dst, pDst!], layout.size * 2);
}

/** Row-major strides (elements) of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]!; }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Fills, casts, BLAS-1

export function fillF32(runner: KernelRunner, n: number, ptr: number, value: number): void {
  checkSize('n', n);
  if (n === 0) return;
  checkPtr('ptr', ptr);
  runner.run('fill_f32', [n, ptr, value], n);
}

export function fillI32(runner: KernelRunner, n: number, ptr: number, value: number): void {
  checkSize('n', n);
  if (n === 0) return;
  checkPtr('ptr', ptr);
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) throw new RangeError(`fillI32 value ${value} is not an i32`);
  runner.run('fill_i32', [n, ptr, value], n);
}

export function castI32ToF32(runner: KernelRunner, n: number, x: number, y: number): void {
  checkSize('n', n);
  if (n === 0) return;
  checkPtr('x', x); checkPtr('y', y);
  runner.run('cast_i32_f32', [n, x, y], 2 * n);
}

/** Truncation toward zero; NaN → 0, out-of-range values saturate to ±2^31. */
export function castF32ToI32(runner: KernelRunner, n: number, x: number, y: number): void {
  checkSize('n', n);
  if (n === 0) return;
  checkPtr('x', x); checkPtr('y', y);
  runner.run('cast_f32_i32', [n, x, y], 2 * n);
}

/** y += alpha·x */
export function axpy(runner: KernelRunner, n: number, alpha: number, x: number, y: number): void {
  checkSize('n', n);
  if (n === 0) return;
  checkPtr('x', x); checkPtr('y', y);
  runner.run('axpy_f32', [n, alpha, x, y], 3 * n);
}

/** y = alpha·x (in place allowed) */
export function scale(runner: KernelRunner, n: number, alpha: number, x: number, y: number): void {
  checkSize('n', n);
  if (n === 0) return;
  checkPtr('x', x); checkPtr('y', y);
  runner.run('scale_f32', [n, alpha, x, y], 2 * n);
}

/** y += x (gradient accumulation) */
export function addInplace(runner: KernelRunner, n: number, x: number, y: number): void {
  checkSize('n', n);
  if (n === 0) return;
  checkPtr('x', x); checkPtr('y', y);
  runner.run('add_inplace_f32', [n, x, y], 3 * n);
}
