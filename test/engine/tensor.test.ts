// Tensor basics: dtypes, shapes and strides, views sharing storage, contiguous copies, reading
// values, error messages, tidy() memory behaviour, noGrad, gradient accumulation, deep graphs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../src/engine/index.js';
import type { Tensor } from '../../src/engine/index.js';

before(async () => { await E.initEngine(); });
after(async () => { await E.shutdownEngine(); });

const arr = (t: Tensor): number[] => Array.from(t.toArray());

test('dtypes: float32 by default, int32 on request, typed arrays keep their type', () => {
  E.tidy(() => {
    const f = E.tensor([1.5, 2.25]);
    assert.equal(f.dtype, 'float32');
    assert.ok(f.toArray() instanceof Float32Array);
    const i = E.tensor([3, -4, 7], undefined, 'int32');
    assert.equal(i.dtype, 'int32');
    assert.ok(i.toArray() instanceof Int32Array);
    assert.deepEqual(arr(i), [3, -4, 7]);
    assert.equal(E.tensor(new Int32Array([1, 2])).dtype, 'int32');
    assert.equal(E.arange(4).dtype, 'int32');
    assert.deepEqual(arr(E.arange(4)), [0, 1, 2, 3]);
    // float32 rounding is real: 0.1 is stored as the nearest float32.
    assert.equal(E.tensor([0.1]).item(), Math.fround(0.1));
    // cast: float → int truncates toward zero; int → float exact.
    assert.deepEqual(arr(E.cast(E.tensor([1.7, -1.7, 3]), 'int32')), [1, -1, 3]);
    assert.deepEqual(Array.from(E.cast(i, 'float32').toArray()), [3, -4, 7]);
    assert.equal(E.cast(i, 'float32').dtype, 'float32');
  });
});

test('shape, strides, size, ndim', () => {
  E.tidy(() => {
    const x = E.zeros([2, 3, 4]);
    assert.deepEqual([...x.shape], [2, 3, 4]);
    assert.deepEqual([...x.strides], [12, 4, 1]);
    assert.equal(x.size, 24);
    assert.equal(x.ndim, 3);
    assert.ok(x.isContiguous());
    const s = E.tensor(5, []);
    assert.equal(s.ndim, 0);
    assert.equal(s.size, 1);
    assert.equal(s.item(), 5);
    assert.deepEqual(E.tensor([[1, 2, 3], [4, 5, 6]]).shape, [2, 3]);
  });
});

test('views share storage: reshape, permute, transpose, slice, expand, squeeze', () => {
  E.tidy(() => {
    const x = E.tensor(Float32Array.from({ length: 12 }, (_, i) => i), [3, 4]);
    const r = E.reshape(x, [2, 6]);
    const p = E.transpose(x);
    const sl = E.slice(x, 1, 1, 4, 2);
    const ex = E.expand(E.slice(x, 0, 0, 1), [5, 4]);
    const sq = E.squeeze(E.unsqueeze(x, 0), 0);
    for (const v of [r, p, sl, ex, sq]) assert.equal(v.storage, x.storage, 'a view must not copy');
    assert.deepEqual([...p.shape], [4, 3]);
    assert.deepEqual([...p.strides], [1, 4]);
    assert.equal(p.isContiguous(), false);
    assert.deepEqual([...sl.shape], [3, 2]);
    assert.deepEqual([...sl.strides], [4, 2]);
    assert.equal(sl.offset, 1);
    assert.deepEqual([...ex.strides], [0, 1]);
    assert.deepEqual(p.toNested(), [[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]);
    assert.deepEqual(sl.toNested(), [[1, 3], [5, 7], [9, 11]]);
    assert.deepEqual((ex.toNested() as number[][])[4], [0, 1, 2, 3]);
    // Writing the base is visible through every view.
    x.unsafeView()[5] = 100;
    assert.equal((r.toNested() as number[][])[0]![5], 100);
    assert.equal((p.toNested() as number[][])[1]![1], 100);
    assert.equal((sl.toNested() as number[][])[1]![0], 100);
  });
});

test('contiguous copies only non-contiguous views; the copy is independent', () => {
  E.tidy(() => {
    const x = E.tensor([[1, 2, 3], [4, 5, 6]]);
    assert.equal(E.contiguous(x), x, 'a contiguous tensor is returned as is');
    const t = E.transpose(x);
    const c = E.contiguous(t);
    assert.notEqual(c.storage, x.storage);
    assert.ok(c.isContiguous());
    assert.deepEqual([...c.strides], [2, 1]);
    assert.deepEqual(c.toNested(), [[1, 4], [2, 5], [3, 6]]);
    x.unsafeView()[0] = -1;
    assert.equal((c.toNested() as number[][])[0]![0], 1, 'the copy must not see later writes to the source');
    // reshape of a non-contiguous view must copy (no valid strides otherwise) and keep values.
    const r = E.reshape(t, [6]);
    assert.deepEqual(arr(r), [-1, 4, 2, 5, 3, 6]);
  });
});

test('reshape is a view whenever strides allow one (torch view semantics), a copy otherwise', () => {
  E.tidy(() => {
    const x = E.tensor(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
    // [2, 3, 4] → [3, 2, 4] permuted: dims 0,1 are swapped, the last is intact.
    const p = E.permute(x, [1, 0, 2]);
    const split = E.reshape(p, [3, 2, 2, 2]);
    assert.equal(split.storage, x.storage, 'splitting the contiguous last dim keeps the storage');
    assert.deepEqual([...split.strides], [4, 12, 2, 1]);
    assert.deepEqual(arr(split), arr(E.contiguous(p)));
    const dropped = E.reshape(E.slice(E.permute(x, [2, 0, 1]), 0, 1, 2), [2, 3]);
    assert.equal(dropped.storage, x.storage, 'dropping a size-1 dim of a permuted slice is a view');
    assert.deepEqual(arr(dropped), [1, 5, 9, 13, 17, 21]);
    const merged = E.reshape(p, [6, 4]);
    assert.notEqual(merged.storage, x.storage, 'merging dims that are not adjacent in memory copies');
    assert.ok(merged.isContiguous());
    assert.deepEqual(arr(merged), arr(E.contiguous(p)));
    assert.deepEqual(E.viewStrides([3, 2, 4], [4, 12, 1], [3, 8]), null);
    assert.deepEqual(E.viewStrides([3, 1, 4], [4, 99, 1], [12, 1]), [1, 1]);
    assert.deepEqual(E.viewStrides([0, 3], [3, 1], [3, 0]), [0, 1]);
  });
});

test('toArray, item, toNested, toFloat32Array', () => {
  E.tidy(() => {
    const x = E.tensor([[1, 2], [3, 4]]);
    assert.deepEqual(arr(x), [1, 2, 3, 4]);
    assert.deepEqual(x.toNested(), [[1, 2], [3, 4]]);
    assert.equal(E.tensor([7]).item(), 7);
    assert.throws(() => x.item(), /one-element/);
    const f = E.tensor([1, 2], undefined, 'int32').toFloat32Array();
    assert.ok(f instanceof Float32Array);
    // toArray returns a copy, not a live view.
    const a = x.toArray();
    a[0] = 99;
    assert.equal(x.toArray()[0], 1);
  });
});

test('errors: bad shapes, broadcast mismatch, out-of-range indices and axes', () => {
  E.tidy(() => {
    assert.throws(() => E.tensor([1, 2, 3], [2, 2]), /do not fill shape/);
    assert.throws(() => E.zeros([2, -1]), /non-negative integers/);
    assert.throws(() => E.zeros([1.5]), /non-negative integers/);
    assert.throws(() => E.reshape(E.zeros([2, 3]), [4, 2]), /cannot view/);
    assert.throws(() => E.reshape(E.zeros([2, 3]), [-1, -1]), /at most one/);
    assert.throws(() => E.add(E.zeros([2, 3]), E.zeros([4])), /cannot be broadcast/);
    assert.throws(() => E.mul(E.zeros([2, 3]), E.zeros([3, 2])), /cannot be broadcast/);
    assert.throws(() => E.matmul(E.zeros([2, 3]), E.zeros([4, 2])), /inner dimensions differ/);
    assert.throws(() => E.expand(E.zeros([2, 3]), [4, 3]), /cannot become/);
    assert.throws(() => E.embedding(E.tensor([0, 5], undefined, 'int32'), E.zeros([5, 2])), /index 5 at position 1 is out of range \[0, 5\)/);
    assert.throws(() => E.embedding(E.tensor([-1], undefined, 'int32'), E.zeros([5, 2])), /out of range/);
    assert.throws(() => E.indexSelect(E.zeros([3, 2]), 0, E.tensor([3], undefined, 'int32')), /out of range/);
    assert.throws(() => E.embedding(E.tensor([0, 1]), E.zeros([5, 2])), /int32/);
    assert.throws(() => E.sum(E.zeros([2, 3]), 2), /axis 2 out of range/);
    assert.throws(() => E.softmax(E.zeros([2, 3]), -3), /out of range/);
    assert.throws(() => E.permute(E.zeros([2, 3]), [0, 0]), /not a permutation/);
    assert.throws(() => E.squeeze(E.zeros([2, 3]), 0), /not 1/);
    assert.throws(() => E.concat([E.zeros([2, 3]), E.zeros([3, 3])], 1), /does not match/);
    assert.throws(() => E.split(E.zeros([5]), 2), /not divisible/);
    assert.throws(() => E.crossEntropy(E.zeros([2, 3]), E.tensor([0, 3], undefined, 'int32')), /out of range/);
    assert.throws(() => E.dropout(E.zeros([2]), 1), /p must be in/);
    assert.throws(() => E.topk(E.zeros([2, 3]), 4), /k = 4/);
  });
});

test('a tensor from an ended tidy scope and a disposed tensor throw clear errors', () => {
  let leaked: Tensor | null = null;
  E.tidy(() => { leaked = E.tensor([1, 2, 3]); });
  assert.throws(() => leaked!.toArray(), /tidy\(\) scope that has ended/);
  assert.throws(() => E.add(leaked!, 1), /tidy\(\) scope that has ended/);
  const heap = E.tensor([1, 2]);
  assert.ok(heap.persistent, 'outside tidy, tensors live on the heap');
  heap.dispose();
  assert.throws(() => heap.toArray(), /was disposed/);
  heap.dispose(); // idempotent
  const scalar = E.tensor([5]);
  scalar.dispose();
  assert.throws(() => scalar.item(), /was disposed/);
});

test('tidy returns heap copies (detached) and frees every temporary', () => {
  const e = E.engine();
  // Warm up: the first arena chunk and lazily allocated scratch are one-time heap costs.
  E.tidy(() => { E.matmul(E.ones([4, 4]), E.ones([4, 4])); E.sum(E.ones([8])); });
  const arenaBefore = e.arena.used, heapBefore = e.mem.heapBytesInUse;
  const [kept, value] = E.tidy(() => {
    const a = E.randn([64, 64], { seed: 3 });
    a.requiresGrad = true;
    const b = E.matmul(a, a);
    const c = E.tanh(E.add(b, 1));
    const s = E.sum(c);
    E.backward(s);
    a.grad?.dispose();
    assert.ok(e.arena.used > arenaBefore, 'temporaries inside tidy are arena allocations');
    return [E.mean(c, 0), s.item()] as const;
  });
  assert.equal(typeof value, 'number');
  assert.ok(kept.persistent, 'a returned tensor is copied to the heap');
  assert.equal(kept.requiresGrad, false, 'a returned tensor is detached');
  assert.deepEqual([...kept.shape], [64]);
  assert.doesNotThrow(() => kept.toArray());
  assert.equal(e.arena.used, arenaBefore, 'the arena is back at its mark');
  const keptBytes = Math.ceil((64 * 4) / 64) * 64;
  assert.equal(e.mem.heapBytesInUse - heapBefore, keptBytes, 'the heap grew only by the returned tensor');
  kept.dispose();
  assert.equal(e.mem.heapBytesInUse, heapBefore, 'dispose gives the heap block back');
  // Steady state: many steps leave both arena and heap exactly flat.
  for (let i = 0; i < 20; i++) E.tidy(() => E.sum(E.mul(E.ones([32, 32]), 2)).item());
  assert.equal(e.arena.used, arenaBefore);
  assert.equal(e.mem.heapBytesInUse, heapBefore);
});

test('tidy nests: an inner result survives into the outer scope until it ends', () => {
  const e = E.engine();
  const before = e.arena.used;
  let inner: Tensor | null = null;
  const outer = E.tidy(() => {
    inner = E.tidy(() => E.mul(E.tensor([1, 2, 3]), 2));
    assert.deepEqual(arr(inner), [2, 4, 6]);
    return E.add(inner, 1);
  });
  assert.deepEqual(arr(outer), [3, 5, 7]);
  assert.equal(e.arena.used, before);
  assert.ok((inner as Tensor | null)?.persistent, 'an inner tidy result is a heap tensor');
  assert.deepEqual(arr(inner!), [2, 4, 6], 'it outlives the outer scope too');
  (inner as Tensor | null)?.dispose();
  outer.dispose();
});

test('matmul layout: the product is stored in the asked dim order when one GEMM can write it, same values', () => {
  E.tidy(() => {
    const a = E.randn([1, 2, 3, 4], { seed: 1 }), b = E.randn([1, 2, 4, 5], { seed: 2 });
    const plain = E.matmul(a, b);
    const laid = E.matmul(a, b, { layout: [0, 2, 1, 3] });
    assert.deepEqual([...laid.shape], [1, 2, 3, 5]);
    assert.deepEqual([...laid.strides], [30, 5, 10, 1], 'stored as [1, 3, 2, 5]');
    assert.ok(E.permute(laid, [0, 2, 1, 3]).isContiguous());
    assert.deepEqual(arr(E.contiguous(laid)), arr(plain));
    // Batch 2 cannot walk [B, H] with one stride in that order: row-major, same values.
    const a2 = E.randn([2, 2, 3, 4], { seed: 3 }), b2 = E.randn([2, 2, 4, 5], { seed: 4 });
    const fallback = E.matmul(a2, b2, { layout: [0, 2, 1, 3] });
    assert.ok(fallback.isContiguous());
    assert.deepEqual(arr(fallback), arr(E.matmul(a2, b2)));
    assert.throws(() => E.matmul(a, b, { layout: [1, 0, 3, 2] }), /permutation/);
    const scaled = E.matmul(a, b, { alpha: 0.5 });
    arr(scaled).forEach((v, i) => assert.ok(Math.abs(v - 0.5 * arr(plain)[i]!) < 1e-6));
  });
});

test('tidyLayers: without gradients one layer of temporaries is live at a time; the result is the plain loop\'s', () => {
  const e = E.engine();
  const w = E.randn([256, 256], { seed: 5, persistent: true });
  const x = E.randn([256, 256], { seed: 6, persistent: true });
  // Each layer makes 5 temporaries of 256 KB; 8 layers in one scope hold all 40 at once.
  let peak = 0, base = 0;
  const layer = (h: Tensor): Tensor => {
    const y = E.tanh(E.add(E.mul(E.matmul(h, w), 0.05), E.mul(h, 0.5)));
    peak = Math.max(peak, e.arena.used - base);
    return y;
  };
  const layers = Array.from({ length: 8 }, () => layer);
  const run = (stack: (x: Tensor) => Tensor): { values: number[]; peak: number } => {
    peak = 0;
    base = e.arena.used;
    const values = E.tidy(() => E.noGrad(() => arr(stack(x))));
    return { values, peak };
  };
  const plain = run((x0) => layers.reduce((h, f) => f(h), x0));
  const heapBefore = e.mem.heapBytesInUse;
  const layered = run((x0) => E.tidyLayers(x0, layers));
  assert.deepEqual(layered.values, plain.values, 'same values as the plain loop');
  assert.ok(layered.peak * 4 < plain.peak, `peak arena use ${layered.peak} B vs ${plain.peak} B for the plain loop`);
  assert.equal(e.mem.heapBytesInUse, heapBefore, 'no heap copy outlives the call');
  // With gradients on it is the plain loop: the tape reaches x through every layer.
  E.tidy(() => {
    const xg = E.tensor([[0.5, -1]]);
    xg.requiresGrad = true;
    const y = E.tidyLayers(xg, [(h) => E.mul(h, 3), (h) => E.sum(E.mul(h, h))]);
    E.backward(y);
    assert.deepEqual(arr(xg.grad!), [9, -18]);
    xg.grad?.dispose();
  });
  w.dispose();
  x.dispose();
});

test('noGrad records no graph; grad mode is restored afterwards (also on throw)', () => {
  E.tidy(() => {
    const w = E.tensor([1, 2, 3]);
    w.requiresGrad = true;
    const y = E.noGrad(() => E.mul(w, 2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.node, null);
    assert.equal(E.isGradEnabled(), true);
    assert.throws(() => E.noGrad(() => { throw new Error('boom'); }), /boom/);
    assert.equal(E.isGradEnabled(), true);
    const z = E.mul(w, 2);
    assert.equal(z.requiresGrad, true);
    assert.equal(z.node?.op, 'mul');
    assert.throws(() => E.backward(y), /does not depend/);
  });
});

test('backward accumulates into .grad across calls and handles shared subgraphs', () => {
  const w = E.parameter(E.tensor([1, -2, 3]), 'w');
  for (let call = 1; call <= 3; call++) {
    E.tidy(() => {
      // d/dw Σ (w·w + 3w) = 2w + 3; w is used twice (fan-out) in the graph.
      E.backward(E.sum(E.add(E.mul(w, w), E.mul(w, 3))));
    });
    assert.deepEqual(arr(w.grad!), [5, -1, 9].map((g) => g * call), `after ${call} backward call(s)`);
  }
  assert.ok(w.grad!.persistent, 'leaf gradients live on the heap');
  assert.throws(() => E.tidy(() => E.backward(E.mul(w, 2))), /one element/);
  w.dispose();
});

test('a chain of 10,000 adds does not overflow the stack in backward', () => {
  E.tidy(() => {
    const x = E.tensor([1, 2]);
    x.requiresGrad = true;
    let y: Tensor = x;
    for (let i = 0; i < 10_000; i++) y = E.add(y, 0.5);
    assert.deepEqual(arr(y), [5001, 5002]);
    E.backward(E.sum(y));
    assert.deepEqual(arr(x.grad!), [1, 1]);
    x.grad!.dispose();
  });
});
