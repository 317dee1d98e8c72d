/**
 * The seam between TypeScript ops and the WebAssembly kernels.
 *
 * Every exported kernel takes its own arguments followed by `(tid, nthreads)`: thread `tid` of
 * `nthreads` computes its share (e.g. rows [tid*rows/n, (tid+1)*rows/n)). A runner either calls the
 * kernel once with (0, 1) on the calling thread, or fans it out over a worker pool that shares the
 * same WebAssembly.Memory and waits for every share to finish (fork-join).
 */
export interface KernelRunner {
  /** Number of threads `run` may use (1 when SharedArrayBuffer is unavailable). */
  readonly threads: number;
  /** The calling thread's kernel instance (for kernels that must not be split). */
  readonly exports: KernelExports;
  /**
   * Runs kernel `name` with `args` (pointers are byte offsets into the engine memory).
   * `work` is a rough cost in floating-point operations or bytes touched; small work runs on the
   * calling thread only, because waking a worker costs about as much as ~1 MFLOP of work.
   */
  run(name: string, args: readonly number[], work: number): void;
}

/** The wasm module's exports: kernel functions by name, plus the memory it imports. */
export type KernelExports = Record<string, (...args: number[]) => number | void>;

/** A runner that always executes on the calling thread. */
export class SingleThreadRunner implements KernelRunner {
  readonly threads = 1;
  constructor(readonly exports: KernelExports) {}
  run(name: string, args: readonly number[], _work: number): void {
    const fn = this.exports[name];
    if (typeof fn !== 'function') throw new Error(`kernel "${name}" is not exported by the wasm module`);
    fn(...args, 0, 1);
  }
}
