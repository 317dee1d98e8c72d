/**
 * WorkerPool: fork-join over worker threads that share the engine's WebAssembly.Memory.
 *
 * Every thread (the caller plus threads-1 workers) holds its own instance of the same kernel
 * module on the same shared memory. A dispatch writes the kernel id and arguments into a control
 * block in that memory, bumps a sequence number and notifies; each worker runs its share
 * (tid, nthreads), the caller runs share 0, then waits for the done counter. No messages are
 * posted per call: only atomics on shared memory.
 *
 * Control block (Int32 slots; f64 arguments from byte ARGS_BYTE; error text as UTF-16 from
 * byte ERROR_TEXT_BYTE):
 *   SEQ       dispatch sequence number; workers Atomics.wait on it (after a short spin)
 *   KERNEL    kernel id (index into the sorted function-export names, the same in every thread)
 *   ARGC      number of f64 arguments
 *   NTHREADS  threads taking part in this dispatch
 *   SHUTDOWN  1 = workers return from their loop
 *   DONE      workers finished with the current dispatch (own cache line: the caller waits on it)
 *   ERROR     0, or tid of the first failing worker + 1; ERROR_LEN = length of its message
 */
import type { EngineMemory } from '../memory.js';
import type { KernelExports, KernelRunner } from './runner.js';
import { instantiateKernels, kernelNames } from './load.js';
import { GEMM_SCRATCH_BYTES } from './gemm.js';

export const CTL = {
  SEQ: 0,
  KERNEL: 1,
  ARGC: 2,
  NTHREADS: 3,
  SHUTDOWN: 4,
  DONE: 16,
  ERROR: 17,
  ERROR_LEN: 18,
} as const;
export const CTL_ARGS_BYTE = 128;
export const CTL_MAX_ARGS = 30; // kernel args + (tid, nthreads) must fit: gemm_batched has 22
export const CTL_ERROR_TEXT_BYTE = CTL_ARGS_BYTE + 8 * 32;
export const CTL_ERROR_TEXT_CHARS = 400;
export const CTL_BYTES = CTL_ERROR_TEXT_BYTE + 2 * CTL_ERROR_TEXT_CHARS;

/** What a worker receives once at start-up. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offset of the control block. */
  ctl: number;
  tid: number;
  /** SEQ when the worker was started: the first dispatch it must serve is seq + 1. */
  seq: number;
  /** Atomics.load polls before a worker blocks in Atomics.wait. */
  spin: number;
}
export type WorkerReply = { type: 'ready' } | { type: 'error'; message: string };

/**
 * Default dispatch threshold in FLOPs (the `work` argument of `run`). Measured on the shared 2-vCPU
 * Zen 5 box: an empty fork-join round trip costs ~11–27 µs back-to-back and ~32–70 µs once the
 * worker sleeps in Atomics.wait; one thread does ~40–55 kFLOP per µs. Splitting pays when
 * work/2 + round trip < work, i.e. above ~2–6 MFLOP; 4 MFLOP is about a 128³ GEMM.
 * See docs/engine-kernels.md.
 */
export const DEFAULT_MIN_PARALLEL_WORK = 4e6;
/**
 * Atomics.load polls before blocking (a few µs): back-to-back kernels skip the futex wake-up.
 * Kept short because on an oversubscribed machine a spinning worker can hold the core the caller
 * needs (20 000 polls made the round trip ~325 µs there).
 */
export const DEFAULT_SPIN = 1000;

export interface WorkerPoolOptions {
  module: WebAssembly.Module;
  mem: EngineMemory;
  /** Threads including the calling one. */
  threads: number;
  /** Work (FLOPs) below which `run` stays on the calling thread. */
  minParallelWork?: number;
  /** Spin iterations before a waiting thread blocks. */
  spin?: number;
}

/** The minimal surface of a Node worker_threads.Worker or a browser Worker that the pool uses. */
interface ThreadHandle {
  terminate(): unknown;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

export class WorkerPool implements KernelRunner {
  /** Per-thread GEMM scratch (threads × GEMM_SCRATCH_BYTES), pass it to the gemm wrappers. */
  gemmScratch: number;
  minParallelWork: number;
  private readonly ctl32: Int32Array;
  private readonly ctl64: Float64Array;
  private readonly ids: Map<string, number>;
  private workers: ThreadHandle[] = [];
  private nThreads = 1;
  /** Set by a worker's 'error'/'exit' event: the pool can no longer dispatch. */
  private broken: Error | null = null;
  private running = false;
  /** The browser main thread may not Atomics.wait; it spins instead. */
  private readonly canWait: boolean;
  private readonly spin: number;

  private constructor(
    private readonly module: WebAssembly.Module,
    private readonly mem: EngineMemory,
    readonly exports: KernelExports,
    private readonly ctl: number,
    opts: WorkerPoolOptions,
  ) {
    this.ids = new Map(kernelNames(module).map((n, i) => [n, i]));
    this.ctl32 = new Int32Array(mem.memory.buffer, ctl, CTL_BYTES / 4);
    this.ctl64 = new Float64Array(mem.memory.buffer, ctl + CTL_ARGS_BYTE, 32);
    this.minParallelWork = opts.minParallelWork ?? DEFAULT_MIN_PARALLEL_WORK;
    this.spin = opts.spin ?? DEFAULT_SPIN;
    this.gemmScratch = 0;
    let canWait = true;
    try {
      Atomics.wait(this.ctl32, CTL.ERROR_LEN, -1, 0);
    } catch {
      canWait = false;
    }
    this.canWait = canWait;
  }

  static async create(opts: WorkerPoolOptions): Promise<WorkerPool> {
    const { module, mem } = opts;
    if (!mem.shared) throw new Error('WorkerPool needs a shared EngineMemory (use SingleThreadRunner otherwise)');
    if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new Error(`WorkerPool: threads must be a positive integer, got ${opts.threads}`);
    const exports = await instantiateKernels(module, mem.memory);
    const wasmScratch = exports.gemm_scratch_bytes?.();
    if (wasmScratch !== GEMM_SCRATCH_BYTES) throw new Error(`GEMM_SCRATCH_BYTES (${GEMM_SCRATCH_BYTES}) != wasm gemm_scratch_bytes() (${String(wasmScratch)}): rebuild`);
    const ctl = mem.alloc(CTL_BYTES);
    new Uint8Array(mem.memory.buffer, ctl, CTL_BYTES).fill(0);
    const pool = new WorkerPool(module, mem, exports, ctl, opts);
    await pool.setThreads(opts.threads);
    return pool;
  }

  get threads(): number {
    return this.nThreads;
  }

  /**
   * Changes the number of threads (including the caller): stops the current workers, starts
   * threads-1 new ones and resizes the GEMM scratch. Do not call while a kernel is running.
   */
  async setThreads(threads: number): Promise<void> {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`WorkerPool: threads must be a positive integer, got ${threads}`);
    await this.stopWorkers();
    if (this.gemmScratch) this.mem.release(this.gemmScratch);
    this.gemmScratch = this.mem.alloc(threads * GEMM_SCRATCH_BYTES);
    this.broken = null;
    Atomics.store(this.ctl32, CTL.SHUTDOWN, 0);
    const started: ThreadHandle[] = [];
    try {
      for (let tid = 1; tid < threads; tid++) started.push(await this.startWorker(tid));
    } catch (e) {
      this.workers = started;
      await this.stopWorkers();
      throw e;
    }
    this.workers = started;
    this.nThreads = threads;
  }

  private async startWorker(tid: number): Promise<ThreadHandle> {
    const init: WorkerInit = { module: this.module, memory: this.mem.memory, ctl: this.ctl, tid, seq: Atomics.load(this.ctl32, CTL.SEQ), spin: this.spin };
    const url = new URL('./worker.js', import.meta.url);
    if (isNode()) {
      const { Worker } = await import('node:worker_threads');
      const w = new Worker(url, { workerData: init });
      // Never keep the process alive just for idle kernel threads.
      w.unref();
      await new Promise<void>((resolve, reject) => {
        w.once('message', (m: WorkerReply) => (m.type === 'ready' ? resolve() : reject(new Error(`kernel worker ${tid} failed to start: ${m.message}`))));
        w.once('error', (e) => reject(new Error(`kernel worker ${tid} failed to start: ${e.message}`)));
      });
      // After start-up these can only fire between dispatches (the caller blocks during one).
      w.on('error', (e) => { this.broken ??= new Error(`kernel worker ${tid} crashed: ${e.message}`); });
      w.on('exit', (code) => { if (!Atomics.load(this.ctl32, CTL.SHUTDOWN)) this.broken ??= new Error(`kernel worker ${tid} exited (code ${code})`); });
      return w;
    }
    const w = new Worker(url, { type: 'module' });
    await new Promise<void>((resolve, reject) => {
      w.onmessage = (ev: MessageEvent<WorkerReply>) => (ev.data.type === 'ready' ? resolve() : reject(new Error(`kernel worker ${tid} failed to start: ${ev.data.message}`)));
      w.onerror = (ev) => reject(new Error(`kernel worker ${tid} failed to start: ${ev.message}`));
      w.postMessage(init);
    });
    w.onerror = (ev) => { this.broken ??= new Error(`kernel worker ${tid} crashed: ${ev.message}`); };
    return w;
  }

  private async stopWorkers(): Promise<void> {
    if (this.workers.length === 0) return;
    Atomics.store(this.ctl32, CTL.SHUTDOWN, 1);
    Atomics.add(this.ctl32, CTL.SEQ, 1);
    Atomics.notify(this.ctl32, CTL.SEQ);
    const ws = this.workers;
    this.workers = [];
    this.nThreads = 1;
    await Promise.all(ws.map((w) => w.terminate()));
  }

  /** Stops the workers. The pool then runs everything on the calling thread. */
  async close(): Promise<void> {
    await this.stopWorkers();
  }

  run(name: string, args: readonly number[], work: number): void {
    const fn = this.exports[name];
    if (typeof fn !== 'function') throw new Error(`kernel "${name}" is not exported by the wasm module`);
    const n = this.nThreads;
    if (n === 1 || !(work >= this.minParallelWork)) {
      fn(...args, 0, 1);
      return;
    }
    if (this.broken) throw this.broken;
    if (this.running) throw new Error(`kernel "${name}" dispatched while another kernel is running`);
    if (args.length > CTL_MAX_ARGS) throw new Error(`kernel "${name}": ${args.length} arguments exceed the pool's ${CTL_MAX_ARGS}`);
    const c = this.ctl32;
    this.running = true;
    try {
      for (let i = 0; i < args.length; i++) this.ctl64[i] = args[i]!;
      c[CTL.KERNEL] = this.ids.get(name)!;
      c[CTL.ARGC] = args.length;
      c[CTL.NTHREADS] = n;
      c[CTL.ERROR] = 0;
      Atomics.store(c, CTL.DONE, 0);
      // The seq bump is the release point: everything written above is visible to a worker that sees it.
      Atomics.add(c, CTL.SEQ, 1);
      Atomics.notify(c, CTL.SEQ);
      let ownError: unknown = null;
      try {
        fn(...args, 0, n);
      } catch (e) {
        ownError = e;
      }
      // Always wait for the workers, even after an error: they are still using the memory.
      this.waitDone(n - 1);
      const failed = c[CTL.ERROR]!;
      if (failed) {
        const len = c[CTL.ERROR_LEN]!;
        const text = String.fromCharCode(...new Uint16Array(this.mem.memory.buffer, this.ctl + CTL_ERROR_TEXT_BYTE, len));
        throw new Error(`kernel "${name}" failed in worker thread ${failed - 1}: ${text}`);
      }
      if (ownError !== null) {
        const msg = ownError instanceof Error ? ownError.message : String(ownError);
        throw new Error(`kernel "${name}" failed on the calling thread: ${msg}`, { cause: ownError });
      }
    } finally {
      this.running = false;
    }
  }

  private waitDone(target: number): void {
    const c = this.ctl32;
    let done = Atomics.load(c, CTL.DONE);
    for (let i = 0; done < target && i < this.spin; i++) done = Atomics.load(c, CTL.DONE);
    while (done < target) {
      if (this.canWait) Atomics.wait(c, CTL.DONE, done, 50);
      done = Atomics.load(c, CTL.DONE);
    }
  }

  /**
   * Median round-trip time (µs) of an empty parallel dispatch, measured `iterations` times with
   * `gapMs` of idle time before each (0 = back-to-back, workers still spinning; ≥ 1 = workers
   * asleep in Atomics.wait). Used by the benchmark to justify `minParallelWork`.
   */
  async measureRoundTrip(iterations = 50, gapMs = 0): Promise<number> {
    const times: number[] = [];
    // gemm with M = 0 returns at once: a pure fork-join round trip.
    const args = [0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, this.gemmScratch];
    for (let i = 0; i < iterations; i++) {
      if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      const t0 = performance.now();
      this.run('gemm', args, Infinity);
      times.push((performance.now() - t0) * 1000);
    }
    times.sort((a, b) => a - b);
    return times[times.length >> 1]!;
  }
}
