/**
 * Typed wrappers of the reduction kernels (assembly/reduce.ts). A reduction over axis k of a
 * contiguous tensor is the view [outer, red, inner] with outer = Π shape[<k], red = shape[k],
 * inner = Π shape[>k].
 */
import type { EngineMemory } from '../memory.js';
import type { KernelRunner } from './runner.js';
import type { ReduceOpCode } from './opcodes.js';
import { checkPtr, checkSize } from './elementwise.js';

function checkView(outer: number, red: number, inner: number): void {
  checkSize('outer', outer); checkSize('red', red); checkSize('inner', inner);
  if (outer * red * inner > 0x7fffffff) throw new RangeError('reduction view exceeds the kernels\' i32 indexing');
}

/**
 * out[o, j] = reduce over r of x[o, r, j] (f64 accumulation for SUM/MEAN/SUMSQ/PROD). Empty
 * reductions give SUM/SUMSQ 0, MEAN NaN, MAX -inf, MIN +inf, PROD 1; MAX/MIN propagate NaN.
 */
export function reduce(runner: KernelRunner, op: ReduceOpCode, outer: number, red: number, inner: number, x: number, out: number): void {
  checkView(outer, red, inner);
  if (outer * inner === 0) return;
  checkPtr('x', x, red === 0); checkPtr('out', out);
  runner.run('reduce_f32', [op, outer, red, inner, x, out], outer * red * inner * 2);
}

/** outIdx (i32 [outer, inner]) = index of the maximum along red; first on ties, first NaN wins. */
export function argmax(runner: KernelRunner, outer: number, red: number, inner: number, x: number, outIdx: number): void {
  checkView(outer, red, inner);
  if (outer * inner === 0) return;
  checkPtr('x', x, red === 0); checkPtr('outIdx', outIdx);
  runner.run('argmax_f32', [outer, red, inner, x, outIdx], outer * red * inner * 2);
}

export function argmin(runner: KernelRunner, outer: number, red: number, inner: number, x: number, outIdx: number): void {
  checkView(outer, red, inner);
  if (outer * inner === 0) return;
  checkPtr('x', x, red === 0); checkPtr('outIdx', outIdx);
  runner.run('argmin_f32', [outer, red, inner, x, outIdx], outer * red * inner * 2);
}

/** y = cumulative sum along red (reverse: from the end, which is also cumsum's backward). */
export function cumsum(runner: KernelRunner, outer: number, red: number, inner: number, x: number, y: number, reverse = false): void {
  checkView(outer, red, inner);
  if (outer * red * inner === 0) return;
  checkPtr('x', x); checkPtr('y', y);
  runner.run('cumsum_f32', [outer, red, inner, x, y, reverse ? 1 : 0], outer * red * inner * 2);
}

/**
 * The k largest of each row of `red` floats, descending (NaN largest), ties keep the lower index
 * first. values f32 [outer, k], indices i32 [outer, k]. O(red·k) per row: meant for small k.
 */
export function topk(runner: KernelRunner, outer: number, red: number, k: number, x: number, values: number, indices: number): void {
  checkView(outer, red, 1); checkSize('k', k);
  if (k > red) throw new RangeError(`topk: k = ${k} exceeds the row length ${red}`);
  if (outer === 0 || k === 0) return;
  checkPtr('x', x); checkPtr('values', values); checkPtr('indices', indices);
  runner.run('topk_f32', [outer, red, k, x, values, indices], outer * red * Math.min(k, 8));
}

const partialsByMemory = new WeakMap<EngineMemory, number>();
const PARTIALS_BYTES = 1024; // 128 threads × f64

function partials(mem: EngineMemory, threads: number): number {
  if (threads * 8 > PARTIALS_BYTES) throw new RangeError(`dot/sumsq: at most ${PARTIALS_BYTES / 8} threads`);
  let p = partialsByMemory.get(mem);
  if (p === undefined) { p = mem.alloc(PARTIALS_BYTES); partialsByMemory.set(mem, p); }
  // Zero every slot: the runner may use fewer threads than it has for small work.
  new Float64Array(mem.memory.buffer, p, threads).fill(0);
  return p;
}

function sumPartials(mem: EngineMemory, p: number, threads: number): number {
  const v = new Float64Array(mem.memory.buffer, p, threads);
  let s = 0;
  for (let i = 0; i < threads; i++) s += v[i]!;
  return s;
}

/** Σ x·y over n floats, accumulated in f64. */
export function dot(runner: KernelRunner, mem: EngineMemory, n: number, x: number, y: number): number {
  checkSize('n', n);
  if (n === 0) return 0;
  checkPtr('x', x); checkPtr('y', y);
  const p = partials(mem, runner.threads);
  runner.run('dot_f32', [n, x, y, p], 2 * n);
  return sumPartials(mem, p, runner.threads);
}

/** Σ x² over n floats, accumulated in f64 (global gradient-norm clipping). */
export function sumsq(runner: KernelRunner, mem: EngineMemory, n: number, x: number): number {
  checkSize('n', n);
  if (n === 0) return 0;
  checkPtr('x', x);
  const p = partials(mem, runner.threads);
  runner.run('sumsq_f32', [n, x, p], 2 * n);
  return sumPartials(mem, p, runner.threads);
}
