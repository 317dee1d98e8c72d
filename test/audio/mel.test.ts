import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_MEL_CONFIG, hzToMel, logMelSpectrogram, MelConfigError, MelExtractor, melFilterbank, melToHz, parseMelConfigJson,
  melMajorFromFrames, resolveMelConfig, type MelConfig,
} from '../../src/audio/mel.js';
import { decodeNpy } from '../../src/audio/npy.js';
import { decodeWav } from '../../src/audio/wav.js';
import { magnitudeSpectrogram } from '../../src/audio/stft.js';
import { FIXTURES, maxAbsDiff, noise } from './helpers.js';

interface Manifest { cases: { name: string; config: string; samples?: number; shape: number[] }[] }
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as Manifest;

/** The fixture script's 'htk' config, in ClipTTS terms. */
const HTK: Partial<MelConfig> = {
  sampleRate: 16000, nFft: 512, winLength: 400, hopLength: 160, nMels: 40, fMin: 20, fMax: 7600, power: 2, norm: 'none', melScale: 'htk',
};
const npy = (file: string) => decodeNpy(readFileSync(join(FIXTURES, file)), file);

test('default config is the LJSpeech / HiFi-GAN one', () => {
  assert.deepEqual({ ...DEFAULT_MEL_CONFIG }, {
    sampleRate: 22050, nFft: 1024, hopLength: 256, winLength: 1024, nMels: 80, fMin: 0, fMax: 8000, melScale: 'slaney', norm: 'slaney',
    power: 1, logFloor: 1e-5, center: true, padMode: 'reflect',
  });
});

test('mel scales: Slaney is linear below 1 kHz, HTK is 2595 log10(1 + f/700), both invert', () => {
  assert.ok(Math.abs(hzToMel(1000) - 15) < 1e-12);
  assert.ok(Math.abs(hzToMel(700, 'htk') - 2595 * Math.log10(2)) < 1e-9);
  for (const f of [0, 60, 999, 1000, 4000, 8000, 11025]) {
    for (const s of ['slaney', 'htk'] as const) assert.ok(Math.abs(melToHz(hzToMel(f, s), s) - f) < 1e-8);
  }
});

test('mel filterbank matches torchaudio.functional.melscale_fbanks (Slaney and HTK)', () => {
  const slaney = npy('fbank_slaney_22k_1024_80.npy');
  assert.deepEqual(slaney.shape, [80, 513]);
  const fb = melFilterbank();
  const d1 = maxAbsDiff(slaney.data, fb.weights);
  const htk = npy('fbank_htk_16k_512_40.npy');
  assert.deepEqual(htk.shape, [40, 257]);
  const d2 = maxAbsDiff(htk.data, melFilterbank(HTK).weights);
  console.log(`# filterbank max abs diff: slaney ${d1.toExponential(2)}, htk ${d2.toExponential(2)}`);
  assert.ok(d1 < 1e-6 && d2 < 1e-6);
});

test('log-mel matches torchaudio MelSpectrogram + log(clamp(x, 1e-5)) to <= 1e-4', () => {
  const cases = manifest.cases.filter((c) => c.samples !== undefined);
  assert.ok(cases.length >= 4);
  let worst = 0;
  for (const c of cases) {
    const wav = decodeWav(readFileSync(join(FIXTURES, `${c.name}.wav`)), { name: c.name });
    assert.equal(wav.samples.length, c.samples);
    const ref = npy(`${c.name}.mel.npy`);
    const mel = logMelSpectrogram(wav.samples, c.config === 'htk' ? HTK : {});
    assert.deepEqual([mel.nMels, mel.frames], ref.shape, c.name);
    const diff = maxAbsDiff(ref.data, mel.data);
    worst = Math.max(worst, diff);
    assert.ok(diff <= 1e-4, `${c.name}: max abs diff ${diff}`);
  }
  console.log(`# log-mel max abs diff vs torchaudio (float64 reference): ${worst.toExponential(2)}`);
});

test('MelExtractor.fromMagnitude equals compute()', () => {
  const x = noise(6000, 3);
  const ex = new MelExtractor();
  const a = ex.compute(x);
  const b = ex.fromMagnitude(magnitudeSpectrogram(x, { nFft: 1024, hopLength: 256 }));
  assert.ok(maxAbsDiff(a.data, b.data) < 1e-5);
  assert.equal(a.frames, ex.frameCount(x.length));
});

test('MelConfig validation lists every problem clearly', () => {
  assert.throws(() => resolveMelConfig({ fMax: 12000 }), /fMax \(12000 Hz\) is above the Nyquist frequency \(11025 Hz\)/);
  assert.throws(() => resolveMelConfig({ hopLength: 0, nMels: 2.5 }), (e: unknown) => {
    assert.ok(e instanceof MelConfigError);
    assert.match(e.message, /hopLength must be a positive integer \(got 0\)/);
    assert.match(e.message, /nMels must be a positive integer \(got 2.5\)/);
    return true;
  });
  assert.throws(() => resolveMelConfig({ winLength: 2048 }), /winLength \(2048\) must be <= nFft \(1024\)/);
  assert.throws(() => resolveMelConfig({ melScale: 'bark' as 'htk' }), /melScale must be "slaney" or "htk"/);
  assert.equal(resolveMelConfig({ nFft: 2048 }).winLength, 2048);
});

test('parseMelConfigJson accepts HiFi-GAN snake_case keys and rejects unknown ones', () => {
  const c = parseMelConfigJson({ sampling_rate: 24000, n_fft: 2048, hop_size: 300, win_size: 1200, num_mels: 100, fmin: 0, fmax: 12000, norm: null });
  assert.equal(c.sampleRate, 24000); assert.equal(c.hopLength, 300); assert.equal(c.winLength, 1200); assert.equal(c.nMels, 100);
  assert.equal(c.norm, 'none');
  assert.throws(() => parseMelConfigJson({ hop: 256 }), /unknown mel config key\(s\): hop/);
  assert.throws(() => parseMelConfigJson([1]), /must be a JSON object/);
});

test('melMajorFromFrames: frame-major [frames, nMels] → mel-major [nMels, frames]', () => {
  assert.deepEqual(Array.from(melMajorFromFrames(Float32Array.of(1, 2, 3, 4, 5, 6), 3, 2)), [1, 3, 5, 2, 4, 6]);
  assert.deepEqual(Array.from(melMajorFromFrames([], 0, 80)), []);
});
