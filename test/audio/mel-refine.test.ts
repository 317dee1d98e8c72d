import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refineToMel, MelRefiner, resolveMelRefineOptions, DEFAULT_REFINE_ITERATIONS } from '../../src/audio/mel-refine.js';
import { logMelSpectrogram } from '../../src/audio/mel.js';
import { istft, stft } from '../../src/audio/stft.js';
import { harmonicTone, melDistance, noise } from './helpers.js';

const SR = 22050;
// A voiced sweep over soft noise: energy in every band, as speech has.
const tone = harmonicTone((t) => 140 + 120 * t, SR, 0.8, 12);
const hiss = noise(tone.length, 5);
const x = Float32Array.from(tone, (v, i) => v + 0.02 * hiss[i]!);
const target = logMelSpectrogram(x);


/** `signal` with a smooth spectral tilt and a level change (what a vocoder's envelope error looks like). */
function tilted(signal: Float32Array): Float32Array {
  const cfg = { nFft: 1024, hopLength: 256 };
  const spec = stft(signal, cfg);
  for (let t = 0; t < spec.frames; t++) {
    for (let k = 0; k < spec.bins; k++) {
      // -6 dB at DC rising to +6 dB at Nyquist, times a frame-dependent level.
      const g = 10 ** ((-6 + (12 * k) / (spec.bins - 1)) / 20) * (0.6 + 0.3 * Math.sin(t / 5));
      spec.re[t * spec.bins + k]! *= g; spec.im[t * spec.bins + k]! *= g;
    }
  }
  return istft(spec, cfg, signal.length);
}

test('refineToMel: a level change is undone in one iteration, phase kept (output = scaled input)', () => {
  const quiet = Float32Array.from(x, (v) => 0.5 * v);
  const before = melDistance(target.data, logMelSpectrogram(quiet).data);
  const out = refineToMel(quiet, target, {}, { iterations: 1 });
  assert.equal(out.length, x.length);
  const after = melDistance(target.data, logMelSpectrogram(out).data);
  console.log(`# level ×0.5: log-mel distance ${before.toFixed(4)} -> ${after.toFixed(4)}`);
  assert.ok(Math.abs(before - Math.log(2)) < 0.01, `before ${before}`);
  assert.ok(after < 0.01, `after ${after}`);
  // Inside the signal (away from the reflect-padded edges) the output is 2 × the input, for the
  // part below fMax: bins no mel filter covers (the hiss above 8 kHz) keep their level.
  const toneTarget = logMelSpectrogram(tone);
  const back = refineToMel(Float32Array.from(tone, (v) => 0.5 * v), toneTarget, {}, { iterations: 1 });
  let err = 0, ref = 0;
  for (let i = 2048; i < tone.length - 2048; i++) { err = Math.max(err, Math.abs(back[i]! - tone[i]!)); ref = Math.max(ref, Math.abs(tone[i]!)); }
  assert.ok(err < 0.01 * ref, `max |out - x| ${err} vs peak ${ref}`);
});

test('refineToMel: a spectral tilt is pulled back toward the target mel; more iterations get closer', () => {
  const bent = tilted(x);
  const d0 = melDistance(target.data, logMelSpectrogram(bent).data);
  const d1 = melDistance(target.data, logMelSpectrogram(refineToMel(bent, target, {}, { iterations: 1 })).data);
  const d2 = melDistance(target.data, logMelSpectrogram(refineToMel(bent, target)).data);
  console.log(`# tilt ±6 dB: log-mel distance ${d0.toFixed(4)} -> 1 it. ${d1.toFixed(4)} -> 2 it. ${d2.toFixed(4)}`);
  assert.ok(d0 > 0.2, `the tilt should matter: ${d0}`);
  assert.ok(d1 < d0 / 3, `one iteration: ${d0} -> ${d1}`);
  assert.ok(d2 < d1, `two iterations: ${d1} -> ${d2}`);
});

test('refineToMel: the gain clamp bounds each iteration (silent target frames attenuate at most ×minGain)', () => {
  const silentTarget = { data: new Float32Array(target.data.length).fill(Math.log(1e-5)), nMels: target.nMels, frames: target.frames };
  const out = refineToMel(x, silentTarget, {}, { iterations: 1, minGain: 0.25 });
  let rx = 0, ro = 0;
  for (let i = 2048; i < x.length - 2048; i++) { rx += x[i]! ** 2; ro += out[i]! ** 2; }
  const ratio = Math.sqrt(ro / rx);
  assert.ok(Math.abs(ratio - 0.25) < 0.02, `RMS ratio ${ratio}, expected the clamp 0.25`);
});

test('refineToMel: lengths, short signals, targets shorter than the STFT, iterations 0, errors', () => {
  for (const n of [1, 100, 1023, 1024, 5000, 5121]) {
    const sig = x.subarray(0, n);
    const mel = logMelSpectrogram(sig);
    const out = refineToMel(sig, mel);
    assert.equal(out.length, n);
    assert.ok(out.every(Number.isFinite), `finite output for n = ${n}`);
  }
  // The vocoder's case: F mel frames, F·hop samples (the STFT has F + 1 frames).
  const frames = 20;
  const short = { data: target.data.length ? sliceFrames(target, frames) : new Float32Array(0), nMels: 80, frames };
  assert.equal(refineToMel(x.subarray(0, frames * 256), short).length, frames * 256);
  assert.equal(refineToMel(x, target, {}, { iterations: 0 }), x, 'iterations 0: the input itself');
  assert.equal(resolveMelRefineOptions().iterations, DEFAULT_REFINE_ITERATIONS);
  assert.throws(() => refineToMel(x, target, {}, { iterations: -1 }), /iterations must be an integer >= 0, got -1/);
  assert.throws(() => refineToMel(x, target, {}, { iterations: 1.5 }), /iterations/);
  assert.throws(() => refineToMel(x, target, {}, { minGain: 0 }), /minGain must be in \(0, 1\], got 0/);
  assert.throws(() => refineToMel(x, target, {}, { maxGain: 0.5 }), /maxGain must be a finite number >= 1, got 0.5/);
  assert.throws(() => refineToMel(x, { data: new Float32Array(40), nMels: 40, frames: 1 }), /target has 40 mel channels, the config says 80/);
  assert.throws(() => refineToMel(x, { data: new Float32Array(79), nMels: 80, frames: 1 }), /79 values, expected nMels × frames = 80/);
});

test('MelRefiner: the same result as refineToMel, reusable, for power-2 mels too', () => {
  const refiner = new MelRefiner({});
  const bent = tilted(x);
  assert.deepEqual(refiner.refine(bent, target), refineToMel(bent, target));
  const cfg = { power: 2 as const };
  const target2 = logMelSpectrogram(x, cfg);
  const bent2 = tilted(x);
  const d0 = melDistance(target2.data, logMelSpectrogram(bent2, cfg).data);
  const d2 = melDistance(target2.data, logMelSpectrogram(refineToMel(bent2, target2, cfg), cfg).data);
  assert.ok(d2 < d0 / 3, `power 2: ${d0} -> ${d2}`);
});

function sliceFrames(mel: { data: Float32Array; nMels: number; frames: number }, frames: number): Float32Array {
  const out = new Float32Array(mel.nMels * frames);
  for (let m = 0; m < mel.nMels; m++) out.set(mel.data.subarray(m * mel.frames, m * mel.frames + frames), m * frames);
  return out;
}
