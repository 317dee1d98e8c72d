import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealFFT } from '../../src/audio/fft.js';
import { hannWindow, istft, magnitudeSpectrogram, stft, stftFrameCount } from '../../src/audio/stft.js';
import { maxAbsDiff, noise } from './helpers.js';

function naiveDft(x: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  const n = x.length, bins = Math.floor(n / 2) + 1;
  const re = new Float64Array(bins), im = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    for (let j = 0; j < n; j++) {
      re[k]! += x[j]! * Math.cos((2 * Math.PI * j * k) / n);
      im[k]! -= x[j]! * Math.sin((2 * Math.PI * j * k) / n);
    }
  }
  return { re, im };
}

test('RealFFT matches a naive DFT and inverts exactly (power-of-two and Bluestein sizes)', () => {
  for (const n of [2, 3, 4, 7, 16, 100, 800, 1024]) {
    const x = Float64Array.from(noise(n, n));
    const f = new RealFFT(n);
    const re = new Float64Array(f.bins), im = new Float64Array(f.bins);
    f.forward(x, re, im);
    const ref = naiveDft(x);
    assert.ok(maxAbsDiff(re, ref.re) < 1e-9 * n && maxAbsDiff(im, ref.im) < 1e-9 * n, `forward n=${n}`);
    const y = new Float64Array(n);
    f.inverse(re, im, y);
    assert.ok(maxAbsDiff(x, y) < 1e-12 * n, `inverse n=${n}: ${maxAbsDiff(x, y)}`);
  }
});

test('Hann window is periodic (torch.hann_window default)', () => {
  const w = hannWindow(8);
  assert.ok(Math.abs(w[0]!) < 1e-15 && Math.abs(w[4]! - 1) < 1e-15 && Math.abs(w[2]! - 0.5) < 1e-15);
  assert.ok(Math.abs(hannWindow(5, false)[4]!) < 1e-15);
});

test('STFT frame count and centring follow torch.stft(center=True)', () => {
  const cfg = { nFft: 1024, hopLength: 256 };
  assert.equal(stftFrameCount(22050, cfg), 87);
  assert.equal(stftFrameCount(256, cfg), 2);
  assert.equal(stftFrameCount(2000, { ...cfg, center: false }), 4);
  // A DC signal: every centred frame (reflect-padded) sums to the window sum n_fft / 2 at bin 0.
  const mag = magnitudeSpectrogram(new Float32Array(4000).fill(1), cfg);
  assert.equal(mag.frames, 16);
  assert.equal(mag.bins, 513);
  for (let t = 0; t < mag.frames; t++) assert.ok(Math.abs(mag.data[t * mag.bins]! - 512) < 1e-3);
});

test('STFT -> iSTFT reconstructs perfectly (window-sum-square normalisation)', () => {
  const configs = [
    { nFft: 1024, hopLength: 256 },
    { nFft: 1024, hopLength: 256, winLength: 800 },
    { nFft: 512, hopLength: 160, winLength: 400, padMode: 'constant' as const },
    { nFft: 800, hopLength: 200 },
    { nFft: 1024, hopLength: 256, center: false },
  ];
  const x = noise(5000, 9);
  for (const cfg of configs) {
    const spec = stft(x, cfg);
    const y = istft(spec, cfg, x.length);
    assert.equal(y.length, x.length);
    // Without centring the first/last half-window has no full overlap; compare the covered middle only.
    const from = cfg.center === false ? cfg.nFft : 0;
    const to = cfg.center === false ? x.length - cfg.nFft : x.length;
    const err = maxAbsDiff(x.subarray(from, to), y.subarray(from, to));
    assert.ok(err < 1e-5, `${JSON.stringify(cfg)}: max error ${err}`);
  }
});
