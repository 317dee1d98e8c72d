import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeFloat16, encodeFloat16, toFloat16Bits } from '../../src/data/float16.js';
import { decodeCachedItem, encodeCachedItem, readCachedItemHeader, type CachedItem } from '../../src/data/cache.js';
import { trimSilence } from '../../src/data/features.js';
import { tempDir } from './helpers.js';

test('float16 round trip: exact values, rounding, specials', () => {
  const xs = Float32Array.of(0, 1, -2, 0.5, 65504, 1e-7, -11.5129, 3.14159, Infinity);
  const back = decodeFloat16(encodeFloat16(xs));
  assert.deepEqual([...back.slice(0, 5)], [0, 1, -2, 0.5, 65504]);
  assert.ok(Math.abs(back[6]! + 11.5129) < 0.005);
  assert.ok(Math.abs(back[7]! - 3.14159) < 0.002);
  assert.equal(back[8], Infinity);
  assert.equal(toFloat16Bits(1e6), 0x7c00); // overflow → +Inf
  assert.ok(Number.isNaN(decodeFloat16(encodeFloat16(Float32Array.of(NaN)))[0]));
});

test('cache item encode/decode, header-only read, truncated file rejected', () => {
  const frames = 7, nMels = 80;
  const item: CachedItem = {
    header: { id: 'x', frames, nMels, phonemes: 3, words: 2, melDtype: 'float16', fingerprint: 'f', trim: [0.1, 0.9], sourceRate: 22050, seconds: 0.8, warnings: [] },
    mel: Float32Array.from({ length: frames * nMels }, (_, i) => -5 + i / 100),
    pitch: Float32Array.from({ length: frames }, (_, i) => (i % 2 ? 0 : 100 + i)),
    energy: Float32Array.from({ length: frames }, (_, i) => i),
    phonemes: Int32Array.of(5, 6, 7), wordStarts: Int32Array.of(0, 2),
  };
  const bytes = encodeCachedItem(item);
  const back = decodeCachedItem(bytes);
  assert.deepEqual(back.header, item.header);
  assert.deepEqual(back.pitch, item.pitch);
  assert.deepEqual(back.phonemes, item.phonemes);
  assert.deepEqual(back.wordStarts, item.wordStarts);
  for (let i = 0; i < item.mel.length; i++) assert.ok(Math.abs(back.mel[i]! - item.mel[i]!) < 0.01);
  const dir = tempDir();
  writeFileSync(join(dir, 'a.feat'), bytes);
  assert.deepEqual(readCachedItemHeader(join(dir, 'a.feat')), item.header);
  writeFileSync(join(dir, 'b.feat'), bytes.subarray(0, bytes.length - 4));
  assert.equal(readCachedItemHeader(join(dir, 'b.feat')), undefined);
  assert.throws(() => decodeCachedItem(bytes.subarray(0, bytes.length - 4)), /does not match its header/);
});

test('trimSilence keeps the sound plus a margin, all-silent gives an empty range', () => {
  const sr = 22050;
  const x = new Float32Array(sr);
  for (let i = 8000; i < 14000; i++) x[i] = 0.5 * Math.sin(i * 0.05);
  const [s, e] = trimSilence(x, sr, 40);
  assert.ok(s <= 8000 && s >= 8000 - 512 - 221, `start ${s}`);
  assert.ok(e >= 14000 && e <= 14000 + 512 + 221, `end ${e}`);
  assert.deepEqual(trimSilence(new Float32Array(1000), sr, 40), [0, 0]);
});
