import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeNpy } from '../../src/audio/npy.js';
import { writeWavFile } from '../../src/audio/wav-file.js';
import { ROOT, harmonicTone, tempDir } from './helpers.js';

const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [MAIN, 'mel', ...args], { encoding: 'utf8' });

test('clip-tts mel: 48 kHz stereo WAV -> .npy [80, T] at 22050 Hz and a PNG', () => {
  const dir = tempDir();
  const x = harmonicTone(() => 200, 48000, 1.0);
  const wav = join(dir, 'in.wav'), npy = join(dir, 'out.npy'), png = join(dir, 'out.png');
  writeWavFile(wav, [x, x], 48000, { format: 'pcm16' });
  const r = run(wav, '-o', npy, '--png', png);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /48000 Hz -> 22050 Hz, mel \[80, 87\]/);
  const mel = decodeNpy(readFileSync(npy));
  assert.deepEqual(mel.shape, [80, 87]); // 1 s at 22050 Hz = 22050 samples -> 1 + floor(22050 / 256)
  assert.equal(mel.dtype, '<f4');
  assert.deepEqual(Array.from(readFileSync(png).subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});

test('clip-tts mel: --config with HiFi-GAN style keys; PNG only', () => {
  const dir = tempDir();
  const wav = join(dir, 'in.wav'), cfg = join(dir, 'cfg.json'), png = join(dir, 'only.png');
  writeWavFile(wav, harmonicTone(() => 150, 16000, 0.5), 16000);
  writeFileSync(cfg, JSON.stringify({ sampling_rate: 24000, n_fft: 2048, hop_size: 300, win_size: 1200, num_mels: 100, fmax: 12000 }));
  const npy = join(dir, 'o.npy');
  const r = run(wav, '--config', cfg, '-o', npy);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(decodeNpy(readFileSync(npy)).shape, [100, 1 + Math.floor(12000 / 300)]);
  assert.equal(run(wav, '--png', png).status, 0);
});

test('clip-tts mel: clear errors', () => {
  const dir = tempDir();
  const notWav = join(dir, 'notes.txt');
  writeFileSync(notWav, 'hello');
  let r = run(notWav, '-o', join(dir, 'x.npy'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /notes\.txt: not a WAV file/);
  r = run(join(dir, 'in.wav'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /nothing to write/);
  r = run();
  assert.equal(r.status, 2);
  assert.match(r.stderr, /missing input WAV file/);
  r = run(join(dir, 'missing.wav'), '-o', join(dir, 'x.npy'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /missing\.wav: cannot read file \(no such file\)/);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"fmax": 20000}');
  r = run(notWav, '-o', join(dir, 'x.npy'), '--config', bad);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /fMax \(20000 Hz\) is above the Nyquist frequency/);
  r = run(notWav, '-o', join(dir, 'x.npy'), '--bogus', '1');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown option --bogus/);
});
