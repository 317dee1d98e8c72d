// Shared setup of the kernel tests: the shared-memory kernel module instantiated directly on an
// EngineMemory, plus helpers to move arrays in and out and float64 references.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EngineMemory } from '../../src/engine/memory.js';
import { SingleThreadRunner, type KernelExports } from '../../src/engine/kernels/runner.js';

export interface Harness {
  mem: EngineMemory;
  module: WebAssembly.Module;
  exports: KernelExports;
  runner: SingleThreadRunner;
  /** Allocates and writes f32 values; returns the pointer. */
  f32(values: ArrayLike<number>): number;
  i32(values: ArrayLike<number>): number;
  /** Allocates n floats filled with `fill` (NaN by default, so unwritten outputs show). */
  out(n: number, fill?: number): number;
  read(ptr: number, n: number): Float32Array;
  readI32(ptr: number, n: number): Int32Array;
  /** Calls a kernel by hand as thread tid of nt. */
  call(name: string, args: number[], tid: number, nt: number): number | void;
}

let cached: Harness | null = null;

export function harness(): Harness {
  if (cached) return cached;
  const url = new URL('../../src/engine/kernels/kernels.wasm', import.meta.url);
  const module = new WebAssembly.Module(readFileSync(fileURLToPath(url)));
  const mem = new EngineMemory({ shared: true, initialBytes: 64 << 20 });
  const env: Record<string, WebAssembly.ImportValue> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== 'env') throw new Error(`unexpected import ${imp.module}.${imp.name}`);
    if (imp.kind === 'memory') env[imp.name] = mem.memory;
    else if (imp.name === 'abort') env[imp.name] = () => { throw new Error('kernel abort'); };
    else throw new Error(`unexpected import env.${imp.name}`);
  }
  const instance = new WebAssembly.Instance(module, { env });
  const exports: KernelExports = {};
  for (const [k, v] of Object.entries(instance.exports)) if (typeof v === 'function') exports[k] = v as (...a: number[]) => number | void;
  const h: Harness = {
    mem, module, exports,
    runner: new SingleThreadRunner(exports),
    f32(values) {
      const p = mem.alloc(Math.max(4, values.length * 4));
      mem.f32.set(Float32Array.from(values), p >> 2);
      return p;
    },
    i32(values) {
      const p = mem.alloc(Math.max(4, values.length * 4));
      mem.i32.set(Int32Array.from(values), p >> 2);
      return p;
    },
    out(n, fill = NaN) {
      const p = mem.alloc(Math.max(4, n * 4));
      mem.f32.fill(fill, p >> 2, (p >> 2) + n);
      return p;
    },
    read(ptr, n) { return mem.f32.slice(ptr >> 2, (ptr >> 2) + n); },
    readI32(ptr, n) { return mem.i32.slice(ptr >> 2, (ptr >> 2) + n); },
    call(name, args, tid, nt) {
      const fn = exports[name];
      if (!fn) throw new Error(`no kernel ${name}`);
      return fn(...args, tid, nt);
    },
  };
  cached = h;
  return h;
}

/** erf in float64: erf(x) = 2/√π·e^{−x²}·Σ 2^k x^{2k+1}/(1·3·…·(2k+1)) (all terms positive: no cancellation). */
export function erf64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  let term = ax, sum = ax;
  for (let k = 1; k < 300; k++) {
    term *= (2 * ax * ax) / (2 * k + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum;
}

export const f32round = Math.fround;

/** Units in the last place of f32 at |v| (for error reports). */
export function ulp32(v: number): number {
  const a = Math.abs(v);
  if (a < 1.1754943508222875e-38) return 1.401298464324817e-45;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

/** Same value up to tolerance, treating NaN == NaN and equal infinities as equal. */
export function close(got: number, want: number, rtol: number, atol = 0): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (!Number.isFinite(want)) return got === want;
  return Math.abs(got - want) <= atol + rtol * Math.abs(want);
}

export function assertAllClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  if (got.length !== want.length) throw new Error(`${what}: length ${got.length} != ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    if (!close(got[i]!, want[i]!, rtol, atol)) {
      throw new Error(`${what}: element ${i}: got ${got[i]}, want ${want[i]} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

/** Deterministic pseudo-random floats in [lo, hi) (test inputs). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
}
export function randomArray(n: number, lo: number, hi: number, seed = 1): number[] {
  const r = lcg(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}
