/**
 * Elementwise ops: each forward kernel call with its gradient beside it (tfjs-core style).
 * Binary ops broadcast (NumPy rules); their gradients are summed back to each input's shape.
 */
import { record } from '../autograd.js';
import { type UnaryOpName, binary, full, unary, unaryGrad, where as whereKernel } from '../backend.js';
import { Tensor, tensor } from '../tensor.js';
import { sumTo } from './shape.js';

export type TensorLike = Tensor | number;

/** A scalar as a one-element tensor that broadcasts (no gradient). */
function lift(x: TensorLike): Tensor {
  return typeof x === 'number' ? tensor([x], []) : x;
}

export function add(a: TensorLike, b: TensorLike): Tensor {
  const ta = lift(a), tb = lift(b);
  const out = binary('ADD', ta, tb);
  return record(out, 'add', [ta, tb], (g) => [sumTo(g, ta.shape), sumTo(g, tb.shape)]);
}

export function sub(a: TensorLike, b: TensorLike): Tensor {
  const ta = lift(a), tb = lift(b);
  const out = binary('SUB', ta, tb);
  return record(out, 'sub', [ta, tb], (g) => [sumTo(g, ta.shape), tb.requiresGrad ? sumTo(unary('NEG', g), tb.shape) : null]);
}

export function mul(a: TensorLike, b: TensorLike): Tensor {
  const ta = lift(a), tb = lift(b);
  const out = binary('MUL', ta, tb);
  return record(out, 'mul', [ta, tb], (g) => [
    ta.requiresGrad ? sumTo(binary('MUL', g, tb), ta.shape) : null,
    tb.requiresGrad ? sumTo(binary('MUL', g, ta), tb.shape) : null,
  ]);
}

export function div(a: TensorLike, b: TensorLike): Tensor {
  const ta = lift(a), tb = lift(b);
  const out = binary('DIV', ta, tb);
  return record(out, 'div', [ta, tb], (g) => [
    ta.requiresGrad ? sumTo(binary('DIV', g, tb), ta.shape) : null,
    // d(a/b)/db = -a/b² = -out/b
    tb.requiresGrad ? sumTo(unary('NEG', binary('DIV', binary('MUL', g, out), tb)), tb.shape) : null,
  ]);
}

/** a^b; a scalar exponent uses the fused kernel. */
export function pow(a: Tensor, b: TensorLike): Tensor {
  if (typeof b === 'number') {
    const out = unary('POW_SCALAR', a, b);
    return record(out, 'pow', [a], (g) => [unaryGrad('POW_SCALAR', a, out, g, b)]);
  }
  const out = binary('POW', a, b);
  return record(out, 'pow', [a, b], (g) => [
    // d/da = b·a^(b-1) = b·out/a is unstable at a=0; use a^(b-1) directly.
    a.requiresGrad ? sumTo(binary('MUL', g, binary('MUL', b, binary('POW', a, unary('AFFINE', b, 1, -1)))), a.shape) : null,
    b.requiresGrad ? sumTo(binary('MUL', g, binary('MUL', out, unary('LOG', a))), b.shape) : null,
  ]);
}

/** Gradient routing for max/min: the winner takes it all, ties split it evenly (as PyTorch). */
function extremumGrads(g: Tensor, ta: Tensor, tb: Tensor, aWinsOp: 'GT' | 'LT'): (Tensor | null)[] {
  const tie = unary('AFFINE', binary('EQ', ta, tb), 0.5, 0);
  const aShare = binary('ADD', binary(aWinsOp, ta, tb), tie);
  return [
    ta.requiresGrad ? sumTo(binary('MUL', g, aShare), ta.shape) : null,
    tb.requiresGrad ? sumTo(binary('MUL', g, unary('AFFINE', aShare, -1, 1)), tb.shape) : null,
  ];
}

export function maximum(a: TensorLike, b: TensorLike): Tensor {
  const ta = lift(a), tb = lift(b);
  const out = binary('MAX', ta, tb);
  return record(out, 'maximum', [ta, tb], (g) => extremumGrads(g, ta, tb, 'GT'));
}

export function minimum(a: TensorLike, b: TensorLike): Tensor {
  const ta = lift(a), tb = lift(b);
  const out = binary('MIN', ta, tb);
  return record(out, 'minimum', [ta, tb], (g) => extremumGrads(g, ta, tb, 'LT'));
}

/** Comparisons (no gradient): 1.0 where true, 0.0 elsewhere. */
export const eq = (a: TensorLike, b: TensorLike): Tensor => binary('EQ', lift(a), lift(b));
export const ne = (a: TensorLike, b: TensorLike): Tensor => binary('NE', lift(a), lift(b));
export const lt = (a: TensorLike, b: TensorLike): Tensor => binary('LT', lift(a), lift(b));
export const le = (a: TensorLike, b: TensorLike): Tensor => binary('LE', lift(a), lift(b));
export const gt = (a: TensorLike, b: TensorLike): Tensor => binary('GT', lift(a), lift(b));
export const ge = (a: TensorLike, b: TensorLike): Tensor => binary('GE', lift(a), lift(b));

/** Shared shape of every unary op: forward kernel, gradient kernel, same op code. */
function unaryOp(op: UnaryOpName, name: string, alpha = 0, beta = 0): (x: Tensor) => Tensor {
  return (x: Tensor) => {
    const y = unary(op, x, alpha, beta);
    return record(y, name, [x], (g) => [unaryGrad(op, x, y, g, alpha, beta)]);
  };
}

export const neg = unaryOp('NEG', 'neg');
export const exp = unaryOp('EXP', 'exp');
export const log = unaryOp('LOG', 'log');
export const sqrt = unaryOp('SQRT', 'sqrt');
export const rsqrt = unaryOp('RSQRT', 'rsqrt');
export const abs = unaryOp('ABS', 'abs');
export const square = unaryOp('SQUARE', 'square');
export const reciprocal = unaryOp('RECIPROCAL', 'reciprocal');
export const relu = unaryOp('RELU', 'relu');
/** GELU, exact erf form (PyTorch's default). */
export const gelu = unaryOp('GELU', 'gelu');
/** GELU, tanh approximation (PyTorch approximate='tanh'). */
export const geluTanh = unaryOp('GELU_TANH', 'geluTanh');
export const silu = unaryOp('SILU', 'silu');
export const tanh = unaryOp('TANH', 'tanh');
export const sigmoid = unaryOp('SIGMOID', 'sigmoid');
/** softplus(x) = log(1 + eˣ) (x itself above 20, as PyTorch). */
export const softplus = unaryOp('SOFTPLUS', 'softplus');
export const sin = unaryOp('SIN', 'sin');
export const cos = unaryOp('COS', 'cos');
export const log1p = unaryOp('LOG1P', 'log1p');
export const expm1 = unaryOp('EXPM1', 'expm1');

export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  return unaryOp('LEAKY_RELU', 'leakyRelu', slope)(x);
}

/** Clamps to [lo, hi]; the gradient passes where lo ≤ x ≤ hi. */
export function clamp(x: Tensor, lo = -Infinity, hi = Infinity): Tensor {
  if (lo > hi) throw new Error(`clamp: lo ${lo} > hi ${hi}`);
  return unaryOp('CLAMP', 'clamp', lo, hi)(x);
}

/** y = alpha·x + beta in one pass. */
export function affine(x: Tensor, alpha: number, beta = 0): Tensor {
  return unaryOp('AFFINE', 'affine', alpha, beta)(x);
}

export function scale(x: Tensor, alpha: number): Tensor {
  return affine(x, alpha, 0);
}

/** where(cond, a, b): a where cond ≠ 0, b elsewhere (broadcasting). */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const ta = lift(a), tb = lift(b);
  const out = whereKernel(cond, ta, tb);
  return record(out, 'where', [ta, tb], (g) => {
    const zero = full([1], 0);
    return [
      ta.requiresGrad ? sumTo(whereKernel(cond, g, zero), ta.shape) : null,
      tb.requiresGrad ? sumTo(whereKernel(cond, zero, g), tb.shape) : null,
    ];
  });
}

/** Replaces elements where `mask` ≠ 0 by `value` (e.g. −1e9 before a softmax over padding). */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  return where(mask, value, x);
}
