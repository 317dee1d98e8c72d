// Optimizers vs torch trajectories, gradient scaling/accumulation/clipping, schedules, EMA, state dicts.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  initEngine, manualSeed, tensor, tidy, backward, mseLoss,
  Linear, AdamW, SGD, EMA, GradientAccumulator, clipGradNorm, gradNorm, clipFactor,
  constantSchedule, linearWarmupSchedule, noamSchedule, warmupCosineSchedule, exponentialSchedule,
  optimizerStateToFlat, optimizerStateFromFlat, encodeSafetensors, decodeSafetensors, tensorsFromRaw,
  type Optimizer, type Tensor,
} from '../../src/engine/index.js';

before(async () => {
  await initEngine({ threads: 2 });
  manualSeed(42);
});

interface OptimCase { kind: 'adamw' | 'sgd'; options: Record<string, number | boolean | number[]>; params: number[][] }
const reference = JSON.parse(readFileSync('fixtures/engine/optim-reference.json', 'utf8')) as {
  p0: number[]; grads: number[][]; cases: Record<string, OptimCase>;
};

function makeOptimizer(c: OptimCase, p: Tensor): Optimizer {
  const o = c.options;
  if (c.kind === 'adamw') {
    return new AdamW([['p', p]], {
      lr: o.lr as number | undefined, weightDecay: o.weight_decay as number | undefined, eps: o.eps as number | undefined,
      betas: o.betas ? [(o.betas as number[])[0]!, (o.betas as number[])[1]!] : undefined,
    });
  }
  return new SGD([['p', p]], {
    lr: o.lr as number, momentum: o.momentum as number | undefined, dampening: o.dampening as number | undefined,
    nesterov: o.nesterov as boolean | undefined, weightDecay: o.weight_decay as number | undefined,
  });
}

function setGrad(p: Tensor, values: readonly number[]): void {
  if (!p.grad) p.grad = tensor(values, [values.length], 'float32', true);
  else p.grad.unsafeView().set(values);
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < got.length; i++) {
    const err = Math.abs(got[i]! - want[i]!);
    assert.ok(err <= tol * Math.max(1, Math.abs(want[i]!)), `${what}[${i}]: got ${got[i]}, want ${want[i]} (err ${err})`);
  }
}

for (const [name, c] of Object.entries(reference.cases)) {
  test(`${name} matches torch.optim over ${reference.grads.length} steps (and gradScale folds in exactly)`, () => {
    for (const gradMultiplier of [1, 4]) {
      const p = tensor(reference.p0, [3], 'float32', true);
      p.requiresGrad = true;
      const opt = makeOptimizer(c, p);
      reference.grads.forEach((g, step) => {
        setGrad(p, g.map((v) => v * gradMultiplier));
        opt.step({ gradScale: 1 / gradMultiplier });
        assertClose(p.toArray(), c.params[step]!, 2e-6, `${name} ×${gradMultiplier} step ${step + 1}`);
      });
      assert.equal(opt.stepCount, reference.grads.length);
    }
  });
}

test('noDecay exempts parameters from weight decay; parameters without grad are skipped', () => {
  const a = tensor([1, 2], [2], 'float32', true), b = tensor([1, 2], [2], 'float32', true), c = tensor([5, 5], [2], 'float32', true);
  for (const t of [a, b, c]) t.requiresGrad = true;
  const withDecay = new AdamW([['w', a], ['bias', b], ['unused', c]], { lr: 0.1, weightDecay: 0.5, noDecay: (n) => n === 'bias' });
  const noDecayRef = tensor([1, 2], [2], 'float32', true);
  noDecayRef.requiresGrad = true;
  const plain = new AdamW([['x', noDecayRef]], { lr: 0.1, weightDecay: 0 });
  for (let i = 0; i < 3; i++) {
    setGrad(a, [0.3, -0.1]); setGrad(b, [0.3, -0.1]); setGrad(noDecayRef, [0.3, -0.1]);
    withDecay.step(); plain.step();
  }
  assert.deepEqual(b.toArray(), noDecayRef.toArray(), 'bias must not decay');
  assert.notDeepEqual(a.toArray(), noDecayRef.toArray(), 'weight must decay');
  assert.deepEqual(Array.from(c.toArray()), [5, 5], 'a parameter without grad is untouched');
  assert.deepEqual(withDecay.stateDict().paramSteps, { w: 3, bias: 3 });
});

test('clipGradNorm returns the pre-clip norm and scales gradients like torch', () => {
  const p1 = tensor([0, 0], [2], 'float32', true), p2 = tensor([0], [1], 'float32', true);
  setGrad(p1, [3, 0]); setGrad(p2, [4]);
  assert.ok(Math.abs(gradNorm([p1, p2]) - 5) < 1e-12);
  const norm = clipGradNorm([p1, p2], 1);
  assert.ok(Math.abs(norm - 5) < 1e-12);
  const f = 1 / (5 + 1e-6);
  assertClose(p1.grad!.toArray(), [3 * f, 0], 1e-7, 'p1.grad');
  assertClose(p2.grad!.toArray(), [4 * f], 1e-7, 'p2.grad');
  assert.ok(Math.abs(gradNorm([p1, p2]) - 1) < 1e-6);
  // Under the limit: untouched.
  setGrad(p1, [0.3, 0]); setGrad(p2, [0.4]);
  assert.ok(Math.abs(clipGradNorm([p1, p2], 1) - 0.5) < 1e-7);
  assertClose(p1.grad!.toArray(), [Math.fround(0.3), 0], 0, 'p1.grad unclipped');
  assert.equal(clipFactor(0.5, 1), 1);
  // Non-finite: reported, gradients untouched.
  setGrad(p2, [NaN]);
  assert.ok(Number.isNaN(clipGradNorm([p1, p2], 1)));
  assertClose(p1.grad!.toArray(), [Math.fround(0.3), 0], 0, 'p1.grad after NaN norm');
});

test('schedules: values at given steps', () => {
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
  const c = constantSchedule(0.1);
  close(c(1), 0.1); close(c(1e6), 0.1);
  const lw = linearWarmupSchedule({ peakLr: 1e-3, warmupSteps: 100 });
  close(lw(1), 1e-5); close(lw(50), 5e-4); close(lw(100), 1e-3); close(lw(1000), 1e-3);
  // FastSpeech 2: d_model 256, warm-up 4000, anneal ×0.3 after 300k/400k/500k.
  const noam = noamSchedule({ dModel: 256, warmupSteps: 4000, annealSteps: [300000, 400000, 500000], annealRate: 0.3 });
  close(noam(1), 256 ** -0.5 * 4000 ** -1.5);
  close(noam(4000), 256 ** -0.5 * 4000 ** -0.5);
  close(noam(16000), 256 ** -0.5 * 16000 ** -0.5);
  close(noam(300000), 256 ** -0.5 * 300000 ** -0.5);
  close(noam(300001), 0.3 * 256 ** -0.5 * 300001 ** -0.5);
  close(noam(450000), 0.09 * 256 ** -0.5 * 450000 ** -0.5);
  assert.ok(noam(3999) < noam(4000) && noam(4001) < noam(4000), 'peak at warm-up end');
  const cos = warmupCosineSchedule({ peakLr: 1e-3, warmupSteps: 10, totalSteps: 110, minLr: 1e-5 });
  close(cos(5), 5e-4); close(cos(10), 1e-3); close(cos(60), 1e-5 + (1e-3 - 1e-5) * 0.5); close(cos(110), 1e-5); close(cos(500), 1e-5);
  const ex = exponentialSchedule({ lr: 0.1, gamma: 0.5, every: 10 });
  close(ex(1), 0.1); close(ex(10), 0.1); close(ex(11), 0.05); close(ex(31), 0.0125);
});

test('an optimizer follows its schedule (lr(step), step 1-based)', () => {
  const p = tensor([0], [1], 'float32', true);
  p.requiresGrad = true;
  const opt = new SGD([['p', p]], { lr: (s) => s * 0.1 });
  setGrad(p, [1]);
  opt.step(); assert.equal(opt.lastLr, 0.1);
  opt.step(); assert.ok(Math.abs(opt.lastLr - 0.2) < 1e-15);
  assert.ok(Math.abs(p.toArray()[0]! - -0.3) < 1e-6);
});

test('EMA: update, warm-up decay, swapIn/swapOut, copyTo, state dict', () => {
  const model = new Linear(2, 1);
  model.weight.unsafeView().set([1, 2]);
  model.bias!.unsafeView().set([0]);
  const ema = new EMA(model, { decay: 0.5 });
  model.weight.unsafeView().set([3, 4]);
  ema.update();
  assert.deepEqual(Array.from(ema.shadows().get('weight')!.toArray()), [2, 3]);
  model.weight.unsafeView().set([4, 5]);
  ema.update();
  assert.deepEqual(Array.from(ema.shadows().get('weight')!.toArray()), [3, 4]);
  ema.swapIn();
  assert.deepEqual(Array.from(model.weight.toArray()), [3, 4]);
  assert.throws(() => ema.update(), /swapOut/);
  ema.swapOut();
  assert.deepEqual(Array.from(model.weight.toArray()), [4, 5]);
  const copy = new Linear(2, 1);
  ema.copyTo(copy);
  assert.deepEqual(Array.from(copy.weight.toArray()), [3, 4]);
  const restored = new EMA(model, { decay: 0.5 });
  restored.loadStateDict(ema.stateDict());
  assert.equal(restored.updates, 2);
  assert.deepEqual(Array.from(restored.shadows().get('weight')!.toArray()), [3, 4]);
  const warm = new EMA(model, { decay: 0.999, warmup: true });
  assert.equal(warm.currentDecay(), 0.1);
  warm.update();
  assert.equal(warm.currentDecay(), 2 / 11);
});

/** A fixed regression batch: 4 samples, 3 features → 2 outputs. */
const X = [[0.5, -1, 2], [1, 0.25, -0.5], [-1.5, 0.5, 0.5], [0.2, 0.3, -0.7]];
const Y = [[1, 0], [0, 1], [0.5, -0.5], [-1, 1]];

function twinModels(): [Linear, Linear] {
  const a = new Linear(3, 2), b = new Linear(3, 2);
  b.loadStateDict(a.stateDict());
  return [a, b];
}

for (const kind of ['sgd', 'adamw'] as const) {
  test(`gradient accumulation (${kind}): 2 micro-batches of 2 == 1 batch of 4 (within 1e-5), with clipping`, () => {
    const [full, micro] = twinModels();
    const mk = (m: Linear): Optimizer => (kind === 'sgd' ? new SGD(m, { lr: 0.1, momentum: 0.9 }) : new AdamW(m, { lr: 0.05 }));
    const optFull = mk(full), optMicro = mk(micro);
    const acc = new GradientAccumulator(optMicro, 2, { maxGradNorm: 0.5 });
    for (let step = 0; step < 3; step++) {
      tidy(() => {
        optFull.zeroGrad();
        backward(mseLoss(full.forward(tensor(X)), tensor(Y)));
        clipGradNorm(full, 0.5);
        optFull.step();
      });
      for (const half of [0, 2]) {
        const r = tidy(() => acc.backward(mseLoss(micro.forward(tensor(X.slice(half, half + 2))), tensor(Y.slice(half, half + 2)))));
        assert.equal(r.stepped, half === 2);
      }
    }
    for (const [name, p] of full.namedParameters()) assertClose(micro.stateDict().get(name)!.toArray(), p.toArray(), 1e-5, name);
  });
}

test('optimizer state dict round trip through safetensors resumes identically', () => {
  for (const kind of ['adamw', 'sgd'] as const) {
    const [a, b] = twinModels();
    const mk = (m: Linear): Optimizer => (kind === 'sgd' ? new SGD(m, { lr: 0.05, momentum: 0.9, nesterov: true }) : new AdamW(m, { lr: 0.01 }));
    const optA = mk(a);
    const trainStep = (m: Linear, o: Optimizer): void => tidy(() => {
      o.zeroGrad();
      backward(mseLoss(m.forward(tensor(X)), tensor(Y)));
      o.step();
    });
    trainStep(a, optA); trainStep(a, optA);
    // Checkpoint model + optimizer into one safetensors blob, restore into fresh objects.
    const flat = optimizerStateToFlat(optA.stateDict());
    const all = new Map([...a.stateDict(), ...flat.tensors]);
    const decoded = decodeSafetensors(encodeSafetensors(all, flat.metadata));
    const tensors = tensorsFromRaw(decoded.tensors);
    b.loadStateDict(new Map([...tensors].filter(([k]) => !k.startsWith('optimizer.'))));
    const optB = mk(b);
    optB.loadStateDict(optimizerStateFromFlat(tensors, decoded.metadata));
    assert.equal(optB.stepCount, 2);
    for (let i = 0; i < 3; i++) { trainStep(a, optA); trainStep(b, optB); }
    for (const [name, p] of a.namedParameters()) assert.deepEqual(b.stateDict().get(name)!.toArray(), p.toArray(), `${kind} ${name}`);
    assert.throws(() => optB.loadStateDict({ ...optA.stateDict(), kind: 'other' }), /saved by "other"/);
    const bad = optA.stateDict();
    bad.tensors.set('nope.exp_avg', bad.tensors.values().next().value!);
    assert.throws(() => optB.loadStateDict(bad), /"nope.exp_avg" belongs to no parameter/);
  }
});
