/**
 * Loading and instantiating the compiled kernels (dist/src/engine/kernels/kernels*.wasm, next to
 * this file's JS). Runs in Node and in browsers: Node-only modules are imported dynamically, only
 * when running under Node.
 */
import type { KernelExports } from './runner.js';

export type KernelVariant = 'shared' | 'single';

/** [relaxed-SIMD (FMA) build, plain SIMD build] per variant (scripts/build-wasm.mjs). */
const FILES: Record<KernelVariant, [string, string]> = {
  shared: ['kernels-fma.wasm', 'kernels.wasm'],
  single: ['kernels-single-fma.wasm', 'kernels-single.wasm'],
};

/** (func (param v128 v128 v128) (result v128) f32x4.relaxed_madd): validates where relaxed SIMD is on. */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
]);

/**
 * Whether this runtime compiles relaxed SIMD. Chrome 114+ and Node 22+ do by default. Node 20's
 * V8 (11.3) implements it behind --experimental-wasm-relaxed-simd; V8 reads that flag when it
 * compiles a module, so it is switched on here at run time. On this project's Zen 4 VM the FMA
 * build runs GEMM ~25% faster (docs/engine-kernels.md).
 */
export async function relaxedSimdAvailable(): Promise<boolean> {
  if (WebAssembly.validate(RELAXED_SIMD_PROBE)) return true;
  if (!isNode()) return false;
  try {
    const v8 = await import('node:v8');
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/**
 * Compiles the kernel module. 'shared' imports a shared memory (worker pool); 'single' a plain one
 * (browsers without cross-origin isolation). `fma` (default true) takes the relaxed-SIMD build
 * when the runtime supports it; false forces the plain SIMD build (mul + add, results identical
 * on every machine). A WebAssembly.Module can be posted to workers, so this is done once per process.
 */
export async function loadKernelModule(variant: KernelVariant, opts: { fma?: boolean } = {}): Promise<WebAssembly.Module> {
  const [fmaFile, plainFile] = FILES[variant];
  const file = opts.fma !== false && (await relaxedSimdAvailable()) ? fmaFile : plainFile;
  const url = new URL(`./${file}`, import.meta.url);
  if (isNode() && url.protocol === 'file:') {
    const fs = await import('node:fs/promises');
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await fs.readFile(url);
    } catch (e) {
      throw new Error(`cannot read ${url.pathname} (run \`node scripts/build-wasm.mjs\`): ${(e as Error).message}`);
    }
    return WebAssembly.compile(bytes);
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch ${url.href}: HTTP ${response.status}`);
  // compileStreaming needs the application/wasm MIME type; fall back to bytes if the server lacks it.
  if (typeof WebAssembly.compileStreaming === 'function' && response.headers.get('content-type')?.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/** Decodes an AssemblyScript string (UTF-16, length in the header 4 bytes before `ptr`). */
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return '(null)';
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0]!;
  const chars = new Uint16Array(memory.buffer, ptr, bytes >>> 1);
  let s = '';
  for (let i = 0; i < chars.length; i++) s += String.fromCharCode(chars[i]!);
  return s;
}

/** Error raised by a kernel's `abort` (an AssemblyScript assertion or `throw`). */
export class KernelAbortError extends Error {
  override name = 'KernelAbortError';
}

/**
 * Instantiates the kernel module on `memory` and returns its function exports. The imports are
 * built from `WebAssembly.Module.imports(module)`: env.memory, env.abort (throws a
 * KernelAbortError naming the message and source position), env.trace, env.seed; any other
 * function import becomes a stub that throws when called, so an unexpected import fails loudly at
 * its first use rather than at link time.
 */
export async function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<KernelExports> {
  const env: Record<string, WebAssembly.ImportValue> = {};
  const imports: WebAssembly.Imports = { env };
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind === 'memory') {
      (imports[imp.module] ??= {})[imp.name] = memory;
      continue;
    }
    if (imp.kind !== 'function') throw new Error(`kernel module imports unsupported ${imp.kind} ${imp.module}.${imp.name}`);
    const ns = (imports[imp.module] ??= {});
    const key = `${imp.module}.${imp.name}`;
    switch (key) {
      case 'env.abort':
        ns[imp.name] = (msg: number, file: number, line: number, col: number): never => {
          throw new KernelAbortError(`kernel abort: ${readAsString(memory, msg)} at ${readAsString(memory, file)}:${line}:${col}`);
        };
        break;
      case 'env.trace':
        ns[imp.name] = (msg: number, n: number, ...vals: number[]): void => {
          console.log(`kernel trace: ${readAsString(memory, msg)}`, ...vals.slice(0, n));
        };
        break;
      case 'env.seed':
        ns[imp.name] = (): number => Date.now() * Math.random();
        break;
      default:
        ns[imp.name] = (): never => {
          throw new Error(`kernel module called unsupported import ${key}`);
        };
    }
  }
  const instance = await WebAssembly.instantiate(module, imports);
  const out: KernelExports = {};
  for (const [name, value] of Object.entries(instance.exports)) {
    if (typeof value === 'function') out[name] = value as (...args: number[]) => number | void;
  }
  return out;
}

/** Kernel function names in a fixed order, so every thread maps names to the same ids. */
export function kernelNames(module: WebAssembly.Module): string[] {
  return WebAssembly.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name).sort();
}
