import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { engine, initEngine, manualSeed, shutdownEngine } from '../../src/engine/index.js';
import { WorkerPool } from '../../src/engine/kernels/pool.js';
import { MelExtractor, resolveMelConfig, type MelConfig, type MelSpectrogram } from '../../src/audio/mel.js';
import { MelRefiner, refineToMel } from '../../src/audio/mel-refine.js';
import { FastMelRefiner, fastRefineUnsupported } from '../../src/models/vocoder/fast-refine.js';
import { resolveVocoderConfig } from '../../src/models/vocoder/config.js';
import { Vocoder } from '../../src/models/vocoder/model.js';
import { VocoderSynthesizer } from '../../src/models/vocoder/vocode.js';

before(async () => {
  await initEngine();
});

/** Seeded uniform values in [-0.5, 0.5). */
function noise(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; out[i] = s / 4294967296 - 0.5; }
  return out;
}

/** Speech-like test audio: harmonics of a gliding f0, an amplitude envelope, a little noise. */
function voiced(length: number, seed = 7, rate = 22050): Float32Array {
  const x = new Float32Array(length), n = noise(length, seed);
  let phase = 0;
  for (let i = 0; i < length; i++) {
    const f0 = 140 + 50 * Math.sin((2 * Math.PI * i) / Math.max(length, 1));
    phase += (2 * Math.PI * f0) / rate;
    let v = 0;
    for (let h = 1; h <= 10; h++) v += Math.sin(h * phase) / h;
    x[i] = (0.12 + 0.08 * Math.sin(i / 2500)) * v + 0.02 * n[i]!;
  }
  return x;
}

/**
 * A target that differs from `audio`'s own log-mel (another envelope, some loud and some silent
 * frames), so the gains move and the clamps bite.
 */
function targetFor(audio: Float32Array, config: MelConfig, frames?: number): MelSpectrogram {
  const other = voiced(audio.length, 3).map((v, i) => v * (1.5 + Math.cos(i / 1700)));
  const mel = new MelExtractor(config).compute(other);
  const f = frames ?? mel.frames;
  const data = new Float32Array(mel.nMels * f);
  for (let m = 0; m < mel.nMels; m++) {
    for (let t = 0; t < f; t++) data[m * f + t] = t % 37 === 5 ? Math.log(config.logFloor) : mel.data[m * mel.frames + Math.min(t, mel.frames - 1)]! + 0.3 * Math.sin(m + t);
  }
  return { data, nMels: mel.nMels, frames: f };
}

function peakOf(a: Float32Array): number {
  let p = 0;
  for (const v of a) p = Math.max(p, Math.abs(v));
  return p;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Runs `fn` with every dispatch split over the pool's threads (minParallelWork = 0). */
function splitting<T>(fn: () => T): T {
  const pool = engine().runner as { minParallelWork?: number };
  const saved = pool.minParallelWork;
  if (saved !== undefined) pool.minParallelWork = 0;
  try { return fn(); } finally { if (saved !== undefined) pool.minParallelWork = saved; }
}

/** Float32 rounding tolerance of the float32 kernel vs the float64 reference, relative to the peak. */
const TOLERANCE = 2e-6;

test('fast refinement = JS reference (power 1, default config) to float32 rounding, for lengths and target sizes around the edges', () => {
  const config = resolveMelConfig({});
  const reference = new MelRefiner(config), fast = new FastMelRefiner(config);
  let worst = 0;
  const cases: { n: number; frames?: (f: number) => number; iterations?: number; minGain?: number; maxGain?: number }[] = [
    { n: 22050 },                                  // 1 s, not a multiple of hop
    { n: 256 * 40 },                               // a multiple of hop: STFT frames = target frames + 1
    { n: 256 * 40 + 255, iterations: 3 },
    { n: 9000, frames: (f) => f - 6 },             // target shorter than the STFT: last frame reused
    { n: 9000, frames: (f) => f + 9 },             // target longer: extra frames ignored
    { n: 9000, frames: () => 1 },
    { n: 5000, iterations: 1, minGain: 0.5, maxGain: 2 },
    { n: 1023 }, { n: 700 }, { n: 513 }, { n: 300 }, { n: 37 }, { n: 2 }, { n: 1 }, // shorter than nFft: reflect padding wraps
  ];
  for (const c of cases) {
    const audio = voiced(c.n, c.n);
    const ownFrames = 1 + Math.floor(c.n / config.hopLength);
    const target = targetFor(audio, config, c.frames ? c.frames(ownFrames) : undefined);
    const options = { iterations: c.iterations ?? 2, minGain: c.minGain, maxGain: c.maxGain };
    const want = reference.refine(audio, target, options);
    const got = splitting(() => fast.refine(audio, target, options));
    assert.equal(got.length, c.n);
    const peak = peakOf(want), diff = maxAbsDiff(got, want);
    assert.ok(peakOf(Float32Array.from(want, (v, i) => v - audio[i]!)) > 1e-3 * peak, `n ${c.n}: the refinement changes the signal`);
    assert.ok(diff <= TOLERANCE * peak, `n ${c.n}: max |fast − reference| ${diff} (peak ${peak})`);
    worst = Math.max(worst, diff / peak);
  }
  console.log(`  max |fast − reference| / peak over ${cases.length} cases: ${worst.toExponential(2)}`);
  fast.dispose();
});

test('fast refinement = JS reference for other mel configs (power 2, constant padding, short window, hop 128, 24 kHz)', () => {
  const configs: Partial<MelConfig>[] = [
    { power: 2 },
    { padMode: 'constant' },
    { winLength: 800 },
    { hopLength: 128, nMels: 64, fMax: 11025 },
    { sampleRate: 24000, nFft: 2048, hopLength: 512, winLength: 2048, nMels: 100, fMin: 40, fMax: 12000, melScale: 'htk', norm: 'none' },
  ];
  let worst = 0;
  for (const partial of configs) {
    const config = resolveMelConfig(partial);
    assert.equal(fastRefineUnsupported(config), null);
    const fast = new FastMelRefiner(config);
    for (const n of [12345, 600]) {
      const audio = voiced(n, n, config.sampleRate);
      const target = targetFor(audio, config);
      const want = new MelRefiner(config).refine(audio, target);
      const got = splitting(() => fast.refine(audio, target));
      const peak = peakOf(want), diff = maxAbsDiff(got, want);
      assert.ok(diff <= TOLERANCE * peak, `${JSON.stringify(partial)} n ${n}: max |fast − reference| ${diff} (peak ${peak})`);
      worst = Math.max(worst, diff / peak);
    }
    fast.dispose();
  }
  console.log(`  max |fast − reference| / peak over ${configs.length} configs: ${worst.toExponential(2)}`);
});

test('fast refinement without centring: frames only where the signal covers nFft, zeros past the last frame', () => {
  const config = resolveMelConfig({ center: false });
  const fast = new FastMelRefiner(config), reference = new MelRefiner(config);
  let worst = 0;
  for (const n of [20000, 256 * 30 + 1024, 1500, 1000]) {
    const audio = voiced(n, n);
    // Shorter than nFft: no STFT frame (the reference outputs zeros), and no target frame either.
    const target = n < config.nFft ? { data: new Float32Array(80 * 2).fill(-3), nMels: 80, frames: 2 } : targetFor(audio, config);
    const want = reference.refine(audio, target), got = fast.refine(audio, target);
    // The first and last hop of the covered span are divided by a window-sum-square that falls to
    // 0 (Hann tails): the refined frames no longer match 1/w² there, the output grows large and
    // float32 rounding is magnified with it. Compare one hop inside, where Σw² ≥ 0.25.
    const covered = n < 1024 ? 0 : 1024 + 256 * Math.floor((n - 1024) / 256);
    let diff = 0, peak = 0;
    for (let i = 256; i < covered - 256; i++) { diff = Math.max(diff, Math.abs(got[i]! - want[i]!)); peak = Math.max(peak, Math.abs(want[i]!)); }
    assert.ok(diff <= TOLERANCE * peak, `n ${n}: ${diff} (peak ${peak})`);
    if (peak > 0) worst = Math.max(worst, diff / peak);
    for (let i = covered; i < n; i++) assert.equal(got[i], 0, `sample ${i} past the last frame`);
    assert.ok(got.every(Number.isFinite));
  }
  console.log(`  not centred: max |fast − reference| / peak a hop inside the covered span: ${worst.toExponential(2)}`);
  fast.dispose();
});

test('fast refinement is bit-identical for any work split and thread count', async () => {
  const config = resolveMelConfig({});
  const audio = voiced(30000, 5);
  const target = targetFor(audio, config);
  const pool = engine().runner as { minParallelWork?: number };
  const saved = pool.minParallelWork;
  if (saved !== undefined) pool.minParallelWork = Infinity;
  const single = new FastMelRefiner(config);
  let one: Float32Array;
  try {
    one = single.refine(audio, target); // one thread, default items
  } finally {
    if (saved !== undefined) pool.minParallelWork = saved;
    single.dispose();
  }
  const R = config.nFft / config.hopLength;
  for (const framesPerItem of [undefined, R, R + 1, 7, 16, 61, 1000]) {
    const fast = new FastMelRefiner(config, { framesPerItem });
    assert.deepEqual(splitting(() => fast.refine(audio, target)), one, `framesPerItem ${framesPerItem}`);
    fast.dispose();
  }
  const runner = engine().runner;
  if (runner instanceof WorkerPool) {
    const threads = runner.threads;
    const fast = new FastMelRefiner(config, { framesPerItem: 12 });
    try {
      for (const t of [3, 1, 2]) {
        await runner.setThreads(t);
        assert.deepEqual(splitting(() => fast.refine(audio, target)), one, `${t} threads`);
      }
    } finally {
      await runner.setThreads(threads);
      engine().gemmScratch = 0; // setThreads moved the pool's GEMM scratch: let the next GEMM look it up again
      fast.dispose();
    }
  }
});

test('fast refinement: iterations 0 and empty inputs return the input; options and target are checked as the reference does', () => {
  const config = resolveMelConfig({});
  const fast = new FastMelRefiner(config), reference = new MelRefiner(config);
  const audio = voiced(5000);
  const target = targetFor(audio, config);
  assert.equal(fast.refine(audio, target, { iterations: 0 }), audio);
  const empty = new Float32Array(0);
  assert.equal(fast.refine(empty, target), empty);
  assert.equal(fast.refine(audio, { data: new Float32Array(0), nMels: 80, frames: 0 }), audio);
  const bad: [Parameters<MelRefiner['refine']>[1], Parameters<MelRefiner['refine']>[2]][] = [
    [target, { iterations: -1 }], [target, { iterations: 1.5 }], [target, { minGain: 0 }], [target, { minGain: 2 }],
    [target, { maxGain: 0.5 }], [target, { maxGain: Infinity }],
    [{ data: new Float32Array(64 * 3), nMels: 64, frames: 3 }, {}], [{ data: new Float32Array(80 * 3), nMels: 80, frames: 4 }, {}],
  ];
  for (const [t, o] of bad) {
    let expected = '';
    try { reference.refine(audio, t, o); } catch (e) { expected = (e as Error).message; }
    assert.ok(expected, `the reference rejects ${JSON.stringify(o)}`);
    assert.throws(() => fast.refine(audio, t, o), (e: Error) => e instanceof RangeError && e.message === expected);
  }
  fast.dispose();
  assert.throws(() => fast.refine(audio, target), /after dispose/);
});

test('fastRefineUnsupported names what the kernel cannot do; dispose() returns the engine memory', () => {
  assert.equal(fastRefineUnsupported({}), null);
  assert.match(fastRefineUnsupported({ nFft: 800, winLength: 800, hopLength: 200 }) ?? '', /nFft \(800\) must be a power of two/);
  assert.match(fastRefineUnsupported({ hopLength: 300 }) ?? '', /hop \(300\) must be a multiple of 4 dividing nFft/);
  assert.match(fastRefineUnsupported({ hopLength: 6 }) ?? '', /hop \(6\)/);
  assert.match(fastRefineUnsupported({ power: 3 as 1 }) ?? '', /power/);
  assert.throws(() => new FastMelRefiner({ nFft: 800, winLength: 800, hopLength: 200 }), /FastMelRefiner: nFft/);
  const audio = voiced(20000), config = resolveMelConfig({}), target = targetFor(audio, config);
  const warm = new FastMelRefiner(config);
  warm.refine(audio, target); // grows the step arena to this size first
  warm.dispose();
  const mem = engine().mem, before = mem.heapBytesInUse;
  const fast = new FastMelRefiner(config);
  fast.refine(audio, target);
  assert.ok(mem.heapBytesInUse > before, 'tables and scratch live in engine memory');
  fast.dispose();
  assert.equal(mem.heapBytesInUse, before);
});

test('VocoderSynthesizer.vocode refines on the kernel with the fast path and in JS without it', () => {
  manualSeed(3);
  const model = new Vocoder(resolveVocoderConfig({ preset: 'tiny' }));
  const frames = 60;
  const mel = { data: Float32Array.from(noise(80 * frames, 9), (v) => -6 + 5 * v), nMels: 80, frames };
  const fastSynth = new VocoderSynthesizer(model);
  assert.ok(fastSynth.fast);
  const raw = fastSynth.vocodeRaw(mel);
  const refined = fastSynth.vocode(mel);
  const js = refineToMel(raw, mel, model.config.mel);
  const diff = maxAbsDiff(refined, js), peak = peakOf(js);
  assert.ok(diff <= TOLERANCE * peak, `vocode() vs refineToMel(vocodeRaw()): ${diff} (peak ${peak})`);
  assert.ok(maxAbsDiff(refined, raw) > 1e-3 * peak, 'vocode() refines');
  assert.deepEqual(new VocoderSynthesizer(model, { refineIterations: 0 }).vocode(mel), raw);
  const slow = new VocoderSynthesizer(model, { fast: false });
  const slowRaw = slow.vocodeRaw(mel);
  assert.deepEqual(slow.vocode(mel), refineToMel(slowRaw, mel, model.config.mel), 'the reference path refines in JS');
  const mem = engine().mem, before = mem.heapBytesInUse;
  fastSynth.release();
  assert.ok(mem.heapBytesInUse < before, 'release() frees the refiner too');
  assert.deepEqual(fastSynth.vocode(mel), refined, 'usable again after release()');
  fastSynth.release();
  model.dispose();
});

// Last: it restarts the engine with the plain SIMD build.
test('the plain SIMD build gives the same bits as the relaxed-SIMD (FMA) build', async () => {
  const config = resolveMelConfig({});
  const audio = voiced(15000, 11);
  const target = targetFor(audio, config);
  const run = (): Float32Array => {
    const fast = new FastMelRefiner(config);
    try { return splitting(() => fast.refine(audio, target)); } finally { fast.dispose(); }
  };
  const withFma = run();
  await shutdownEngine();
  await initEngine({ fma: false });
  assert.deepEqual(run(), withFma);
  await shutdownEngine();
});
