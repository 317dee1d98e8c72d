// GEMM throughput of the wasm kernels: GFLOP/s (median of timed runs after warm-up) for NN, NT and
// TN at the four reference shapes, on 1 and 2 threads, plus the pool's fork-join round trip.
// Run: node dist/bench/gemm.js [--runs N] [--threads 1,2] [--forms NN,NT,TN] [--no-fma]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { EngineMemory } from '../src/engine/memory.js';
import { loadKernelModule } from '../src/engine/kernels/load.js';
import { WorkerPool } from '../src/engine/kernels/pool.js';
import { gemm } from '../src/engine/kernels/gemm.js';

export type GemmForm = 'NN' | 'NT' | 'TN' | 'TT';

export interface BenchGemmOptions {
  /** (M, K, N) triples. Default: the four shapes of docs/engine-kernels.md. */
  shapes?: [number, number, number][];
  forms?: GemmForm[];
  threads?: number[];
  /** Timed runs per cell (median reported). Default 11. */
  runs?: number;
  /** Untimed runs first: at least this many calls... Default 3. */
  warmup?: number;
  /**
   * ...and at least this long. Default 100 ms: V8 first runs wasm from its baseline compiler
   * (Liftoff) and swaps in TurboFan code after a background compile; with 3 calls of 256³ only,
   * the first cell was sometimes timed on Liftoff code (18 instead of 40 GFLOP/s).
   */
  warmupMs?: number;
  /** A timed run repeats the call until it lasts at least this long (small shapes). Default 2 ms. */
  minRunMs?: number;
  /** Relaxed-SIMD (FMA) kernels when available (default true), as initEngine. */
  fma?: boolean;
  /** Progress callback per finished cell. */
  onResult?: (r: GemmBenchResult) => void;
}

export interface GemmBenchResult {
  M: number;
  K: number;
  N: number;
  form: GemmForm;
  threads: number;
  /** Median milliseconds per GEMM call. */
  ms: number;
  gflops: number;
  /** 1-minute load average when the cell finished (Linux only; NaN elsewhere). */
  load1: number;
}

export interface BenchGemmReport {
  results: GemmBenchResult[];
  /** Median µs of an empty 2-thread dispatch, back-to-back and after 2 ms idle (workers asleep). */
  roundTripUs: { hot: number; cold: number } | null;
  minParallelWork: number;
}

export const DEFAULT_SHAPES: [number, number, number][] = [[256, 256, 256], [1024, 256, 1024], [4096, 384, 384], [6400, 256, 1024]];

function loadAvg(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export async function benchGemm(opts: BenchGemmOptions = {}): Promise<BenchGemmReport> {
  const shapes = opts.shapes ?? DEFAULT_SHAPES;
  const forms = opts.forms ?? ['NN', 'NT', 'TN'];
  const threadCounts = opts.threads ?? [1, 2];
  const runs = opts.runs ?? 11;
  const warmup = opts.warmup ?? 3;
  const warmupMs = opts.warmupMs ?? 100;
  const minRunMs = opts.minRunMs ?? 2;

  const maxElems = Math.max(...shapes.map(([M, K, N]) => M * K + K * N + M * N));
  const mem = new EngineMemory({ shared: true, initialBytes: maxElems * 4 + (64 << 20) });
  const module = await loadKernelModule('shared', { fma: opts.fma });
  const pool = await WorkerPool.create({ module, mem, threads: Math.max(...threadCounts) });
  const results: GemmBenchResult[] = [];
  let roundTripUs: BenchGemmReport['roundTripUs'] = null;
  try {
    if (pool.threads >= 2) {
      await pool.measureRoundTrip(50, 0);
      roundTripUs = { hot: await pool.measureRoundTrip(200, 0), cold: await pool.measureRoundTrip(40, 2) };
    }
    const f = mem.f32;
    for (const threads of threadCounts) {
      if (pool.threads !== threads) await pool.setThreads(threads);
      for (const [M, K, N] of shapes) {
        const a = mem.alloc(M * K * 4), b = mem.alloc(K * N * 4), c = mem.alloc(M * N * 4);
        for (let i = 0; i < M * K; i++) f[a / 4 + i] = Math.random() - 0.5;
        for (let i = 0; i < K * N; i++) f[b / 4 + i] = Math.random() - 0.5;
        for (const form of forms) {
          const transA = form[0] === 'T', transB = form[1] === 'T';
          const call = (): void => gemm(pool, pool.gemmScratch, { transA, transB, M, N, K, a, b, c });
          const w0 = performance.now();
          for (let i = 0; i < warmup || performance.now() - w0 < warmupMs; i++) call();
          // Calls per timed run so that one run lasts >= minRunMs.
          let reps = 1;
          for (;;) {
            const t0 = performance.now();
            for (let i = 0; i < reps; i++) call();
            if (performance.now() - t0 >= minRunMs) break;
            reps *= 2;
          }
          const times: number[] = [];
          for (let r = 0; r < runs; r++) {
            const t0 = performance.now();
            for (let i = 0; i < reps; i++) call();
            times.push((performance.now() - t0) / reps);
          }
          const ms = median(times);
          const res: GemmBenchResult = { M, K, N, form, threads, ms, gflops: (2 * M * N * K) / (ms * 1e6), load1: loadAvg() };
          results.push(res);
          opts.onResult?.(res);
        }
        mem.release(a);
        mem.release(b);
        mem.release(c);
      }
    }
  } finally {
    await pool.close();
  }
  return { results, roundTripUs, minParallelWork: pool.minParallelWork };
}

/** The report as a text table: one row per (shape, form), one column per thread count. */
export function formatGemmTable(report: BenchGemmReport): string {
  const threads = [...new Set(report.results.map((r) => r.threads))];
  const keys = [...new Set(report.results.map((r) => `${r.M}x${r.K}x${r.N} ${r.form}`))];
  const lines = [`| (M,K,N) form | ${threads.map((t) => `T=${t} GFLOP/s`).join(' | ')} | load1 |`, `|---|${threads.map(() => '---').join('|')}|---|`];
  for (const key of keys) {
    const cells = threads.map((t) => report.results.find((r) => `${r.M}x${r.K}x${r.N} ${r.form}` === key && r.threads === t));
    const load = cells.map((r) => (r ? r.load1.toFixed(2) : '-')).join('/');
    lines.push(`| ${key} | ${cells.map((r) => (r ? r.gflops.toFixed(1) : '-')).join(' | ')} | ${load} |`);
  }
  if (report.roundTripUs) {
    lines.push('', `pool round trip (empty 2-thread dispatch): ${report.roundTripUs.hot.toFixed(1)} µs back-to-back, ${report.roundTripUs.cold.toFixed(1)} µs after 2 ms idle; minParallelWork = ${report.minParallelWork.toExponential(1)} FLOP`);
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const report = await benchGemm({
    runs: arg('runs') ? Number(arg('runs')) : undefined,
    threads: arg('threads')?.split(',').map(Number),
    forms: arg('forms')?.split(',') as GemmForm[] | undefined,
    fma: !process.argv.includes('--no-fma'),
    onResult: (r) => process.stderr.write(`  ${r.M}x${r.K}x${r.N} ${r.form} T=${r.threads}: ${r.gflops.toFixed(1)} GFLOP/s (load ${r.load1})\n`),
  });
  console.log(formatGemmTable(report));
}
