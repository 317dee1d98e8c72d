// Shared helpers of the elementwise/reduce/nn/optim/random kernels: thread shares, f32x4 math
// (exp, log, tanh, sigmoid, erf), partial-vector loads and the counter-based RNG.
// Not re-exported from index.ts, so nothing here becomes a wasm export.

// ---------------------------------------------------------------------------------------------
// Thread shares

/** Start of thread `tid`'s share of `n` items, rounded down to a multiple of `align` (a power of
 *  two) so SIMD blocks never straddle threads. The share of tid is [start(tid), start(tid + 1)). */
@inline export function shareStart(n: i32, tid: i32, nt: i32, align: i32): i32 {
  if (tid <= 0) return 0;
  if (tid >= nt) return n;
  return <i32>((<i64>n * <i64>tid) / <i64>nt) & ~(align - 1);
}

/** Byte address of element `i` (may be negative) of 4-byte elements starting at `base`. */
@inline export function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

// ---------------------------------------------------------------------------------------------
// Partial vectors (tails of 1..3 elements)

@inline export function loadPartial(p: usize, k: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (k > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (k > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

@inline export function storePartial(p: usize, v: v128, k: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (k > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (k > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

// f32x4 <-> f64x2 pairs, for f64 accumulation of f32 data.
@inline export function lo64(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
@inline export function hi64(v: v128): v128 { return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)); }
@inline export function pack64(lo: v128, hi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}
@inline export function hsum64(a: v128): f64 { return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1); }
/** NaN-propagating horizontal max/min (wasm f32.max/min propagate NaN). */
@inline export function hmax(v: v128): f32 {
  return max<f32>(max<f32>(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max<f32>(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}
@inline export function hmin(v: v128): f32 {
  return min<f32>(min<f32>(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), min<f32>(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

// ---------------------------------------------------------------------------------------------
// f32x4 math. Polynomials are Cephes' single-precision ones (see docs/engine-kernels-elementwise.md
// for measured errors).

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375; // few mantissa bits: n*LN2_HI is exact
const LN2_LO: f32 = -2.12194440e-4;
const SIGN_MASK: i32 = 0x80000000;

/** e^x for every lane: exact specials (NaN → NaN, x > 88.72 → inf, x < -103.97 → 0, subnormal
 *  results right) because the 2^n scale is applied as two normal factors. */
@inline export function exp4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-104.0)), f32x4.splat(89.0)); // min/max propagate NaN
  const fx = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(LN2_LO)));
  const z = f32x4.mul(r, r);
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), r), f32x4.splat(1.0));
  const n = i32x4.trunc_sat_f32x4_s(fx); // NaN → 0 (y is NaN anyway)
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

/** ln x for lanes that are positive, normal and finite (see log4). */
@inline function log4Normal(x: v128): v128 {
  const e = i32x4.sub(i32x4.shr_u(x, 23), i32x4.splat(126)); // x = m * 2^e, m in [0.5, 1)
  const m = v128.or(v128.and(x, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const small = f32x4.lt(m, f32x4.splat(0.707106781186547524));
  const ef = f32x4.sub(f32x4.convert_i32x4_s(e), v128.and(small, f32x4.splat(1.0)));
  const t = f32x4.sub(f32x4.add(m, v128.and(small, m)), f32x4.splat(1.0)); // in [sqrt(.5)-1, sqrt(2)-1)
  const z = f32x4.mul(t, t);
  let y = f32x4.splat(7.0376836292e-2);
  y = f32x4.add(f32x4.mul(y, t), f32x4.splat(-1.1514610310e-1));
  y = f32x4.add(f32x4.mul(y, t), f32x4.splat(1.1676998740e-1));
  y = f32x4.add(f32x4.mul(y, t), f32x4.splat(-1.2420140846e-1));
  y = f32x4.add(f32x4.mul(y, t), f32x4.splat(1.4249322787e-1));
  y = f32x4.add(f32x4.mul(y, t), f32x4.splat(-1.6668057665e-1));
  y = f32x4.add(f32x4.mul(y, t), f32x4.splat(2.0000714765e-1));
  y = f32x4.add(f32x4.mul(y, t), f32x4.splat(-2.4999993993e-1));
  y = f32x4.add(f32x4.mul(y, t), f32x4.splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, t), z);
  y = f32x4.add(y, f32x4.mul(ef, f32x4.splat(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  return f32x4.add(f32x4.add(t, y), f32x4.mul(ef, f32x4.splat(LN2_HI)));
}

/** ln x; lanes that are not positive normal finite numbers (0, <0, subnormal, inf, NaN) take the
 *  scalar f64 path so specials come out as Math.log gives them. */
@inline export function log4(x: v128): v128 {
  const ok = v128.and(f32x4.ge(x, f32x4.splat(1.17549435e-38)), f32x4.le(x, f32x4.splat(3.40282347e38)));
  if (i32x4.all_true(ok)) return log4Normal(x);
  let r = x;
  r = f32x4.replace_lane(r, 0, <f32>Math.log(<f64>f32x4.extract_lane(x, 0)));
  r = f32x4.replace_lane(r, 1, <f32>Math.log(<f64>f32x4.extract_lane(x, 1)));
  r = f32x4.replace_lane(r, 2, <f32>Math.log(<f64>f32x4.extract_lane(x, 2)));
  r = f32x4.replace_lane(r, 3, <f32>Math.log(<f64>f32x4.extract_lane(x, 3)));
  return r;
}

/** tanh x: odd polynomial below |x| = 0.625 (Cephes tanhf), 1 - 2/(e^{2|x|}+1) above. */
@inline export function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  // Clamp 2|x| at 88 so exp stays finite and 2/(e+1) underflows: tanh = ±1 exactly for |x| ≥ 9.
  // (A tighter clamp such as 18 leaves 1 − 6e-8 and a spurious 1 − tanh² in gradients.) NaN propagates.
  const e = exp4(f32x4.min(f32x4.add(ax, ax), f32x4.splat(88.0)));
  const big = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(SIGN_MASK)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625)));
}

/** 1/(1+e^-x) computed from e = e^{-|x|} so both tails keep full relative precision. */
@inline export function sigmoid4(x: v128): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  const s = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
  return v128.bitselect(s, f32x4.mul(e, s), f32x4.ge(x, f32x4.splat(0)));
}

/** erf x: rational approximation p(x)/q(x^2) on [-4, 4] (the XLA/Eigen f32 erf); |erf| rounds to
 *  1 beyond 4. */
@inline export function erf4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-4.0)), f32x4.splat(4.0));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(-2.72614225801306e-10);
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(2.77068142495902e-08));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-2.10102402082508e-06));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-5.69250639462346e-05));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-7.34990630326855e-04));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-2.95459980854025e-03));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-1.60960333262415e-02));
  p = f32x4.mul(p, x);
  let q = f32x4.splat(-1.45660718464996e-05);
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(-2.13374055278905e-04));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(-1.68282697438203e-03));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(-7.37332916720468e-03));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(-1.42647390514189e-02));
  return f32x4.div(p, q);
}

// ---------------------------------------------------------------------------------------------
// Counter-based RNG: SplitMix64 evaluated at an arbitrary counter. Element i of a call draws
// mix64(streamBase(seed) + (offset + i) * GOLDEN), so results do not depend on how the range is
// split across threads; successive calls advance `offset` (or change seed).

const GOLDEN: u64 = 0x9E3779B97F4A7C15;

@inline export function mix64(z: u64): u64 {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
  return z ^ (z >> 31);
}

/** Per-seed starting point (seeds are hashed so neighbouring seeds give unrelated streams). */
@inline export function streamBase(seed: u32): u64 {
  return mix64((<u64>seed << 1) ^ 0x5851F42D4C957F2D);
}

@inline export function randomBits(base: u64, counter: u64): u64 {
  return mix64(base + counter * GOLDEN);
}

/** Uniform in [0, 1) with 24 random bits (every value exactly representable in f32). */
@inline export function uniform24(h: u64): f32 {
  return <f32>(<u32>(h >> 40)) * (1.0 / 16777216.0);
}

/** 1/sqrt(variance + eps) of the row last passed to rowMoments (its second result). */
export let rowRstd: f64 = 0;

/**
 * Mean of the n f32 values at px, accumulated in f64 four at a time; sets rowRstd to
 * 1/sqrt(var + eps) (two-pass variance). Shared by layernorm_f32 and the fused vocoder kernels,
 * so both normalise with the same rounding.
 */
@inline export function rowMoments(px: usize, n: i32, eps: f32): f64 {
  let a0 = f64x2.splat(0), a1 = a0;
  let i = 0;
  for (; i + 4 <= n; i += 4) { const v = v128.load(at(px, i)); a0 = f64x2.add(a0, lo64(v)); a1 = f64x2.add(a1, hi64(v)); }
  let sum = hsum64(f64x2.add(a0, a1));
  for (; i < n; i++) sum += <f64>load<f32>(at(px, i));
  const mu = sum / <f64>n;
  const vmu = f64x2.splat(mu);
  a0 = f64x2.splat(0); a1 = a0;
  i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(at(px, i));
    const d0 = f64x2.sub(lo64(v), vmu), d1 = f64x2.sub(hi64(v), vmu);
    a0 = f64x2.add(a0, f64x2.mul(d0, d0)); a1 = f64x2.add(a1, f64x2.mul(d1, d1));
  }
  let ss = hsum64(f64x2.add(a0, a1));
  for (; i < n; i++) { const d = <f64>load<f32>(at(px, i)) - mu; ss += d * d; }
  rowRstd = 1.0 / Math.sqrt(ss / <f64>n + <f64>eps);
  return mu;
}
