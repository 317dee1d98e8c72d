import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trimSilence } from '../../src/audio/trim.js';
import { integratedLoudness, kWeightingFilters, loudnessNormalize, peakDbfs, peakNormalize } from '../../src/audio/normalize.js';
import { noise, sine } from './helpers.js';

const SR = 22050;

/** silence | tone | silence, with exact sample positions. */
function padded(lead: number, body: Float32Array, tail: number, floor = 0): Float32Array {
  const x = new Float32Array(lead + body.length + tail);
  if (floor) { const nz = noise(x.length, 3); for (let i = 0; i < x.length; i++) x[i] = floor * nz[i]!; }
  for (let i = 0; i < body.length; i++) x[lead + i]! += body[i]!;
  return x;
}

test('trimSilence: librosa-style top-dB trim returns the kept range (frame-quantised, with margin)', () => {
  const body = sine(440, SR, 0.5);
  const x = padded(10000, body, 8000);
  // librosa.effects.trim(x, top_db=60, frame_length=2048, hop_length=512) index, computed by hand:
  // frame t (centred on t * 512) is non-silent when its 2048-sample window overlaps the tone enough.
  const { start, end } = trimSilence(x, SR);
  assert.ok(start <= 10000 && start >= 10000 - 1536, `start ${start}`);
  assert.ok(end >= 10000 + body.length && end <= 10000 + body.length + 1536, `end ${end}`);
  assert.equal(start % 512, 0);
  // Finer frames track the edges closely; the margin widens the range and is clamped to the signal.
  const fine = trimSilence(x, SR, { topDb: 40, frameLength: 256, hop: 64 });
  assert.ok(Math.abs(fine.start - 10000) <= 192 && Math.abs(fine.end - (10000 + body.length)) <= 192, JSON.stringify(fine));
  const withMargin = trimSilence(x, SR, { topDb: 40, frameLength: 256, hop: 64, marginMs: 100 });
  assert.equal(withMargin.start, fine.start - 2205);
  assert.equal(withMargin.end, fine.end + 2205);
  assert.deepEqual(trimSilence(x, SR, { marginMs: 10000 }), { start: 0, end: x.length });
});

test('trimSilence: topDb decides what counts as silence (noise floor at -50 dB)', () => {
  const x = padded(6000, sine(300, SR, 0.3, 0.5), 6000, 0.5 * Math.pow(10, -50 / 20) * Math.sqrt(3 / 2)); // floor RMS 50 dB below the tone RMS
  const strict = trimSilence(x, SR, { topDb: 40, frameLength: 512, hop: 128 });
  assert.ok(Math.abs(strict.start - 6000) <= 384 && Math.abs(strict.end - (x.length - 6000)) <= 384, JSON.stringify(strict));
  assert.deepEqual(trimSilence(x, SR, { topDb: 60, frameLength: 512, hop: 128 }), { start: 0, end: x.length }); // floor kept
});

test('trimSilence: silence, empty input and bad options', () => {
  assert.deepEqual(trimSilence(new Float32Array(5000), SR), { start: 0, end: 0 });
  assert.deepEqual(trimSilence(new Float32Array(0), SR), { start: 0, end: 0 });
  const click = new Float32Array(3000); click[1500] = 1;
  const r = trimSilence(click, SR, { frameLength: 64, hop: 16 });
  assert.ok(r.start <= 1500 && r.end > 1500 && r.end - r.start <= 96, JSON.stringify(r));
  assert.throws(() => trimSilence(click, SR, { hop: 0 }), /hop must be a positive integer/);
  assert.throws(() => trimSilence(click, SR, { topDb: -3 }), /topDb must be > 0/);
});

test('peakNormalize: sample peak lands on the target dBFS; silence unchanged', () => {
  const x = noise(4000, 8).map((v) => 0.1 * v);
  const y = peakNormalize(x, -3);
  assert.ok(Math.abs(peakDbfs(y) - -3) < 1e-5, `${peakDbfs(y)}`);
  assert.ok(Math.abs(y[10]! / x[10]! - y[20]! / x[20]!) < 1e-4); // one gain for all samples
  assert.ok(Math.abs(peakDbfs(peakNormalize(x)) - -1) < 1e-5); // default -1 dBFS
  assert.deepEqual(Array.from(peakNormalize(new Float32Array(4))), [0, 0, 0, 0]);
  assert.equal(peakDbfs(new Float32Array(3)), -Infinity);
});

test('K-weighting at 48 kHz equals the coefficients printed in ITU-R BS.1770-4', () => {
  const [shelf, hp] = kWeightingFilters(48000);
  const expectShelf = [1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585];
  const expectHp = [1, -2, 1, -1.99004745483398, 0.99007225036621];
  for (let i = 0; i < 5; i++) {
    assert.ok(Math.abs(shelf[i]! - expectShelf[i]!) < 1e-8, `shelf[${i}] ${shelf[i]}`);
    assert.ok(Math.abs(hp[i]! - expectHp[i]!) < 1e-8, `hp[${i}] ${hp[i]}`);
  }
});

test('integratedLoudness: 997 Hz sine at 0 dBFS = -3.01 LUFS (within 0.05 LU at low rates); gating ignores silence', () => {
  for (const rate of [48000, 44100, 22050, 16000]) {
    // Bilinear-transform warping of the shelf moves low rates a few hundredths of a dB (as in libebur128).
    const tol = rate >= 44100 ? 0.01 : 0.05;
    const full = integratedLoudness(sine(997, rate, 2, 1), rate);
    assert.ok(Math.abs(full - -3.01) < tol, `${rate} Hz: ${full}`);
    const quiet = integratedLoudness(sine(997, rate, 2, 0.1), rate);
    assert.ok(Math.abs(quiet - -23.01) < tol, `${rate} Hz: ${quiet}`);
    console.log(`# ${rate} Hz: 0 dBFS 997 Hz sine -> ${full.toFixed(3)} LUFS`);
  }
  // Gating: 2 s of tone inside 6 s of digital silence. The all-silent blocks are gated out; what remains is
  // 17 full blocks + 2 x (3/4 + 1/2 + 1/4) partial ones = 20 blocks' worth of power over 23 blocks
  // (ungated, the 6 s average would read ~4.8 dB lower).
  const tone = sine(997, SR, 2, 0.1);
  const gated = integratedLoudness(padded(2 * SR, tone, 2 * SR), SR);
  const expected = integratedLoudness(tone, SR) + 10 * Math.log10(20 / 23);
  assert.ok(Math.abs(gated - expected) < 0.02, `gated ${gated}, expected ${expected}`);
  // K-weighting: a 100 Hz tone reads quieter than 1 kHz at the same level, a 4 kHz tone louder (shelf ~ +4 dB).
  assert.ok(integratedLoudness(sine(100, SR, 2, 0.1), SR) < -23.5);
  assert.ok(integratedLoudness(sine(4000, SR, 2, 0.1), SR) > -20);
  assert.equal(integratedLoudness(new Float32Array(SR), SR), -Infinity);
  assert.ok(Number.isFinite(integratedLoudness(sine(997, SR, 0.2, 0.1), SR))); // shorter than one block
});

test('loudnessNormalize: reaches the target LUFS; silence unchanged', () => {
  const x = padded(5000, noise(SR, 4).map((v) => 0.05 * v), 5000);
  for (const target of [-23, -16]) {
    const y = loudnessNormalize(x, SR, target);
    assert.ok(Math.abs(integratedLoudness(y, SR) - target) < 0.01, `${target}: ${integratedLoudness(y, SR)}`);
  }
  assert.deepEqual(Array.from(loudnessNormalize(new Float32Array(8), SR)), new Array(8).fill(0));
  assert.throws(() => loudnessNormalize(x, SR, NaN), /targetLufs must be finite/);
});
