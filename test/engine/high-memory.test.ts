// Tensors above 2 GiB in the wasm32 address space: pointers are unsigned, so JS code must use
// `>>>` (not `>>`) when turning byte offsets into typed-array indices.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../src/engine/index.js';

before(async () => { await E.initEngine({ threads: 2 }); });
after(async () => { await E.shutdownEngine(); });

test('ops and reads work on tensors stored above 2 GiB', () => {
  // Pages of the padding block are never touched, so this costs address space, not RAM.
  const padding = E.empty([Math.floor((2 ** 31 + 2 ** 20) / 4)], 'float32', true);
  const values = Float32Array.from({ length: 16 * 64 }, (_, i) => (i % 7) / 7);
  const high = E.tensor(values, [16, 64], 'float32', true);
  assert.ok(high.ptr > 2 ** 31, `expected a pointer above 2 GiB, got ${high.ptr}`);
  assert.deepEqual(high.toFloat32Array(), values);
  const rowSums = E.sum(E.square(high), -1).toFloat32Array();
  let expected = 0;
  for (let k = 0; k < 64; k++) expected += values[k]! ** 2;
  assert.ok(Math.abs(rowSums[0]! - expected) < 1e-4);
  assert.equal(E.mul(high, 2).toFloat32Array()[1], Math.fround(values[1]! * 2));
  assert.equal(E.sum(high).item() > 0, true);
  const idx = E.argmax(high, -1).toArray();
  assert.equal(idx[0], 6);
  high.dispose();
  padding.dispose();
});
