// Compiles the AssemblyScript kernels to four WebAssembly binaries:
//   kernels.wasm         imports a *shared* memory (worker-thread pool, SharedArrayBuffer available)
//   kernels-single.wasm  imports a plain memory (browsers without cross-origin isolation)
//   kernels-fma.wasm, kernels-single-fma.wasm: the same with relaxed SIMD, whose f32x4.relaxed_madd
//     makes the GEMM micro-kernel one FMA per lane-op (src/engine/kernels/load.ts picks these
//     when the runtime validates relaxed SIMD).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src/engine/kernels/assembly/index.ts');
const outDir = join(root, 'dist/src/engine/kernels');
mkdirSync(outDir, { recursive: true });
const asc = join(root, 'node_modules/assemblyscript/bin/asc.js');

const common = [
  entry, '-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd', '--importMemory',
  // Static data of the kernels lives below 64 KiB; the engine's allocator starts above it.
  '--memoryBase', '1024', '--initialMemory', '2',
];
const shared = ['--enable', 'threads', '--sharedMemory', '--maximumMemory', '65536'];
const fma = ['--enable', 'relaxed-simd'];
const variants = [
  { file: 'kernels.wasm', flags: shared },
  { file: 'kernels-single.wasm', flags: [] },
  { file: 'kernels-fma.wasm', flags: [...shared, ...fma] },
  { file: 'kernels-single-fma.wasm', flags: fma },
];
for (const v of variants) {
  execFileSync(process.execPath, [asc, ...common, ...v.flags, '-o', join(outDir, v.file)], { stdio: 'inherit' });
}
console.log(`built ${variants.map((v) => v.file).join(', ')} -> ${outDir}`);
