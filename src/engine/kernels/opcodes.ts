/**
 * Op codes of the elementwise and reduction kernels. Mirrored exactly by the constants at the top
 * of src/engine/kernels/assembly/elementwise.ts (UnaryOp, BinaryOp) and assembly/reduce.ts
 * (ReduceOp): change both sides together. test/engine/kernels-elementwise.test.ts runs every code
 * against a float64 reference, so a mismatch fails there.
 */

/** `unary_f32` / `unary_grad_f32`. alpha/beta: LEAKY_RELU slope; CLAMP lo, hi; AFFINE y = alpha·x + beta; POW_SCALAR exponent. */
export const UnaryOp = {
  NEG: 0,
  EXP: 1,
  LOG: 2,
  SQRT: 3,
  RSQRT: 4,
  ABS: 5,
  SQUARE: 6,
  RECIPROCAL: 7,
  RELU: 8,
  LEAKY_RELU: 9,
  /** Exact form 0.5·x·(1 + erf(x/√2)) (torch default). */
  GELU: 10,
  /** tanh approximation (torch approximate='tanh'). */
  GELU_TANH: 11,
  SILU: 12,
  TANH: 13,
  SIGMOID: 14,
  /** torch defaults: beta 1, threshold 20 (x > 20 → x). */
  SOFTPLUS: 15,
  CLAMP: 16,
  AFFINE: 17,
  SIGN: 18,
  SIN: 19,
  COS: 20,
  POW_SCALAR: 21,
  LOG1P: 22,
  EXPM1: 23,
} as const;
export type UnaryOpCode = (typeof UnaryOp)[keyof typeof UnaryOp];

/** Ops whose gradient kernel reads y = f(x) rather than x. */
export const UNARY_GRAD_USES_Y: ReadonlySet<UnaryOpCode> = new Set<UnaryOpCode>([
  UnaryOp.EXP, UnaryOp.SQRT, UnaryOp.RSQRT, UnaryOp.RECIPROCAL, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.EXPM1,
]);

/** `binary_f32`. Comparisons write 1.0 / 0.0; MAX/MIN propagate NaN (torch.maximum/minimum). */
export const BinaryOp = {
  ADD: 0,
  SUB: 1,
  MUL: 2,
  DIV: 3,
  POW: 4,
  MAX: 5,
  MIN: 6,
  EQ: 7,
  NE: 8,
  LT: 9,
  LE: 10,
  GT: 11,
  GE: 12,
  ATAN2: 13,
} as const;
export type BinaryOpCode = (typeof BinaryOp)[keyof typeof BinaryOp];

/** `reduce_f32`. */
export const ReduceOp = {
  SUM: 0,
  MEAN: 1,
  MAX: 2,
  MIN: 3,
  SUMSQ: 4,
  PROD: 5,
} as const;
export type ReduceOpCode = (typeof ReduceOp)[keyof typeof ReduceOp];
