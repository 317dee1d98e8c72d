/**
 * Vocoder speed (not a test): the 'small' vocoder alone (random weights: speed does not depend on
 * them) on 10 s of mel, as × real time, with 1 and 2 engine threads. Each thread count runs in
 * its own process (CLIP_TTS_THREADS) so the pools do not interfere. Timed in interleaved rounds in
 * the same process (medians), so machine load hits all alike:
 *   - `vocode()` on the fast path: the network (fused wasm kernels) + 2 iterations of mel-envelope
 *     refinement (the mel_refine_f32 kernel), what synthesis runs;
 *   - `vocodeRaw()`: the network alone;
 *   - the refinement alone (FastMelRefiner, 2 iterations on the network's output);
 *   - the reference path (`fast: false`: engine ops + float64 JS iSTFT + JS refinement).
 * Also reports the backbone alone (engine ops), the training step, and Griffin-Lim for contrast.
 * The last line printed is one JSON object: {"vocoder_x_realtime_1t", "vocoder_x_realtime_2t"
 * (network + refinement), "vocoder_raw_x_realtime_1t", "vocoder_raw_x_realtime_2t" (network alone),
 * "refine_x_realtime_1t", "refine_x_realtime_2t" (refinement alone)}.
 * Run: npx tsc -p tsconfig.json && node dist/bench/vocoder.js [--preset small] [--seconds 10] [--rounds 11]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { engine, initEngine, manualSeed, noGrad, tensor, tidy, backward } from '../src/engine/index.js';
import { griffinLimFromMel } from '../src/audio/griffin-lim.js';
import { isVocoderPreset, resolveVocoderConfig } from '../src/models/vocoder/config.js';
import { Vocoder } from '../src/models/vocoder/model.js';
import { VocoderSynthesizer } from '../src/models/vocoder/vocode.js';
import { FastMelRefiner } from '../src/models/vocoder/fast-refine.js';
import { VocoderTrainingModel, vocoderTask } from '../src/models/vocoder/train.js';
import { runBenchChild } from './child.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** Median seconds per call over `runs` timed calls after one warm-up. */
function time(fn: () => void, runs = 5): number {
  fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) { const t0 = performance.now(); fn(); t.push((performance.now() - t0) / 1000); }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

/** 1-minute load average (Linux), '?' elsewhere. */
function loadAverage(): string {
  try { return readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!; } catch { return '?'; }
}

/** A speech-like log-mel: smooth random values in the usual range. */
function randomMel(nMels: number, frames: number): Float32Array {
  const mel = new Float32Array(nMels * frames);
  let s = 1;
  for (let i = 0; i < mel.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; mel[i] = -6 + 4 * (s / 4294967296); }
  return mel;
}

async function child(): Promise<void> {
  const preset = arg('preset', 'small');
  if (!isVocoderPreset(preset)) throw new Error(`unknown preset ${preset}`);
  const seconds = Number(arg('seconds', '10'));
  const threads = Number(process.env.CLIP_TTS_THREADS ?? '2');
  await initEngine({ threads });
  manualSeed(1);
  const config = resolveVocoderConfig({ preset });
  const model = new Vocoder(config);
  const fast = new VocoderSynthesizer(model, { chunkFrames: 1024 });
  const reference = new VocoderSynthesizer(model, { chunkFrames: 1024, fast: false });
  const frames = Math.round((seconds * config.mel.sampleRate) / config.hop);
  const mel = { data: randomMel(config.mel.nMels, frames), nMels: config.mel.nMels, frames };
  const audioSeconds = (frames * config.hop) / config.mel.sampleRate;
  // Interleaved rounds after a warm-up of each.
  const rounds = Number(arg('rounds', '11'));
  const tf: number[] = [], traw: number[] = [], tref: number[] = [], tr: number[] = [];
  const refiner = new FastMelRefiner(config.mel);
  const raw = fast.vocodeRaw(mel);
  fast.vocode(mel); reference.vocode(mel); refiner.refine(raw, mel, { iterations: 2 });
  const timed = (into: number[], fn: () => void): void => { const t0 = performance.now(); fn(); into.push((performance.now() - t0) / 1000); };
  for (let r = 0; r < rounds; r++) {
    timed(tf, () => fast.vocode(mel));
    timed(traw, () => fast.vocodeRaw(mel));
    timed(tref, () => refiner.refine(raw, mel, { iterations: 2 }));
    timed(tr, () => reference.vocode(mel));
  }
  const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  // With 2+ threads: the fast path on one thread vs all, interleaved in this process (a pool with
  // minParallelWork = ∞ runs every kernel on the calling thread): what the other cores add now.
  const pool = engine().runner as { minParallelWork?: number };
  let scaling = '';
  if (threads > 1 && pool.minParallelWork !== undefined) {
    const t1: number[] = [], tn: number[] = [], saved = pool.minParallelWork;
    for (let r = 0; r < rounds; r++) {
      pool.minParallelWork = Infinity;
      let t0 = performance.now(); fast.vocode(mel); t1.push((performance.now() - t0) / 1000);
      pool.minParallelWork = saved;
      t0 = performance.now(); fast.vocode(mel); tn.push((performance.now() - t0) / 1000);
    }
    scaling = `  ${threads} threads vs 1 (interleaved here): ${(median(t1) / median(tn)).toFixed(2)}x (${(median(tn) * 1000).toFixed(1)} vs ${(median(t1) * 1000).toFixed(1)} ms)`;
  }
  const backbone = time(() => noGrad(() => tidy(() => { model.backbone.forward(tensor(mel.data, [1, config.mel.nMels, frames])); })));
  const row = (name: string, sec: number, extra = ''): void => console.log(`${name.padEnd(40)} ${(audioSeconds / sec).toFixed(0).padStart(6)}x real time  (${(sec * 1000).toFixed(1)} ms for ${audioSeconds.toFixed(1)} s${extra})`);
  console.log(`threads ${threads}, preset ${preset}: ${model.parameterCount().toLocaleString('en')} parameters, load average ${loadAverage()}`);
  row(`vocoder ${preset} (mel -> wav, refined)`, median(tf), `, median of ${rounds}; best ${(Math.min(...tf) * 1000).toFixed(1)} ms`);
  row(`  network alone (vocodeRaw)`, median(traw), `, median of ${rounds}; best ${(Math.min(...traw) * 1000).toFixed(1)} ms`);
  row(`  refinement alone (2 iterations, wasm)`, median(tref), `, median of ${rounds}; best ${(Math.min(...tref) * 1000).toFixed(1)} ms`);
  row(`  reference path (engine ops + JS FFT)`, median(tr), `, median of ${rounds}`);
  if (scaling) console.log(scaling);
  row(`  backbone only (engine ops)`, backbone);
  fast.release();
  refiner.dispose();
  // A training step on one batch of random segments (no disk: a stub source).
  const t = config.training;
  const trainModel = new VocoderTrainingModel(config);
  const B = t.batchSize, F = t.segmentFrames;
  const batch = { ids: [], mel: randomMel(config.mel.nMels, B * F), audio: new Float32Array(B * F * config.hop).map((_, i) => 0.1 * Math.sin(i * 0.05)), batchSize: B, frames: F };
  const noBatches = { batches: async function* () { /* batches are fed by hand */ } };
  const task = vocoderTask(trainModel, noBatches, { runConfig: { kind: 'clip-tts-vocoder', vocoder: config, featuresDir: '', melsDir: null } });
  const step = time(() => { tidy(() => { backward(task.loss(batch, 1).loss); }); task.optimizer.step(); task.optimizer.zeroGrad(); }, 3);
  const segSeconds = (B * F * config.hop) / config.mel.sampleRate;
  console.log(`${'training step (batch ' + B + ' x ' + F + ' frames)'.padEnd(40)} ${(step * 1000).toFixed(0).padStart(6)} ms  (${(segSeconds / step).toFixed(2)} s of audio per second)`);
  if (threads === 1) {
    const glMel = { data: mel.data.subarray(0, config.mel.nMels * 431), nMels: config.mel.nMels, frames: 431 };
    const glData = new Float32Array(config.mel.nMels * 431);
    for (let m = 0; m < config.mel.nMels; m++) for (let f = 0; f < 431; f++) glData[m * 431 + f] = mel.data[m * frames + f]!;
    const gl = time(() => griffinLimFromMel({ ...glMel, data: glData }, config.mel, { iterations: 32 }), 1);
    console.log(`${'Griffin-Lim 32 iterations (JS, 1 thread)'.padEnd(40)} ${((431 * config.hop) / config.mel.sampleRate / gl).toFixed(0).padStart(6)}x real time`);
  }
  const xrt = (sec: number): number => Math.round(audioSeconds / sec);
  console.log(JSON.stringify({ vocoder: xrt(median(tf)), vocoder_raw: xrt(median(traw)), refine: xrt(median(tref)) }));
}

if (process.env.CLIP_TTS_VOCODER_BENCH_CHILD) {
  await child();
} else {
  const figures: Record<string, number | null> = {};
  let failed = false;
  for (const threads of [1, 2]) {
    const r = await runBenchChild<Record<string, number>>(fileURLToPath(import.meta.url), process.argv.slice(2),
      { CLIP_TTS_THREADS: String(threads), CLIP_TTS_VOCODER_BENCH_CHILD: '1' }, `vocoder bench child (${threads} threads)`);
    if (!r) failed = true;
    figures[`vocoder_x_realtime_${threads}t`] = r?.vocoder ?? null;
    figures[`vocoder_raw_x_realtime_${threads}t`] = r?.vocoder_raw ?? null;
    figures[`refine_x_realtime_${threads}t`] = r?.refine ?? null;
  }
  console.log(JSON.stringify(figures));
  if (failed) process.exit(1);
}
