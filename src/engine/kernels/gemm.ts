/**
 * Thin TypeScript wrappers over the GEMM and conv1d-lowering kernels: default leading dimensions,
 * argument validation with clear errors, and the work estimate the runner uses to decide whether
 * to fan out. Pointers are byte offsets into the engine memory (fp32 data, 4-byte aligned).
 */
import type { EngineMemory } from '../memory.js';
import type { KernelRunner } from './runner.js';

/**
 * Per-thread GEMM scratch in bytes: packed A block (128×256 f32) + packed B panel (256×1024 f32)
 * + one 4×8 edge tile. Must equal the wasm export gemm_scratch_bytes() (the pool checks).
 */
export const GEMM_SCRATCH_BYTES = 128 * 256 * 4 + 256 * 1024 * 4 + 4 * 8 * 4;

/** Allocates scratch for `threads` threads (for runners other than WorkerPool, which owns its own). */
export function allocGemmScratch(mem: EngineMemory, threads: number): number {
  return mem.alloc(threads * GEMM_SCRATCH_BYTES);
}

export interface GemmArgs {
  /** op(A) = A^T when true: A is stored K×M. */
  transA?: boolean;
  /** op(B) = B^T when true: B is stored N×K. */
  transB?: boolean;
  M: number;
  N: number;
  K: number;
  alpha?: number;
  a: number;
  /** Row stride of A as stored, in elements (default: K, or M when transA). */
  lda?: number;
  b: number;
  /** Row stride of B as stored (default: N, or K when transB). */
  ldb?: number;
  /** 0 (default) overwrites C, ignoring its contents (even NaN). */
  beta?: number;
  c: number;
  /** Row stride of C (default N). */
  ldc?: number;
}

export interface GemmBatchedArgs extends GemmArgs {
  batch: number;
  /** Element offset between consecutive A matrices; 0 broadcasts one A over the batch. Default: one dense matrix. */
  strideA?: number;
  strideB?: number;
  /** Element offset between consecutive C matrices (default M*ldc; must not be 0 when batch > 1). */
  strideC?: number;
}

function checkDim(what: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min || v > 0x7fffffff) throw new RangeError(`gemm: ${what} must be an integer >= ${min}, got ${v}`);
}
function checkPtr(what: string, p: number): void {
  if (!Number.isInteger(p) || p < 0 || p % 4 !== 0 || p > 0xffffffff) throw new RangeError(`gemm: ${what} must be a 4-byte-aligned byte offset, got ${p}`);
}

interface Resolved { tA: number; tB: number; lda: number; ldb: number; ldc: number; alpha: number; beta: number }

function resolve(o: GemmArgs): Resolved {
  checkDim('M', o.M, 0);
  checkDim('N', o.N, 0);
  checkDim('K', o.K, 0);
  checkPtr('a', o.a);
  checkPtr('b', o.b);
  checkPtr('c', o.c);
  const tA = o.transA ? 1 : 0;
  const tB = o.transB ? 1 : 0;
  // Stored widths: A is M×K (K×M if transposed), B is K×N (N×K if transposed).
  const aWidth = tA ? o.M : o.K;
  const bWidth = tB ? o.K : o.N;
  const lda = o.lda ?? Math.max(1, aWidth);
  const ldb = o.ldb ?? Math.max(1, bWidth);
  const ldc = o.ldc ?? Math.max(1, o.N);
  checkDim('lda', lda, Math.max(1, aWidth));
  checkDim('ldb', ldb, Math.max(1, bWidth));
  checkDim('ldc', ldc, Math.max(1, o.N));
  const alpha = o.alpha ?? 1;
  const beta = o.beta ?? 0;
  if (!Number.isFinite(alpha)) throw new RangeError(`gemm: alpha must be finite, got ${alpha}`);
  if (!Number.isFinite(beta)) throw new RangeError(`gemm: beta must be finite, got ${beta}`);
  return { tA, tB, lda, ldb, ldc, alpha, beta };
}

/** C = alpha·op(A)·op(B) + beta·C (row-major fp32). `scratch`: threads × GEMM_SCRATCH_BYTES. */
export function gemm(runner: KernelRunner, scratch: number, o: GemmArgs): void {
  const r = resolve(o);
  checkPtr('scratch', scratch);
  if (o.M === 0 || o.N === 0) return;
  runner.run('gemm', [r.tA, r.tB, o.M, o.N, o.K, r.alpha, o.a, r.lda, o.b, r.ldb, r.beta, o.c, r.ldc, scratch], 2 * o.M * o.N * o.K);
}

/** `batch` independent GEMMs at element strides strideA/B/C (0 broadcasts an operand). */
export function gemmBatched(runner: KernelRunner, scratch: number, o: GemmBatchedArgs): void {
  const r = resolve(o);
  checkPtr('scratch', scratch);
  checkDim('batch', o.batch, 0);
  const strideA = o.strideA ?? (o.transA ? o.K : o.M) * r.lda;
  const strideB = o.strideB ?? (o.transB ? o.N : o.K) * r.ldb;
  const strideC = o.strideC ?? o.M * r.ldc;
  checkDim('strideA', strideA, 0);
  checkDim('strideB', strideB, 0);
  checkDim('strideC', strideC, 0);
  if (strideC === 0 && o.batch > 1) throw new RangeError('gemmBatched: strideC = 0 would make batch items write the same C');
  if (o.M === 0 || o.N === 0 || o.batch === 0) return;
  runner.run('gemm_batched', [r.tA, r.tB, o.M, o.N, o.K, r.alpha, o.a, r.lda, strideA, o.b, r.ldb, strideB, r.beta, o.c, r.ldc, strideC, o.batch, scratch],
    2 * o.M * o.N * o.K * o.batch);
}

export interface Conv1dGeometry {
  /** Batch, channels, input length, kernel size. */
  B: number;
  C: number;
  L: number;
  K: number;
  stride?: number;
  padding?: number;
  dilation?: number;
}

/** Output length of a conv1d: floor((L + 2·pad − dilation·(K−1) − 1) / stride) + 1. */
export function conv1dOutputLength(g: Conv1dGeometry): number {
  const { L, K } = g;
  const stride = g.stride ?? 1, pad = g.padding ?? 0, dil = g.dilation ?? 1;
  return Math.floor((L + 2 * pad - dil * (K - 1) - 1) / stride) + 1;
}

function convArgs(g: Conv1dGeometry): number[] {
  const stride = g.stride ?? 1, pad = g.padding ?? 0, dil = g.dilation ?? 1;
  for (const [k, v, min] of [['B', g.B, 0], ['C', g.C, 0], ['L', g.L, 0], ['K', g.K, 1], ['stride', stride, 1], ['padding', pad, 0], ['dilation', dil, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`conv1d: ${k} must be an integer >= ${min}, got ${v}`);
  }
  const Lout = conv1dOutputLength(g);
  if (Lout < 1) throw new RangeError(`conv1d: output length ${Lout} < 1 (L=${g.L}, K=${g.K}, stride=${stride}, padding=${pad}, dilation=${dil})`);
  return [g.B, g.C, g.L, g.K, stride, pad, dil, Lout];
}

/**
 * Work estimate in FLOP-equivalents for the runner's threshold: bytes of col written/read × 8
 * (one thread moves ~6–10 GB/s, i.e. a byte costs about as long as 5–8 GEMM FLOPs).
 */
function convWork(g: Conv1dGeometry, Lout: number): number {
  return g.B * g.C * g.K * Lout * 4 * 8;
}

/** x [B, C, L] → col [B, C·K, Lout] (zeros where the window hits padding). */
export function im2col1d(runner: KernelRunner, g: Conv1dGeometry, x: number, col: number): void {
  const args = convArgs(g);
  checkPtr('x', x);
  checkPtr('col', col);
  runner.run('im2col1d', [x, ...args, col], convWork(g, args[7]!));
}

/** Adjoint of im2col1d: xGrad [B, C, L] (+)= col2im(col). `accumulate` false overwrites xGrad. */
export function col2im1d(runner: KernelRunner, g: Conv1dGeometry, col: number, xGrad: number, accumulate = false): void {
  const args = convArgs(g);
  checkPtr('col', col);
  checkPtr('xGrad', xGrad);
  runner.run('col2im1d', [col, ...args, xGrad, accumulate ? 1 : 0], convWork(g, args[7]!));
}
