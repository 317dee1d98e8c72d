import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AdamW, add, backward, engine, initEngine, manualSeed, noGrad, parameter, tensor, tidy, type Tensor,
} from '../../src/engine/index.js';
import { saveCheckpoint } from '../../src/engine/node.js';
import { istft, stft } from '../../src/audio/stft.js';
import { MelExtractor } from '../../src/audio/mel.js';
import { refineToMel } from '../../src/audio/mel-refine.js';
import { decodeWav, encodeWav } from '../../src/audio/wav.js';
import { encodeNpy } from '../../src/audio/npy.js';
import { prepareDataset } from '../../src/data/prepare.js';
import { resolveVocoderConfig, VocoderConfigError } from '../../src/models/vocoder/config.js';
import { ConvSTFT, DifferentiableISTFT } from '../../src/models/vocoder/istft.js';
import { Vocoder, spectrumFromHead } from '../../src/models/vocoder/model.js';
import { DifferentiableLogMel, MultiResolutionStftLoss, melL1Loss } from '../../src/models/vocoder/stft-loss.js';
import { VocoderTrainingModel, trainVocoder, vocoderTask, type VocoderBatchSource } from '../../src/models/vocoder/train.js';
import { VocoderSegmentSource, type VocoderBatch } from '../../src/models/vocoder/data.js';
import { featureMatchingLoss, generatorAdversarialLoss } from '../../src/models/vocoder/discriminators.js';
import { StreamingISTFT, VocoderSynthesizer } from '../../src/models/vocoder/vocode.js';
import { vocodeCommand } from '../../src/cli/commands/vocode.js';

/** The loss tests feed batches by hand: the task's own batch source is never asked. */
const NO_BATCHES: VocoderBatchSource = { batches: async function* () { /* none */ } };

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LJ_FIXTURE = join(ROOT, 'fixtures', 'datasets', 'ljspeech');

before(async () => {
  await initEngine();
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cliptts-vocoder-'));
}

/** Seeded uniform values in [-0.5, 0.5). */
function noise(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; out[i] = s / 4294967296 - 0.5; }
  return out;
}

/** A voiced-speech-like test signal: harmonics of a gliding f0 plus a little noise. */
function harmonicSignal(length: number, rate = 22050): Float32Array {
  const x = new Float32Array(length);
  const n = noise(length, 7);
  let phase = 0;
  for (let i = 0; i < length; i++) {
    const f0 = 150 + 40 * Math.sin((2 * Math.PI * i) / length);
    phase += (2 * Math.PI * f0) / rate;
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(h * phase) / h;
    x[i] = 0.15 * v + 0.01 * n[i]!;
  }
  return x;
}

/** Frame-major [T, bins] → channels-first [bins, T]. */
function toChannelsFirst(a: Float32Array, frames: number, bins: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let t = 0; t < frames; t++) for (let k = 0; k < bins; k++) out[k * frames + t] = a[t * bins + k]!;
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

test('differentiable iSTFT (matmul basis + convTranspose overlap-add) matches src/audio istft', () => {
  const frames = 12, bins = 513, cfg = { nFft: 1024, hopLength: 256 };
  const re = noise(frames * bins, 1), im = noise(frames * bins, 2);
  // A real signal's spectrum has no imaginary part at DC and Nyquist; irfft (torch, numpy and the
  // matmul basis) ignores those values, src/audio's RealFFT.inverse does not.
  for (let t = 0; t < frames; t++) { im[t * bins] = 0; im[t * bins + bins - 1] = 0; }
  const istftOp = new DifferentiableISTFT(1024, 256);
  for (const length of [(frames - 1) * 256, frames * 256 - 100]) {
    const ref = istft({ re, im, frames, bins }, cfg, length);
    let ours: Float32Array = new Float32Array(0);
    tidy(() => { ours = istftOp.forward(tensor(toChannelsFirst(re, frames, bins), [1, bins, frames]), tensor(toChannelsFirst(im, frames, bins), [1, bins, frames]), length).toFloat32Array(); });
    assert.equal(ours.length, length);
    assert.ok(maxAbsDiff(ours, ref) <= 1e-4, `max diff ${maxAbsDiff(ours, ref)}`);
  }
  // The streaming FFT iSTFT of inference agrees too.
  const s = new StreamingISTFT(1024, 256);
  const parts: number[] = [];
  for (let t = 0; t < frames; t++) parts.push(...s.push(re.subarray(t * bins, (t + 1) * bins), im.subarray(t * bins, (t + 1) * bins)));
  parts.push(...s.flush());
  const ref = istft({ re, im, frames, bins }, cfg, (frames - 1) * 256);
  assert.ok(maxAbsDiff(parts.slice(0, ref.length), ref) <= 1e-5);
  istftOp.dispose();
});

test('STFT as a strided conv1d with a DFT basis matches src/audio stft magnitude', () => {
  const x = noise(3000, 3);
  for (const [nFft, hop] of [[512, 128], [256, 64]] as const) {
    const ref = stft(x, { nFft, hopLength: hop, padMode: 'constant' });
    const conv = new ConvSTFT(nFft, hop);
    let s: Float32Array = new Float32Array(0);
    tidy(() => { s = conv.stacked(tensor(x, [1, x.length])).toFloat32Array(); });
    const frames = conv.frameCount(x.length), bins = nFft / 2 + 1;
    assert.equal(frames, ref.frames);
    let worst = 0;
    for (let t = 0; t < frames; t++) for (let k = 0; k < bins; k++) {
      const a = Math.hypot(ref.re[t * bins + k]!, ref.im[t * bins + k]!);
      const b = Math.hypot(s[k * frames + t]!, s[(bins + k) * frames + t]!);
      worst = Math.max(worst, Math.abs(a - b) / Math.max(1, a));
    }
    assert.ok(worst <= 1e-4, `nFft ${nFft}: worst ${worst}`);
    conv.dispose();
  }
});

test('gradients of the reconstruction loss wrt head outputs match finite differences', () => {
  const config = resolveVocoderConfig({ preset: 'tiny' });
  const T = 6, bins = 513, L = T * 256;
  const mrstft = new MultiResolutionStftLoss(config.training.stftResolutions);
  const melOf = new DifferentiableLogMel(config.mel);
  const istftOp = new DifferentiableISTFT(1024, 256);
  const target = harmonicSignal(L);
  const logMag = parameter(tensor(noise(T * bins, 4).map((v) => v - 3), [1, T, bins], 'float32', true), 'logMag');
  const phase = parameter(tensor(noise(T * bins, 5).map((v) => 6 * v), [1, T, bins], 'float32', true), 'phase');
  const lossOf = (): Tensor => {
    const audio = istftOp.fromStacked(spectrumFromHead({ logMagnitude: logMag, phase }, 100), L);
    const y = tensor(target, [1, L]);
    const parts = mrstft.forward(audio, y);
    return add(add(parts.spectralConvergence, parts.logMagnitude), melL1Loss(melOf, audio, y, parts.magnitudes));
  };
  tidy(() => { backward(lossOf()); });
  const evalLoss = (): number => noGrad(() => tidy(() => lossOf().item()));
  for (const [p, name] of [[logMag, 'logMag'], [phase, 'phase']] as const) {
    const grad = p.grad!.toFloat32Array();
    // The few entries with the largest gradients: their finite differences are well above float32 noise.
    const idx = [...grad.keys()].sort((a, b) => Math.abs(grad[b]!) - Math.abs(grad[a]!)).slice(0, 3);
    const view = p.unsafeView();
    for (const i of idx) {
      const eps = 1e-2, v0 = view[i]!;
      view[i] = v0 + eps; const up = evalLoss();
      view[i] = v0 - eps; const down = evalLoss();
      view[i] = v0;
      const numeric = (up - down) / (2 * eps);
      assert.ok(Math.abs(numeric - grad[i]!) <= 0.05 * Math.abs(grad[i]!) + 2e-4, `${name}[${i}]: analytic ${grad[i]}, numeric ${numeric}`);
    }
  }
  mrstft.dispose(); melOf.dispose(); istftOp.dispose();
});

test('a tiny vocoder overfits one short segment', () => {
  manualSeed(3);
  const config = resolveVocoderConfig({ preset: 'tiny' });
  const frames = 16, L = frames * 256;
  const audio = harmonicSignal(L);
  const mel = new MelExtractor(config.mel).compute(audio);
  const model = new VocoderTrainingModel(config);
  const batch: VocoderBatch = { ids: ['x'], mel: mel.data.slice(0, 80 * frames), audio, batchSize: 1, frames };
  // mel.data is [80, frames + 1]; keep the first `frames` frames of each channel.
  for (let m = 0; m < 80; m++) for (let t = 0; t < frames; t++) batch.mel[m * frames + t] = mel.data[m * mel.frames + t]!;
  const task = vocoderTask(model, NO_BATCHES, { runConfig: { kind: 'clip-tts-vocoder', vocoder: config, featuresDir: '', melsDir: null } });
  const opt = new AdamW(model, { lr: 3e-3, weightDecay: 0 });
  const losses: number[] = [];
  for (let step = 1; step <= 80; step++) {
    losses.push(tidy(() => { const out = task.loss(batch, step); backward(out.loss); return out.loss.item(); }));
    opt.step(); opt.zeroGrad();
  }
  const first = losses[0]!, last = Math.min(...losses.slice(-5));
  assert.ok(last < 0.6 * first, `loss ${first.toFixed(3)} → ${last.toFixed(3)}`);
  model.dispose();
});

test('GAN phase (tiny, LSGAN and hinge): discriminators get gradients from L_D only, generator from L_G', () => {
  for (const loss of ['lsgan', 'hinge'] as const) {
    manualSeed(4);
    const config = resolveVocoderConfig({ preset: 'tiny', training: { gan: { enabled: true, loss } } });
    const model = new VocoderTrainingModel(config);
    assert.ok(model.discriminators);
    const frames = 8, L = frames * 256;
    const batch: VocoderBatch = { ids: ['x'], mel: noise(80 * frames, 9).map((v) => v * 4 - 5), audio: harmonicSignal(L), batchSize: 1, frames };
    const task = vocoderTask(model, NO_BATCHES, { runConfig: { kind: 'clip-tts-vocoder', vocoder: config, featuresDir: '', melsDir: null } });
    const parts = tidy(() => {
      const out = task.loss(batch, 1);
      backward(out.loss);
      const values: Record<string, number> = {};
      for (const [k, v] of Object.entries(out.parts ?? {})) values[k] = typeof v === 'number' ? v : v.item();
      return values;
    });
    for (const k of ['disc', 'adv', 'fm', 'mel']) assert.ok(Number.isFinite(parts[k]), `${loss}: ${k} = ${parts[k]}`);
    const gradNorm = (ps: Tensor[]): number => Math.sqrt(ps.reduce((s, p) => s + (p.grad ? p.grad.toFloat32Array().reduce((a, g) => a + g * g, 0) : 0), 0));
    assert.ok(gradNorm(model.discriminators!.parameters()) > 0);
    assert.ok(gradNorm(model.generator.parameters()) > 0);
    // The generator's adversarial + feature-matching terms alone leave the (frozen) discriminators untouched.
    for (const p of model.parameters()) p.grad?.unsafeView().fill(0);
    tidy(() => {
      const D = model.discriminators!;
      const pred = model.generator.forward(tensor(batch.mel, [1, 80, frames]));
      const real = D.forward(tensor(batch.audio, [1, L]));
      const fake = D.forward(pred, true);
      backward(add(generatorAdversarialLoss(fake, loss), featureMatchingLoss(real, fake)));
    });
    assert.equal(gradNorm(model.discriminators!.parameters()), 0);
    assert.ok(gradNorm(model.generator.parameters()) > 0);
    model.dispose();
  }
});

test('config presets validate and report every problem', () => {
  assert.equal(resolveVocoderConfig({ preset: 'small' }).nFft, 1024);
  assert.throws(() => resolveVocoderConfig({ preset: 'tiny', dim: 0, hop: 200, training: { gan: { loss: 'wgan' } } }), (e: unknown) => {
    assert.ok(e instanceof VocoderConfigError);
    assert.match(e.message, /dim/); assert.match(e.message, /hop \(200\)/); assert.match(e.message, /gan.loss/);
    return true;
  });
});

test('segments: mel and audio aligned; trainVocoder checkpoints and resumes; chunked synthesis = full', async () => {
  const features = tempDir();
  await prepareDataset({ datasetDir: LJ_FIXTURE, outDir: features, jobs: 0, progress: false, valFraction: 0.3 });
  const config = resolveVocoderConfig({ preset: 'tiny', training: { segmentFrames: 8, batchSize: 2 } });
  const source = VocoderSegmentSource.open(features, { split: 'train', segmentFrames: 8, batchSize: 2, seed: 1 });
  const item = source.items[0]!;
  const utt = source.loadUtterance(item);
  const recomputed = new MelExtractor(config.mel).compute(utt.audio);
  assert.equal(recomputed.frames, utt.frames);
  assert.ok(maxAbsDiff(recomputed.data, utt.mel) < 0.02, 'cached mel = mel of the re-read trimmed audio (float16 cache)');
  const b1 = source.batch(0, 0), b2 = source.batch(0, 0);
  assert.deepEqual(b1.mel, b2.mel, 'batches are a pure function of (epoch, index)');
  assert.equal(b1.audio.length, 2 * 8 * 256);

  const out = tempDir();
  const r1 = await trainVocoder({ featuresDir: features, outDir: out, config, maxSteps: 3, quiet: true, validationCount: 1, validateEvery: 3 });
  assert.equal(r1.step, 3);
  const r2 = await trainVocoder({ featuresDir: features, outDir: out, config, maxSteps: 5, resume: true, quiet: true, validationCount: 1, validateEvery: 100 });
  assert.equal(r2.resumedFrom, 3);
  assert.equal(r2.step, 5);

  const synth = await VocoderSynthesizer.load(out, { chunkFrames: 7 });
  const whole = new VocoderSynthesizer(synth.model, { chunkFrames: 1000 }).vocodeRaw({ data: utt.mel, nMels: 80, frames: utt.frames });
  const stream = synth.stream({ raw: true });
  const pieces: Float32Array[] = [];
  for (let at = 0; at < utt.frames; at += 13) {
    const n = Math.min(13, utt.frames - at);
    const data = new Float32Array(80 * n);
    for (let m = 0; m < 80; m++) for (let t = 0; t < n; t++) data[m * n + t] = utt.mel[m * utt.frames + at + t]!;
    pieces.push(stream.push({ data, nMels: 80, frames: n }));
  }
  pieces.push(stream.end());
  const streamed = Float32Array.from(pieces.flatMap((p) => [...p]));
  assert.equal(whole.length, utt.frames * 256);
  assert.equal(streamed.length, whole.length);
  assert.ok(maxAbsDiff(streamed, whole) < 1e-5, `streamed vs whole: ${maxAbsDiff(streamed, whole)}`);
  synth.dispose();
});

/** Synthesis in pushes of `step` frames through a stream (mel-major input); `raw`: without the refinement. */
function streamed(synth: VocoderSynthesizer, mel: Float32Array, frames: number, step: number, raw = true): Float32Array {
  const s = synth.stream({ raw });
  const pieces: Float32Array[] = [];
  for (let at = 0; at < frames; at += step) {
    const n = Math.min(step, frames - at);
    const data = new Float32Array(80 * n);
    for (let m = 0; m < 80; m++) for (let t = 0; t < n; t++) data[m * n + t] = mel[m * frames + at + t]!;
    pieces.push(s.push({ data, nMels: 80, frames: n }));
  }
  pieces.push(s.end());
  return Float32Array.from(pieces.flatMap((p) => [...p]));
}

test('fast path (fused wasm kernels) = reference path (engine ops + float64 iSTFT) to float32 rounding; any chunking or thread split gives identical output', () => {
  const pool = engine().runner as { minParallelWork?: number };
  for (const preset of ['tiny', 'small'] as const) {
    manualSeed(11);
    const config = resolveVocoderConfig({ preset });
    const model = new Vocoder(config);
    // Push the head into the regimes the kernels special-case: magnitudes beyond the clamp
    // (log 100) and large phases (octant reduction), a few past the polynomial range (|φ| > 8192).
    const bias = model.head.out.bias!.unsafeView();
    for (let k = 0; k < 513; k++) { bias[k] = k % 3 === 0 ? 5 : 1; bias[513 + k] = k % 5 === 0 ? 40 : k === 7 ? 9000 : -3; }
    const frames = 150;
    const mel = Float32Array.from(noise(80 * frames, 3), (v) => -5 + 6 * v);
    const melIn = { data: mel, nMels: 80, frames };
    const reference = new VocoderSynthesizer(model, { fast: false, chunkFrames: 1000 }).vocodeRaw(melIn);
    const whole = new VocoderSynthesizer(model, { chunkFrames: 1000 });
    assert.ok(whole.fast, 'the fast path covers the preset');
    const fast = whole.vocodeRaw(melIn);
    assert.equal(fast.length, frames * 256);
    let peak = 0;
    for (const v of reference) peak = Math.max(peak, Math.abs(v));
    const diff = maxAbsDiff(fast, reference);
    console.log(`  ${preset}: max |fast − reference| = ${diff.toExponential(2)} (${(diff / peak).toExponential(2)} of the peak ${peak.toFixed(3)})`);
    assert.ok(diff <= 2e-6 * peak, `fast vs reference: ${diff} (peak ${peak})`);
    // Chunks of 7 frames pushed 13 at a time, and every kernel split over the threads.
    const chunked = new VocoderSynthesizer(model, { chunkFrames: 7 });
    assert.deepEqual(streamed(chunked, mel, frames, 13), fast, 'chunked + streamed = whole, bit for bit');
    // Refined streams = the refined whole utterance, for any split (the refinement's own context).
    const refinedWhole = whole.vocode(melIn);
    for (const [chunk, step] of [[7, 13], [40, 1], [256, 150]] as const) {
      const r = new VocoderSynthesizer(model, { chunkFrames: chunk });
      assert.deepEqual(streamed(r, mel, frames, step, false), refinedWhole, `refined stream (chunks of ${chunk}, pushes of ${step}) = vocode(), bit for bit`);
      r.release();
    }
    // ...and it streams: 60 frames in, audio out before end(), lagging the raw stream by at most
    // refineIterations · nFft samples.
    const lag = new VocoderSynthesizer(model, { chunkFrames: 7 });
    const head = { data: new Float32Array(80 * 60), nMels: 80, frames: 60 };
    for (let m = 0; m < 80; m++) head.data.set(mel.subarray(m * frames, m * frames + 60), m * 60);
    const rawOut = lag.stream({ raw: true }).push(head).length, refinedOut = lag.stream().push(head).length;
    assert.ok(refinedOut > 0 && rawOut - refinedOut <= 2 * 1024 + 256, `raw ${rawOut} vs refined ${refinedOut} samples after 60 frames`);
    lag.release();
    const refRefined = new VocoderSynthesizer(model, { fast: false, chunkFrames: 9 });
    assert.deepEqual(streamed(refRefined, mel, frames, 17, false), refRefined.vocode(melIn), 'reference path: refined stream = vocode()');
    const saved = pool.minParallelWork;
    if (saved !== undefined) pool.minParallelWork = 0;
    try {
      const split = new VocoderSynthesizer(model, { chunkFrames: 40 });
      assert.deepEqual(split.vocodeRaw(melIn), fast, 'thread split = one thread, bit for bit');
      split.release();
    } finally {
      if (saved !== undefined) pool.minParallelWork = saved;
    }
    whole.release(); chunked.release();
    model.dispose();
  }
});

test('fast path sin/cos kernel: ≤ 2e-7 absolute for |x| ≤ 100, f64 Math beyond the polynomial range', () => {
  const xs: number[] = [];
  for (let i = 0; i <= 200000; i++) xs.push(-100 + (200 * i) / 200000);
  xs.push(0, -0, 8191.5, -8192, 8192.5, 1e6, -3e7, Infinity, -Infinity, NaN);
  while (xs.length % 4) xs.push(0.5);
  const n = xs.length;
  const s = Float32Array.from(xs), sin = new Float32Array(n), cos = new Float32Array(n);
  tidy(() => {
    const x = tensor(s, [n]), ps = tensor(sin, [n]), pc = tensor(cos, [n]);
    engine().runner.run('vocos_sincos_f32', [n, x.ptr, ps.ptr, pc.ptr], 0);
    sin.set(ps.toFloat32Array()); cos.set(pc.toFloat32Array());
  });
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const v = s[i]!;
    if (!Number.isFinite(v)) { assert.ok(Number.isNaN(sin[i]!) && Number.isNaN(cos[i]!), `sin/cos(${v})`); continue; }
    const es = Math.abs(sin[i]! - Math.sin(v)), ec = Math.abs(cos[i]! - Math.cos(v));
    if (Math.abs(v) <= 100) worst = Math.max(worst, es, ec);
    else assert.ok(es <= 1e-6 && ec <= 1e-6, `sin/cos(${v}): ${sin[i]} ${cos[i]}`);
  }
  console.log(`  sincos max abs error on [−100, 100]: ${worst.toExponential(2)}`);
  assert.ok(worst <= 2e-7, `max error ${worst}`);
});

test('the vocoder inference path (vocode.ts and everything it imports) has no static Node-only import', () => {
  const root = join(ROOT, 'src');
  const seen = new Set<string>(), offenders: string[] = [];
  const queue = ['models/vocoder/vocode.ts'];
  while (queue.length) {
    const rel = queue.pop()!;
    if (seen.has(rel)) continue;
    seen.add(rel);
    const src = readFileSync(join(root, rel), 'utf8');
    // Static value imports only: `import type` is erased, dynamic import() behind a call is allowed.
    for (const m of src.matchAll(/^\s*import\s+(?!type\b)[^;(]*?from\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!;
      if (/^(node:|fs$|path$|os$|worker_threads$)/.test(spec)) offenders.push(`${rel} → ${spec}`);
      else if (spec.startsWith('.')) queue.push(join(rel, '..', spec).replace(/\.js$/, '.ts'));
    }
  }
  assert.ok(seen.has('models/vocoder/fast.ts') && seen.has('engine/index.ts'));
  assert.deepEqual(offenders, [], `Node-only imports: ${offenders.join(', ')}`);
});

test('vocode CLI: copy-synthesis and .npy input with a tiny checkpoint; --griffin-lim without one', async () => {
  const dir = tempDir();
  manualSeed(5);
  const config = resolveVocoderConfig({ preset: 'tiny' });
  const model = new Vocoder(config);
  const tensors = new Map<string, Tensor>([...model.stateDict()].map(([k, t]) => [`model.generator.${k}`, t]));
  await saveCheckpoint(join(dir, 'run', 'checkpoint.safetensors'), tensors, { config: { kind: 'clip-tts-vocoder', vocoder: config } });
  const input = harmonicSignal(11025); // 0.5 s
  writeFileSync(join(dir, 'in.wav'), encodeWav(input, 22050));
  const log = console.log;
  console.log = () => undefined;
  try {
    assert.equal(await vocodeCommand.run([join(dir, 'in.wav'), '-o', join(dir, 'out.wav'), '--vocoder', join(dir, 'run')]), 0);
    const mel = new MelExtractor().compute(input);
    writeFileSync(join(dir, 'in.npy'), encodeNpy(mel.data, [80, mel.frames]));
    assert.equal(await vocodeCommand.run([join(dir, 'in.npy'), '-o', join(dir, 'npy.wav'), '--vocoder', join(dir, 'run', 'checkpoint.safetensors')]), 0);
    assert.equal(await vocodeCommand.run([join(dir, 'in.wav'), '-o', join(dir, 'gl.wav'), '--griffin-lim', '--iterations', '4']), 0);
    assert.equal(await vocodeCommand.run([join(dir, 'in.wav'), '-o', join(dir, 'raw.wav'), '--vocoder', join(dir, 'run'), '--refine', '0']), 0);
    await assert.rejects(vocodeCommand.run([join(dir, 'in.wav'), '-o', join(dir, 'x.wav'), '--vocoder', join(dir, 'run'), '--refine', '-1']), /--refine must be an integer >= 0, got -1/);
    await assert.rejects(vocodeCommand.run([join(dir, 'in.wav'), '-o', join(dir, 'x.wav'), '--griffin-lim', '--refine', '1']), /--refine applies to the neural vocoder/);
  } finally {
    console.log = log;
  }
  const out = decodeWav(readFileSync(join(dir, 'out.wav')));
  assert.equal(out.sampleRate, 22050);
  assert.equal(out.samples.length, input.length);
  assert.ok(out.samples.every(Number.isFinite));
  assert.equal(decodeWav(readFileSync(join(dir, 'npy.wav'))).samples.length, 44 * 256);
  // Default: the network's output refined toward the input mel; --refine 0: the network's raw output.
  const mel = new MelExtractor().compute(decodeWav(readFileSync(join(dir, 'in.wav'))).samples);
  const synth = new VocoderSynthesizer(model);
  const raw = synth.vocodeRaw(mel, input.length);
  const quantization = 1.5 / 32768;
  assert.ok(maxAbsDiff(decodeWav(readFileSync(join(dir, 'raw.wav'))).samples, raw) < quantization, '--refine 0 writes the raw output');
  const refined = refineToMel(raw, mel, config.mel);
  assert.ok(maxAbsDiff(out.samples, refined) < quantization, `default: refined with 2 iterations (max diff ${maxAbsDiff(out.samples, refined)}, peak ${Math.max(...refined.map(Math.abs))})`);
  assert.ok(maxAbsDiff(out.samples, raw) > 10 * quantization, 'the refinement changes an untrained vocoder\'s output');
  synth.release();
  const gl = decodeWav(readFileSync(join(dir, 'gl.wav')));
  assert.equal(gl.samples.length, input.length);
  assert.ok(gl.samples.some((v) => Math.abs(v) > 1e-3));
  model.dispose();
});
