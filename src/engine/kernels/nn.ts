/**
 * Typed wrappers of the neural-network kernels (assembly/nn.ts). Row-wise kernels work on the last
 * dimension of a contiguous [rows, n] buffer.
 *
 * Fully masked rows (every entry −inf) give softmax 0, log_softmax −inf and logsumexp −inf rather
 * than torch's NaN, so attention over padding stays finite.
 */
import type { EngineMemory } from '../memory.js';
import type { KernelRunner } from './runner.js';
import { checkPtr, checkSize } from './elementwise.js';

function checkRows(rows: number, n: number): void {
  checkSize('rows', rows); checkSize('n', n);
  if (rows * n > 0x7fffffff) throw new RangeError('row kernel: rows·n exceeds the kernels\' i32 indexing');
}

export function softmax(runner: KernelRunner, rows: number, n: number, x: number, y: number): void {
  checkRows(rows, n);
  if (rows * n === 0) return;
  checkPtr('x', x); checkPtr('y', y);
  runner.run('softmax_f32', [rows, n, x, y], rows * n * 25);
}

/** dx (= or += when accumulate) y·(dy − Σ dy·y) */
export function softmaxBwd(runner: KernelRunner, rows: number, n: number, y: number, dy: number, dx: number, accumulate = false): void {
  checkRows(rows, n);
  if (rows * n === 0) return;
  checkPtr('y', y); checkPtr('dy', dy); checkPtr('dx', dx);
  runner.run('softmax_bwd_f32', [rows, n, y, dy, dx, accumulate ? 1 : 0], rows * n * 5);
}

export function logSoftmax(runner: KernelRunner, rows: number, n: number, x: number, y: number): void {
  checkRows(rows, n);
  if (rows * n === 0) return;
  checkPtr('x', x); checkPtr('y', y);
  runner.run('log_softmax_f32', [rows, n, x, y], rows * n * 25);
}

/** dx (= or +=) dy − exp(y)·Σ dy, with y the log_softmax output. */
export function logSoftmaxBwd(runner: KernelRunner, rows: number, n: number, y: number, dy: number, dx: number, accumulate = false): void {
  checkRows(rows, n);
  if (rows * n === 0) return;
  checkPtr('y', y); checkPtr('dy', dy); checkPtr('dx', dx);
  runner.run('log_softmax_bwd_f32', [rows, n, y, dy, dx, accumulate ? 1 : 0], rows * n * 25);
}

/** out[r] = log Σ_j exp x[r, j] (−inf for n = 0 or fully masked rows). */
export function logsumexp(runner: KernelRunner, rows: number, n: number, x: number, out: number): void {
  checkRows(rows, n);
  if (rows === 0) return;
  checkPtr('x', x, n === 0); checkPtr('out', out);
  runner.run('logsumexp_f32', [rows, n, x, out], rows * n * 25);
}

/**
 * Layer norm over rows of n: y = (x − mean)·rstd·gamma + beta, biased variance. gamma/beta may be
 * 0 (no affine); mean/rstd (f32 [rows]) may be 0 when no backward follows.
 */
export function layerNorm(runner: KernelRunner, rows: number, n: number, x: number, gamma: number, beta: number, eps: number,
  y: number, mean: number, rstd: number): void {
  checkRows(rows, n);
  if (rows * n === 0) return;
  checkPtr('x', x); checkPtr('gamma', gamma, true); checkPtr('beta', beta, true); checkPtr('y', y);
  checkPtr('mean', mean, true); checkPtr('rstd', rstd, true);
  runner.run('layernorm_f32', [rows, n, x, gamma, beta, eps, y, mean, rstd], rows * n * 8);
}

/** Bytes of the partials scratch layerNormBwd needs: threads × 2n floats. */
export function layerNormBwdScratchBytes(runner: KernelRunner, n: number): number {
  return runner.threads * 2 * n * 4;
}

export interface LayerNormBwdArgs {
  rows: number;
  n: number;
  x: number;
  /** 0 when the layer has no gamma. */
  gamma: number;
  dy: number;
  mean: number;
  rstd: number;
  dx: number;
  /** dx += instead of =. */
  accumulateDx?: boolean;
  /**
   * Parameter gradients: f32 [2n] = dgamma then dbeta (0 = not wanted). Needs `partials`, a
   * scratch of layerNormBwdScratchBytes(runner, n) bytes.
   */
  dParams?: number;
  partials?: number;
  /** dParams += instead of =. */
  accumulateParams?: boolean;
}

/** Layer-norm backward: dx, and optionally dgamma/dbeta via per-thread partials + sum_partials_f32. */
export function layerNormBwd(runner: KernelRunner, mem: EngineMemory, a: LayerNormBwdArgs): void {
  const { rows, n } = a;
  checkRows(rows, n);
  if (n === 0) return;
  const dParams = a.dParams ?? 0;
  const partials = dParams ? (a.partials ?? 0) : 0;
  checkPtr('x', a.x, rows === 0); checkPtr('gamma', a.gamma, true); checkPtr('dy', a.dy, rows === 0);
  checkPtr('mean', a.mean, rows === 0); checkPtr('rstd', a.rstd, rows === 0); checkPtr('dx', a.dx, rows === 0);
  checkPtr('dParams', dParams, true);
  if (dParams) checkPtr('partials', partials);
  const threads = runner.threads;
  // Threads the runner leaves idle (small work) never touch their block: zero all of them.
  if (partials) new Float32Array(mem.memory.buffer, partials, threads * 2 * n).fill(0);
  if (rows > 0) {
    runner.run('layernorm_bwd_f32', [rows, n, a.x, a.gamma, a.dy, a.mean, a.rstd, a.dx, a.accumulateDx ? 1 : 0, partials], rows * n * 12);
  }
  if (dParams) runner.run('sum_partials_f32', [threads, 2 * n, partials, dParams, a.accumulateParams ? 1 : 0], threads * 2 * n);
}

/**
 * out[i, :] = table[idx[i], :] (embedding lookup / index_select on axis 0); idx is i32 [nIdx],
 * table f32 [nRows, width]. Returns false if any index was outside [0, nRows): those rows of out
 * are NaN (callers should throw).
 */
export function gatherRows(runner: KernelRunner, mem: EngineMemory, nIdx: number, width: number, nRows: number,
  table: number, idx: number, out: number): boolean {
  checkRows(nIdx, width); checkSize('nRows', nRows);
  if (nIdx === 0) return true;
  checkPtr('table', table, nRows * width === 0); checkPtr('idx', idx); checkPtr('out', out, width === 0);
  const flag = flagWord(mem);
  mem.i32[flag >>> 2] = 0;
  runner.run('gather_rows_f32', [nIdx, width, nRows, table, idx, out, flag], nIdx * width);
  return mem.i32[flag >>> 2] === 0;
}

/** tableGrad[idx[i], :] += src[i, :]; race-free (threads split columns); bad indices skipped. */
export function scatterAddRows(runner: KernelRunner, nIdx: number, width: number, nRows: number, src: number, idx: number, tableGrad: number): void {
  checkRows(nIdx, width); checkSize('nRows', nRows);
  if (nIdx * width === 0) return;
  checkPtr('src', src); checkPtr('idx', idx); checkPtr('tableGrad', tableGrad);
  runner.run('scatter_add_rows_f32', [nIdx, width, nRows, src, idx, tableGrad], nIdx * width * 2);
}

/**
 * FastSpeech length regulator: y[b] = x[b, t] repeated lengths[b, t] times (i32, negative = 0),
 * concatenated, truncated / zero-padded to tOut rows. x f32 [B, tIn, width], y f32 [B, tOut, width].
 */
export function repeatRows(runner: KernelRunner, B: number, tIn: number, width: number, x: number, lengths: number, tOut: number, y: number): void {
  checkSize('B', B); checkSize('tIn', tIn); checkRows(B * tOut, width);
  if (B * tOut * width === 0) return;
  checkPtr('x', x, tIn === 0); checkPtr('lengths', lengths, tIn === 0); checkPtr('y', y);
  runner.run('repeat_rows_f32', [B, tIn, width, x, lengths, tOut, y], B * tOut * width);
}

/** dx[b, t] (= or +=) Σ of the dy rows that repeated x[b, t]. */
export function repeatRowsBwd(runner: KernelRunner, B: number, tIn: number, width: number, dy: number, lengths: number, tOut: number,
  dx: number, accumulate = false): void {
  checkSize('B', B); checkSize('tOut', tOut); checkRows(B * tIn, width);
  if (B * tIn * width === 0) return;
  checkPtr('dy', dy, tOut === 0); checkPtr('lengths', lengths); checkPtr('dx', dx);
  runner.run('repeat_rows_bwd_f32', [B, tIn, width, dy, lengths, tOut, dx, accumulate ? 1 : 0], B * Math.max(tIn, tOut) * width);
}

/**
 * y = x·mask with mask[i] = 1/(1−p) where uniform(seed, offset + i) ≥ p, else 0 (all 0 for
 * p ≥ 1). mask (f32 [n], may be 0) is what the backward multiplies dy by. Thread-count independent.
 */
export function dropout(runner: KernelRunner, n: number, x: number, y: number, mask: number, p: number, seed: number, offset = 0): void {
  checkSize('n', n);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability must be in [0, 1], got ${p}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be a u32, got ${seed}`);
  if (!Number.isInteger(offset) || offset < 0 || offset > 0xffffffff) throw new RangeError(`offset must be a u32, got ${offset}`);
  if (n === 0) return;
  checkPtr('x', x); checkPtr('y', y); checkPtr('mask', mask, true);
  runner.run('dropout_f32', [n, x, y, mask, p, seed, offset], 10 * n);
}

const flagByMemory = new WeakMap<EngineMemory, number>();

/** One i32 error-flag word per memory (in a 1 KiB block, the wrappers' scratch size). */
function flagWord(mem: EngineMemory): number {
  let p = flagByMemory.get(mem);
  if (p === undefined) { p = mem.alloc(1024); flagByMemory.set(mem, p); }
  return p;
}
