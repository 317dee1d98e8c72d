import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { decodeNpy, encodeNpy, NpyError } from '../../src/audio/npy.js';
import { renderMelImage, viridis } from '../../src/audio/plot.js';
import { crc32, encodePng } from '../../src/audio/png.js';

test('npy: v1.0 header, 64-byte aligned, round trip for float32 [80, T] and other dtypes', () => {
  const data = Float32Array.from({ length: 80 * 7 }, (_, i) => i * 0.5 - 3);
  const bytes = encodeNpy(data, [80, 7]);
  assert.deepEqual(Array.from(bytes.subarray(0, 8)), [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const headerLen = bytes[8]! | (bytes[9]! << 8);
  assert.equal((10 + headerLen) % 64, 0);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLen));
  assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(80, 7\), \} *\n$/);
  const back = decodeNpy(bytes);
  assert.deepEqual(back.shape, [80, 7]);
  assert.equal(back.dtype, '<f4');
  assert.deepEqual(Array.from(back.data), Array.from(data));
  assert.deepEqual(decodeNpy(encodeNpy(Int32Array.of(1, -2, 3))).shape, [3]);
  assert.equal(decodeNpy(encodeNpy(Float64Array.of(1.5), [])).data[0], 1.5);
  assert.throws(() => encodeNpy(data, [80, 8]), /holds 640 values but data has 560/);
  assert.throws(() => decodeNpy(new Uint8Array(20), 'x.npy'), (e: unknown) => e instanceof NpyError && /^x\.npy: not a \.npy file/.test(e.message));
  assert.throws(() => decodeNpy(bytes.subarray(0, bytes.length - 4)), /truncated data/);
});

test('mel image: viridis colours, low frequencies at the bottom, time along x; PNG encoding', () => {
  assert.deepEqual(viridis(0), [68, 1, 84]);
  assert.deepEqual(viridis(1), [253, 231, 37]);
  // Mel channel 0 bright, the rest dark: the bright row must be at the bottom of the image.
  const nMels = 4, frames = 3;
  const data = new Float32Array(nMels * frames).fill(-10);
  data.fill(0, 0, frames);
  const img = renderMelImage({ data, nMels, frames }, { yScale: 1 });
  assert.equal(img.width, 3);
  assert.equal(img.height, 4);
  assert.deepEqual(Array.from(img.rgb.subarray(3 * 3 * 3, 3 * 3 * 3 + 3)), [253, 231, 37]); // bottom-left pixel
  assert.deepEqual(Array.from(img.rgb.subarray(0, 3)), [68, 1, 84]); // top-left pixel

  const png = encodePng(img);
  assert.deepEqual(Array.from(png.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset);
  assert.equal(view.getUint32(16), 3);
  assert.equal(view.getUint32(20), 4);
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  // IDAT decompresses to height rows of (filter byte + 3 * width).
  const idatLen = view.getUint32(33);
  const raw = inflateSync(png.subarray(41, 41 + idatLen));
  assert.equal(raw.length, 4 * (1 + 9));
});
