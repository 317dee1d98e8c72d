import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, erf64, close, assertAllClose, randomArray, ulp32 } from './kernels-harness.js';
import { UnaryOp, BinaryOp, UNARY_GRAD_USES_Y, type UnaryOpCode, type BinaryOpCode } from '../../src/engine/kernels/opcodes.js';
import {
  unary, unaryGrad, binary, where, copyStrided, fillF32, fillI32, castF32ToI32, castI32ToF32, axpy, scale, addInplace,
  contiguousStrides, collapseLayout,
} from '../../src/engine/kernels/elementwise.js';

const SQRT1_2 = Math.SQRT1_2;
const K = Math.sqrt(2 / Math.PI);

/** float64 reference of every unary op (alpha/beta as in UnaryOp's doc). */
function unaryRef(op: UnaryOpCode, x: number, a: number, b: number): number {
  switch (op) {
    case UnaryOp.NEG: return -x;
    case UnaryOp.EXP: return Math.exp(x);
    case UnaryOp.LOG: return Math.log(x);
    case UnaryOp.SQRT: return Math.sqrt(x);
    case UnaryOp.RSQRT: return 1 / Math.sqrt(x);
    case UnaryOp.ABS: return Math.abs(x);
    case UnaryOp.SQUARE: return x * x;
    case UnaryOp.RECIPROCAL: return 1 / x;
    case UnaryOp.RELU: return Number.isNaN(x) ? NaN : Math.max(x, 0);
    case UnaryOp.LEAKY_RELU: return x > 0 ? x : a * x;
    case UnaryOp.GELU: return 0.5 * x * (1 + erf64(x * SQRT1_2));
    case UnaryOp.GELU_TANH: return 0.5 * x * (1 + Math.tanh(K * (x + 0.044715 * x * x * x)));
    case UnaryOp.SILU: return x / (1 + Math.exp(-x));
    case UnaryOp.TANH: return Math.tanh(x);
    case UnaryOp.SIGMOID: return 1 / (1 + Math.exp(-x));
    case UnaryOp.SOFTPLUS: return x > 20 ? x : Math.log1p(Math.exp(x));
    case UnaryOp.CLAMP: return Number.isNaN(x) ? NaN : Math.min(Math.max(x, a), b);
    case UnaryOp.AFFINE: return a * x + b;
    case UnaryOp.SIGN: return Number.isNaN(x) ? NaN : Math.sign(x) + 0;
    case UnaryOp.SIN: return Math.sin(x);
    case UnaryOp.COS: return Math.cos(x);
    case UnaryOp.POW_SCALAR: return Math.pow(x, a);
    case UnaryOp.LOG1P: return Math.log1p(x);
    case UnaryOp.EXPM1: return Math.expm1(x);
  }
}

/** f'(x) in float64. */
function derivRef(op: UnaryOpCode, x: number, a: number, b: number): number {
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  switch (op) {
    case UnaryOp.NEG: return -1;
    case UnaryOp.EXP: return Math.exp(x);
    case UnaryOp.LOG: return 1 / x;
    case UnaryOp.SQRT: return 0.5 / Math.sqrt(x);
    case UnaryOp.RSQRT: return -0.5 * Math.pow(x, -1.5);
    case UnaryOp.ABS: return Math.sign(x);
    case UnaryOp.SQUARE: return 2 * x;
    case UnaryOp.RECIPROCAL: return -1 / (x * x);
    case UnaryOp.RELU: return x > 0 ? 1 : 0;
    case UnaryOp.LEAKY_RELU: return x > 0 ? 1 : a;
    case UnaryOp.GELU: return 0.5 * (1 + erf64(x * SQRT1_2)) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    case UnaryOp.GELU_TANH: {
      const t = Math.tanh(K * (x + 0.044715 * x ** 3));
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * K * (1 + 3 * 0.044715 * x * x);
    }
    case UnaryOp.SILU: return sig(x) * (1 + x * (1 - sig(x)));
    case UnaryOp.TANH: return 1 - Math.tanh(x) ** 2;
    case UnaryOp.SIGMOID: return sig(x) * (1 - sig(x));
    case UnaryOp.SOFTPLUS: return x > 20 ? 1 : sig(x);
    case UnaryOp.CLAMP: return x >= a && x <= b ? 1 : 0;
    case UnaryOp.AFFINE: return a;
    case UnaryOp.SIGN: return 0;
    case UnaryOp.SIN: return Math.cos(x);
    case UnaryOp.COS: return -Math.sin(x);
    case UnaryOp.POW_SCALAR: return a === 0 ? 0 : a * Math.pow(x, a - 1);
    case UnaryOp.LOG1P: return 1 / (1 + x);
    case UnaryOp.EXPM1: return Math.exp(x);
  }
}

/** Inputs inside each op's domain (log/sqrt need x > 0 etc.). */
function domain(op: UnaryOpCode, n: number, seed: number): number[] {
  switch (op) {
    case UnaryOp.LOG: case UnaryOp.SQRT: case UnaryOp.RSQRT: case UnaryOp.POW_SCALAR: return randomArray(n, 0.01, 20, seed);
    case UnaryOp.LOG1P: return randomArray(n, -0.9, 10, seed);
    default: return randomArray(n, -8, 8, seed);
  }
}

const PARAMS: Partial<Record<UnaryOpCode, [number, number]>> = {
  [UnaryOp.LEAKY_RELU]: [0.2, 0], [UnaryOp.CLAMP]: [-1.5, 2], [UnaryOp.AFFINE]: [1.5, -0.25], [UnaryOp.POW_SCALAR]: [2.5, 0],
};

test('kernels: every UnaryOp code runs its op (n = 0..9 and a long run, f64 reference)', () => {
  const h = harness();
  for (const [name, op] of Object.entries(UnaryOp) as [string, UnaryOpCode][]) {
    const [a, b] = PARAMS[op] ?? [0, 0];
    for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 257]) {
      const xs = domain(op, n, 7 + n).map(Math.fround);
      const x = h.f32(xs), y = h.out(n + 4, 12345);
      unary(h.runner, op, n, x, y, a, b);
      const got = h.read(y, n + 4);
      const want = xs.map((v) => unaryRef(op, v, a, b));
      // GELU's tolerance is absolute: 1 + erf(x/√2) cancels for x ≪ 0 (as in torch's f32 kernel).
      const atol = op === UnaryOp.GELU ? 1e-6 : 2e-7;
      assertAllClose(got.subarray(0, n), want, 2e-6, atol, `${name} n=${n}`);
      assert.deepEqual([...got.subarray(n)], [12345, 12345, 12345, 12345], `${name} n=${n} wrote past the end`);
    }
  }
});

test('kernels: unary specials (NaN, ±inf, overflow, log(0), denormals)', () => {
  const h = harness();
  const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40, 88.7, 88.73, 89, 100, -87.5, -100, -103.9, -104, -200, 1e30, -1e30, 20, 21, 3.4e38];
  const xs = specials.map(Math.fround);
  const n = xs.length;
  const x = h.f32(xs), y = h.out(n);
  const check = (op: UnaryOpCode, name: string, rtol: number, atol: number) => {
    unary(h.runner, op, n, x, y);
    const got = h.read(y, n);
    xs.forEach((v, i) => {
      const want = Math.fround(unaryRef(op, v, 0, 0));
      assert.ok(close(got[i]!, want, rtol, atol) || Object.is(got[i], want), `${name}(${v}) = ${got[i]}, want ${want}`);
    });
  };
  check(UnaryOp.EXP, 'exp', 1e-6, 1e-44);
  check(UnaryOp.LOG, 'log', 1e-6, 0);
  check(UnaryOp.TANH, 'tanh', 1e-6, 0);
  check(UnaryOp.SIGMOID, 'sigmoid', 2e-6, 1e-44);
  check(UnaryOp.SILU, 'silu', 2e-6, 1e-40); // x·sigmoid(x) with a subnormal sigmoid keeps few bits
  check(UnaryOp.GELU, 'gelu', 1e-6, 1e-6);
  check(UnaryOp.SOFTPLUS, 'softplus', 1e-6, 1e-44);
  check(UnaryOp.SQRT, 'sqrt', 1e-7, 0);
  check(UnaryOp.RELU, 'relu', 0, 0);
  // Exact expectations that matter for autograd and masking.
  unary(h.runner, UnaryOp.EXP, 4, h.f32([89, -Infinity, NaN, 0]), y);
  assert.deepEqual([...h.read(y, 4)], [Infinity, 0, NaN, 1]);
  unary(h.runner, UnaryOp.LOG, 4, h.f32([0, -1, Infinity, 1]), y);
  assert.deepEqual([...h.read(y, 4)], [-Infinity, NaN, Infinity, 0]);
  unary(h.runner, UnaryOp.CLAMP, 5, h.f32([NaN, -5, 5, -1, 1]), y, -1, 1);
  assert.deepEqual([...h.read(y, 5)], [NaN, -1, 1, -1, 1]);
});

test('kernels: accuracy of the f32x4 exp/log/tanh/sigmoid/gelu (dense sweeps, f64 reference)', () => {
  const h = harness();
  const sweep = (name: string, op: UnaryOpCode, lo: number, hi: number, n: number, logSpaced = false) => {
    const xs = Array.from({ length: n }, (_, i) => Math.fround(logSpaced ? lo * Math.pow(hi / lo, i / (n - 1)) : lo + ((hi - lo) * i) / (n - 1)));
    const x = h.f32(xs), y = h.out(n);
    unary(h.runner, op, n, x, y);
    const got = h.read(y, n);
    let maxUlp = 0, maxRel = 0, maxAbs = 0;
    xs.forEach((v, i) => {
      const want = unaryRef(op, v, 0, 0);
      const err = Math.abs(got[i]! - want);
      maxAbs = Math.max(maxAbs, err);
      if (want !== 0) maxRel = Math.max(maxRel, err / Math.abs(want));
      maxUlp = Math.max(maxUlp, err / ulp32(want));
    });
    console.log(`# ${name} on [${lo}, ${hi}]: max ${maxUlp.toFixed(2)} ulp, rel ${maxRel.toExponential(2)}, abs ${maxAbs.toExponential(2)}`);
    return { maxUlp, maxRel, maxAbs };
  };
  assert.ok(sweep('exp', UnaryOp.EXP, -87, 88, 200001).maxRel < 1e-6);
  assert.ok(sweep('exp (subnormal results)', UnaryOp.EXP, -103, -87.4, 20001).maxAbs < 3e-45);
  assert.ok(sweep('log', UnaryOp.LOG, 1e-30, 1e30, 200001, true).maxRel < 1e-6);
  assert.ok(sweep('log near 1', UnaryOp.LOG, 0.5, 2, 100001).maxAbs < 1e-7);
  assert.ok(sweep('tanh', UnaryOp.TANH, -10, 10, 200001).maxRel < 1e-6);
  assert.ok(sweep('sigmoid', UnaryOp.SIGMOID, -80, 30, 200001).maxRel < 2e-6);
  assert.ok(sweep('silu', UnaryOp.SILU, -30, 30, 200001).maxRel < 1e-6);
  assert.ok(sweep('gelu (erf)', UnaryOp.GELU, -8, 8, 200001).maxAbs < 2e-6); // ~1 ulp of 8 at the top end
  assert.ok(sweep('gelu_tanh', UnaryOp.GELU_TANH, -8, 8, 200001).maxAbs < 1e-6);
  // erf itself: GELU(x)/x·2 − 1 loses precision, so measure erf through GELU at x = √2·t only where
  // x is not tiny.
  const ts = Array.from({ length: 80001 }, (_, i) => -4 + (8 * i) / 80000).filter((t) => Math.abs(t) > 0.05);
  const xs = ts.map((t) => Math.fround(t / SQRT1_2));
  const x = h.f32(xs), y = h.out(xs.length);
  unary(h.runner, UnaryOp.GELU, xs.length, x, y);
  const got = h.read(y, xs.length);
  let maxErf = 0;
  xs.forEach((v, i) => { maxErf = Math.max(maxErf, Math.abs(2 * got[i]! / v - 1 - erf64(v * SQRT1_2))); });
  console.log(`# erf (through gelu) on [-4, 4]: max abs ${maxErf.toExponential(2)}`);
  assert.ok(maxErf < 1e-6);
});

test('kernels: unary gradients (assign and accumulate) against f64 derivatives', () => {
  const h = harness();
  for (const [name, op] of Object.entries(UnaryOp) as [string, UnaryOpCode][]) {
    const [a, b] = PARAMS[op] ?? [0, 0];
    for (const n of [0, 1, 3, 4, 7, 64]) {
      const xs = domain(op, n, 100 + n).map(Math.fround);
      if (op === UnaryOp.RELU || op === UnaryOp.ABS || op === UnaryOp.CLAMP) xs.push(0, a, b); // bounds / kinks
      const m = xs.length;
      const dys = randomArray(m, -2, 2, 5).map(Math.fround);
      const x = h.f32(xs), y = h.out(m), dy = h.f32(dys), dx = h.f32(new Array<number>(m).fill(0.5));
      unary(h.runner, op, m, x, y, a, b);
      const usesY = UNARY_GRAD_USES_Y.has(op);
      unaryGrad(h.runner, op, m, usesY ? 0 : x, usesY ? y : 0, dy, dx, true, a, b);
      const want = xs.map((v, i) => 0.5 + dys[i]! * derivRef(op, v, a, b));
      assertAllClose(h.read(dx, m), want, 1e-5, 1e-6, `grad ${name} n=${n}`);
      unaryGrad(h.runner, op, m, usesY ? 0 : x, usesY ? y : 0, dy, dx, false, a, b);
      assertAllClose(h.read(dx, m), want.map((w) => w - 0.5), 1e-5, 1e-6, `grad ${name} n=${n} (assign)`);
    }
  }
  // Conventions at the kinks: relu'(0) = 0, |x|'(0) = 0, clamp passes gradient at its bounds.
  const x = h.f32([0, 0, -1, 1]), dy = h.f32([1, 1, 1, 1]), dx = h.out(4);
  unaryGrad(h.runner, UnaryOp.RELU, 2, x, 0, dy, dx);
  assert.deepEqual([...h.read(dx, 2)], [0, 0]);
  unaryGrad(h.runner, UnaryOp.ABS, 2, x, 0, dy, dx);
  assert.deepEqual([...h.read(dx, 2)], [0, 0]);
  unaryGrad(h.runner, UnaryOp.CLAMP, 4, x, 0, dy, dx, false, -1, 1);
  assert.deepEqual([...h.read(dx, 4)], [1, 1, 1, 1]);
});

function binaryRef(op: BinaryOpCode, a: number, b: number): number {
  switch (op) {
    case BinaryOp.ADD: return a + b;
    case BinaryOp.SUB: return a - b;
    case BinaryOp.MUL: return a * b;
    case BinaryOp.DIV: return a / b;
    case BinaryOp.POW: return Math.pow(a, b);
    case BinaryOp.MAX: return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b);
    case BinaryOp.MIN: return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b);
    case BinaryOp.EQ: return a === b ? 1 : 0;
    case BinaryOp.NE: return a !== b ? 1 : 0;
    case BinaryOp.LT: return a < b ? 1 : 0;
    case BinaryOp.LE: return a <= b ? 1 : 0;
    case BinaryOp.GT: return a > b ? 1 : 0;
    case BinaryOp.GE: return a >= b ? 1 : 0;
    case BinaryOp.ATAN2: return Math.atan2(a, b);
  }
}

/** Reference strided evaluation over a contiguous output of `shape`. */
function stridedIndex(shape: readonly number[], flat: number, strides: readonly number[]): number {
  let off = 0;
  for (let d = shape.length - 1; d >= 0; d--) {
    const i = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
    off += i * strides[d]!;
  }
  return off;
}

const BROADCASTS: { name: string; shape: number[]; a: number[]; b: number[] }[] = [
  { name: 'same 1-d', shape: [9], a: [1], b: [1] },
  { name: 'scalar b', shape: [7], a: [1], b: [0] },
  { name: 'scalar a', shape: [6], a: [0], b: [1] },
  { name: 'row bias', shape: [5, 7], a: [7, 1], b: [0, 1] },
  { name: 'column', shape: [5, 7], a: [7, 1], b: [1, 0] },
  { name: 'outer product', shape: [6, 5], a: [1, 0], b: [0, 1] },
  { name: '[B,T,C] + [B,1,C]', shape: [3, 4, 5], a: [20, 5, 1], b: [5, 0, 1] },
  { name: 'transposed a', shape: [4, 6], a: [1, 4], b: [6, 1] },
  { name: 'size-1 dims', shape: [1, 3, 1, 5], a: [15, 5, 5, 1], b: [0, 0, 0, 1] },
  { name: '4-d mixed', shape: [2, 3, 4, 5], a: [60, 20, 5, 1], b: [0, 1, 0, 3] },
  { name: 'empty', shape: [3, 0, 4], a: [0, 4, 1], b: [0, 4, 1] },
  { name: '0-d', shape: [], a: [], b: [] },
];

function spanOf(shape: number[], strides: number[]): number {
  return shape.reduce((s, n, d) => s + (n > 0 ? (n - 1) * Math.abs(strides[d]!) : 0), 0) + 1;
}

test('kernels: every BinaryOp code with broadcasting patterns, all thread splits agree', () => {
  const h = harness();
  for (const [name, op] of Object.entries(BinaryOp) as [string, BinaryOpCode][]) {
    for (const c of BROADCASTS) {
      const size = c.shape.reduce((s, n) => s * n, 1);
      const av = randomArray(spanOf(c.shape, c.a), 0.1, 3, 11).map(Math.fround);
      const bv = randomArray(spanOf(c.shape, c.b), -2, 2, 12).map((v, i) => Math.fround(i % 5 === 0 ? av[i % av.length]! : v));
      const a = h.f32(av), b = h.f32(bv), out = h.out(size + 1, 777);
      binary(h.runner, h.mem, op, c.shape, out, a, c.a, b, c.b);
      const want = Array.from({ length: size }, (_, i) => binaryRef(op, av[stridedIndex(c.shape, i, c.a)]!, bv[stridedIndex(c.shape, i, c.b)]!));
      assertAllClose(h.read(out, size), want, 1e-6, 1e-7, `${name} ${c.name}`);
      assert.equal(h.read(out, size + 1)[size], 777, `${name} ${c.name} wrote past the end`);
    }
  }
  // The raw kernel split by hand over 3 "threads" gives the same result as one thread.
  const shape = [5, 13];
  const h32 = h.i32([...shape, 0, 1, 13, 0]);
  const a = h.f32(randomArray(65, -1, 1, 3)), b = h.f32(randomArray(5, -1, 1, 4));
  const o1 = h.out(65), o3 = h.out(65);
  h.call('binary_f32', [BinaryOp.MUL, 2, h32, o1, a, h32 + 8, b, h32 + 16], 0, 1);
  for (let t = 0; t < 3; t++) h.call('binary_f32', [BinaryOp.MUL, 2, h32, o3, a, h32 + 8, b, h32 + 16], t, 3);
  assert.deepEqual(h.read(o3, 65), h.read(o1, 65));
});

test('kernels: binary NaN/inf semantics, negative strides, where, copy_strided', () => {
  const h = harness();
  const av = [NaN, 1, Infinity, -Infinity, 0, 2], bv = [1, NaN, Infinity, 1, 0, 2];
  const a = h.f32(av), b = h.f32(bv), out = h.out(6);
  for (const op of [BinaryOp.MAX, BinaryOp.MIN, BinaryOp.EQ, BinaryOp.NE, BinaryOp.DIV, BinaryOp.SUB] as BinaryOpCode[]) {
    binary(h.runner, h.mem, op, [6], out, a, [1], b, [1]);
    assertAllClose(h.read(out, 6), av.map((x, i) => binaryRef(op, x, bv[i]!)), 0, 0, `op ${op}`);
  }
  // Negative stride (flip) on a.
  const src = h.f32([0, 1, 2, 3, 4, 5, 6, 7]);
  binary(h.runner, h.mem, BinaryOp.ADD, [8], out, src + 7 * 4, [-1], h.f32([100]), [0]);
  assert.deepEqual([...h.read(out, 8)], [107, 106, 105, 104, 103, 102, 101, 100]);
  // where with a broadcast condition row and a scalar fill value (masked_fill).
  const condV = [1, 0, NaN, 0, 1];
  const xv = randomArray(15, -1, 1, 9).map(Math.fround);
  const w = h.out(15);
  where(h.runner, h.mem, [3, 5], w, h.f32(condV), [0, 1], h.f32(xv), [5, 1], h.f32([-1e9]), [0, 0]);
  assert.deepEqual([...h.read(w, 15)], xv.map((v, i) => (condV[i % 5] !== 0 ? v : -1e9)).map(Math.fround));
  for (const n of [0, 1, 2, 3, 4, 5, 9]) {
    const c = h.f32(Array.from({ length: n }, (_, i) => i % 3)), x = h.f32(randomArray(n, 0, 1, n)), y = h.f32(randomArray(n, 2, 3, n));
    const o = h.out(n);
    where(h.runner, h.mem, [n], o, c, [1], x, [1], y, [1]);
    const xs = h.read(x, n), ys = h.read(y, n);
    assert.deepEqual([...h.read(o, n)], Array.from({ length: n }, (_, i) => (i % 3 ? xs[i] : ys[i])));
  }
  // copy_strided: permute [2,3,4] → [4,2,3] (f32) and an i32 slice with a step.
  const base = Array.from({ length: 24 }, (_, i) => i);
  const s = h.f32(base), d = h.out(24);
  copyStrided(h.runner, h.mem, [4, 2, 3], s, [1, 12, 4], d);
  const want: number[] = [];
  for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) want.push(i * 12 + j * 4 + k);
  assert.deepEqual([...h.read(d, 24)], want);
  const si = h.i32(base.map((v) => v - 5)), di = h.out(6);
  copyStrided(h.runner, h.mem, [2, 3], si + 4, [12, 3], di);
  assert.deepEqual([...h.readI32(di, 6)], [1, 4, 7, 13, 16, 19].map((v) => v - 5));
  // Expanded (stride 0) source and a contiguous fast path longer than one SIMD block.
  copyStrided(h.runner, h.mem, [3, 5], h.f32([7, 8, 9]), [1, 0], d);
  assert.deepEqual([...h.read(d, 15)], [7, 7, 7, 7, 7, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9]);
});

test('kernels: collapseLayout merges contiguous dims and drops size-1 dims', () => {
  const shape = [2, 1, 3, 4];
  const l = collapseLayout(shape, [contiguousStrides(shape), [12, 12, 4, 1], [0, 0, 0, 1]]);
  assert.deepEqual(l.shape, [6, 4]);
  assert.deepEqual(l.strides, [[4, 1], [4, 1], [0, 1]]);
  assert.equal(l.size, 24);
});

test('kernels: fill, casts, axpy, scale, add_inplace for n = 0..9 and a long run', () => {
  const h = harness();
  for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1001]) {
    const p = h.out(n + 1, 5);
    fillF32(h.runner, n, p, -2.5);
    assert.ok(h.read(p, n).every((v) => v === -2.5));
    assert.equal(h.read(p, n + 1)[n], 5);
    fillI32(h.runner, n, p, -7);
    assert.ok(h.readI32(p, n).every((v) => v === -7));
    const fv = randomArray(n, -1e3, 1e3, n).map(Math.fround);
    const f = h.f32(fv), i = h.out(n);
    castF32ToI32(h.runner, n, f, i);
    assert.deepEqual([...h.readI32(i, n)], fv.map((v) => Math.trunc(v)));
    castI32ToF32(h.runner, n, i, p);
    assert.deepEqual([...h.read(p, n)], fv.map((v) => Math.trunc(v)));
    const y = h.f32(new Array<number>(n).fill(1));
    axpy(h.runner, n, 0.5, f, y);
    assertAllClose(h.read(y, n), fv.map((v) => 1 + 0.5 * v), 1e-7, 0, 'axpy');
    scale(h.runner, n, -2, f, y);
    assertAllClose(h.read(y, n), fv.map((v) => -2 * v), 0, 0, 'scale');
    addInplace(h.runner, n, f, y);
    assertAllClose(h.read(y, n), fv.map((v) => -v), 0, 0, 'add_inplace');
  }
  const f = h.f32([NaN, 3e9, -3e9, -2.7]), i = h.out(4);
  castF32ToI32(h.runner, 4, f, i);
  assert.deepEqual([...h.readI32(i, 4)], [0, 2147483647, -2147483648, -2]);
});
