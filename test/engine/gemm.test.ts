// GEMM and conv1d-lowering kernels vs float64 references, on 1 thread and on the 2-thread pool.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EngineMemory } from '../../src/engine/memory.js';
import { SingleThreadRunner } from '../../src/engine/kernels/runner.js';
import { instantiateKernels, loadKernelModule, relaxedSimdAvailable } from '../../src/engine/kernels/load.js';
import { WorkerPool } from '../../src/engine/kernels/pool.js';
import {
  GEMM_SCRATCH_BYTES, allocGemmScratch, col2im1d, conv1dOutputLength, gemm, gemmBatched, im2col1d, type Conv1dGeometry,
} from '../../src/engine/kernels/gemm.js';

let mem: EngineMemory;
let single: SingleThreadRunner;
let singleScratch: number;
let pool: WorkerPool;
/** The plain SIMD build (mul + add), which runtimes without relaxed SIMD get; `single` has the FMA one where available. */
let plain: SingleThreadRunner;

before(async () => {
  mem = new EngineMemory({ shared: true });
  const module = await loadKernelModule('shared');
  single = new SingleThreadRunner(await instantiateKernels(module, mem.memory));
  plain = new SingleThreadRunner(await instantiateKernels(await loadKernelModule('shared', { fma: false }), mem.memory));
  singleScratch = allocGemmScratch(mem, 1);
  // minParallelWork 0: every call is split, so tiny shapes exercise the thread slicing too.
  pool = await WorkerPool.create({ module, mem, threads: 2, minParallelWork: 0 });
});
after(async () => {
  await pool.close();
});

// Deterministic PRNG (mulberry32) so failures reproduce.
let seed = 12345;
function rand(): number {
  let t = (seed = (seed + 0x6d2b79f5) >>> 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** A block of `n` f32 in engine memory, filled with uniform [-1, 1) values (or `fill`). */
function block(n: number, fill?: number): number {
  const p = mem.alloc(Math.max(1, n) * 4);
  const f = mem.f32;
  for (let i = 0; i < n; i++) f[p / 4 + i] = fill ?? rand() * 2 - 1;
  return p;
}
function read(p: number, n: number): Float32Array {
  return mem.f32.slice(p / 4, p / 4 + n);
}
function write(p: number, v: Float32Array): void {
  mem.f32.set(v, p / 4);
}

interface Case {
  tA: boolean; tB: boolean; M: number; N: number; K: number;
  alpha: number; beta: number; padA: number; padB: number; padC: number;
}

/** float64 reference of C = alpha op(A) op(B) + beta C; also returns Σ|terms| per element for the tolerance. */
function reference(cs: Case, A: Float32Array, lda: number, B: Float32Array, ldb: number, C0: Float32Array, ldc: number): { ref: Float64Array; mag: Float64Array } {
  const { M, N, K } = cs;
  const ref = new Float64Array(M * N), mag = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0, m = 0;
      for (let k = 0; k < K; k++) {
        const a = cs.tA ? A[k * lda + i]! : A[i * lda + k]!;
        const b = cs.tB ? B[j * ldb + k]! : B[k * ldb + j]!;
        s += a * b;
        m += Math.abs(a * b);
      }
      const old = cs.beta === 0 ? 0 : cs.beta * C0[i * ldc + j]!;
      ref[i * N + j] = cs.alpha * s + old;
      mag[i * N + j] = Math.abs(cs.alpha) * m + Math.abs(old);
    }
  }
  return { ref, mag };
}

function checkAgainst(label: string, got: Float32Array, ldc: number, cs: Case, ref: Float64Array, mag: Float64Array): void {
  for (let i = 0; i < cs.M; i++) {
    for (let j = 0; j < cs.N; j++) {
      const g = got[i * ldc + j]!, r = ref[i * cs.N + j]!;
      const tol = 2e-6 * (mag[i * cs.N + j]! + 1) * Math.sqrt(cs.K + 1);
      if (!(Math.abs(g - r) <= tol)) assert.fail(`${label}: C[${i}][${j}] = ${g}, expected ${r} (tol ${tol})`);
    }
  }
}

function maxRelDiff(x: Float32Array, y: Float32Array): number {
  let d = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]!) !== Number.isNaN(y[i]!)) return Infinity;
    if (Number.isNaN(x[i]!)) continue; // untouched NaN padding in both
    d = Math.max(d, Math.abs(x[i]! - y[i]!) / (Math.abs(x[i]!) + 1e-30));
  }
  return d;
}

function runCase(cs: Case): void {
  const label = `${cs.tA ? 'T' : 'N'}${cs.tB ? 'T' : 'N'} M=${cs.M} N=${cs.N} K=${cs.K} α=${cs.alpha} β=${cs.beta} pads=${cs.padA},${cs.padB},${cs.padC}`;
  const aRows = cs.tA ? cs.K : cs.M, aCols = cs.tA ? cs.M : cs.K;
  const bRows = cs.tB ? cs.N : cs.K, bCols = cs.tB ? cs.K : cs.N;
  const lda = Math.max(1, aCols) + cs.padA, ldb = Math.max(1, bCols) + cs.padB, ldc = cs.N + cs.padC;
  const a = block(aRows * lda), b = block(bRows * ldb);
  // beta = 0 must ignore C entirely: fill it with NaN garbage.
  const c = block(cs.M * ldc, cs.beta === 0 ? NaN : undefined);
  const C0 = read(c, cs.M * ldc);
  const { ref, mag } = reference(cs, read(a, aRows * lda), lda, read(b, bRows * ldb), ldb, C0, ldc);
  const args = { transA: cs.tA, transB: cs.tB, M: cs.M, N: cs.N, K: cs.K, alpha: cs.alpha, a, lda, b, ldb, beta: cs.beta, c, ldc };

  gemm(single, singleScratch, args);
  const got1 = read(c, cs.M * ldc);
  checkAgainst(`${label} (1 thread)`, got1, ldc, cs, ref, mag);
  // Padding columns of C must be untouched.
  for (let i = 0; i < cs.M; i++) for (let j = cs.N; j < ldc; j++) assert.ok(Object.is(got1[i * ldc + j], C0[i * ldc + j]), `${label}: wrote C padding`);

  write(c, C0);
  gemm(pool, pool.gemmScratch, args);
  const got2 = read(c, cs.M * ldc);
  assert.ok(maxRelDiff(got1, got2) <= 1e-5, `${label}: 2-thread result differs from 1-thread`);

  write(c, C0);
  gemm(plain, singleScratch, args);
  checkAgainst(`${label} (plain SIMD build)`, read(c, cs.M * ldc), ldc, cs, ref, mag);
  for (const p of [a, b, c]) mem.release(p);
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 7, 3], [3, 1, 5], [5, 3, 1], [3, 17, 17], [17, 3, 17], [4, 8, 2], [8, 16, 4],
  [13, 29, 31], [64, 64, 64], [33, 65, 129], [130, 70, 300], [7, 1030, 9], [260, 9, 515], [1, 200, 300], [200, 1, 77],
];

test('gemm: all four transposes vs float64 reference (odd sizes, 1 and 2 threads)', () => {
  for (const [M, N, K] of SHAPES) {
    for (const tA of [false, true]) for (const tB of [false, true]) {
      runCase({ tA, tB, M, N, K, alpha: 1, beta: 0, padA: 0, padB: 0, padC: 0 });
    }
  }
});

test('gemm: leading dimensions larger than the row width, alpha and beta', () => {
  const variants: [number, number][] = [[1, 0], [0.5, 0], [-1.25, 1], [2, -0.5], [1, 1]];
  for (const [M, N, K] of [[5, 9, 7], [37, 21, 43], [66, 130, 259], [1, 1, 1]] as const) {
    for (const tA of [false, true]) for (const tB of [false, true]) {
      for (const [alpha, beta] of variants) runCase({ tA, tB, M, N, K, alpha, beta, padA: 3, padB: 5, padC: 2 });
    }
  }
});

test('gemm: K = 0 scales C by beta (beta = 0 clears NaN)', () => {
  for (const beta of [0, 0.5]) runCase({ tA: false, tB: true, M: 9, N: 11, K: 0, alpha: 1, beta, padA: 0, padB: 0, padC: 1 });
});

test('gemm: larger shape crossing the K, M and N block sizes', () => {
  runCase({ tA: false, tB: false, M: 140, N: 1100, K: 520, alpha: 1, beta: 0, padA: 0, padB: 0, padC: 0 });
  runCase({ tA: true, tB: true, M: 140, N: 1100, K: 520, alpha: 0.5, beta: 1, padA: 1, padB: 0, padC: 3 });
});

test('gemmBatched: per-item strides and stride-0 broadcast', () => {
  const cases: { M: number; N: number; K: number; batch: number; tA: boolean; tB: boolean; bcastA: boolean; bcastB: boolean; beta: number }[] = [
    { M: 5, N: 7, K: 3, batch: 3, tA: false, tB: false, bcastA: false, bcastB: false, beta: 0 },
    { M: 33, N: 17, K: 40, batch: 5, tA: false, tB: true, bcastA: false, bcastB: true, beta: 0 },
    { M: 9, N: 70, K: 21, batch: 4, tA: true, tB: false, bcastA: true, bcastB: false, beta: 0.5 },
    { M: 64, N: 32, K: 16, batch: 3, tA: true, tB: true, bcastA: false, bcastB: false, beta: 1 },
    { M: 1, N: 1, K: 1, batch: 7, tA: false, tB: false, bcastA: true, bcastB: false, beta: 0 },
    { M: 12, N: 8, K: 8, batch: 1, tA: false, tB: false, bcastA: false, bcastB: false, beta: 0 },
  ];
  for (const cs of cases) {
    const label = JSON.stringify(cs);
    const lda = (cs.tA ? cs.M : cs.K) + 1, ldb = (cs.tB ? cs.K : cs.N) + 2, ldc = cs.N + 1;
    const aSize = (cs.tA ? cs.K : cs.M) * lda, bSize = (cs.tB ? cs.N : cs.K) * ldb, cSize = cs.M * ldc + 3;
    const strideA = cs.bcastA ? 0 : aSize, strideB = cs.bcastB ? 0 : bSize, strideC = cSize;
    const a = block(cs.bcastA ? aSize : aSize * cs.batch), b = block(cs.bcastB ? bSize : bSize * cs.batch);
    const c = block(cSize * cs.batch, cs.beta === 0 ? NaN : undefined);
    const C0 = read(c, cSize * cs.batch);
    const args = { transA: cs.tA, transB: cs.tB, M: cs.M, N: cs.N, K: cs.K, alpha: 1.5, a, lda, b, ldb, beta: cs.beta, c, ldc, batch: cs.batch, strideA, strideB, strideC };
    gemmBatched(single, singleScratch, args);
    const got1 = read(c, cSize * cs.batch);
    for (let i = 0; i < cs.batch; i++) {
      const one: Case = { tA: cs.tA, tB: cs.tB, M: cs.M, N: cs.N, K: cs.K, alpha: 1.5, beta: cs.beta, padA: 0, padB: 0, padC: 0 };
      const { ref, mag } = reference(one, read(a + i * strideA * 4, aSize), lda, read(b + i * strideB * 4, bSize), ldb, C0.subarray(i * cSize), ldc);
      checkAgainst(`${label} item ${i}`, got1.subarray(i * cSize), ldc, one, ref, mag);
      // The 3 gap elements between C items stay untouched.
      for (let g = cs.M * ldc; g < cSize; g++) assert.ok(Object.is(got1[i * cSize + g], C0[i * cSize + g]), `${label}: wrote between items`);
    }
    write(c, C0);
    gemmBatched(pool, pool.gemmScratch, args);
    assert.ok(maxRelDiff(got1, read(c, cSize * cs.batch)) <= 1e-5, `${label}: 2-thread result differs`);
    for (const p of [a, b, c]) mem.release(p);
  }
});

test('kernels: Node (>= 20) gets the relaxed-SIMD (FMA) build', async () => {
  // Node 20 needs the run-time flag that load.ts sets; Node 22+ has relaxed SIMD on by default.
  assert.equal(await relaxedSimdAvailable(), true);
});

test('gemm: argument validation gives clear errors', () => {
  const p = block(16);
  assert.throws(() => gemm(single, singleScratch, { M: 2, N: 2, K: 4, a: p, lda: 3, b: p, c: p }), /lda must be an integer >= 4/);
  assert.throws(() => gemm(single, singleScratch, { M: -1, N: 2, K: 2, a: p, b: p, c: p }), /M must be/);
  assert.throws(() => gemm(single, singleScratch, { M: 1, N: 1, K: 1, a: p + 2, b: p, c: p }), /a must be a 4-byte-aligned/);
  assert.throws(() => gemmBatched(single, singleScratch, { M: 1, N: 1, K: 1, a: p, b: p, c: p, batch: 2, strideC: 0 }), /strideC = 0/);
  mem.release(p);
});

// --- conv1d lowering ----------------------------------------------------------------------

function im2colRef(x: Float32Array, g: Required<Conv1dGeometry>, Lout: number): Float64Array {
  const col = new Float64Array(g.B * g.C * g.K * Lout);
  for (let b = 0; b < g.B; b++) for (let c = 0; c < g.C; c++) for (let k = 0; k < g.K; k++) for (let t = 0; t < Lout; t++) {
    const l = t * g.stride - g.padding + k * g.dilation;
    col[((b * g.C + c) * g.K + k) * Lout + t] = l >= 0 && l < g.L ? x[(b * g.C + c) * g.L + l]! : 0;
  }
  return col;
}

const GEOMS: Required<Conv1dGeometry>[] = [
  { B: 1, C: 1, L: 1, K: 1, stride: 1, padding: 0, dilation: 1 },
  { B: 2, C: 3, L: 10, K: 3, stride: 1, padding: 1, dilation: 1 },
  { B: 2, C: 5, L: 17, K: 5, stride: 2, padding: 2, dilation: 1 },
  { B: 3, C: 4, L: 23, K: 3, stride: 1, padding: 4, dilation: 2 },
  { B: 1, C: 7, L: 31, K: 4, stride: 3, padding: 0, dilation: 3 },
  { B: 2, C: 2, L: 3, K: 9, stride: 1, padding: 4, dilation: 1 },
  { B: 1, C: 3, L: 2, K: 3, stride: 1, padding: 5, dilation: 1 },
  { B: 4, C: 16, L: 101, K: 9, stride: 1, padding: 4, dilation: 1 },
];

test('im2col1d / col2im1d: naive reference, adjoint property, accumulate, 1 vs 2 threads', () => {
  for (const g of GEOMS) {
    const label = JSON.stringify(g);
    const Lout = conv1dOutputLength(g);
    const xN = g.B * g.C * g.L, colN = g.B * g.C * g.K * Lout;
    const x = block(xN), col = block(colN, NaN), y = block(colN), xg = block(xN, NaN);
    im2col1d(single, g, x, col);
    const got = read(col, colN);
    const ref = im2colRef(read(x, xN), g, Lout);
    for (let i = 0; i < colN; i++) assert.equal(got[i], ref[i], `${label}: col[${i}]`);
    col2im1d(single, g, y, xg, false);
    const xgot = read(xg, xN);
    // <im2col(x), y> = <x, col2im(y)>
    const xs = read(x, xN), ys = read(y, colN);
    let lhs = 0, rhs = 0, scale = 0;
    for (let i = 0; i < colN; i++) { lhs += got[i]! * ys[i]!; scale += Math.abs(got[i]! * ys[i]!); }
    for (let i = 0; i < xN; i++) rhs += xs[i]! * xgot[i]!;
    assert.ok(Math.abs(lhs - rhs) <= 1e-5 * (scale + 1), `${label}: adjoint ${lhs} vs ${rhs}`);
    // col2im vs a direct scatter in float64.
    const xref = new Float64Array(xN);
    for (let r = 0; r < g.B * g.C; r++) for (let k = 0; k < g.K; k++) for (let t = 0; t < Lout; t++) {
      const l = t * g.stride - g.padding + k * g.dilation;
      if (l >= 0 && l < g.L) xref[r * g.L + l]! += ys[(r * g.K + k) * Lout + t]!;
    }
    for (let i = 0; i < xN; i++) assert.ok(Math.abs(xgot[i]! - xref[i]!) <= 1e-5 * (1 + Math.abs(xref[i]!)), `${label}: x_grad[${i}]`);
    // accumulate = 1 adds onto existing contents.
    const base = new Float32Array(xN).map(() => rand());
    write(xg, base);
    col2im1d(single, g, y, xg, true);
    const acc = read(xg, xN);
    for (let i = 0; i < xN; i++) assert.ok(Math.abs(acc[i]! - (base[i]! + xref[i]!)) <= 1e-5 * (1 + Math.abs(xref[i]!) + base[i]!), `${label}: accumulate [${i}]`);
    // 2 threads: identical results.
    write(col, new Float32Array(colN).fill(NaN));
    im2col1d(pool, g, x, col);
    assert.deepEqual(read(col, colN), got, `${label}: 2-thread im2col`);
    write(xg, new Float32Array(xN).fill(NaN));
    col2im1d(pool, g, y, xg, false);
    assert.deepEqual(read(xg, xN), xgot, `${label}: 2-thread col2im`);
    for (const p of [x, col, y, xg]) mem.release(p);
  }
});

test('conv1d wrappers reject impossible geometry', () => {
  assert.throws(() => im2col1d(single, { B: 1, C: 1, L: 2, K: 5 }, 0, 0), /output length/);
  assert.throws(() => col2im1d(single, { B: 1, C: 1, L: 8, K: 3, stride: 0 }, 0, 0), /stride must be/);
});

// --- pool ---------------------------------------------------------------------------------

test('pool: a trap in a worker surfaces as an exception naming the kernel, and the pool recovers', () => {
  // M = 64 rows split 32/32: place C so thread 0's rows end exactly at the end of memory and
  // thread 1's rows lie beyond it (out-of-bounds store in the worker only).
  const M = 64, N = 8, K = 8;
  const a = block(M * K), b = block(K * N);
  const c = mem.byteLength - (M / 2) * N * 4;
  const run = (): void => pool.run('gemm', [0, 0, M, N, K, 1, a, K, b, N, 0, c, N, pool.gemmScratch], Infinity);
  assert.throws(run, /kernel "gemm" failed in worker thread 1: RuntimeError: memory access out of bounds/);
  // A trap on every thread (calling thread included) also throws instead of hanging.
  assert.throws(() => pool.run('gemm', [0, 0, M, N, K, 1, a, K, b, N, 0, mem.byteLength + 4096, N, pool.gemmScratch], Infinity), /kernel "gemm" failed/);
  assert.throws(() => pool.run('no_such_kernel', [], Infinity), /not exported/);
  // Still usable afterwards.
  runCase({ tA: false, tB: false, M: 40, N: 24, K: 16, alpha: 1, beta: 0, padA: 0, padB: 0, padC: 0 });
  mem.release(a);
  mem.release(b);
});

test('pool: setThreads re-creates the workers; scratch size matches the wasm module', async () => {
  assert.equal(single.exports.gemm_scratch_bytes!(), GEMM_SCRATCH_BYTES);
  await pool.setThreads(1);
  assert.equal(pool.threads, 1);
  runCase({ tA: true, tB: false, M: 20, N: 12, K: 9, alpha: 1, beta: 0, padA: 0, padB: 0, padC: 0 });
  await pool.setThreads(2);
  assert.equal(pool.threads, 2);
  runCase({ tA: true, tB: false, M: 20, N: 12, K: 9, alpha: 1, beta: 0, padA: 0, padB: 0, padC: 0 });
  const rt = await pool.measureRoundTrip(20, 0);
  assert.ok(rt > 0 && Number.isFinite(rt));
});

