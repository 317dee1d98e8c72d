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

for (const [K, B, L] of [[3, 2, 9], [3, 1, 8], [3, 1, 1], [3, 3, 130], [5, 2, 11], [5, 1, 2], [5, 1, 64]] as const) {
  test(`conv1dWinograd equals the direct "same" conv, bias and ReLU fused (kernel ${K}, B ${B}, L ${L})`, () => {
    const rng = new Rng(K * 1000 + B * 100 + L);
    const Cin = 8, Cout = 12, pad = (K - 1) / 2;
    const tile = E.winogradTileFor(K)!;
    const xs = Float32Array.from({ length: B * L * Cin }, () => rng.normal());
    const ws = Float32Array.from({ length: Cout * Cin * K }, () => rng.normal() * 0.3);
    const bs = Float32Array.from({ length: Cout }, () => rng.normal());
    E.tidy(() => E.noGrad(() => {
      const x = E.tensor(xs, [B, L, Cin]), w = E.tensor(ws, [Cout, Cin, K]), b = E.tensor(bs, [Cout]);
      const direct = E.conv1dChannelsLast(x, w, b, { padding: pad });
      const v = E.winogradWeight(w, tile);
      for (const relu of [false, true]) {
        const ours = E.conv1dWinograd(x, v, tile, pad, b, { relu }).toArray();
        const ref = (relu ? E.relu(direct) : direct).toArray();
        assert.equal(ours.length, ref.length);
        for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(ours[i]! - ref[i]!) < 1e-4, `relu ${relu}, at ${i}: ${ours[i]} vs ${ref[i]}`);
      }
      assert.throws(() => E.conv1dWinograd(E.zeros([1, 4, 6]), E.winogradWeight(E.zeros([4, 6, K]), tile), tile, pad), /multiples of 4/);
    }));
  });
}

test('a frozen Conv1d computes what it did before freezing (Winograd or channels-last weights, original freed) and refuses new weights', () => {
  const rng = new Rng(7);
  for (const [K, padding, L, stride] of [[3, 1, 200, 1], [3, 1, 20, 1], [5, 2, 150, 1], [5, 2, 50, 1], [9, 4, 30, 1], [3, 1, 31, 2], [1, 0, 30, 1]] as const) {
    const conv = new E.Conv1d(8, 16, K, { padding, stride });
    const xs = Float32Array.from({ length: L * 8 }, () => rng.normal());
    const run = (): number[][] => E.tidy(() => E.noGrad(() => {
      const x = E.tensor(xs, [1, L, 8]);
      return [[...conv.forwardChannelsLast(x, { relu: true }).toArray()], [...E.contiguous(conv.forward(E.transpose(x, 1, 2))).toArray()]];
    }));
    const before = run();
    const heap = E.engine().mem.heapBytesInUse;
    conv.freeze();
    assert.equal(conv.bias!.requiresGrad, false);
    if (K > 1) assert.throws(() => conv.weight.toArray(), /disposed/, 'the training-layout weight is freed');
    else assert.equal(E.engine().mem.heapBytesInUse, heap, 'a pointwise conv keeps its weight as is');
    for (let round = 0; round < 2; round++) {
      const after = run();
      for (const [i, what] of ['channels-last', 'channels-first'].entries()) {
        const a = after[i]!, b = before[i]!;
        assert.equal(a.length, b.length);
        for (let j = 0; j < b.length; j++) assert.ok(Math.abs(a[j]! - b[j]!) < 1e-4, `K ${K}, L ${L}, ${what}, at ${j}: ${a[j]} vs ${b[j]}`);
      }
    }
    assert.throws(() => conv.loadStateDict(new Map()), /frozen/);
    const held = E.engine().mem.heapBytesInUse;
    conv.dispose();
    assert.ok(E.engine().mem.heapBytesInUse < held, 'dispose frees what freeze derived');
  }
});

test('disposing a frozen model frees the weights its nested Conv1d layers derived', () => {
  const mem = E.engine().mem;
  // model → block → conv: the Conv1d sits two levels below the module being disposed.
  class Stack extends E.Module {
    readonly block = this.module('block', new E.FFTBlock(8, 2, 16, { kernels: [3, 1] }));
  }
  const makeFrozen = (): Stack => new Stack().freeze();
  makeFrozen().dispose(); // warm-up: arena chunks and scratch are one-time heap costs
  const before = mem.heapBytesInUse;
  const model = makeFrozen();
  assert.ok(mem.heapBytesInUse > before);
  model.dispose();
  assert.equal(mem.heapBytesInUse, before, 'the conv two levels down freed its Winograd weight');
});
