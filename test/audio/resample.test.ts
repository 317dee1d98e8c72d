import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { resample, Resampler } from '../../src/audio/resample.js';
import { decodeWav } from '../../src/audio/wav.js';
import { writeWavFile } from '../../src/audio/wav-file.js';
import { middleRms, sine, tempDir } from './helpers.js';

const db = (x: number): number => 20 * Math.log10(Math.max(x, 1e-15));
const PAIRS: [number, number][] = [[48000, 22050], [44100, 22050], [24000, 22050], [16000, 22050], [22050, 16000], [22050, 48000]];

test('resampler: output length and passband gain (1 kHz, 6 kHz) within 0.01 dB', () => {
  for (const [from, to] of PAIRS) {
    for (const f of [1000, 6000]) {
      const x = sine(f, from, 0.5);
      const y = resample(x, from, to);
      assert.equal(y.length, Math.ceil((x.length * to) / from));
      const gain = db(middleRms(y) / middleRms(x));
      assert.ok(Math.abs(gain) < 0.01, `${from}->${to} ${f} Hz gain ${gain.toFixed(4)} dB`);
    }
  }
});

test('resampler: alias suppression >= 60 dB for tones above the output Nyquist', () => {
  const cases: [number, number, number[]][] = [
    [48000, 22050, [11100, 12000, 15000, 20000, 23000]],
    [44100, 22050, [11100, 13000, 20000]],
    [24000, 22050, [11100, 11900]],
    [22050, 16000, [8100, 9000, 10500]],
  ];
  let worst = -Infinity;
  for (const [from, to, freqs] of cases) {
    for (const f of freqs) {
      const y = resample(sine(f, from, 0.5), from, to);
      const level = db(middleRms(y) / (0.5 / Math.SQRT2));
      worst = Math.max(worst, level);
      assert.ok(level < -60, `${from}->${to}: ${f} Hz leaks at ${level.toFixed(1)} dB`);
    }
  }
  console.log(`# worst alias level: ${worst.toFixed(1)} dB`);
});

test('resampler: upsampling images are suppressed >= 60 dB (16 kHz -> 22050 Hz, 5 kHz tone -> no 11 kHz image)', () => {
  const y = resample(sine(5000, 16000, 0.5), 16000, 22050);
  // Energy left after removing the 5 kHz tone: project it out with a least-squares sine/cosine fit.
  const a = Math.floor(y.length * 0.2), b = Math.floor(y.length * 0.8);
  let ss = 0, cc = 0, sy = 0, cy = 0, sc = 0;
  for (let i = a; i < b; i++) {
    const s = Math.sin((2 * Math.PI * 5000 * i) / 22050), c = Math.cos((2 * Math.PI * 5000 * i) / 22050);
    ss += s * s; cc += c * c; sc += s * c; sy += s * y[i]!; cy += c * y[i]!;
  }
  const det = ss * cc - sc * sc;
  const ks = (sy * cc - cy * sc) / det, kc = (cy * ss - sy * sc) / det;
  let res = 0;
  for (let i = a; i < b; i++) {
    const r = y[i]! - ks * Math.sin((2 * Math.PI * 5000 * i) / 22050) - kc * Math.cos((2 * Math.PI * 5000 * i) / 22050);
    res += r * r;
  }
  const level = db(Math.sqrt(res / (b - a)) / (0.5 / Math.SQRT2));
  assert.ok(level < -60, `residual ${level.toFixed(1)} dB`);
});

test('resampler: awkward ratios (interpolated phases) and identity', () => {
  const x = sine(440, 44100, 0.3);
  const y = new Resampler(44100, 22051).process(x);
  const gain = db(middleRms(y) / middleRms(x));
  assert.ok(Math.abs(gain) < 0.01, `gain ${gain}`);
  // Phase check: compare with the analytic 440 Hz sine at the new rate.
  let err = 0;
  for (let i = 2000; i < y.length - 2000; i++) err = Math.max(err, Math.abs(y[i]! - 0.5 * Math.sin((2 * Math.PI * 440 * i) / 22051)));
  assert.ok(err < 1e-3, `max error ${err}`);
  assert.deepEqual(Array.from(resample(x.subarray(0, 10), 8000, 8000)), Array.from(x.subarray(0, 10)));
  assert.throws(() => new Resampler(44100.5, 22050), /fromRate must be a positive integer/);
});

const hasSox = spawnSync('sox', ['--version']).status === 0;

test('resampler: agrees with sox (rate -v) to better than -60 dB', { skip: hasSox ? false : 'sox not found on PATH: skipping the sox comparison' }, () => {
  const dir = tempDir();
  for (const [from, to] of [[48000, 22050], [16000, 22050], [44100, 22050], [24000, 22050]] as const) {
    // In-band content: a few tones well inside both resamplers' passbands.
    const n = Math.round(from * 0.5);
    const x = new Float32Array(n);
    for (const [f, a] of [[220, 0.3], [1234.5, 0.2], [3000, 0.15], [6100, 0.1]] as const) {
      for (let i = 0; i < n; i++) x[i]! += a * Math.sin((2 * Math.PI * f * i) / from + f);
    }
    const inPath = join(dir, `in${from}.wav`), outPath = join(dir, `out${from}.wav`);
    writeWavFile(inPath, x, from, { format: 'float32' });
    const r = spawnSync('sox', [inPath, '-e', 'floating-point', '-b', '32', outPath, 'rate', '-v', String(to)]);
    assert.equal(r.status, 0, r.stderr?.toString());
    const ref = decodeWav(readFileSync(outPath)).samples;
    const ours = resample(x, from, to);
    const len = Math.min(ref.length, ours.length);
    const diff = new Float32Array(len);
    for (let i = 0; i < len; i++) diff[i] = ours[i]! - ref[i]!;
    const level = db(middleRms(diff) / middleRms(ref.subarray(0, len)));
    console.log(`# sox ${from}->${to}: length ours ${ours.length} / sox ${ref.length}, difference ${level.toFixed(1)} dB`);
    assert.ok(Math.abs(ours.length - ref.length) <= 1);
    assert.ok(level < -60, `${from}->${to}: difference from sox ${level.toFixed(1)} dB`);
  }
});
