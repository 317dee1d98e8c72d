/**
 * `npm run bench:engine`: GEMM GFLOP/s at four shapes on 1 and 2 threads, and one full training step
 * (forward, backward, AdamW) of a FastSpeech 2 FFT block in ClipTTS and in an identical PyTorch
 * model (bench/torch/fft_block_step.py) at the same thread count, in the same invocation.
 *
 * The last line printed is one JSON object (see the issue): best GEMM figures, block step times and
 * their ratio. PyTorch is measured twice: with the environment as found (this machine sets
 * OPENBLAS_CORETYPE=Haswell) and with that variable unset; at 2 threads it uses Debian's OpenMP
 * OpenBLAS build when installed, because the default pthread build oversubscribes 2 cores.
 *
 * Options: --steps N (default 8), --skip-torch, --threads 1,2
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { benchGemm, formatGemmTable } from './gemm.js';
import {
  AdamW, FFTBlock, backward, initEngine, mseLoss, randn, shutdownEngine, tensor, tidy,
} from '../src/engine/index.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const steps = Number(flag('steps') ?? 8);
const skipTorch = args.includes('--skip-torch');
const threadList = (flag('threads') ?? '1,2').split(',').map(Number);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const B = 16, T = 400, D = 256, H = 2, FF = 1024;

async function blockStep(threads: number): Promise<{ medianMs: number; runs: number[] }> {
  await initEngine({ threads, seed: 1 });
  const block = new FFTBlock(D, H, FF, { kernels: [9, 1], dropout: 0.1, attentionDropout: 0.1 });
  const opt = new AdamW(block, { lr: 1e-4 });
  const x = randn([B, T, D], { persistent: true });
  const target = randn([B, T, D], { persistent: true });
  const maskData = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    const len = T - ((b * 17) % 160); // the same ragged lengths as the PyTorch twin
    for (let t = 0; t < len; t++) maskData[b * T + t] = 1;
  }
  const mask = tensor(maskData, [B, T], 'float32', true);
  const step = (): number => tidy(() => {
    opt.zeroGrad();
    const loss = mseLoss(block.forward(x, mask), target);
    backward(loss);
    opt.step();
    return loss.item();
  });
  for (let i = 0; i < 2; i++) step();
  const runs: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    step();
    runs.push(performance.now() - t0);
  }
  block.dispose();
  await shutdownEngine();
  return { medianMs: median(runs), runs };
}

/** Installs Debian's python3-torch when it is missing and we are root (the issue asks for it). */
function ensureTorch(): boolean {
  const probe = (): boolean => spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  if (!existsSync('/usr/bin/python3')) return false;
  if (probe()) return true;
  if (process.getuid?.() !== 0) { console.error('python3-torch is not installed (apt-get install python3-torch); skipping PyTorch'); return false; }
  console.error('installing python3-torch with apt-get (once) ...');
  spawnSync('apt-get', ['install', '-y', '-qq', 'python3-torch', 'libopenblas0-openmp'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return probe();
}
let torchReady: boolean | null = null;

function torchStep(threads: number, coretype: 'as-found' | 'unset'): number | null {
  if (skipTorch) return null;
  torchReady ??= ensureTorch();
  if (!torchReady) return null;
  const env: Record<string, string | undefined> = { ...process.env };
  if (coretype === 'unset') delete env.OPENBLAS_CORETYPE;
  const omp = '/usr/lib/x86_64-linux-gnu/openblas-openmp';
  if (threads === 1) env.OPENBLAS_NUM_THREADS = '1';
  else if (existsSync(omp)) env.LD_LIBRARY_PATH = omp;
  const r = spawnSync('/usr/bin/python3', ['bench/torch/fft_block_step.py', String(threads), String(steps)], { env, encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`PyTorch twin failed (threads ${threads}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
    return null;
  }
  const last = r.stdout.trim().split('\n').pop()!;
  return (JSON.parse(last) as { median_ms: number }).median_ms;
}

const load = (): string => {
  try { return spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.trim(); } catch { return 'n/a'; }
};

console.log(`ClipTTS engine benchmark  (load before: ${load()})`);
const gemmReport = await benchGemm({ threads: threadList });
console.log(formatGemmTable(gemmReport));
// Best of the four shapes (NN form, the forward product) per thread count.
const bestGflops = (threads: number): number | null => {
  const xs = gemmReport.results.filter((r) => r.threads === threads && r.form === 'NN').map((r) => r.gflops);
  return xs.length ? Number(Math.max(...xs).toFixed(1)) : null;
};

const rows: { threads: number; ours: number; torchFound: number | null; torchUnset: number | null }[] = [];
for (const threads of threadList) {
  const ours = (await blockStep(threads)).medianMs;
  rows.push({ threads, ours, torchFound: torchStep(threads, 'as-found'), torchUnset: torchStep(threads, 'unset') });
}
const fmt = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(1));
console.log(`\nFFT block training step (B=${B}, T=${T}, hidden ${D}, ${H} heads, FFN ${FF} k=[9,1], dropout 0.1, AdamW), median of ${steps}`);
console.log('threads | ClipTTS ms | PyTorch ms (as found) | ratio | PyTorch ms (CORETYPE unset) | ratio');
for (const r of rows) {
  const ratio = (t: number | null): string => (t ? (r.ours / t).toFixed(2) : 'n/a');
  console.log(`${String(r.threads).padStart(7)} | ${fmt(r.ours).padStart(10)} | ${fmt(r.torchFound).padStart(21)} | ${ratio(r.torchFound).padStart(5)} | ${fmt(r.torchUnset).padStart(27)} | ${ratio(r.torchUnset)}`);
}
console.log(`(load after: ${load()})`);
const main = rows.find((r) => r.threads === Math.max(...threadList))!;
console.log(JSON.stringify({
  gemm_gflops_1t: bestGflops(1),
  gemm_gflops_2t: bestGflops(2),
  block_step_ms: Number(main.ours.toFixed(1)),
  torch_block_step_ms: main.torchFound === null ? null : Number(main.torchFound.toFixed(1)),
  ratio_vs_torch: main.torchFound === null ? null : Number((main.ours / main.torchFound).toFixed(3)),
  threads: main.threads,
  torch_block_step_ms_coretype_unset: main.torchUnset === null ? null : Number(main.torchUnset.toFixed(1)),
  ratio_vs_torch_coretype_unset: main.torchUnset === null ? null : Number((main.ours / main.torchUnset).toFixed(3)),
}));
