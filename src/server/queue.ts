/**
 * The bounded synthesis queue. The engine is one global per process (single-threaded JS over one
 * wasm memory), so jobs run strictly one at a time; at most `capacity` jobs are admitted (running
 * plus waiting) and the rest are refused at once, which the server turns into 429 + Retry-After.
 */

export class SynthesisQueue {
  /** Jobs admitted and not yet settled (the running one included). */
  private admitted = 0;
  private running = false;
  private readonly waiting: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  /** Exponential moving average of job run times, ms (NaN until one job finished). */
  private meanJobMs = NaN;

  /** @param capacity most jobs admitted at once, running one included (>= 1). */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`queue capacity must be a positive integer, got ${capacity}`);
  }

  /** Jobs admitted (running + waiting). */
  get size(): number {
    return this.admitted;
  }

  /** Jobs waiting for their turn. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /**
   * Admits `job`, or returns null when the queue is full. The promise settles with the job's
   * result; if `signal` aborts while the job is still waiting, the job is dropped and the promise
   * rejects with the signal's reason. A running job is expected to watch `signal` itself.
   */
  tryRun<T>(job: () => Promise<T>, signal: AbortSignal): Promise<T> | null {
    if (this.admitted >= this.capacity) return null;
    if (signal.aborted) return Promise.reject(signal.reason);
    this.admitted++;
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        signal.removeEventListener('abort', onAbortWhileWaiting);
        this.running = true;
        const t0 = performance.now();
        Promise.resolve().then(job).then(resolve, reject).finally(() => {
          this.recordJobTime(performance.now() - t0);
          this.running = false;
          this.release();
        });
      };
      const onAbortWhileWaiting = (): void => {
        const i = this.waiting.indexOf(start);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal.reason);
        this.release();
      };
      signal.addEventListener('abort', onAbortWhileWaiting, { once: true });
      this.waiting.push(start);
      this.startNext();
    });
  }

  /**
   * Seconds a refused client should wait before retrying: the expected time to work through the
   * jobs admitted now (at least 1).
   */
  retryAfterSeconds(): number {
    const perJob = Number.isFinite(this.meanJobMs) ? this.meanJobMs : 1000;
    return Math.max(1, Math.ceil((perJob * Math.max(1, this.admitted)) / 1000));
  }

  /** Resolves once no job is admitted (immediately when the queue is empty). */
  whenIdle(): Promise<void> {
    if (this.admitted === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private release(): void {
    this.admitted--;
    if (this.admitted === 0) for (const w of this.idleWaiters.splice(0)) w();
    this.startNext();
  }

  private startNext(): void {
    if (this.running) return;
    const next = this.waiting.shift();
    if (next) next();
  }

  private recordJobTime(ms: number): void {
    this.meanJobMs = Number.isFinite(this.meanJobMs) ? 0.8 * this.meanJobMs + 0.2 * ms : ms;
  }
}
