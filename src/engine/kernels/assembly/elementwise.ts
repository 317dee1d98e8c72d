// Elementwise kernels: unary ops and their gradients, strided broadcasting binary ops / where /
// copies, fills, casts and BLAS-1 helpers. Conventions: see index.ts; pointers are byte offsets,
// element counts and strides are in elements. Thread shares are multiples of 4 elements.
//
// Op codes mirror src/engine/kernels/opcodes.ts (UnaryOp, BinaryOp): keep both in sync
// (test/engine/kernels-elementwise.test.ts checks every code by running it).
import {
  shareStart, at, loadPartial, storePartial, exp4, log4, tanh4, sigmoid4, erf4,
} from './vecmath';

// UnaryOp (opcodes.ts)
const NEG: i32 = 0;
const EXP: i32 = 1;
const LOG: i32 = 2;
const SQRT: i32 = 3;
const RSQRT: i32 = 4;
const ABS: i32 = 5;
const SQUARE: i32 = 6;
const RECIPROCAL: i32 = 7;
const RELU: i32 = 8;
const LEAKY_RELU: i32 = 9;
const GELU: i32 = 10;
const GELU_TANH: i32 = 11;
const SILU: i32 = 12;
const TANH: i32 = 13;
const SIGMOID: i32 = 14;
const SOFTPLUS: i32 = 15;
const CLAMP: i32 = 16;
const AFFINE: i32 = 17;
const SIGN: i32 = 18;
const SIN: i32 = 19;
const COS: i32 = 20;
const POW_SCALAR: i32 = 21;
const LOG1P: i32 = 22;
const EXPM1: i32 = 23;

// BinaryOp (opcodes.ts)
const ADD: i32 = 0;
const SUB: i32 = 1;
const MUL: i32 = 2;
const DIV: i32 = 3;
const POW: i32 = 4;
const MAX: i32 = 5;
const MIN: i32 = 6;
const EQ: i32 = 7;
const NE: i32 = 8;
const LT: i32 = 9;
const LE: i32 = 10;
const GT: i32 = 11;
const GE: i32 = 12;
const ATAN2: i32 = 13;

const INV_SQRT2: f32 = 0.70710678118654752;
const INV_SQRT_2PI: f32 = 0.39894228040143268;
const GELU_K: f32 = 0.79788456080286536; // sqrt(2/pi)
const GELU_C: f32 = 0.044715;

// ---------------------------------------------------------------------------------------------
// Unary forward

/** Scalar f64 evaluation for the ops without a SIMD version (rare in hot loops). */
function unaryScalar(op: i32, xf: f32, alpha: f32): f32 {
  const x = <f64>xf;
  switch (op) {
    case SIN: return <f32>Math.sin(x);
    case COS: return <f32>Math.cos(x);
    case POW_SCALAR: return <f32>Math.pow(x, <f64>alpha);
    case LOG1P: return <f32>Math.log1p(x);
    case EXPM1: return <f32>Math.expm1(x);
    case SOFTPLUS: return x > 20 ? xf : <f32>Math.log1p(Math.exp(x)); // torch: beta 1, threshold 20
    default: return NaN;
  }
}

@inline function lanewise(op: i32, v: v128, alpha: f32): v128 {
  let r = v;
  r = f32x4.replace_lane(r, 0, unaryScalar(op, f32x4.extract_lane(v, 0), alpha));
  r = f32x4.replace_lane(r, 1, unaryScalar(op, f32x4.extract_lane(v, 1), alpha));
  r = f32x4.replace_lane(r, 2, unaryScalar(op, f32x4.extract_lane(v, 2), alpha));
  r = f32x4.replace_lane(r, 3, unaryScalar(op, f32x4.extract_lane(v, 3), alpha));
  return r;
}

@inline function signOf(x: v128): v128 {
  const one = f32x4.splat(1.0);
  const s = f32x4.sub(v128.and(f32x4.gt(x, f32x4.splat(0)), one), v128.and(f32x4.lt(x, f32x4.splat(0)), one));
  return v128.bitselect(s, x, f32x4.eq(x, x)); // NaN stays NaN
}

@inline function unary4(op: i32, x: v128, alpha: f32, beta: f32): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1.0);
  switch (op) {
    case NEG: return f32x4.neg(x);
    case EXP: return exp4(x);
    case LOG: return log4(x);
    case SQRT: return f32x4.sqrt(x);
    case RSQRT: return f32x4.div(one, f32x4.sqrt(x));
    case ABS: return f32x4.abs(x);
    case SQUARE: return f32x4.mul(x, x);
    case RECIPROCAL: return f32x4.div(one, x);
    case RELU: return f32x4.max(x, zero); // NaN propagates like torch
    case LEAKY_RELU: return v128.bitselect(x, f32x4.mul(x, f32x4.splat(alpha)), f32x4.gt(x, zero));
    case GELU: {
      const cdf = f32x4.mul(f32x4.splat(0.5), f32x4.add(one, erf4(f32x4.mul(x, f32x4.splat(INV_SQRT2)))));
      return f32x4.mul(x, cdf);
    }
    case GELU_TANH: {
      const x2 = f32x4.mul(x, x);
      const inner = f32x4.mul(f32x4.mul(x, f32x4.splat(GELU_K)), f32x4.add(one, f32x4.mul(x2, f32x4.splat(GELU_C))));
      return f32x4.mul(f32x4.mul(f32x4.splat(0.5), x), f32x4.add(one, tanh4(inner)));
    }
    case SILU: return f32x4.mul(x, sigmoid4(x));
    case TANH: return tanh4(x);
    case SIGMOID: return sigmoid4(x);
    case CLAMP: return f32x4.min(f32x4.max(x, f32x4.splat(alpha)), f32x4.splat(beta));
    case AFFINE: return f32x4.add(f32x4.mul(x, f32x4.splat(alpha)), f32x4.splat(beta));
    case SIGN: return signOf(x);
    default: return lanewise(op, x, alpha);
  }
}

@inline function unaryLoop(op: i32, x: usize, y: usize, i0: i32, i1: i32, alpha: f32, beta: f32): void {
  let i = i0;
  for (; i + 4 <= i1; i += 4) v128.store(at(y, i), unary4(op, v128.load(at(x, i)), alpha, beta));
  if (i < i1) storePartial(at(y, i), unary4(op, loadPartial(at(x, i), i1 - i), alpha, beta), i1 - i);
}

/** y[i] = f(x[i]) for i in [0, n). In place (x == y) is fine. alpha/beta: LEAKY_RELU slope,
 *  CLAMP lo/hi, AFFINE scale/shift, POW_SCALAR exponent. */
export function unary_f32(op: i32, n: i32, x: usize, y: usize, alpha: f32, beta: f32, tid: i32, nt: i32): void {
  const s = shareStart(n, tid, nt, 4);
  const e = shareStart(n, tid + 1, nt, 4);
  if (s >= e) return;
  // One specialised loop per op (op is a constant after inlining, so the inner switch folds).
  switch (op) {
    case NEG: unaryLoop(NEG, x, y, s, e, alpha, beta); break;
    case EXP: unaryLoop(EXP, x, y, s, e, alpha, beta); break;
    case LOG: unaryLoop(LOG, x, y, s, e, alpha, beta); break;
    case SQRT: unaryLoop(SQRT, x, y, s, e, alpha, beta); break;
    case RSQRT: unaryLoop(RSQRT, x, y, s, e, alpha, beta); break;
    case ABS: unaryLoop(ABS, x, y, s, e, alpha, beta); break;
    case SQUARE: unaryLoop(SQUARE, x, y, s, e, alpha, beta); break;
    case RECIPROCAL: unaryLoop(RECIPROCAL, x, y, s, e, alpha, beta); break;
    case RELU: unaryLoop(RELU, x, y, s, e, alpha, beta); break;
    case LEAKY_RELU: unaryLoop(LEAKY_RELU, x, y, s, e, alpha, beta); break;
    case GELU: unaryLoop(GELU, x, y, s, e, alpha, beta); break;
    case GELU_TANH: unaryLoop(GELU_TANH, x, y, s, e, alpha, beta); break;
    case SILU: unaryLoop(SILU, x, y, s, e, alpha, beta); break;
    case TANH: unaryLoop(TANH, x, y, s, e, alpha, beta); break;
    case SIGMOID: unaryLoop(SIGMOID, x, y, s, e, alpha, beta); break;
    case CLAMP: unaryLoop(CLAMP, x, y, s, e, alpha, beta); break;
    case AFFINE: unaryLoop(AFFINE, x, y, s, e, alpha, beta); break;
    case SIGN: unaryLoop(SIGN, x, y, s, e, alpha, beta); break;
    default: unaryLoop(op, x, y, s, e, alpha, beta); break; // scalar-f64 ops
  }
}

// ---------------------------------------------------------------------------------------------
// Unary backward

/** Ops whose derivative is computed from y = f(x) (x is not read). */
@inline function gradUsesY(op: i32): bool {
  return op == EXP || op == SQRT || op == RSQRT || op == RECIPROCAL || op == TANH || op == SIGMOID || op == EXPM1;
}

function gradScalar(op: i32, xf: f32, alpha: f32): f32 {
  const x = <f64>xf;
  switch (op) {
    case SIN: return <f32>Math.cos(x);
    case COS: return <f32>(-Math.sin(x));
    case POW_SCALAR: return alpha == 0 ? 0 : <f32>(<f64>alpha * Math.pow(x, <f64>alpha - 1));
    default: return NaN;
  }
}

/** f'(x) for 4 lanes (x or y = f(x), whichever the op needs). */
@inline function deriv4(op: i32, x: v128, y: v128, alpha: f32, beta: f32): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1.0);
  switch (op) {
    case NEG: return f32x4.splat(-1.0);
    case EXP: return y;
    case LOG: return f32x4.div(one, x);
    case SQRT: return f32x4.div(f32x4.splat(0.5), y);
    case RSQRT: return f32x4.mul(f32x4.splat(-0.5), f32x4.mul(y, f32x4.mul(y, y)));
    case ABS: { // sign(x), 0 at 0
      return f32x4.sub(v128.and(f32x4.gt(x, zero), one), v128.and(f32x4.lt(x, zero), one));
    }
    case SQUARE: return f32x4.add(x, x);
    case RECIPROCAL: return f32x4.neg(f32x4.mul(y, y));
    case RELU: return v128.and(f32x4.gt(x, zero), one);
    case LEAKY_RELU: return v128.bitselect(one, f32x4.splat(alpha), f32x4.gt(x, zero));
    case GELU: {
      const cdf = f32x4.mul(f32x4.splat(0.5), f32x4.add(one, erf4(f32x4.mul(x, f32x4.splat(INV_SQRT2)))));
      const pdf = f32x4.mul(exp4(f32x4.mul(f32x4.splat(-0.5), f32x4.mul(x, x))), f32x4.splat(INV_SQRT_2PI));
      return f32x4.add(cdf, f32x4.mul(x, pdf));
    }
    case GELU_TANH: {
      const x2 = f32x4.mul(x, x);
      const inner = f32x4.mul(f32x4.mul(x, f32x4.splat(GELU_K)), f32x4.add(one, f32x4.mul(x2, f32x4.splat(GELU_C))));
      const t = tanh4(inner);
      const dinner = f32x4.mul(f32x4.splat(GELU_K), f32x4.add(one, f32x4.mul(x2, f32x4.splat(3.0 * GELU_C))));
      const left = f32x4.mul(f32x4.splat(0.5), f32x4.add(one, t));
      const right = f32x4.mul(f32x4.mul(f32x4.mul(f32x4.splat(0.5), x), f32x4.sub(one, f32x4.mul(t, t))), dinner);
      return f32x4.add(left, right);
    }
    case SILU: {
      const s = sigmoid4(x);
      return f32x4.mul(s, f32x4.add(one, f32x4.mul(x, f32x4.sub(one, s))));
    }
    case TANH: return f32x4.sub(one, f32x4.mul(y, y));
    case SIGMOID: return f32x4.mul(y, f32x4.sub(one, y));
    case SOFTPLUS: return v128.bitselect(one, sigmoid4(x), f32x4.gt(x, f32x4.splat(20.0)));
    case CLAMP: { // torch: gradient flows where lo <= x <= hi (bounds included); NaN → 0
      const inside = v128.and(f32x4.ge(x, f32x4.splat(alpha)), f32x4.le(x, f32x4.splat(beta)));
      return v128.and(inside, one);
    }
    case AFFINE: return f32x4.splat(alpha);
    case SIGN: return zero;
    case LOG1P: return f32x4.div(one, f32x4.add(one, x));
    case EXPM1: return f32x4.add(y, one);
    default: {
      let r = x;
      r = f32x4.replace_lane(r, 0, gradScalar(op, f32x4.extract_lane(x, 0), alpha));
      r = f32x4.replace_lane(r, 1, gradScalar(op, f32x4.extract_lane(x, 1), alpha));
      r = f32x4.replace_lane(r, 2, gradScalar(op, f32x4.extract_lane(x, 2), alpha));
      r = f32x4.replace_lane(r, 3, gradScalar(op, f32x4.extract_lane(x, 3), alpha));
      return r;
    }
  }
}

@inline function gradLoop(op: i32, x: usize, y: usize, dy: usize, dx: usize, i0: i32, i1: i32, alpha: f32, beta: f32, accumulate: bool): void {
  const zero = f32x4.splat(0);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const vx = gradUsesY(op) ? zero : v128.load(at(x, i));
    const vy = gradUsesY(op) ? v128.load(at(y, i)) : zero;
    let g = f32x4.mul(v128.load(at(dy, i)), deriv4(op, vx, vy, alpha, beta));
    if (accumulate) g = f32x4.add(v128.load(at(dx, i)), g);
    v128.store(at(dx, i), g);
  }
  if (i < i1) {
    const k = i1 - i;
    const vx = gradUsesY(op) ? zero : loadPartial(at(x, i), k);
    const vy = gradUsesY(op) ? loadPartial(at(y, i), k) : zero;
    let g = f32x4.mul(loadPartial(at(dy, i), k), deriv4(op, vx, vy, alpha, beta));
    if (accumulate) g = f32x4.add(loadPartial(at(dx, i), k), g);
    storePartial(at(dx, i), g, k);
  }
}

/** dx (= or +=) dy * f'(x). Reads y = f(x) instead of x for EXP, SQRT, RSQRT, RECIPROCAL, TANH,
 *  SIGMOID and EXPM1 (the other pointer is ignored), x for every other op. */
export function unary_grad_f32(op: i32, n: i32, x: usize, y: usize, dy: usize, dx: usize, alpha: f32, beta: f32, accumulate: i32, tid: i32, nt: i32): void {
  const s = shareStart(n, tid, nt, 4);
  const e = shareStart(n, tid + 1, nt, 4);
  if (s >= e) return;
  const acc = accumulate != 0;
  switch (op) {
    case NEG: gradLoop(NEG, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case EXP: gradLoop(EXP, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case LOG: gradLoop(LOG, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case SQRT: gradLoop(SQRT, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case RSQRT: gradLoop(RSQRT, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case ABS: gradLoop(ABS, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case SQUARE: gradLoop(SQUARE, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case RECIPROCAL: gradLoop(RECIPROCAL, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case RELU: gradLoop(RELU, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case LEAKY_RELU: gradLoop(LEAKY_RELU, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case GELU: gradLoop(GELU, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case GELU_TANH: gradLoop(GELU_TANH, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case SILU: gradLoop(SILU, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case TANH: gradLoop(TANH, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case SIGMOID: gradLoop(SIGMOID, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case SOFTPLUS: gradLoop(SOFTPLUS, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case CLAMP: gradLoop(CLAMP, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case AFFINE: gradLoop(AFFINE, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case SIGN: gradLoop(SIGN, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case LOG1P: gradLoop(LOG1P, x, y, dy, dx, s, e, alpha, beta, acc); break;
    case EXPM1: gradLoop(EXPM1, x, y, dy, dx, s, e, alpha, beta, acc); break;
    default: gradLoop(op, x, y, dy, dx, s, e, alpha, beta, acc); break; // SIN, COS, POW_SCALAR
  }
}

// ---------------------------------------------------------------------------------------------
// Binary ops

function binaryScalar(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case ADD: return a + b;
    case SUB: return a - b;
    case MUL: return a * b;
    case DIV: return a / b;
    case POW: return <f32>Math.pow(<f64>a, <f64>b);
    case MAX: return max<f32>(a, b); // NaN-propagating like torch.maximum
    case MIN: return min<f32>(a, b);
    case EQ: return a == b ? 1 : 0;
    case NE: return a != b ? 1 : 0;
    case LT: return a < b ? 1 : 0;
    case LE: return a <= b ? 1 : 0;
    case GT: return a > b ? 1 : 0;
    case GE: return a >= b ? 1 : 0;
    case ATAN2: return <f32>Math.atan2(<f64>a, <f64>b);
    default: return NaN;
  }
}

@inline function binary4(op: i32, a: v128, b: v128): v128 {
  const one = f32x4.splat(1.0);
  switch (op) {
    case ADD: return f32x4.add(a, b);
    case SUB: return f32x4.sub(a, b);
    case MUL: return f32x4.mul(a, b);
    case DIV: return f32x4.div(a, b);
    case MAX: return f32x4.max(a, b);
    case MIN: return f32x4.min(a, b);
    case EQ: return v128.and(f32x4.eq(a, b), one);
    case NE: return v128.and(f32x4.ne(a, b), one);
    case LT: return v128.and(f32x4.lt(a, b), one);
    case LE: return v128.and(f32x4.le(a, b), one);
    case GT: return v128.and(f32x4.gt(a, b), one);
    case GE: return v128.and(f32x4.ge(a, b), one);
    default: {
      let r = a;
      r = f32x4.replace_lane(r, 0, binaryScalar(op, f32x4.extract_lane(a, 0), f32x4.extract_lane(b, 0)));
      r = f32x4.replace_lane(r, 1, binaryScalar(op, f32x4.extract_lane(a, 1), f32x4.extract_lane(b, 1)));
      r = f32x4.replace_lane(r, 2, binaryScalar(op, f32x4.extract_lane(a, 2), f32x4.extract_lane(b, 2)));
      r = f32x4.replace_lane(r, 3, binaryScalar(op, f32x4.extract_lane(a, 3), f32x4.extract_lane(b, 3)));
      return r;
    }
  }
}

/** One contiguous output run of n elements; operand strides sa/sb in elements. */
@inline function binaryRunOp(op: i32, n: i32, out: usize, a: usize, sa: i32, b: usize, sb: i32): void {
  if ((sa == 0 || sa == 1) && (sb == 0 || sb == 1)) {
    // Contiguous or broadcast (splat) operands: SIMD.
    const splatA = f32x4.splat(load<f32>(a));
    const splatB = f32x4.splat(load<f32>(b));
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const va = sa ? v128.load(at(a, i)) : splatA;
      const vb = sb ? v128.load(at(b, i)) : splatB;
      v128.store(at(out, i), binary4(op, va, vb));
    }
    for (; i < n; i++) store<f32>(at(out, i), binaryScalar(op, load<f32>(at(a, i * sa)), load<f32>(at(b, i * sb))));
  } else {
    for (let i = 0; i < n; i++) store<f32>(at(out, i), binaryScalar(op, load<f32>(at(a, i * sa)), load<f32>(at(b, i * sb))));
  }
}

function binaryRun(op: i32, n: i32, out: usize, a: usize, sa: i32, b: usize, sb: i32): void {
  switch (op) {
    case ADD: binaryRunOp(ADD, n, out, a, sa, b, sb); break;
    case SUB: binaryRunOp(SUB, n, out, a, sa, b, sb); break;
    case MUL: binaryRunOp(MUL, n, out, a, sa, b, sb); break;
    case DIV: binaryRunOp(DIV, n, out, a, sa, b, sb); break;
    case MAX: binaryRunOp(MAX, n, out, a, sa, b, sb); break;
    case MIN: binaryRunOp(MIN, n, out, a, sa, b, sb); break;
    case EQ: binaryRunOp(EQ, n, out, a, sa, b, sb); break;
    case NE: binaryRunOp(NE, n, out, a, sa, b, sb); break;
    case LT: binaryRunOp(LT, n, out, a, sa, b, sb); break;
    case LE: binaryRunOp(LE, n, out, a, sa, b, sb); break;
    case GT: binaryRunOp(GT, n, out, a, sa, b, sb); break;
    case GE: binaryRunOp(GE, n, out, a, sa, b, sb); break;
    default: binaryRunOp(op, n, out, a, sa, b, sb); break; // POW, ATAN2: scalar f64
  }
}

@inline function whereRun(n: i32, out: usize, c: usize, sc: i32, a: usize, sa: i32, b: usize, sb: i32): void {
  if ((sc == 0 || sc == 1) && (sa == 0 || sa == 1) && (sb == 0 || sb == 1)) {
    const splatC = f32x4.splat(load<f32>(c));
    const splatA = f32x4.splat(load<f32>(a));
    const splatB = f32x4.splat(load<f32>(b));
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const vc = sc ? v128.load(at(c, i)) : splatC;
      const va = sa ? v128.load(at(a, i)) : splatA;
      const vb = sb ? v128.load(at(b, i)) : splatB;
      v128.store(at(out, i), v128.bitselect(va, vb, f32x4.ne(vc, f32x4.splat(0))));
    }
    for (; i < n; i++) store<f32>(at(out, i), load<f32>(at(c, i * sc)) != 0 ? load<f32>(at(a, i * sa)) : load<f32>(at(b, i * sb)));
  } else {
    for (let i = 0; i < n; i++) store<f32>(at(out, i), load<f32>(at(c, i * sc)) != 0 ? load<f32>(at(a, i * sa)) : load<f32>(at(b, i * sb)));
  }
}

@inline function copyRun(n: i32, dst: usize, src: usize, ss: i32): void {
  if (ss == 1) memory.copy(dst, src, <usize>n << 2);
  else if (ss == 0) {
    const v = load<i32>(src);
    const vv = i32x4.splat(v);
    let i = 0;
    for (; i + 4 <= n; i += 4) v128.store(at(dst, i), vv);
    for (; i < n; i++) store<i32>(at(dst, i), v);
  } else {
    for (let i = 0; i < n; i++) store<i32>(at(dst, i), load<i32>(at(src, i * ss)));
  }
}

const KIND_COPY: i32 = 0;
const KIND_BINARY: i32 = 1;
const KIND_WHERE: i32 = 2;

@inline function dimAt(arr: usize, d: i32): i32 { return load<i32>(arr + (<usize>d << 2)); }

/**
 * Shared driver of the strided kernels: the contiguous output of `shape` is split into
 * 4-aligned flat ranges per thread; each range is walked row by row (a row = innermost dim),
 * with operand offsets recomputed by division only when the second-innermost index wraps.
 * Operands p0..p2 have i32 stride arrays s0..s2 (elements; 0 = broadcast; negative allowed).
 */
@inline function stridedDriver(kind: i32, op: i32, ndim: i32, shape: usize, out: usize,
  p0: usize, s0: usize, p1: usize, s1: usize, p2: usize, s2: usize, tid: i32, nt: i32): void {
  if (ndim <= 0) { // 0-d: a single element
    if (tid != 0) return;
    if (kind == KIND_COPY) store<i32>(out, load<i32>(p0));
    else if (kind == KIND_BINARY) store<f32>(out, binaryScalar(op, load<f32>(p0), load<f32>(p1)));
    else store<f32>(out, load<f32>(p0) != 0 ? load<f32>(p1) : load<f32>(p2));
    return;
  }
  let total: i32 = 1;
  for (let d = 0; d < ndim; d++) total *= dimAt(shape, d);
  if (total <= 0) return;
  const s = shareStart(total, tid, nt, 4);
  const e = shareStart(total, tid + 1, nt, 4);
  if (s >= e) return;
  const inner = dimAt(shape, ndim - 1);
  const is0 = dimAt(s0, ndim - 1);
  const is1 = kind >= KIND_BINARY ? dimAt(s1, ndim - 1) : 0;
  const is2 = kind == KIND_WHERE ? dimAt(s2, ndim - 1) : 0;
  const K = ndim > 1 ? dimAt(shape, ndim - 2) : 1;
  const ks0 = ndim > 1 ? dimAt(s0, ndim - 2) : 0;
  const ks1 = ndim > 1 && kind >= KIND_BINARY ? dimAt(s1, ndim - 2) : 0;
  const ks2 = ndim > 1 && kind == KIND_WHERE ? dimAt(s2, ndim - 2) : 0;
  let row = s / inner;
  let j0 = s - row * inner;
  let done = s;
  while (done < e) {
    let rem = row;
    let o0 = 0, o1 = 0, o2 = 0, k = 0;
    for (let d = ndim - 2; d >= 0; d--) {
      const size = dimAt(shape, d);
      const idx = rem % size;
      rem /= size;
      if (d == ndim - 2) k = idx;
      o0 += idx * dimAt(s0, d);
      if (kind >= KIND_BINARY) o1 += idx * dimAt(s1, d);
      if (kind == KIND_WHERE) o2 += idx * dimAt(s2, d);
    }
    while (true) {
      const j1 = min<i32>(inner, e - row * inner);
      const n = j1 - j0;
      const dst = at(out, row * inner + j0);
      if (kind == KIND_COPY) copyRun(n, dst, at(p0, o0 + j0 * is0), is0);
      else if (kind == KIND_BINARY) binaryRun(op, n, dst, at(p0, o0 + j0 * is0), is0, at(p1, o1 + j0 * is1), is1);
      else whereRun(n, dst, at(p0, o0 + j0 * is0), is0, at(p1, o1 + j0 * is1), is1, at(p2, o2 + j0 * is2), is2);
      done += n;
      j0 = 0;
      row++;
      if (done >= e) break;
      if (++k >= K) break;
      o0 += ks0; o1 += ks1; o2 += ks2;
    }
  }
}

/** out[idx] = a[idx·aStrides] op b[idx·bStrides] over the contiguous output `shape` (i32[ndim]). */
export function binary_f32(op: i32, ndim: i32, shape: usize, out: usize, a: usize, aStrides: usize, b: usize, bStrides: usize, tid: i32, nt: i32): void {
  stridedDriver(KIND_BINARY, op, ndim, shape, out, a, aStrides, b, bStrides, 0, 0, tid, nt);
}

/** out = cond != 0 ? a : b (NaN counts as true), all three operands strided/broadcast. */
export function where_f32(ndim: i32, shape: usize, out: usize, cond: usize, condStrides: usize, a: usize, aStrides: usize, b: usize, bStrides: usize, tid: i32, nt: i32): void {
  stridedDriver(KIND_WHERE, 0, ndim, shape, out, cond, condStrides, a, aStrides, b, bStrides, tid, nt);
}

/** Materialises a strided view of 4-byte elements (f32 or i32, copied bitwise) contiguously. */
export function copy_strided_32(ndim: i32, shape: usize, src: usize, srcStrides: usize, dst: usize, tid: i32, nt: i32): void {
  stridedDriver(KIND_COPY, 0, ndim, shape, dst, src, srcStrides, 0, 0, 0, 0, tid, nt);
}

// ---------------------------------------------------------------------------------------------
// Fills, casts, BLAS-1

export function fill_f32(n: i32, ptr: usize, value: f32, tid: i32, nt: i32): void {
  fill_i32(n, ptr, reinterpret<i32>(value), tid, nt);
}

export function fill_i32(n: i32, ptr: usize, value: i32, tid: i32, nt: i32): void {
  const s = shareStart(n, tid, nt, 4);
  const e = shareStart(n, tid + 1, nt, 4);
  const v = i32x4.splat(value);
  let i = s;
  for (; i + 4 <= e; i += 4) v128.store(at(ptr, i), v);
  for (; i < e; i++) store<i32>(at(ptr, i), value);
}

export function cast_i32_f32(n: i32, x: usize, y: usize, tid: i32, nt: i32): void {
  const s = shareStart(n, tid, nt, 4);
  const e = shareStart(n, tid + 1, nt, 4);
  let i = s;
  for (; i + 4 <= e; i += 4) v128.store(at(y, i), f32x4.convert_i32x4_s(v128.load(at(x, i))));
  for (; i < e; i++) store<f32>(at(y, i), <f32>load<i32>(at(x, i)));
}

/** Truncation toward zero; NaN → 0 and out-of-range values saturate (wasm trunc_sat). */
export function cast_f32_i32(n: i32, x: usize, y: usize, tid: i32, nt: i32): void {
  const s = shareStart(n, tid, nt, 4);
  const e = shareStart(n, tid + 1, nt, 4);
  let i = s;
  for (; i + 4 <= e; i += 4) v128.store(at(y, i), i32x4.trunc_sat_f32x4_s(v128.load(at(x, i))));
  for (; i < e; i++) store<i32>(at(y, i), i32x4.extract_lane(i32x4.trunc_sat_f32x4_s(f32x4.splat(load<f32>(at(x, i)))), 0));
}

/** y += alpha·x */
export function axpy_f32(n: i32, alpha: f32, x: usize, y: usize, tid: i32, nt: i32): void {
  const s = shareStart(n, tid, nt, 4);
  const e = shareStart(n, tid + 1, nt, 4);
  const va = f32x4.splat(alpha);
  let i = s;
  for (; i + 4 <= e; i += 4) v128.store(at(y, i), f32x4.add(v128.load(at(y, i)), f32x4.mul(va, v128.load(at(x, i)))));
  for (; i < e; i++) store<f32>(at(y, i), load<f32>(at(y, i)) + alpha * load<f32>(at(x, i)));
}

/** y = alpha·x (in place allowed) */
export function scale_f32(n: i32, alpha: f32, x: usize, y: usize, tid: i32, nt: i32): void {
  const s = shareStart(n, tid, nt, 4);
  const e = shareStart(n, tid + 1, nt, 4);
  const va = f32x4.splat(alpha);
  let i = s;
  for (; i + 4 <= e; i += 4) v128.store(at(y, i), f32x4.mul(va, v128.load(at(x, i))));
  for (; i < e; i++) store<f32>(at(y, i), alpha * load<f32>(at(x, i)));
}

/** y += x (gradient accumulation) */
export function add_inplace_f32(n: i32, x: usize, y: usize, tid: i32, nt: i32): void {
  const s = shareStart(n, tid, nt, 4);
  const e = shareStart(n, tid + 1, nt, 4);
  let i = s;
  for (; i + 4 <= e; i += 4) v128.store(at(y, i), f32x4.add(v128.load(at(y, i)), v128.load(at(x, i))));
  for (; i < e; i++) store<f32>(at(y, i), load<f32>(at(y, i)) + load<f32>(at(x, i)));
}
