import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, assertAllClose, randomArray } from './kernels-harness.js';
import { ReduceOp, type ReduceOpCode, UnaryOp } from '../../src/engine/kernels/opcodes.js';
import { reduce, argmax, argmin, cumsum, topk, dot, sumsq } from '../../src/engine/kernels/reduce.js';
import {
  softmax, softmaxBwd, logSoftmax, logSoftmaxBwd, logsumexp, layerNorm, layerNormBwd, layerNormBwdScratchBytes,
  gatherRows, scatterAddRows, repeatRows, repeatRowsBwd, dropout,
} from '../../src/engine/kernels/nn.js';
import { adamw, sgdMomentum, ema } from '../../src/engine/kernels/optim.js';
import { randUniform, randNormal } from '../../src/engine/kernels/random.js';
import { unary } from '../../src/engine/kernels/elementwise.js';

function reduceRef(op: ReduceOpCode, v: number[]): number {
  switch (op) {
    case ReduceOp.SUM: return v.reduce((s, x) => s + x, 0);
    case ReduceOp.MEAN: return v.reduce((s, x) => s + x, 0) / v.length;
    case ReduceOp.MAX: return v.some(Number.isNaN) ? NaN : Math.max(...v);
    case ReduceOp.MIN: return v.some(Number.isNaN) ? NaN : Math.min(...v);
    case ReduceOp.SUMSQ: return v.reduce((s, x) => s + x * x, 0);
    case ReduceOp.PROD: return v.reduce((s, x) => s * x, 1);
  }
}

test('kernels: reduce_f32 over [outer, red, inner] views, every op, thread splits', () => {
  const h = harness();
  const views = [[1, 1, 1], [3, 5, 1], [2, 9, 1], [4, 17, 3], [2, 6, 4], [3, 7, 19], [1, 33, 8], [2, 0, 3], [5, 0, 1]];
  for (const [name, op] of Object.entries(ReduceOp) as [string, ReduceOpCode][]) {
    for (const [outer, red, inner] of views as [number, number, number][]) {
      const xv = randomArray(outer * red * inner, 0.5, 1.5, outer + red + inner).map(Math.fround);
      if (xv.length > 5 && op === ReduceOp.MAX) xv[4] = NaN;
      const x = h.f32(xv);
      const want: number[] = [];
      for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) {
        want.push(reduceRef(op, Array.from({ length: red }, (_, r) => xv[(o * red + r) * inner + j]!)));
      }
      const out = h.out(outer * inner);
      reduce(h.runner, op, outer, red, inner, x, out);
      assertAllClose(h.read(out, outer * inner), want.map(Math.fround), 1e-6, 0, `${name} [${outer},${red},${inner}]`);
      const out3 = h.out(outer * inner);
      for (let t = 0; t < 3; t++) h.call('reduce_f32', [op, outer, red, inner, x, out3], t, 3);
      assert.deepEqual(h.read(out3, outer * inner), h.read(out, outer * inner), `${name} 3-thread split`);
    }
  }
});

test('kernels: long sums are f64-accurate (10^6 values), dot/sumsq partials', () => {
  const h = harness();
  const n = 1_000_000;
  const xv = Float32Array.from(randomArray(n, 0, 1, 42));
  const x = h.f32(xv);
  let exact = 0, exactSq = 0;
  for (let i = 0; i < n; i++) { exact += xv[i]!; exactSq += xv[i]! * xv[i]!; }
  const out = h.out(2);
  reduce(h.runner, ReduceOp.SUM, 1, n, 1, x, out);
  reduce(h.runner, ReduceOp.SUMSQ, 1, n, 1, x, out + 4);
  const got = h.read(out, 2);
  assert.ok(Math.abs(got[0]! - exact) / exact < 1e-7, `sum rel err ${Math.abs(got[0]! - exact) / exact}`);
  assert.ok(Math.abs(got[1]! - exactSq) / exactSq < 1e-7);
  assert.ok(Math.abs(sumsq(h.runner, h.mem, n, x) - exactSq) / exactSq < 1e-12);
  assert.ok(Math.abs(dot(h.runner, h.mem, n, x, x) - exactSq) / exactSq < 1e-12);
  // Same across a by-hand 2-thread split.
  const parts = h.out(4);
  h.call('sumsq_f32', [n, x, parts], 0, 2);
  h.call('sumsq_f32', [n, x, parts], 1, 2);
  const p = new Float64Array(h.mem.memory.buffer, parts, 2);
  assert.ok(Math.abs(p[0]! + p[1]! - exactSq) / exactSq < 1e-12);
  // Column sums (inner ≥ 4) of a tall matrix stay accurate too.
  const rows = 100_000, cols = 9;
  const m = h.f32(new Float32Array(rows * cols).fill(0.1));
  const cs = h.out(cols);
  reduce(h.runner, ReduceOp.SUM, 1, rows, cols, m, cs);
  for (const v of h.read(cs, cols)) assert.ok(Math.abs(v - rows * Math.fround(0.1)) / (rows * 0.1) < 1e-7);
});

test('kernels: argmax/argmin (ties → first, NaN wins), cumsum (both directions), topk', () => {
  const h = harness();
  const x = h.f32([1, 3, 3, 0, /**/ 2, NaN, 5, NaN, /**/ -1, -1, -1, -1]);
  const idx = h.out(3);
  argmax(h.runner, 3, 4, 1, x, idx);
  assert.deepEqual([...h.readI32(idx, 3)], [1, 1, 0]);
  argmin(h.runner, 3, 4, 1, x, idx);
  assert.deepEqual([...h.readI32(idx, 3)], [3, 1, 0]);
  // Columns: [2, 3, 2] view → argmax over the middle axis.
  const xc = h.f32([1, 9, 5, 2, 9, 1, 0, 0, /**/ 1, 1, 1, 1, 1, 1, 7, 1]);
  const ic = h.out(4);
  argmax(h.runner, 2, 4, 2, xc, ic);
  assert.deepEqual([...h.readI32(ic, 4)], [2, 0, 3, 0]);
  for (const [outer, red, inner] of [[2, 7, 1], [2, 5, 6], [1, 3, 3]] as [number, number, number][]) {
    const v = randomArray(outer * red * inner, -1, 1, red).map(Math.fround);
    const p = h.f32(v), y = h.out(v.length), yr = h.out(v.length);
    cumsum(h.runner, outer, red, inner, p, y);
    cumsum(h.runner, outer, red, inner, p, yr, true);
    const want = v.slice(), wantR = v.slice();
    for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) {
      let s = 0, sr = 0;
      for (let r = 0; r < red; r++) { s += v[(o * red + r) * inner + j]!; want[(o * red + r) * inner + j] = s; }
      for (let r = red - 1; r >= 0; r--) { sr += v[(o * red + r) * inner + j]!; wantR[(o * red + r) * inner + j] = sr; }
    }
    assertAllClose(h.read(y, v.length), want, 1e-6, 1e-7, 'cumsum');
    assertAllClose(h.read(yr, v.length), wantR, 1e-6, 1e-7, 'cumsum reverse');
  }
  const t = h.f32([0.5, 2, NaN, 2, -1, 7, 2, /**/ 1, 1, 1, 1, 1, 1, 1]);
  const vals = h.out(8), inds = h.out(8);
  topk(h.runner, 2, 7, 4, t, vals, inds);
  assert.deepEqual([...h.read(vals, 8)], [NaN, 7, 2, 2, 1, 1, 1, 1]);
  assert.deepEqual([...h.readI32(inds, 8)], [2, 5, 1, 3, 0, 1, 2, 3]);
});

function softmaxRef(row: number[]): number[] {
  const m = Math.max(...row);
  if (m === -Infinity) return row.map(() => 0);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

test('kernels: softmax / log_softmax / logsumexp (+ backward), fully masked rows give 0', () => {
  const h = harness();
  for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 33]) {
    const rows = 3;
    const xv = randomArray(rows * n, -5, 5, n).map(Math.fround);
    for (let j = 0; j < n; j++) xv[2 * n + j] = -Infinity; // row 2 fully masked
    if (n > 2) xv[1] = -Infinity;
    const x = h.f32(xv), y = h.out(rows * n), ly = h.out(rows * n), lse = h.out(rows);
    softmax(h.runner, rows, n, x, y);
    logSoftmax(h.runner, rows, n, x, ly);
    logsumexp(h.runner, rows, n, x, lse);
    const want = [0, 1, 2].flatMap((r) => softmaxRef(xv.slice(r * n, (r + 1) * n)));
    assertAllClose(h.read(y, rows * n), want, 2e-6, 1e-9, `softmax n=${n}`);
    assertAllClose(h.read(ly, rows * n), want.map(Math.log), 2e-6, 2e-6, `log_softmax n=${n}`);
    const lseWant = [0, 1, 2].map((r) => { const row = xv.slice(r * n, (r + 1) * n); const m = Math.max(...row); return m === -Infinity ? -Infinity : m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)); });
    assertAllClose(h.read(lse, rows), lseWant, 1e-6, 1e-6, `logsumexp n=${n}`);
    // Backward against analytic formulas in f64.
    const dyv = randomArray(rows * n, -1, 1, 3 * n).map(Math.fround);
    const dy = h.f32(dyv), dx = h.out(rows * n), dlx = h.out(rows * n);
    softmaxBwd(h.runner, rows, n, y, dy, dx);
    logSoftmaxBwd(h.runner, rows, n, ly, dy, dlx);
    const ys = h.read(y, rows * n);
    const wantDx: number[] = [], wantDl: number[] = [];
    for (let r = 0; r < rows; r++) {
      let d = 0, s = 0;
      for (let j = 0; j < n; j++) { d += dyv[r * n + j]! * ys[r * n + j]!; s += dyv[r * n + j]!; }
      for (let j = 0; j < n; j++) { wantDx.push(ys[r * n + j]! * (dyv[r * n + j]! - d)); wantDl.push(dyv[r * n + j]! - ys[r * n + j]! * s); }
    }
    assertAllClose(h.read(dx, rows * n), wantDx, 1e-5, 1e-6, `softmax_bwd n=${n}`);
    assertAllClose(h.read(dlx, rows * n), wantDl, 1e-5, 1e-6, `log_softmax_bwd n=${n}`);
  }
  const nanRow = h.f32([1, NaN, 2]), o = h.out(3);
  softmax(h.runner, 1, 3, nanRow, o);
  assert.ok(h.read(o, 3).every(Number.isNaN));
});

test('kernels: layernorm forward/backward, dgamma/dbeta via 2-thread partials', () => {
  const h = harness();
  const rows = 5, n = 11, eps = 1e-5;
  const xv = randomArray(rows * n, -3, 3, 1).map(Math.fround), gv = randomArray(n, 0.5, 1.5, 2).map(Math.fround), bv = randomArray(n, -1, 1, 3).map(Math.fround);
  const x = h.f32(xv), g = h.f32(gv), b = h.f32(bv), y = h.out(rows * n), mean = h.out(rows), rstd = h.out(rows);
  layerNorm(h.runner, rows, n, x, g, b, eps, y, mean, rstd);
  const dyv = randomArray(rows * n, -1, 1, 4).map(Math.fround);
  const wantY: number[] = [], wantDx: number[] = [], dg = new Array<number>(n).fill(0), db = new Array<number>(n).fill(0);
  for (let r = 0; r < rows; r++) {
    const row = xv.slice(r * n, (r + 1) * n);
    const mu = row.reduce((s, v) => s + v, 0) / n;
    const rs = 1 / Math.sqrt(row.reduce((s, v) => s + (v - mu) ** 2, 0) / n + eps);
    const xh = row.map((v) => (v - mu) * rs);
    xh.forEach((v, j) => wantY.push(v * gv[j]! + bv[j]!));
    const gg = xh.map((_, j) => dyv[r * n + j]! * gv[j]!);
    const mg = gg.reduce((s, v) => s + v, 0) / n, mgx = gg.reduce((s, v, j) => s + v * xh[j]!, 0) / n;
    xh.forEach((v, j) => { wantDx.push(rs * (gg[j]! - mg - v * mgx)); dg[j]! += dyv[r * n + j]! * v; db[j]! += dyv[r * n + j]!; });
  }
  assertAllClose(h.read(y, rows * n), wantY, 1e-5, 1e-6, 'layernorm y');
  const dy = h.f32(dyv), dx = h.out(rows * n), dParams = h.out(2 * n);
  const partials = h.mem.alloc(layerNormBwdScratchBytes(h.runner, n));
  layerNormBwd(h.runner, h.mem, { rows, n, x, gamma: g, dy, mean, rstd, dx, dParams, partials });
  assertAllClose(h.read(dx, rows * n), wantDx, 1e-5, 1e-5, 'layernorm dx');
  assertAllClose(h.read(dParams, 2 * n), [...dg, ...db], 1e-5, 1e-5, 'dgamma|dbeta');
  // By hand with 2 threads: partials at tid·2n, reduced by sum_partials_f32.
  const p2 = h.out(2 * 2 * n), dx2 = h.out(rows * n), dp2 = h.out(2 * n);
  for (let t = 0; t < 2; t++) h.call('layernorm_bwd_f32', [rows, n, x, g, dy, mean, rstd, dx2, 0, p2], t, 2);
  for (let t = 0; t < 2; t++) h.call('sum_partials_f32', [2, 2 * n, p2, dp2, 0], t, 2);
  assertAllClose(h.read(dx2, rows * n), wantDx, 1e-5, 1e-5, 'layernorm dx (2 threads)');
  assertAllClose(h.read(dp2, 2 * n), [...dg, ...db], 1e-5, 1e-5, 'dgamma|dbeta (2 threads)');
  // No affine, no saved stats.
  const y0 = h.out(rows * n);
  layerNorm(h.runner, rows, n, x, 0, 0, eps, y0, 0, 0);
  assertAllClose(h.read(y0, rows * n), wantY.map((v, i) => (v - bv[i % n]!) / gv[i % n]!), 1e-5, 1e-5, 'layernorm no affine');
});

test('kernels: gather/scatter rows, length regulator and its backward', () => {
  const h = harness();
  const table = h.f32(Array.from({ length: 4 * 5 }, (_, i) => i));
  const out = h.out(3 * 5);
  assert.equal(gatherRows(h.runner, h.mem, 3, 5, 4, table, h.i32([2, 0, 2]), out), true);
  assert.deepEqual([...h.read(out, 15)], [10, 11, 12, 13, 14, 0, 1, 2, 3, 4, 10, 11, 12, 13, 14]);
  assert.equal(gatherRows(h.runner, h.mem, 2, 5, 4, table, h.i32([1, 4]), out), false);
  assert.ok(h.read(out, 10).slice(5).every(Number.isNaN));
  const grad = h.f32(new Array<number>(4 * 6).fill(0));
  const src = h.f32(Array.from({ length: 3 * 6 }, (_, i) => i + 1));
  const idx = h.i32([1, 3, 1]);
  for (let t = 0; t < 2; t++) h.call('scatter_add_rows_f32', [3, 6, 4, src, idx, grad], t, 2);
  scatterAddRows(h.runner, 3, 6, 4, src, idx, grad);
  const g = h.read(grad, 24);
  assert.deepEqual([...g.slice(6, 12)], [1, 2, 3, 4, 5, 6].map((v) => 2 * (v + v + 12)));
  assert.deepEqual([...g.slice(18, 24)], [7, 8, 9, 10, 11, 12].map((v) => 2 * v));
  assert.deepEqual([...g.slice(0, 6)], [0, 0, 0, 0, 0, 0]);
  // Length regulator: B = 2, Tin = 3, width = 2, Tout = 5.
  const x = h.f32([1, 1, 2, 2, 3, 3, /**/ 4, 4, 5, 5, 6, 6]);
  const lengths = h.i32([2, 0, 1, /**/ 3, -1, 4]);
  const y = h.out(2 * 5 * 2);
  repeatRows(h.runner, 2, 3, 2, x, lengths, 5, y);
  assert.deepEqual([...h.read(y, 20)], [1, 1, 1, 1, 3, 3, 0, 0, 0, 0, /**/ 4, 4, 4, 4, 4, 4, 6, 6, 6, 6]);
  const y3 = h.out(20);
  for (let t = 0; t < 3; t++) h.call('repeat_rows_f32', [2, 3, 2, x, lengths, 5, y3], t, 3);
  assert.deepEqual(h.read(y3, 20), h.read(y, 20));
  const dy = h.f32(Array.from({ length: 20 }, (_, i) => i));
  const dx = h.out(12);
  repeatRowsBwd(h.runner, 2, 3, 2, dy, lengths, 5, dx);
  assert.deepEqual([...h.read(dx, 12)], [0 + 2, 1 + 3, 0, 0, 4, 5, /**/ 10 + 12 + 14, 11 + 13 + 15, 0, 0, 16 + 18, 17 + 19]);
});

test('kernels: dropout and random fills are thread-count independent', () => {
  const h = harness();
  const n = 10_007, p = 0.3;
  const x = h.f32(new Array<number>(n).fill(2));
  const y1 = h.out(n), m1 = h.out(n), y2 = h.out(n), m2 = h.out(n);
  dropout(h.runner, n, x, y1, m1, p, 1234, 99);
  for (let t = 0; t < 2; t++) h.call('dropout_f32', [n, x, y2, m2, p, 1234, 99], t, 2);
  assert.deepEqual(h.read(y2, n), h.read(y1, n));
  assert.deepEqual(h.read(m2, n), h.read(m1, n));
  const mask = h.read(m1, n);
  const kept = mask.filter((v) => v !== 0).length;
  assert.ok(Math.abs(kept / n - 0.7) < 0.02, `kept fraction ${kept / n}`);
  assert.ok(mask.every((v) => v === 0 || v === Math.fround(1 / 0.7)));
  // offset shifts the stream: element i of offset 99 = element i+1 of offset 98.
  const m3 = h.out(n);
  dropout(h.runner, n, x, h.out(n), m3, p, 1234, 98);
  assert.deepEqual(h.read(m3, n).slice(1), mask.slice(0, n - 1));
  const u1 = h.out(n), u2 = h.out(n);
  randUniform(h.runner, n, u1, -1, 3, 7);
  for (let t = 0; t < 3; t++) h.call('rand_uniform_f32', [n, u2, -1, 3, 7, 0], t, 3);
  assert.deepEqual(h.read(u2, n), h.read(u1, n));
  const u = h.read(u1, n);
  assert.ok(u.every((v) => v >= -1 && v < 3));
  assert.ok(Math.abs(u.reduce((s, v) => s + v, 0) / n - 1) < 0.05);
  const N = 100_000, z = h.out(N);
  randNormal(h.runner, N, z, 1, 2, 0xdeadbeef);
  const zs = h.read(z, N);
  const mean = zs.reduce((s, v) => s + v, 0) / N;
  const sd = Math.sqrt(zs.reduce((s, v) => s + (v - mean) ** 2, 0) / N);
  assert.ok(Math.abs(mean - 1) < 0.03 && Math.abs(sd - 2) < 0.03, `normal mean ${mean} sd ${sd}`);
});

test('kernels: AdamW, SGD (momentum, nesterov), EMA match torch formulas', () => {
  const h = harness();
  const n = 7;
  const pv = randomArray(n, -1, 1, 1).map(Math.fround), gv = randomArray(n, -1, 1, 2).map(Math.fround);
  const param = h.f32(pv), grad = h.f32(gv), m = h.f32(new Array<number>(n).fill(0)), v = h.f32(new Array<number>(n).fill(0));
  const hp = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, gradScale: 0.5 };
  const ref = pv.slice(), mr = new Array<number>(n).fill(0), vr = new Array<number>(n).fill(0);
  for (let step = 1; step <= 3; step++) {
    adamw(h.runner, n, param, grad, m, v, { ...hp, step });
    for (let i = 0; i < n; i++) {
      const g = gv[i]! * hp.gradScale;
      ref[i]! *= 1 - hp.lr * hp.weightDecay;
      mr[i] = hp.beta1 * mr[i]! + (1 - hp.beta1) * g;
      vr[i] = hp.beta2 * vr[i]! + (1 - hp.beta2) * g * g;
      const denom = Math.sqrt(vr[i]!) / Math.sqrt(1 - hp.beta2 ** step) + hp.eps;
      ref[i]! -= (hp.lr / (1 - hp.beta1 ** step)) * mr[i]! / denom;
    }
  }
  assertAllClose(h.read(param, n), ref, 1e-5, 1e-6, 'adamw');
  for (const nesterov of [false, true]) {
    const p = h.f32(pv), buf = h.out(n);
    const r = pv.slice(), br = new Array<number>(n).fill(0);
    for (let step = 0; step < 3; step++) {
      sgdMomentum(h.runner, n, p, grad, buf, { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01, nesterov, first: step === 0 });
      for (let i = 0; i < n; i++) {
        let g = gv[i]! + 0.01 * r[i]!;
        br[i] = step === 0 ? g : 0.9 * br[i]! + 0.9 * g;
        g = nesterov ? g + 0.9 * br[i]! : br[i]!;
        r[i]! -= 0.1 * g;
      }
    }
    assertAllClose(h.read(p, n), r, 1e-5, 1e-6, `sgd nesterov=${nesterov}`);
  }
  const shadow = h.f32(new Array<number>(n).fill(1));
  ema(h.runner, n, shadow, param, 0.99);
  assertAllClose(h.read(shadow, n), h.read(param, n).map((q) => 0.99 + 0.01 * q), 1e-6, 1e-7, 'ema');
});

test('kernels: a few kernels through the WorkerPool with 2 threads', async () => {
  const h = harness();
  let poolModule: typeof import('../../src/engine/kernels/pool.js');
  try { poolModule = await import('../../src/engine/kernels/pool.js'); } catch { return; }
  const pool = await poolModule.WorkerPool.create({ module: h.module, mem: h.mem, threads: 2, minParallelWork: 0 });
  try {
    const n = 100_003;
    const xv = randomArray(n, -4, 4, 5).map(Math.fround);
    const x = h.f32(xv), y1 = h.out(n), y2 = h.out(n);
    unary(h.runner, UnaryOp.GELU, n, x, y1);
    unary(pool, UnaryOp.GELU, n, x, y2);
    assert.deepEqual(h.read(y2, n), h.read(y1, n));
    const m1 = h.out(n), m2 = h.out(n);
    dropout(h.runner, n, x, h.out(n), m1, 0.5, 77);
    dropout(pool, n, x, h.out(n), m2, 0.5, 77);
    assert.deepEqual(h.read(m2, n), h.read(m1, n));
    assert.ok(Math.abs(sumsq(pool, h.mem, n, x) - sumsq(h.runner, h.mem, n, x)) < 1e-9 * sumsq(h.runner, h.mem, n, x));
    const rows = 300, w = 64;
    const s1 = h.out(rows * w), s2 = h.out(rows * w);
    softmax(h.runner, rows, w, x, s1);
    softmax(pool, rows, w, x, s2);
    assert.deepEqual(h.read(s2, rows * w), h.read(s1, rows * w));
  } finally {
    await pool.close();
  }
});
