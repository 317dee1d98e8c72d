// nn layers, attention and blocks: shapes, parameter layouts/counts, masking, forward/backward.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  initEngine, manualSeed, tensor, randn, sum, mul, backward, noGrad, mean, variance,
  Linear, Conv1d, ConvTranspose1d, Embedding, LayerNorm, Dropout, MultiHeadAttention, FFTBlock, ConvNeXtBlock,
} from '../../src/engine/index.js';
import type { Tensor } from '../../src/engine/index.js';

before(async () => {
  await initEngine({ threads: 2 });
  manualSeed(1234);
});

function shapes(m: { namedParameters(): [string, Tensor][] }): Record<string, number[]> {
  return Object.fromEntries(m.namedParameters().map(([n, p]) => [n, [...p.shape]]));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

test('Linear: torch layout, parameter count, init bound, any leading shape', () => {
  const lin = new Linear(4, 3);
  assert.deepEqual(shapes(lin), { weight: [3, 4], bias: [3] });
  assert.equal(lin.parameterCount(), 15);
  assert.equal(new Linear(4, 3, { bias: false }).parameterCount(), 12);
  for (const v of lin.weight.toArray()) assert.ok(Math.abs(v) <= 0.5);
  const y = lin.forward(randn([2, 5, 4]));
  assert.deepEqual(y.shape, [2, 5, 3]);
  // y = x·Wᵀ + b against a hand computation.
  const x = tensor([[1, 2, 3, 4]]);
  const w = lin.weight.toArray(), b = lin.bias!.toArray();
  const got = lin.forward(x).toArray();
  for (let o = 0; o < 3; o++) {
    const want = b[o]! + [1, 2, 3, 4].reduce((s, xi, i) => s + xi * w[o * 4 + i]!, 0);
    assert.ok(Math.abs(got[o]! - want) < 1e-5);
  }
  assert.throws(() => lin.forward(randn([2, 5])), /does not end in 4/);
});

test('Conv1d and ConvTranspose1d: shapes, groups, parameter counts', () => {
  const conv = new Conv1d(4, 6, 3, { padding: 1, groups: 2 });
  assert.deepEqual(shapes(conv), { weight: [6, 2, 3], bias: [6] });
  assert.equal(conv.parameterCount(), 6 * 2 * 3 + 6);
  assert.deepEqual(conv.forward(randn([2, 4, 10])).shape, [2, 6, 10]);
  assert.deepEqual(new Conv1d(4, 6, 3, { stride: 2 }).forward(randn([1, 4, 11])).shape, [1, 6, 5]);
  const convT = new ConvTranspose1d(4, 6, 4, { stride: 2, padding: 1 });
  assert.deepEqual(shapes(convT), { weight: [4, 6, 4], bias: [6] });
  assert.deepEqual(convT.forward(randn([1, 4, 5])).shape, [1, 6, 10]);
  assert.throws(() => new Conv1d(5, 6, 3, { groups: 2 }), /divisible by groups/);
});

test('Embedding: N(0,1) init, padding row zero and frozen', () => {
  const emb = new Embedding(50, 16, { paddingIdx: 0 });
  assert.deepEqual(shapes(emb), { weight: [50, 16] });
  const w = emb.weight.toArray();
  assert.ok(w.slice(0, 16).every((v) => v === 0));
  const rest = Array.from(w.slice(16));
  const m = rest.reduce((s, v) => s + v, 0) / rest.length;
  const sd = Math.sqrt(rest.reduce((s, v) => s + (v - m) ** 2, 0) / rest.length);
  assert.ok(Math.abs(m) < 0.1 && Math.abs(sd - 1) < 0.1, `mean ${m}, std ${sd}`);
  const ids = tensor([[3, 0, 7], [0, 3, 3]], undefined, 'int32');
  const y = emb.forward(ids);
  assert.deepEqual(y.shape, [2, 3, 16]);
  backward(sum(y));
  const g = emb.weight.grad!.toArray();
  assert.ok(g.slice(0, 16).every((v) => v === 0), 'padding row must get no gradient');
  assert.ok(g.slice(3 * 16, 4 * 16).every((v) => v === 3), 'row 3 is used three times');
  assert.ok(g.slice(7 * 16, 8 * 16).every((v) => v === 1));
});

test('LayerNorm: normalizes the last dim; affine parameters', () => {
  const ln = new LayerNorm(8);
  assert.deepEqual(shapes(ln), { weight: [8], bias: [8] });
  assert.equal(new LayerNorm(8, { affine: false }).parameterCount(), 0);
  const y = ln.forward(randn([3, 8], { mean: 5, std: 3 }));
  for (const v of mean(y, -1).toArray()) assert.ok(Math.abs(v) < 1e-5);
  for (const v of variance(y, -1, { correction: 0 }).toArray()) assert.ok(Math.abs(v - 1) < 1e-3);
});

test('Dropout follows the module training flag', () => {
  const d = new Dropout(0.5);
  const x = randn([1000]);
  const y = d.forward(x).toArray();
  const zeros = y.filter((v) => v === 0).length;
  assert.ok(zeros > 400 && zeros < 600, `zeros ${zeros}`);
  d.eval();
  assert.equal(d.forward(x), x);
});

test('MultiHeadAttention: weight layout and parameter count', () => {
  const mha = new MultiHeadAttention(8, 2);
  assert.deepEqual(shapes(mha), { 'qkv.weight': [24, 8], 'qkv.bias': [24], 'out.weight': [8, 8], 'out.bias': [8] });
  assert.equal(mha.parameterCount(), 4 * 8 * 8 + 4 * 8);
  const bound = Math.sqrt(6 / (8 + 24));
  for (const v of mha.qkv.weight.toArray()) assert.ok(Math.abs(v) <= bound);
  assert.ok(mha.qkv.bias!.toArray().every((v) => v === 0));
});

/** Float64 reference of torch.nn.MultiheadAttention self-attention with our weight layout. */
function referenceMha(x: Float32Array, B: number, T: number, D: number, H: number, mha: MultiHeadAttention, mask?: number[][]): Float64Array {
  const W = mha.qkv.weight.toArray(), bq = mha.qkv.bias!.toArray(), Wo = mha.out.weight.toArray(), bo = mha.out.bias!.toArray();
  const hd = D / H;
  const out = new Float64Array(B * T * D);
  for (let b = 0; b < B; b++) {
    const proj = (t: number, row: number): number => { // row in [0, 3D)
      let s = bq[row]!;
      for (let i = 0; i < D; i++) s += W[row * D + i]! * x[(b * T + t) * D + i]!;
      return s;
    };
    const ctx = new Float64Array(T * D);
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < T; i++) {
        const scores: number[] = [];
        for (let j = 0; j < T; j++) {
          let s = 0;
          for (let c = 0; c < hd; c++) s += proj(i, h * hd + c) * proj(j, D + h * hd + c);
          s /= Math.sqrt(hd);
          scores.push(mask && !mask[b]![j] ? -Infinity : s);
        }
        const mx = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - mx));
        const z = e.reduce((a, v) => a + v, 0);
        for (let c = 0; c < hd; c++) {
          let s = 0;
          for (let j = 0; j < T; j++) s += (e[j]! / z) * proj(j, 2 * D + h * hd + c);
          ctx[i * D + h * hd + c] = s;
        }
      }
    }
    for (let t = 0; t < T; t++) for (let o = 0; o < D; o++) {
      let s = bo[o]!;
      for (let i = 0; i < D; i++) s += Wo[o * D + i]! * ctx[t * D + i]!;
      out[(b * T + t) * D + o] = s;
    }
  }
  return out;
}

test('MultiHeadAttention matches a float64 torch-style reference (with and without mask)', () => {
  const B = 2, T = 4, D = 6, H = 3;
  const mha = new MultiHeadAttention(D, H);
  // Non-zero biases so their placement is tested too.
  mha.qkv.bias!.unsafeView().set(randn([3 * D], { std: 0.3 }).toArray());
  mha.out.bias!.unsafeView().set(randn([D], { std: 0.3 }).toArray());
  const x = randn([B, T, D]);
  const xs = x.toFloat32Array();
  assert.ok(maxAbsDiff(noGrad(() => mha.forward(x)).toArray(), referenceMha(xs, B, T, D, H, mha)) < 1e-5);
  const maskRows = [[1, 1, 0, 0], [1, 1, 1, 1]];
  const got = noGrad(() => mha.forward(x, tensor(maskRows))).toArray();
  assert.ok(maxAbsDiff(got, referenceMha(xs, B, T, D, H, mha, maskRows)) < 1e-5);
});

test('attention mask blocks padded keys: changing padded inputs leaves real outputs unchanged', () => {
  const B = 2, T = 5, D = 8;
  const mha = new MultiHeadAttention(D, 2);
  const mask = tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
  const x1 = randn([B, T, D]);
  const xv = x1.toFloat32Array();
  for (let t = 3; t < 5; t++) for (let c = 0; c < D; c++) xv[t * D + c] = 100 * Math.sin(t * 7 + c); // batch 0, padded frames
  const x2 = tensor(xv, [B, T, D]);
  const r1 = mha.forwardWithWeights(x1, mask), r2 = mha.forwardWithWeights(x2, mask);
  const a = r1.output.toArray(), b = r2.output.toArray();
  assert.ok(maxAbsDiff(a.slice(0, 3 * D), b.slice(0, 3 * D)) < 1e-6, 'real frames of the padded item changed');
  assert.ok(maxAbsDiff(a.slice(T * D), b.slice(T * D)) < 1e-6, 'the other item changed');
  // Attention weights on padded keys are exactly zero, rows sum to one. int32 masks work too.
  const w = mha.forwardWithWeights(x1, tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], undefined, 'int32')).weights;
  assert.deepEqual(w.shape, [B, 2, T, T]);
  const wv = Array.from(w.toArray());
  for (let h = 0; h < 2; h++) for (let i = 0; i < T; i++) {
    const row = wv.slice((h * T + i) * T, (h * T + i + 1) * T);
    assert.equal(row[3], 0); assert.equal(row[4], 0);
    assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-5);
  }
});

test('FFTBlock: parameter layout, masked output, forward/backward reach every parameter', () => {
  const D = 16, F = 32;
  const block = new FFTBlock(D, 2, F, { kernels: [9, 1], dropout: 0.1 });
  assert.deepEqual(shapes(block), {
    'attn.qkv.weight': [3 * D, D], 'attn.qkv.bias': [3 * D], 'attn.out.weight': [D, D], 'attn.out.bias': [D],
    'attnNorm.weight': [D], 'attnNorm.bias': [D],
    'conv1.weight': [F, D, 9], 'conv1.bias': [F], 'conv2.weight': [D, F, 1], 'conv2.bias': [D],
    'ffnNorm.weight': [D], 'ffnNorm.bias': [D],
  });
  assert.equal(block.parameterCount(), 4 * D * D + 4 * D + 4 * D + F * D * 9 + F + D * F + D);
  const x = randn([2, 7, D]);
  const mask = tensor([[1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1, 1]]);
  const y = block.forward(x, mask);
  assert.deepEqual(y.shape, [2, 7, D]);
  const yv = y.toArray();
  assert.ok(yv.slice(5 * D, 7 * D).every((v) => v === 0), 'padded frames must be zero');
  backward(sum(mul(y, y)));
  for (const [name, p] of block.namedParameters()) {
    assert.ok(p.grad, `${name} has no gradient`);
    assert.ok(p.grad.toArray().some((v) => v !== 0), `${name} gradient is all zero`);
    assert.ok(p.grad.toArray().every(Number.isFinite), `${name} gradient is not finite`);
  }
  block.eval();
  const e1 = block.forward(x, mask).toArray(), e2 = block.forward(x, mask).toArray();
  assert.deepEqual(e1, e2, 'eval mode is deterministic');
});

test('ConvNeXtBlock: Vocos layout [B, C, T], layer scale, forward/backward', () => {
  const C = 8, I = 24;
  const block = new ConvNeXtBlock(C, I, { layerScaleInit: 1 / 4 });
  assert.deepEqual(shapes(block), {
    'dwconv.weight': [C, 1, 7], 'dwconv.bias': [C], 'norm.weight': [C], 'norm.bias': [C],
    'pwconv1.weight': [I, C], 'pwconv1.bias': [I], 'pwconv2.weight': [C, I], 'pwconv2.bias': [C], gamma: [C],
  });
  assert.ok(block.gamma!.toArray().every((v) => v === 0.25));
  assert.equal(new ConvNeXtBlock(C, I).gamma!.toArray()[0], Math.fround(1e-6));
  assert.equal(new ConvNeXtBlock(C, I, { layerScaleInit: null }).gamma, null);
  const x = randn([2, C, 12]);
  const y = block.forward(x);
  assert.deepEqual(y.shape, [2, C, 12]);
  backward(sum(mul(y, y)));
  for (const [name, p] of block.namedParameters()) {
    assert.ok(p.grad && p.grad.toArray().some((v) => v !== 0), `${name} has no gradient`);
  }
  // With a mask, padded frames of the output are zero.
  const ym = noGrad(() => block.forward(x, tensor([[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0], Array(12).fill(1)]))).toNested() as number[][][];
  for (let c = 0; c < C; c++) { assert.equal(ym[0]![c]![10], 0); assert.equal(ym[0]![c]![11], 0); }
});

test('Module train()/eval() reaches nested dropout; stateDict round trip', () => {
  const a = new FFTBlock(8, 2, 16);
  a.eval();
  assert.equal(a.dropout.training, false);
  assert.equal(a.attn.training, false);
  const b = new FFTBlock(8, 2, 16);
  b.loadStateDict(a.stateDict());
  for (const [name, p] of a.namedParameters()) assert.deepEqual(b.stateDict().get(name)!.toArray(), p.toArray());
});
