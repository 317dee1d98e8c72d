import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageByDurations, estimatePitch, interpolateUnvoiced } from '../../src/audio/pitch.js';
import { frameEnergy, energyFromMagnitude } from '../../src/audio/energy.js';
import { logMelSpectrogram } from '../../src/audio/mel.js';
import { magnitudeSpectrogram, stft } from '../../src/audio/stft.js';
import { harmonicTone, noise, sine } from './helpers.js';

const SR = 22050, HOP = 256;
const cfg = { sampleRate: SR, hopLength: HOP };

test('pitch: one value per mel frame', () => {
  for (const n of [1000, 11025, 11111]) {
    const x = sine(200, SR, n / SR);
    assert.equal(estimatePitch(x, cfg).length, logMelSpectrogram(x).frames);
  }
});

test('pitch: steady tones (pure and harmonic) within 1%', () => {
  let worst = 0;
  for (const f of [70, 100, 123.4, 180, 261.6, 440, 600, 780]) {
    for (const harmonics of [1, 8]) {
      const f0 = estimatePitch(harmonicTone(() => f, SR, 0.5, harmonics), cfg);
      for (let t = 2; t < f0.length - 2; t++) {
        assert.ok(f0[t]! > 0, `${f} Hz frame ${t} unvoiced`);
        worst = Math.max(worst, Math.abs(f0[t]! - f) / f);
      }
    }
  }
  console.log(`# steady tones: worst relative error ${(worst * 100).toFixed(3)}%`);
  assert.ok(worst < 0.01);
});

test('pitch: tone in noise (SNR ~ 20 dB) within 2%, and a glide 100 -> 300 Hz within 2%', () => {
  const x = harmonicTone(() => 150, SR, 0.5);
  const n = noise(x.length, 11);
  for (let i = 0; i < x.length; i++) x[i]! += 0.03 * n[i]!;
  const f0 = estimatePitch(x, cfg);
  let voiced = 0, worst = 0;
  for (let t = 2; t < f0.length - 2; t++) if (f0[t]! > 0) { voiced++; worst = Math.max(worst, Math.abs(f0[t]! - 150) / 150); }
  assert.ok(voiced >= f0.length - 6 && worst < 0.02, `noisy tone: ${voiced} voiced, worst ${worst}`);

  const glide = estimatePitch(harmonicTone((t) => 100 + 200 * t, SR, 1), cfg);
  let gworst = 0;
  for (let t = 2; t < glide.length - 2; t++) {
    const truth = 100 + (200 * t * HOP) / SR;
    assert.ok(glide[t]! > 0, `glide frame ${t} unvoiced`);
    gworst = Math.max(gworst, Math.abs(glide[t]! - truth) / truth);
  }
  console.log(`# glide: worst relative error ${(gworst * 100).toFixed(2)}%, noisy tone ${(worst * 100).toFixed(2)}%`);
  assert.ok(gworst < 0.02);
});

test('pitch: white noise and silence are unvoiced', () => {
  const f0 = estimatePitch(noise(SR, 5).map((v) => 0.3 * v), cfg);
  const voiced = f0.filter((v) => v > 0).length;
  assert.ok(voiced <= f0.length * 0.05, `${voiced}/${f0.length} noise frames voiced`);
  assert.ok(estimatePitch(new Float32Array(5000), cfg).every((v) => v === 0));
});

test('interpolateUnvoiced and averageByDurations (FastSpeech 2 phoneme-level features)', () => {
  assert.deepEqual(Array.from(interpolateUnvoiced([0, 100, 0, 200, 0])), [100, 100, 150, 200, 200]);
  assert.deepEqual(Array.from(interpolateUnvoiced([0, 0])), [0, 0]);
  assert.deepEqual(Array.from(averageByDurations([1, 3, 5, 7, 9], [1, 0, 3])), [1, 0, 5]);
  assert.deepEqual(Array.from(averageByDurations([0, 4, 0, 8], [2, 2], { ignoreZeros: true })), [4, 8]);
  assert.throws(() => averageByDurations([1, 2], [2, 1]), /durations sum to 3 frames but only 2 frames/);
  assert.throws(() => averageByDurations([1, 2], [1.5]), /non-negative integer/);
});

test('energy: L2 norm of each STFT magnitude frame, aligned with the mel frames', () => {
  const x = harmonicTone(() => 200, SR, 0.3);
  const stftCfg = { nFft: 1024, hopLength: HOP };
  const e = frameEnergy(x, stftCfg);
  assert.equal(e.length, logMelSpectrogram(x).frames);
  const spec = stft(x, stftCfg);
  for (const t of [0, 5, e.length - 1]) {
    let s = 0;
    for (let k = 0; k < spec.bins; k++) s += spec.re[t * spec.bins + k]! ** 2 + spec.im[t * spec.bins + k]! ** 2;
    assert.ok(Math.abs(e[t]! - Math.sqrt(s)) < 1e-3 * Math.sqrt(s));
  }
  const e2 = energyFromMagnitude(magnitudeSpectrogram(x, stftCfg));
  for (let t = 0; t < e.length; t++) assert.ok(Math.abs(e[t]! - e2[t]!) < 1e-3 * e[t]!);
  // Doubling the amplitude doubles the energy.
  const e3 = frameEnergy(x.map((v) => 2 * v), stftCfg);
  assert.ok(Math.abs(e3[5]! / e[5]! - 2) < 1e-5);
});
