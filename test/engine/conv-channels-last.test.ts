// conv1dChannelsLast must equal conv1d on transposed activations, and its gradients must check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../src/engine/index.js';
import { Rng, formatGradcheck, gradcheck, input } from './gradcheck.js';

before(async () => { await E.initEngine(); });
after(async () => { await E.shutdownEngine(); });

const cases = [
  { B: 2, L: 9, Cin: 3, Cout: 4, K: 3, stride: 1, padding: 1, dilation: 1 },
  { B: 1, L: 11, Cin: 2, Cout: 3, K: 5, stride: 2, padding: 2, dilation: 1 },
  { B: 2, L: 10, Cin: 3, Cout: 2, K: 3, stride: 1, padding: 2, dilation: 2 },
  { B: 3, L: 7, Cin: 5, Cout: 6, K: 1, stride: 1, padding: 0, dilation: 1 },
  { B: 2, L: 8, Cin: 4, Cout: 3, K: 9, stride: 1, padding: 4, dilation: 1 },
];

for (const c of cases) {
  const name = `K${c.K} stride ${c.stride} pad ${c.padding} dil ${c.dilation}`;
  test(`conv1dChannelsLast equals conv1d on transposed input (${name})`, () => {
    const rng = new Rng(c.K * 31 + c.L);
    const xs = Float32Array.from({ length: c.B * c.L * c.Cin }, () => rng.normal());
    const ws = Float32Array.from({ length: c.Cout * c.Cin * c.K }, () => rng.normal() * 0.3);
    const bs = Float32Array.from({ length: c.Cout }, () => rng.normal());
    E.tidy(() => {
      const x = E.tensor(xs, [c.B, c.L, c.Cin]), w = E.tensor(ws, [c.Cout, c.Cin, c.K]), b = E.tensor(bs, [c.Cout]);
      const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation };
      const ours = E.conv1dChannelsLast(x, w, b, opts).toArray();
      const ref = E.contiguous(E.transpose(E.conv1d(E.transpose(x, 1, 2), w, b, opts), 1, 2)).toArray();
      assert.equal(ours.length, ref.length);
      for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(ours[i]! - ref[i]!) < 1e-5, `at ${i}: ${ours[i]} vs ${ref[i]}`);
    });
  });
  test(`conv1dChannelsLast gradcheck (${name})`, () => {
    const rng = new Rng(c.K * 17 + c.L);
    const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation };
    const r = gradcheck((x, w, b) => E.conv1dChannelsLast(x, w, b, opts), [
      input([c.B, c.L, c.Cin], Float32Array.from({ length: c.B * c.L * c.Cin }, () => rng.normal())),
      input([c.Cout, c.Cin, c.K], Float32Array.from({ length: c.Cout * c.Cin * c.K }, () => rng.normal() * 0.3)),
      input([c.Cout], Float32Array.from({ length: c.Cout }, () => rng.normal())),
    ]);
    assert.ok(r.ok, formatGradcheck(name, r));
  });
}

test('conv1dChannelsLast rejects groups and mismatched channels with clear errors', () => {
  E.tidy(() => {
    assert.throws(() => E.conv1dChannelsLast(E.zeros([1, 4, 2]), E.zeros([2, 1, 3]), null, { groups: 2 }), /groups must be 1/);
    assert.throws(() => E.conv1dChannelsLast(E.zeros([1, 4, 2]), E.zeros([2, 3, 3])), /expects 3 input channels/);
  });
});
