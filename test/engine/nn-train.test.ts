// End-to-end learning with the nn modules + optimizers, and memory flatness of a tidy training loop.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  initEngine, engine, manualSeed, tensor, tidy, backward, noGrad, tanh, mseLoss, crossEntropy, reshape, add, argmax,
  Module, Linear, Embedding, FFTBlock, AdamW, noDecayBiasAndNorm,
} from '../../src/engine/index.js';
import type { Tensor } from '../../src/engine/index.js';

before(async () => {
  await initEngine({ threads: 2 });
});

class MLP extends Module {
  readonly l1: Linear;
  readonly l2: Linear;
  constructor(hidden: number) {
    super();
    this.l1 = this.module('l1', new Linear(2, hidden));
    this.l2 = this.module('l2', new Linear(hidden, 1));
  }
  forward(x: Tensor): Tensor { return this.l2.forward(tanh(this.l1.forward(x))); }
}

test('a small MLP learns XOR to MSE < 1e-3 in 300 AdamW steps', () => {
  manualSeed(7);
  const mlp = new MLP(16);
  const opt = new AdamW(mlp, { lr: 0.03, weightDecay: 0 });
  const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]], undefined, undefined, true);
  const y = tensor([[0], [1], [1], [0]], undefined, undefined, true);
  let loss = Infinity;
  for (let step = 0; step < 300; step++) {
    loss = tidy(() => {
      opt.zeroGrad();
      const l = mseLoss(mlp.forward(x), y);
      backward(l);
      opt.step();
      return l.item();
    });
  }
  assert.ok(loss < 1e-3, `final XOR loss ${loss}`);
});

/** Token embedding + learned positions → FFT blocks → vocabulary logits. */
class TinyTransformer extends Module {
  readonly tok: Embedding;
  readonly pos: Embedding;
  readonly blocks: FFTBlock[];
  readonly head: Linear;
  constructor(readonly vocab: number, readonly maxLen: number, dim: number, layers: number) {
    super();
    this.tok = this.module('tok', new Embedding(vocab, dim, { initStd: 0.3 }));
    this.pos = this.module('pos', new Embedding(maxLen, dim, { initStd: 0.3 }));
    this.blocks = this.moduleList('blocks', Array.from({ length: layers }, () => new FFTBlock(dim, 2, 2 * dim, { kernels: [3, 1], dropout: 0 })));
    this.head = this.module('head', new Linear(dim, vocab));
  }
  forward(ids: Tensor, positions: Tensor): Tensor {
    let h = add(this.tok.forward(ids), this.pos.forward(positions));
    for (const b of this.blocks) h = b.forward(h);
    return this.head.forward(h);
  }
}

/** Deterministic batch of random sequences and their reversals. */
function reverseBatch(rng: () => number, B: number, T: number, V: number): { ids: Int32Array; targets: Int32Array } {
  const ids = new Int32Array(B * T), targets = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) ids[b * T + t] = Math.floor(rng() * V);
    for (let t = 0; t < T; t++) targets[b * T + t] = ids[b * T + (T - 1 - t)]!;
  }
  return { ids, targets };
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

function trainStep(model: TinyTransformer, opt: AdamW, rng: () => number, B: number, T: number): number {
  return tidy(() => {
    const { ids, targets } = reverseBatch(rng, B, T, model.vocab);
    const positions = tensor(Int32Array.from({ length: B * T }, (_, i) => i % T), [B, T]);
    opt.zeroGrad();
    const logits = model.forward(tensor(ids, [B, T]), positions);
    const l = crossEntropy(reshape(logits, [B * T, model.vocab]), tensor(targets, [B * T]));
    backward(l);
    opt.step();
    return l.item();
  });
}

test('a tiny Transformer (2 FFT blocks) learns to reverse 6-token sequences: ≥ 95% token accuracy in 300 steps', () => {
  manualSeed(11);
  const V = 8, T = 6, B = 32;
  const model = new TinyTransformer(V, T, 32, 2);
  const opt = new AdamW(model, { lr: 3e-3, weightDecay: 0.01, noDecay: noDecayBiasAndNorm });
  const rng = lcg(99);
  const t0 = Date.now();
  let loss = Infinity;
  for (let step = 0; step < 300; step++) loss = trainStep(model, opt, rng, B, T);
  model.eval();
  const { ids, targets } = reverseBatch(lcg(12345), 64, T, V);
  const predicted = noGrad(() => tidy(() => {
    const positions = tensor(Int32Array.from({ length: 64 * T }, (_, i) => i % T), [64, T]);
    return argmax(model.forward(tensor(ids, [64, T]), positions), -1);
  })).toArray();
  let correct = 0;
  for (let i = 0; i < targets.length; i++) if (predicted[i] === targets[i]) correct++;
  const acc = correct / targets.length;
  if (process.env.CLIP_TTS_VERBOSE) console.log(`reverse accuracy ${acc}, loss ${loss}, ${Date.now() - t0} ms`);
  assert.ok(acc >= 0.95, `reverse accuracy ${acc.toFixed(3)} (final train loss ${loss.toFixed(4)}, ${Date.now() - t0} ms)`);
});

test('memory is flat over 200 tidy training steps; without tidy it grows', () => {
  manualSeed(5);
  const V = 8, T = 6, B = 8;
  const model = new TinyTransformer(V, T, 16, 1);
  const opt = new AdamW(model, { lr: 1e-3 });
  const rng = lcg(3);
  const mem = engine().mem;
  let at20 = { highWater: 0, heap: 0 };
  for (let step = 1; step <= 200; step++) {
    trainStep(model, opt, rng, B, T);
    if (step === 20) at20 = { highWater: mem.highWater, heap: mem.heapBytesInUse };
  }
  assert.deepEqual({ highWater: mem.highWater, heap: mem.heapBytesInUse }, at20, 'memory moved between step 20 and step 200');

  // Counter-example: the same step outside tidy leaves every temporary on the heap.
  const before = mem.heapBytesInUse;
  for (let step = 0; step < 5; step++) {
    const { ids, targets } = reverseBatch(rng, B, T, V);
    const positions = tensor(Int32Array.from({ length: B * T }, (_, i) => i % T), [B, T]);
    opt.zeroGrad();
    const l = crossEntropy(reshape(model.forward(tensor(ids, [B, T]), positions), [B * T, V]), tensor(targets, [B * T]));
    backward(l);
    opt.step();
  }
  assert.ok(mem.heapBytesInUse > before, `heap did not grow without tidy (${before} → ${mem.heapBytesInUse})`);
});
