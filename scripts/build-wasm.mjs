// Compiles the AssemblyScript kernels to two WebAssembly binaries:
//   kernels.wasm         imports a *shared* memory (worker-thread pool, SharedArrayBuffer available)
//   kernels-single.wasm  imports a plain memory (browsers without cross-origin isolation)
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
const variants = [
  { file: 'kernels.wasm', flags: ['--enable', 'threads', '--sharedMemory', '--maximumMemory', '65536'] },
  { file: 'kernels-single.wasm', flags: [] },
];
for (const v of variants) {
  execFileSync(process.execPath, [asc, ...common, ...v.flags, '-o', join(outDir, v.file)], { stdio: 'inherit' });
}
console.log(`built ${variants.map((v) => v.file).join(', ')} -> ${outDir}`);
