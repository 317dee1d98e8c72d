import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { decodeWav, encodeWav, WavError, type WavSampleFormat } from '../../src/audio/wav.js';
import { readWavFile, writeWavFile } from '../../src/audio/wav-file.js';
import { noise, tempDir } from './helpers.js';

const FORMATS: { format: Exclude<WavSampleFormat, 'mulaw' | 'alaw'>; tolerance: number }[] = [
  { format: 'pcm8', tolerance: 1 / 128 },
  { format: 'pcm16', tolerance: 1 / 32768 },
  { format: 'pcm24', tolerance: 1 / 8388608 },
  { format: 'pcm32', tolerance: 1e-7 },
  { format: 'float32', tolerance: 0 },
  { format: 'float64', tolerance: 0 },
];

function signal(n: number, seed: number): Float32Array {
  return noise(n, seed).map((v) => v * 0.9);
}

for (const { format, tolerance } of FORMATS) {
  for (const extensible of [false, true]) {
    test(`WAV round trip: ${format}${extensible ? ' (WAVE_FORMAT_EXTENSIBLE)' : ''}, mono and stereo`, () => {
      const left = signal(1001, 1), right = signal(1001, 2);
      for (const [channels, rate] of [[[left], 22050], [[left, right], 44100]] as const) {
        const bytes = encodeWav([...channels], rate, { format, extensible });
        const wav = decodeWav(bytes, { keepChannels: true });
        assert.equal(wav.sampleRate, rate);
        assert.equal(wav.format, format);
        assert.equal(wav.extensible, extensible);
        assert.equal(wav.channelCount, channels.length);
        assert.equal(wav.channels.length, channels.length);
        for (let c = 0; c < channels.length; c++) {
          assert.equal(wav.channels[c]!.length, 1001);
          for (let i = 0; i < 1001; i++) assert.ok(Math.abs(wav.channels[c]![i]! - channels[c]![i]!) <= tolerance, `${format} ch${c}[${i}]`);
        }
      }
    });
  }
}

test('WAV: multichannel is mixed down to mono unless keepChannels', () => {
  const chans = [0.6, -0.2, 0.3, 0.1, 0.0, -0.5].map((v) => new Float32Array(10).fill(v));
  const bytes = encodeWav(chans, 48000, { format: 'float32', extensible: true });
  const mono = decodeWav(bytes);
  assert.equal(mono.channelCount, 6);
  assert.equal(mono.channels.length, 1);
  assert.ok(Math.abs(mono.samples[3]! - 0.05) < 1e-7);
  assert.equal(decodeWav(bytes, { keepChannels: true }).channels.length, 6);
});

test('WAV: odd-sized LIST chunk with pad byte, fact chunk, unknown chunks, odd rate', () => {
  const x = signal(333, 3);
  const info = new TextEncoder().encode('INFOISFT\x05\x00\x00\x00clip\x00'); // 17 bytes: odd size
  const bytes = encodeWav(x, 11025, { format: 'pcm16', extraChunks: [{ id: 'LIST', data: info }, { id: 'junk', data: new Uint8Array(3) }] });
  assert.equal(bytes.length % 2, 0);
  const wav = decodeWav(bytes);
  assert.equal(wav.sampleRate, 11025);
  assert.equal(wav.samples.length, 333);
  assert.ok(Math.abs(wav.samples[100]! - x[100]!) <= 1 / 32768);
  // Float files carry a fact chunk before data; it must be skipped.
  assert.equal(decodeWav(encodeWav(x, 7999, { format: 'float32' })).samples[5], x[5]);
});

test('WAV: mu-law and A-law are decoded (G.711, values from Python audioop)', () => {
  const decode = (tag: number, codes: number[]): number[] => {
    const b = encodeWav(new Float32Array(codes.length), 8000, { format: 'pcm8' });
    new DataView(b.buffer).setUint16(20, tag, true);
    b.set(codes, b.length - codes.length);
    return Array.from(decodeWav(b).samples, (v) => Math.round(v * 32768));
  };
  assert.deepEqual(decode(7, [0xff, 0x80, 0x00, 0x7f]), [0, 32124, -32124, 0]);
  assert.deepEqual(decode(6, [0xd5, 0x55, 0x80, 0x00, 0xaa, 0x2a]), [8, -8, 5504, -5504, 32256, -32256]);
});

test('WAV: streaming size (0xFFFFFFFF) reads to the end of the file', () => {
  const bytes = encodeWav(signal(100, 4), 16000, { format: 'pcm16' });
  new DataView(bytes.buffer).setUint32(40, 0xffffffff, true);
  assert.equal(decodeWav(bytes).samples.length, 100);
});

test('WAV: clear errors for non-WAV, truncated and compressed input, naming the file', () => {
  const good = encodeWav(signal(100, 5), 16000);
  const expect = (bytes: Uint8Array, pattern: RegExp): void => {
    assert.throws(() => decodeWav(bytes, { name: 'clip.wav' }), (e: unknown) => {
      assert.ok(e instanceof WavError);
      assert.match(e.message, /^clip\.wav: /);
      assert.match(e.message, pattern);
      return true;
    });
  };
  expect(new TextEncoder().encode('ID3\x04 this is an mp3 really'), /not a WAV file/);
  expect(new Uint8Array(5), /not a WAV file/);
  expect(good.subarray(0, 30), /fmt|truncated/);
  expect(good.subarray(0, 44 + 50), /truncated: "data" chunk declares 200 bytes but only 50 remain/);
  expect(good.subarray(0, 36), /no "data" chunk/);
  const adpcm = Uint8Array.from(good);
  new DataView(adpcm.buffer).setUint16(20, 0x0011, true);
  expect(adpcm, /unsupported compressed encoding \(IMA ADPCM\)/);
  const odd = Uint8Array.from(good);
  new DataView(odd.buffer).setUint16(34, 12, true);
  expect(odd, /unsupported PCM bit depth 12/);
});

test('WAV files: write then read, and errors name the path', () => {
  const dir = tempDir();
  const path = join(dir, 'x.wav');
  const x = signal(500, 6);
  writeWavFile(path, x, 24000, { format: 'float32' });
  const wav = readWavFile(path);
  assert.deepEqual(Array.from(wav.samples), Array.from(x));
  const bad = join(dir, 'bad.wav');
  writeFileSync(bad, 'hello');
  assert.throws(() => readWavFile(bad), new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a WAV file`));
  assert.throws(() => readWavFile(join(dir, 'missing.wav')), /missing\.wav: cannot read file \(no such file\)/);
});

const hasSox = spawnSync('sox', ['--version']).status === 0;

test('WAV: decodes files written by sox in every supported encoding', { skip: hasSox ? false : 'sox not found on PATH: skipping sox-written files' }, () => {
  const dir = tempDir();
  const x = signal(2000, 7).map((v) => v * 0.5);
  const src = join(dir, 'src.wav');
  writeWavFile(src, [x, x], 48000, { format: 'float32' });
  const variants: [string[], number][] = [
    [['-b', '8', '-e', 'unsigned-integer'], 1 / 64], [['-b', '16'], 1 / 16384], [['-b', '24'], 1e-6], [['-b', '32'], 1e-6],
    [['-b', '64', '-e', 'floating-point'], 0], [['-e', 'mu-law'], 0.02], [['-e', 'a-law'], 0.02],
  ];
  for (const [args, tol] of variants) {
    const out = join(dir, `out${args.join('')}.wav`);
    const r = spawnSync('sox', [src, '-D', ...args, out, 'remix', '1', '1', '2']); // -D: no dither; 3 channels (extensible)
    assert.equal(r.status, 0, r.stderr?.toString());
    const wav = readWavFile(out, { keepChannels: true });
    assert.equal(wav.channelCount, 3, args.join(' '));
    assert.equal(wav.samples.length, 2000);
    for (let i = 0; i < 2000; i++) assert.ok(Math.abs(wav.samples[i]! - x[i]!) <= tol + 1e-7, `${args.join(' ')} [${i}]: ${wav.samples[i]} vs ${x[i]}`);
  }
});
