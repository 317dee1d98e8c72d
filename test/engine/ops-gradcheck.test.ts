// Central finite-difference gradient checks (float32) for every differentiable engine op.
// Inputs are small, seeded, and kept away from non-differentiable points (|x| away from 0 for
// abs/relu, away from clamp bounds, distinct values for max/min/maximum, positive for log/sqrt/pow).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../src/engine/index.js';
import type { Tensor } from '../../src/engine/index.js';
import { Rng, gradcheck, formatGradcheck, input, intInput, type GradcheckInput, type GradcheckOptions } from './gradcheck.js';

const rng = new Rng(0x5eed1);
const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const randn = (shape: number[], scale = 1): GradcheckInput => input(shape, Array.from({ length: size(shape) }, () => rng.normal() * scale));
const uniform = (shape: number[], lo: number, hi: number): GradcheckInput => input(shape, Array.from({ length: size(shape) }, () => rng.uniform(lo, hi)));
/** lo ≤ |x| ≤ hi with random sign. */
const awayFromZero = (shape: number[], lo = 0.1, hi = 1.5): GradcheckInput =>
  input(shape, Array.from({ length: size(shape) }, () => rng.uniform(lo, hi) * (rng.next() < 0.5 ? -1 : 1)));
/** Distinct values (spacing ≥ 0.1, shuffled): no ties within any eps used here. */
function distinct(shape: number[]): GradcheckInput {
  const n = size(shape);
  const v = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.1 + rng.uniform(0, 0.02));
  for (let i = n - 1; i > 0; i--) { const j = rng.int(0, i + 1); [v[i], v[j]] = [v[j]!, v[i]!]; }
  return input(shape, v);
}
/** 0/1 float mask (not differentiated). */
const mask01 = (shape: number[], pOne = 0.5): GradcheckInput => input(shape, Array.from({ length: size(shape) }, () => (rng.next() < pOne ? 1 : 0)), false);
const constant = (x: GradcheckInput): GradcheckInput => ({ ...x, requiresGrad: false });

interface Case {
  name: string;
  fn: (...xs: Tensor[]) => Tensor | Tensor[];
  inputs: GradcheckInput[];
  opts?: GradcheckOptions;
}

const cases: Case[] = [];
const add = (name: string, fn: Case['fn'], inputs: GradcheckInput[], opts?: GradcheckOptions): void => { cases.push({ name, fn, inputs, ...(opts ? { opts } : {}) }); };

// ---- elementwise, binary (with broadcasting) ----
for (const [name, op] of [['add', E.add], ['sub', E.sub], ['mul', E.mul]] as const) {
  add(`${name} same shape`, (a, b) => op(a!, b!), [randn([3, 4]), randn([3, 4])]);
  add(`${name} broadcast [2,1,4] by [3,1]`, (a, b) => op(a!, b!), [randn([2, 1, 4]), randn([3, 1])]);
  add(`${name} tensor and scalar`, (a) => op(a!, 0.7), [randn([2, 3])]);
}
add('div same shape', (a, b) => E.div(a!, b!), [randn([3, 4]), awayFromZero([3, 4], 0.5, 2)]);
add('div broadcast [2,3,4] by [4]', (a, b) => E.div(a!, b!), [randn([2, 3, 4]), awayFromZero([4], 0.5, 2)]);
add('div scalar by tensor', (b) => E.div(1.5, b!), [awayFromZero([2, 3], 0.5, 2)]);
add('pow tensor exponent, broadcast', (a, b) => E.pow(a!, b!), [uniform([3, 4], 0.5, 2), uniform([4], -2, 2)]);
for (const e of [2, 3, 0.5, -1.5]) add(`pow scalar exponent ${e}`, (a) => E.pow(a!, e), [uniform([3, 4], 0.5, 2)]);
{
  const a = distinct([3, 4]);
  const b = input([3, 4], Array.from(a.data, (v) => v + (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.1, 0.5)));
  add('maximum (no ties)', (x, y) => E.maximum(x!, y!), [a, b]);
  add('minimum (no ties)', (x, y) => E.minimum(x!, y!), [a, b]);
  add('maximum broadcast [3,4] by [4]', (x, y) => E.maximum(x!, y!), [a, input([4], [0.05, -0.13, 0.27, -0.31])]);
}

// ---- elementwise, unary ----
const unary: [string, (x: Tensor) => Tensor, () => GradcheckInput, GradcheckOptions?][] = [
  ['neg', E.neg, () => randn([3, 4])],
  ['exp', E.exp, () => randn([3, 4])],
  ['log', E.log, () => uniform([3, 4], 0.2, 4)],
  ['sqrt', E.sqrt, () => uniform([3, 4], 0.2, 4)],
  ['rsqrt', E.rsqrt, () => uniform([3, 4], 0.3, 4)],
  ['abs', E.abs, () => awayFromZero([3, 4])],
  ['square', E.square, () => randn([3, 4])],
  ['reciprocal', E.reciprocal, () => awayFromZero([3, 4], 0.4, 3)],
  ['relu', E.relu, () => awayFromZero([3, 4])],
  ['gelu', E.gelu, () => randn([3, 4], 2)],
  ['geluTanh', E.geluTanh, () => randn([3, 4], 2)],
  ['silu', E.silu, () => randn([3, 4], 2)],
  ['tanh', E.tanh, () => randn([3, 4], 1.5)],
  ['sigmoid', E.sigmoid, () => randn([3, 4], 3)],
  ['softplus', E.softplus, () => input([12], [-25, -8, -3, -1, -0.2, 0.1, 0.9, 2.5, 6, 15, 22, 28])],
  ['sin', E.sin, () => randn([3, 4], 3)],
  ['cos', E.cos, () => randn([3, 4], 3)],
  ['log1p', E.log1p, () => uniform([3, 4], -0.8, 4)],
  ['expm1', E.expm1, () => randn([3, 4])],
];
for (const [name, op, make, opts] of unary) add(name, (x) => op(x!), [make()], opts);
add('leakyRelu slope 0.2', (x) => E.leakyRelu(x!, 0.2), [awayFromZero([3, 4])]);
add('leakyRelu default slope', (x) => E.leakyRelu(x!), [awayFromZero([3, 4])]);
{
  // Values at least 0.05 from the bounds -0.5 and 0.7; eps 1e-2 never crosses one.
  const raw = Array.from({ length: 16 }, () => rng.uniform(-2, 2)).map((v) => (Math.abs(v + 0.5) < 0.05 || Math.abs(v - 0.7) < 0.05 ? v + 0.1 : v));
  add('clamp [-0.5, 0.7]', (x) => E.clamp(x!, -0.5, 0.7), [input([4, 4], raw)]);
  add('clamp lo only', (x) => E.clamp(x!, -0.5), [input([4, 4], raw)]);
}
add('affine', (x) => E.affine(x!, -1.5, 0.25), [randn([3, 4])]);
add('where broadcast', (c, a, b) => E.where(c!, a!, b!), [mask01([3, 1]), randn([4]), randn([3, 4])]);
add('where scalar branch', (c, a) => E.where(c!, a!, -2), [mask01([3, 4]), randn([3, 4])]);
add('maskedFill', (x, m) => E.maskedFill(x!, m!, -1e4), [randn([2, 3, 4]), mask01([2, 1, 4], 0.4)]);

// ---- reductions ----
for (const [name, op] of [['sum', E.sum], ['mean', E.mean]] as const) {
  add(`${name} all`, (x) => op(x!), [randn([3, 4, 2])]);
  add(`${name} axis 1 keepDim`, (x) => op(x!, 1, { keepDim: true }), [randn([3, 4, 2])]);
  add(`${name} axes [0,2]`, (x) => op(x!, [0, 2]), [randn([3, 4, 2])]);
}
for (const [name, op] of [['max', E.max], ['min', E.min]] as const) {
  add(`${name} all`, (x) => op(x!), [distinct([3, 4, 2])]);
  add(`${name} axis -1`, (x) => op(x!, -1), [distinct([3, 4, 2])]);
  add(`${name} axes [0,2] keepDim`, (x) => op(x!, [0, 2], { keepDim: true }), [distinct([3, 4, 2])]);
}
add('variance all (unbiased)', (x) => E.variance(x!), [randn([3, 4])]);
add('variance axis 1 biased keepDim', (x) => E.variance(x!, 1, { correction: 0, keepDim: true }), [randn([3, 5])]);
add('cumsum axis 0', (x) => E.cumsum(x!, 0), [randn([4, 3])]);
add('cumsum axis -1', (x) => E.cumsum(x!, -1), [randn([2, 3, 4])]);

// ---- shape ----
add('reshape', (x) => E.reshape(x!, [4, -1]), [randn([2, 3, 4])]);
add('reshape of a transposed view', (x) => E.reshape(E.transpose(x!, 0, 1), [12]), [randn([3, 4])]);
add('permute', (x) => E.permute(x!, [2, 0, 1]), [randn([2, 3, 4])]);
add('transpose', (x) => E.transpose(x!, 0, 2), [randn([2, 3, 4])]);
add('slice with step', (x) => E.slice(x!, -1, 1, 6, 2), [randn([3, 7])]);
add('slice negative start', (x) => E.slice(x!, 0, -2), [randn([4, 3])]);
add('expand', (x) => E.expand(x!, [2, 3, 4]), [randn([3, 1])]);
add('squeeze', (x) => E.squeeze(x!, 1), [randn([2, 1, 3])]);
add('unsqueeze', (x) => E.unsqueeze(x!, -1), [randn([2, 3])]);
add('concat axis 1', (a, b, c) => E.concat([a!, b!, c!], 1), [randn([2, 1, 3]), randn([2, 2, 3]), randn([2, 3, 3])]);
add('split sizes', (x) => E.split(x!, [1, 3, 2], 1), [randn([2, 6])]);
add('split equal pieces', (x) => E.split(x!, 2, 0), [randn([4, 3])]);
add('pad two dims with value', (x) => E.pad(x!, [1, 2, 0, 1], 0.5), [randn([2, 3, 2])]);

// ---- matmul / linear ----
add('matmul', (a, b) => E.matmul(a!, b!), [randn([3, 4]), randn([4, 5])]);
add('matmul transA', (a, b) => E.matmul(a!, b!, { transA: true }), [randn([4, 3]), randn([4, 5])]);
add('matmul transB', (a, b) => E.matmul(a!, b!, { transB: true }), [randn([3, 4]), randn([5, 4])]);
add('matmul transA transB', (a, b) => E.matmul(a!, b!, { transA: true, transB: true }), [randn([4, 3]), randn([5, 4])]);
add('matmul batched with shared b', (a, b) => E.matmul(a!, b!), [randn([2, 3, 4]), randn([4, 2])]);
add('matmul broadcast batch [2,1,2,3]x[3,3,2]', (a, b) => E.matmul(a!, b!), [randn([2, 1, 2, 3]), randn([3, 3, 2])]);
add('matmul alpha (scale folded into the GEMM)', (a, b) => E.matmul(a!, b!, { transB: true, alpha: -0.37 }), [randn([3, 4]), randn([5, 4])]);
add('matmul stored in layout [0, 2, 1, 3] (heads written as [B, T, H, hd])', (a, b) => E.matmul(a!, b!, { layout: [0, 2, 1, 3] }), [randn([1, 2, 3, 4]), randn([1, 2, 4, 5])]);
add('matmul of permuted views (attention scores)', (q, k) => E.matmul(E.permute(q!, [0, 2, 1, 3]), E.permute(k!, [0, 2, 1, 3]), { transB: true }),
  [randn([1, 3, 2, 4]), randn([1, 3, 2, 4])]);
add('linear with bias', (x, w, b) => E.linear(x!, w!, b!), [randn([2, 3, 4]), randn([5, 4]), randn([5])]);

// ---- conv ----
const conv: [string, number[], number[], E.Conv1dOptions, boolean][] = [
  // label, x shape, weight shape, options, bias
  ['conv1d basic', [2, 3, 7], [4, 3, 3], {}, true],
  ['conv1d stride 2 padding 2', [1, 2, 9], [3, 2, 5], { stride: 2, padding: 2 }, false],
  ['conv1d dilation 2', [1, 2, 8], [2, 2, 3], { dilation: 2, padding: 2 }, true],
  ['conv1d groups 2', [2, 4, 6], [4, 2, 3], { groups: 2, padding: 1 }, true],
  ['conv1d depthwise', [1, 3, 7], [3, 1, 3], { groups: 3, padding: 1, stride: 2 }, false],
  ['conv1d 1x1', [2, 3, 5], [2, 3, 1], {}, true],
];
for (const [name, xs, ws, opts, bias] of conv) {
  add(name, (x, w, b) => E.conv1d(x!, w!, b ?? null, opts), [randn(xs), randn(ws, 0.5), ...(bias ? [randn([ws[0]!])] : [])]);
}
const tconv: [string, number[], number[], E.ConvTranspose1dOptions, boolean][] = [
  ['convTranspose1d basic', [2, 3, 4], [3, 2, 3], {}, true],
  ['convTranspose1d stride 2 outputPadding 1', [1, 2, 4], [2, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }, false],
  ['convTranspose1d dilation 2', [1, 2, 4], [2, 2, 3], { dilation: 2, padding: 1 }, true],
  ['convTranspose1d groups 2', [1, 4, 4], [4, 2, 3], { groups: 2, stride: 2 }, true],
  ['convTranspose1d 1x1', [2, 3, 4], [3, 2, 1], {}, false],
];
for (const [name, xs, ws, opts, bias] of tconv) {
  const cout = ws[1]! * (opts.groups ?? 1);
  add(name, (x, w, b) => E.convTranspose1d(x!, w!, b ?? null, opts), [randn(xs), randn(ws, 0.5), ...(bias ? [randn([cout])] : [])]);
}

// ---- indexing ----
add('embedding (repeated ids)', (ids, w) => E.embedding(ids!, w!), [intInput([2, 3], [1, 3, 1, 0, 3, 3]), randn([4, 3])]);
add('indexSelect axis 1 (duplicates)', (x, idx) => E.indexSelect(x!, 1, idx!), [randn([2, 4, 3]), intInput([4], [3, 0, 3, 1])]);
add('scatterAdd axis 0 (duplicates)', (base, idx, src) => E.scatterAdd(base!, 0, idx!, src!), [randn([4, 3]), intInput([3], [1, 3, 1]), randn([3, 3])]);
add('repeatByLengths', (x, d) => E.repeatByLengths(x!, d!), [randn([2, 3, 2]), intInput([2, 3], [2, 0, 3, 1, 1, 1])]);
add('repeatByLengths truncated', (x, d) => E.repeatByLengths(x!, d!, 3), [randn([2, 3, 2]), intInput([2, 3], [2, 0, 3, 1, 1, 1])]);

// ---- nn ----
add('softmax last axis', (x) => E.softmax(x!), [randn([3, 5], 2)]);
add('softmax axis 0', (x) => E.softmax(x!, 0), [randn([3, 4], 2)]);
add('logSoftmax last axis', (x) => E.logSoftmax(x!), [randn([3, 5], 2)]);
add('logSoftmax axis 1 of 3-D', (x) => E.logSoftmax(x!, 1), [randn([2, 3, 4], 2)]);
add('logSumExp axis -1', (x) => E.logSumExp(x!, -1), [randn([3, 5], 2)]);
add('logSumExp axis 0 keepDim', (x) => E.logSumExp(x!, 0, true), [randn([3, 4], 2)]);
add('layerNorm with gamma, beta', (x, g, b) => E.layerNorm(x!, g!, b!), [randn([3, 6]), uniform([6], 0.5, 1.5), randn([6])], { eps: 1e-2, atol: 3e-3 });
add('layerNorm no affine', (x) => E.layerNorm(x!, null, null), [randn([2, 2, 5])], { eps: 1e-2, atol: 3e-3 });
// The mask is fixed by reseeding inside fn, so dropout is a fixed linear map of x.
add('dropout p=0.3 (fixed seed)', (x) => { E.manualSeed(99); return E.dropout(x!, 0.3, true); }, [randn([4, 6])]);

// ---- losses ----
{
  const pred = randn([3, 4]);
  const target = input([3, 4], Array.from(pred.data, (v) => v + (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.1, 1)));
  const frameMask = input([3, 1], [1, 1, 0], false);
  add('l1Loss mean', (p, t) => E.l1Loss(p!, t!), [pred, target]);
  add('l1Loss masked mean', (p, t, m) => E.l1Loss(p!, t!, { mask: m! }), [pred, target, frameMask]);
  add('mseLoss sum', (p, t) => E.mseLoss(p!, t!, { reduction: 'sum' }), [pred, target]);
  add('mseLoss masked mean', (p, t, m) => E.mseLoss(p!, t!, { mask: m! }), [pred, target, frameMask]);
  add('mseLoss none', (p, t) => E.mseLoss(p!, t!, { reduction: 'none' }), [pred, target]);
}
add('crossEntropy mean', (l, t) => E.crossEntropy(l!, t!), [randn([4, 5], 2), intInput([4], [0, 4, 2, 2])]);
add('crossEntropy none, masked', (l, t, m) => E.crossEntropy(l!, t!, { reduction: 'none', mask: m! }), [randn([4, 3]), intInput([4], [1, 0, 2, 1]), input([4], [1, 0, 1, 1], false)]);
add('bceWithLogits mean', (l, t) => E.bceWithLogits(l!, t!), [randn([3, 4], 3), uniform([3, 4], 0, 1)]);
add('bceWithLogits sum, hard targets fixed', (l, t) => E.bceWithLogits(l!, t!, { reduction: 'sum' }), [randn([3, 4], 3), constant(mask01([3, 4]))]);

before(async () => { await E.initEngine(); });
after(async () => { await E.shutdownEngine(); });

test('the gradient check can fail (a wrong backward is caught)', () => {
  // relu's gradient applied to a function that is not relu: |x|. The check must report it.
  const wrong = (x: Tensor): Tensor => {
    const y = E.abs(x);
    const fake = E.relu(x);
    // Forward values of abs, gradient of relu: abs(x) = relu(x) + (abs(x) - relu(x)) with the second term detached.
    return E.add(fake, E.sub(y, fake).detach());
  };
  const r = gradcheck((x) => wrong(x!), [input([8], [-1.2, -0.7, -0.3, -0.15, 0.2, 0.4, 0.9, 1.3])]);
  assert.equal(r.ok, false, 'a detached term must make the gradient check fail');
  assert.ok(r.failures.length > 0 && r.maxRatio > 1);
});

/** Core bugs this suite finds (details in docs/engine-ops.md); remove an entry once fixed. */
const KNOWN_CORE_BUGS: [RegExp, string][] = [
  // (none open: scatterAdd, repeatByLengths and layerNorm failed here until their kernel calls were fixed)
];

for (const c of cases) {
  const todo = KNOWN_CORE_BUGS.find(([re]) => re.test(c.name))?.[1];
  test(`gradcheck ${c.name}`, todo ? { todo } : {}, () => {
    const r = gradcheck(c.fn, c.inputs, c.opts);
    assert.ok(r.checked > 0, `${c.name}: nothing was checked`);
    assert.ok(r.ok, formatGradcheck(c.name, r));
  });
}
