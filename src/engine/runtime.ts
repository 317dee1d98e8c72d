/**
 * The engine's global state: the one memory, the step arena and its scope stack, the kernel runner
 * (worker pool or single thread), the autograd switch and the seeded RNG.
 *
 * `await initEngine()` once before creating tensors (it compiles the wasm kernels and starts the
 * worker threads). Everything after that is synchronous.
 */
import { Arena, type ArenaMark, EngineMemory } from './memory.js';
import type { KernelRunner } from './kernels/runner.js';
import { SingleThreadRunner } from './kernels/runner.js';
import { instantiateKernels, loadKernelModule } from './kernels/load.js';
import { WorkerPool } from './kernels/pool.js';

/** An arena scope: tensors allocated while it is the innermost scope die when it closes. */
export class Scope {
  closed = false;
  constructor(readonly mark: ArenaMark, readonly parent: Scope | null) {}
}

export interface EngineOptions {
  /** Worker threads including the calling one (default: 2, or 1 without SharedArrayBuffer). */
  threads?: number;
  /** Seed for the engine RNG (parameter init, dropout). */
  seed?: number;
  /**
   * Use the relaxed-SIMD (FMA) kernels where the runtime supports them (default true; ~25% faster
   * GEMM). false: the plain SIMD kernels, whose results do not depend on the CPU's FMA support.
   */
  fma?: boolean;
}

export class Engine {
  gradEnabled = true;
  training = true;
  scope: Scope | null = null;
  readonly arena: Arena;
  /** Per-thread GEMM packing buffers (allocated on first use). */
  gemmScratch = 0;
  private rngState: number;

  constructor(readonly mem: EngineMemory, public runner: KernelRunner, seed: number) {
    this.arena = new Arena(mem);
    this.rngState = seed >>> 0;
  }

  /** Next 32-bit value of the engine's seeded generator (mulberry32). */
  nextSeed(): number {
    let t = (this.rngState = (this.rngState + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1) from the engine RNG. */
  random(): number {
    return this.nextSeed() / 4294967296;
  }

  manualSeed(seed: number): void {
    this.rngState = seed >>> 0;
  }

  /** The RNG's internal state (save it in a checkpoint to resume a run exactly). */
  getRngState(): number {
    return this.rngState;
  }

  setRngState(state: number): void {
    this.rngState = state >>> 0;
  }

  get threads(): number {
    return this.runner.threads;
  }
}

let current: Engine | null = null;
let initializing: Promise<Engine> | null = null;

function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  // Browsers expose SharedArrayBuffer only when cross-origin isolated.
  const g = globalThis as { crossOriginIsolated?: boolean; process?: unknown };
  if (g.process === undefined && g.crossOriginIsolated === false) return false;
  return true;
}

function defaultThreads(): number {
  const g = globalThis as { navigator?: { hardwareConcurrency?: number }; process?: { env?: Record<string, string | undefined> } };
  const env = g.process?.env?.CLIP_TTS_THREADS;
  if (env) {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new Error(`CLIP_TTS_THREADS must be a positive integer, got "${env}"`);
    return n;
  }
  const hc = g.navigator?.hardwareConcurrency ?? 2;
  return Math.max(1, Math.min(2, hc));
}

/**
 * Compiles the kernels and starts the thread pool. Idempotent: later calls return the same engine
 * (pass different options only after `shutdownEngine()`).
 *
 * @example
 *   import { initEngine, tensor, add } from 'clip-tts/engine';
 *   await initEngine({ threads: 2 });
 *   const y = add(tensor([1, 2]), tensor([3, 4]));
 */
export function initEngine(opts: EngineOptions = {}): Promise<Engine> {
  if (current) return Promise.resolve(current);
  if (initializing) return initializing;
  initializing = (async () => {
    const shared = sharedMemoryAvailable();
    const threads = shared ? (opts.threads ?? defaultThreads()) : 1;
    const mem = new EngineMemory({ shared });
    const module = await loadKernelModule(shared ? 'shared' : 'single', { fma: opts.fma });
    let runner: KernelRunner;
    if (shared && threads > 1) runner = await WorkerPool.create({ module, mem, threads });
    else runner = new SingleThreadRunner(await instantiateKernels(module, mem.memory));
    current = new Engine(mem, runner, opts.seed ?? 0x5eed);
    return current;
  })();
  try {
    return initializing;
  } finally {
    initializing.catch(() => { initializing = null; });
  }
}

/** Stops the worker threads. Tensors created before become unusable. */
export async function shutdownEngine(): Promise<void> {
  const e = current;
  current = null;
  initializing = null;
  const r = e?.runner as { close?: () => void | Promise<void> } | undefined;
  if (r?.close) await r.close();
}

/** The initialized engine; throws a clear error before `initEngine()` resolved. */
export function engine(): Engine {
  if (!current) throw new Error('ClipTTS engine not initialized: call `await initEngine()` first');
  return current;
}

export function isEngineReady(): boolean {
  return current !== null;
}

/** Seeds the engine RNG (parameter init, dropout, random tensors) for reproducible runs. */
export function manualSeed(seed: number): void {
  engine().manualSeed(seed);
}

/**
 * Runs `fn` with gradient recording off (inference).
 * @example const mel = noGrad(() => model.forward(tokens));
 */
export function noGrad<T>(fn: () => T): T {
  const e = engine();
  const prev = e.gradEnabled;
  e.gradEnabled = false;
  try {
    return fn();
  } finally {
    e.gradEnabled = prev;
  }
}

export function isGradEnabled(): boolean {
  return engine().gradEnabled;
}

/** Opens an arena scope; prefer `tidy`. */
export function openScope(): Scope {
  const e = engine();
  const s = new Scope(e.arena.mark(), e.scope);
  e.scope = s;
  return s;
}

/** Closes `s` (must be the innermost open scope) and frees its arena allocations in bulk. */
export function closeScope(s: Scope): void {
  const e = engine();
  if (e.scope !== s) throw new Error('engine scopes closed out of order');
  s.closed = true;
  e.scope = s.parent;
  e.arena.reset(s.mark);
}
