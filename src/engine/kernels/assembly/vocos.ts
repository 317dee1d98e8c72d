// Fused inference kernels of the Vocos-style vocoder (src/models/vocoder/fast.ts drives them):
//
//   vocos_pack_b_f32      a Linear/conv weight [N, K] → 8-column slivers [N/8][K][8] (once, at load)
//   vocos_embed_f32       embedding conv (k 7) + bias + LayerNorm, channels-last output
//   vocos_convnext_f32    one whole ConvNeXt block: depthwise conv + bias, LayerNorm, Linear, GELU,
//                         Linear, layer scale, residual — per 4-frame strip, all in L1
//   vocos_istft_f32       final LayerNorm, head Linear, exp/clamp and cos/sin, inverse real FFT,
//                         window, overlap-add and window-sum-square normalisation
//
// Every kernel works on strips of 4 frames (the GEMM micro-kernel's MR): the strip's activations
// are packed into the micro-kernel's A layout ([k][4]) straight from the previous stage, and the
// weights are pre-packed into its B layout once, so no GEMM packs anything per call. Work items
// (strips, or output segments for the iSTFT) are claimed from an atomic counter the caller zeroes
// before each dispatch: a thread that the OS preempts simply claims fewer items, so a 2-thread
// dispatch on a busy machine does not wait for the slow half. Every item is computed the same way
// whatever thread takes it, so results do not depend on the thread count.
//
// Rounding: the GEMM strips accumulate over k in the same order and with the same K blocks as
// gemm.ts (KC = 256, balanced blocks), and the elementwise steps are the engine ops' own formulas
// (exp4, erf4 GELU, layernorm_f32's f64 statistics), so the backbone and the head Linear reproduce
// the op-by-op path bit for bit. Only sin/cos (a Cephes polynomial instead of f64 Math) and the
// float32 FFT and overlap-add differ, at float32 rounding level.
import { at, rowMoments, rowRstd } from './vecmath';
import { microKernel, storeTransposed4x4 } from './microkernel';
import { claim, fftLanes, lanesToFrames, overlapAddFrames, packRealSpectrum } from './fft-lanes';

const KC: i32 = 256; // gemm.ts's depth block: the same K blocks give the same rounding.

// ---------------------------------------------------------------------------------------------
// Constants as static tables. V8 (x64) materialises every v128.const with three instructions
// (movq imm64; vmovq; vpunpcklqdq) at each use inside a loop, which made the polynomials below
// ~30% slower; a splat load from memory is one instruction (checked with --print-wasm-code). The
// values are the same f32 constants as vecmath.ts, so results are bit-identical to exp4/erf4.
const KF = memory.data<f32>([
  // 0..12: sin/cos (Cephes sinf/cosf)
  1.27323954473516, 0.78515625, 2.4187564849853515625e-4, 3.77489497744594108e-8,
  -1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1,
  2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2, 0.5, 1.0, 8192.0,
  // 13..23: exp (vecmath exp4)
  -104.0, 89.0, 1.44269504088896341, 0.693359375, -2.12194440e-4,
  1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1,
  // 24..38: erf (vecmath erf4), 1/√2
  -4.0, 4.0, -2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06, -5.69250639462346e-05,
  -7.34990630326855e-04, -2.95459980854025e-03, -1.60960333262415e-02,
  -1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03, -7.37332916720468e-03, -1.42647390514189e-02,
  0.70710678118654752,
]);
const KI = memory.data<i32>([1, ~1, 2, 0x80000000, 127]);
@inline function kf(i: i32): v128 { return v128.load32_splat(KF + (<usize>i << 2)); }
@inline function ki(i: i32): v128 { return v128.load32_splat(KI + (<usize>i << 2)); }
const HALF = 10, ONE = 11;

// vecmath.ts exp4 with table constants.
@inline function expT(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, kf(13)), kf(14));
  const fx = f32x4.nearest(f32x4.mul(x, kf(15)));
  let r = f32x4.sub(x, f32x4.mul(fx, kf(16)));
  r = f32x4.sub(r, f32x4.mul(fx, kf(17)));
  const z = f32x4.mul(r, r);
  let y = kf(18);
  y = f32x4.add(f32x4.mul(y, r), kf(19));
  y = f32x4.add(f32x4.mul(y, r), kf(20));
  y = f32x4.add(f32x4.mul(y, r), kf(21));
  y = f32x4.add(f32x4.mul(y, r), kf(22));
  y = f32x4.add(f32x4.mul(y, r), kf(23));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), r), kf(ONE));
  const n = i32x4.trunc_sat_f32x4_s(fx);
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, ki(4)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, ki(4)), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

// vecmath.ts erf4 with table constants.
@inline function erfT(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, kf(24)), kf(25));
  const x2 = f32x4.mul(x, x);
  let p = kf(26);
  p = f32x4.add(f32x4.mul(p, x2), kf(27));
  p = f32x4.add(f32x4.mul(p, x2), kf(28));
  p = f32x4.add(f32x4.mul(p, x2), kf(29));
  p = f32x4.add(f32x4.mul(p, x2), kf(30));
  p = f32x4.add(f32x4.mul(p, x2), kf(31));
  p = f32x4.add(f32x4.mul(p, x2), kf(32));
  p = f32x4.mul(p, x);
  let q = kf(33);
  q = f32x4.add(f32x4.mul(q, x2), kf(34));
  q = f32x4.add(f32x4.mul(q, x2), kf(35));
  q = f32x4.add(f32x4.mul(q, x2), kf(36));
  q = f32x4.add(f32x4.mul(q, x2), kf(37));
  return f32x4.div(p, q);
}

// The GELU op's formula: x · 0.5·(1 + erf(x/√2)).
@inline function geluT(x: v128): v128 {
  return f32x4.mul(x, f32x4.mul(kf(HALF), f32x4.add(kf(ONE), erfT(f32x4.mul(x, kf(38))))));
}

// ---------------------------------------------------------------------------------------------
// GEMM strips


// dst[4][nSl*8] (row stride ld floats) = A-strip (packed [K][4]) x packed B (nSl slivers of [K][8]),
// in gemm.ts's K blocks: the first block stores, later blocks accumulate.
function stripGemm(K: i32, pa: usize, pb: usize, nSl: i32, dst: usize, ld: i32): void {
  const kBlocks = (K + KC - 1) / KC;
  const kcStep = (((K + kBlocks - 1) / kBlocks) + 3) & ~3;
  const ldB = <usize>ld << 2;
  for (let pc = 0; pc < K; pc += kcStep) {
    const kc = min(kcStep, K - pc);
    const paK = pa + (<usize>pc << 4);
    for (let s = 0; s < nSl; s++) {
      // gemm.ts's micro-kernel (alpha = beta = 1 is exact: the same rounding as a plain store/add).
      microKernel(kc, paK, pb + ((<usize>s * <usize>K + <usize>pc) << 5), dst + (<usize>s << 5), ldB, 1, 1, pc == 0 ? 0 : 1);
    }
  }
}

/** Packs W [N, K] (row stride ldw floats; the Linear weight, op(B) = Wᵀ) into ceil(N/8) slivers
 *  of [K][8] floats, zero-padded past N. Single-threaded (thread 0); run once per weight. */
export function vocos_pack_b_f32(N: i32, K: i32, w: usize, ldw: i32, dst: usize, tid: i32, nt: i32): void {
  if (tid != 0) return;
  const nSl = (N + 7) >> 3;
  for (let s = 0; s < nSl; s++) {
    for (let k = 0; k < K; k++) {
      const p = dst + ((<usize>s * <usize>K + <usize>k) << 5);
      for (let j = 0; j < 8; j++) {
        const n = s * 8 + j;
        store<f32>(p + (<usize>j << 2), n < N ? load<f32>(at(w, n * ldw + k)) : 0);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Row helpers

// y = LayerNorm(x) over n values, exactly as layernorm_f32 (f64 mean and variance).
@inline function lnRow(px: usize, n: i32, gamma: usize, beta: usize, eps: f32, py: usize): void {
  const mu = rowMoments(px, n, eps);
  const rs = rowRstd;
  const m32 = f32x4.splat(<f32>mu), r32 = f32x4.splat(<f32>rs);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(at(py, i), f32x4.add(f32x4.mul(f32x4.mul(f32x4.sub(v128.load(at(px, i)), m32), r32), v128.load(at(gamma, i))), v128.load(at(beta, i))));
  }
  for (; i < n; i++) store<f32>(at(py, i), (load<f32>(at(px, i)) - <f32>mu) * <f32>rs * load<f32>(at(gamma, i)) + load<f32>(at(beta, i)));
}

// Packs 4 rows (row-major, row stride ld floats, n a multiple of 4) into the A layout [n][4].
@inline function packRows4(src: usize, ld: i32, n: i32, dst: usize): void {
  const ldB = <usize>ld << 2;
  for (let c = 0; c < n; c += 4) {
    const p = at(src, c);
    storeTransposed4x4(v128.load(p), v128.load(p + ldB), v128.load(p + 2 * ldB), v128.load(p + 3 * ldB), dst + (<usize>c << 4), 16);
  }
}

// ---------------------------------------------------------------------------------------------
// Embedding

/**
 * y[t] = LayerNorm(bias + conv(mel)[t]) for t < T, channels-last y [T, C]. `mel` is channel-major
 * [nMels][ldm] with (K−1)/2 zero frames before frame 0 and at least (K−1)/2 + 3 after frame T−1
 * (ldm ≥ T + K + 2), so the conv's window for frame t starts at column t. wp: the conv weight
 * [C, nMels·K] packed by vocos_pack_b_f32 (the im2col row order m·K + k, as conv1d's).
 * Scratch per thread: (nMels·K + C)·16 bytes.
 */
export function vocos_embed_f32(T: i32, nMels: i32, K: i32, mel: usize, ldm: i32, C: i32, wp: usize, bias: usize,
                                lnG: usize, lnB: usize, eps: f32, y: usize, scratch: usize, scratchBytes: i32,
                                counter: usize, tid: i32, nt: i32): void {
  const ws = scratch + <usize>tid * <usize>scratchBytes;
  const KK = nMels * K;
  const pa = ws;
  const obuf = pa + (<usize>KK << 4);
  const strips = (T + 3) >> 2;
  const ldmB = <usize>ldm << 2;
  for (;;) {
    const s = claim(counter);
    if (s >= strips) break;
    const r0 = s << 2;
    // A strip: row r0+i, column m·K + k = mel[m][r0 + i + k]: one unaligned 4-frame load per (m, k).
    let dst = pa;
    for (let m = 0; m < nMels; m++) {
      const row = mel + <usize>m * ldmB + (<usize>r0 << 2);
      for (let k = 0; k < K; k++) { v128.store(dst, v128.load(row + (<usize>k << 2))); dst += 16; }
    }
    stripGemm(KK, pa, wp, C >> 3, obuf, C);
    const rows = min(4, T - r0);
    for (let i = 0; i < rows; i++) {
      const po = obuf + (<usize>(i * C) << 2);
      for (let c = 0; c < C; c += 4) v128.store(at(po, c), f32x4.add(v128.load(at(po, c)), v128.load(at(bias, c))));
      lnRow(po, C, lnG, lnB, eps, at(y, (r0 + i) * C));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// ConvNeXt block

// Kernel-7 depthwise conv of 4 interior rows (x points at the row 3 before the first): each input
// row is loaded once for the 4 outputs, taps summed in k order from 0 (the generic loop's order),
// then + bias. dbuf: [4][C].
function dw7Strip(C: i32, x: usize, w: usize, bias: usize, dbuf: usize): void {
  const ldB = <usize>C << 2;
  for (let c = 0; c < C; c += 4) {
    const pw = at(w, c), px = at(x, c);
    const w0 = v128.load(pw), w1 = v128.load(pw + ldB), w2 = v128.load(pw + 2 * ldB), w3 = v128.load(pw + 3 * ldB);
    const w4 = v128.load(pw + 4 * ldB), w5 = v128.load(pw + 5 * ldB), w6 = v128.load(pw + 6 * ldB);
    let x0 = v128.load(px), x1 = v128.load(px + ldB), x2 = v128.load(px + 2 * ldB);
    let x3 = v128.load(px + 3 * ldB);
    let a0 = f32x4.mul(w0, x0), a1 = f32x4.mul(w0, x1), a2 = f32x4.mul(w0, x2), a3 = f32x4.mul(w0, x3);
    a0 = f32x4.add(a0, f32x4.mul(w1, x1)); a1 = f32x4.add(a1, f32x4.mul(w1, x2)); a2 = f32x4.add(a2, f32x4.mul(w1, x3));
    a0 = f32x4.add(a0, f32x4.mul(w2, x2)); a1 = f32x4.add(a1, f32x4.mul(w2, x3));
    a0 = f32x4.add(a0, f32x4.mul(w3, x3));
    x0 = v128.load(px + 4 * ldB); // row 4
    a3 = f32x4.add(a3, f32x4.mul(w1, x0)); a2 = f32x4.add(a2, f32x4.mul(w2, x0)); a1 = f32x4.add(a1, f32x4.mul(w3, x0)); a0 = f32x4.add(a0, f32x4.mul(w4, x0));
    x1 = v128.load(px + 5 * ldB); // row 5
    a3 = f32x4.add(a3, f32x4.mul(w2, x1)); a2 = f32x4.add(a2, f32x4.mul(w3, x1)); a1 = f32x4.add(a1, f32x4.mul(w4, x1)); a0 = f32x4.add(a0, f32x4.mul(w5, x1));
    x2 = v128.load(px + 6 * ldB); // row 6
    a3 = f32x4.add(a3, f32x4.mul(w3, x2)); a2 = f32x4.add(a2, f32x4.mul(w4, x2)); a1 = f32x4.add(a1, f32x4.mul(w5, x2)); a0 = f32x4.add(a0, f32x4.mul(w6, x2));
    x3 = v128.load(px + 7 * ldB); // row 7
    a3 = f32x4.add(a3, f32x4.mul(w4, x3)); a2 = f32x4.add(a2, f32x4.mul(w5, x3)); a1 = f32x4.add(a1, f32x4.mul(w6, x3));
    x0 = v128.load(px + 8 * ldB); // row 8
    a3 = f32x4.add(a3, f32x4.mul(w5, x0)); a2 = f32x4.add(a2, f32x4.mul(w6, x0));
    x1 = v128.load(px + 9 * ldB); // row 9
    a3 = f32x4.add(a3, f32x4.mul(w6, x1));
    const b = v128.load(at(bias, c));
    const pd = at(dbuf, c);
    v128.store(pd, f32x4.add(a0, b));
    v128.store(pd + ldB, f32x4.add(a1, b));
    v128.store(pd + 2 * ldB, f32x4.add(a2, b));
    v128.store(pd + 3 * ldB, f32x4.add(a3, b));
  }
}

/**
 * One Vocos ConvNeXt block on channels-last x [T, C] → y [T, C] (y must not alias x):
 *   d = dwconv(x) + dwB (depthwise, kernel K, zero padding (K−1)/2; dwWt is the weight as [K][C])
 *   h = LayerNorm(d);  g = GELU(h·W1ᵀ + b1);  y = x + (g·W2ᵀ + b2)·gamma
 * w1p, w2p: pwconv1/pwconv2 weights packed by vocos_pack_b_f32. C and I multiples of 8.
 * Scratch per thread: (4·C·3 + 4·I·2)·4 bytes.
 */
export function vocos_convnext_f32(T: i32, C: i32, I: i32, K: i32, x: usize, dwWt: usize, dwB: usize, lnG: usize, lnB: usize,
                                   eps: f32, w1p: usize, b1: usize, w2p: usize, b2: usize, gamma: usize, y: usize,
                                   scratch: usize, scratchBytes: i32, counter: usize, tid: i32, nt: i32): void {
  const ws = scratch + <usize>tid * <usize>scratchBytes;
  const dbuf = ws;                              // [4][C]
  const paH = dbuf + (<usize>C << 4);           // [C][4]
  const ubuf = paH + (<usize>C << 4);           // [4][I]
  const paG = ubuf + (<usize>I << 4);           // [I][4]
  const obuf = paG + (<usize>I << 4);           // [4][C]
  const P = (K - 1) >> 1;
  const strips = (T + 3) >> 2;
  for (;;) {
    const s = claim(counter);
    if (s >= strips) break;
    const r0 = s << 2;
    const rows = min(4, T - r0);
    // Depthwise conv + bias, then LayerNorm in place; rows past T are zero (computed, never stored).
    if (K == 7 && r0 >= 3 && r0 + 7 <= T) {
      dw7Strip(C, at(x, (r0 - 3) * C), dwWt, dwB, dbuf);
      for (let i = 0; i < 4; i++) { const pd = dbuf + (<usize>(i * C) << 2); lnRow(pd, C, lnG, lnB, eps, pd); }
    } else for (let i = 0; i < 4; i++) {
      const t = r0 + i;
      const pd = dbuf + (<usize>(i * C) << 2);
      if (t >= T) { memory.fill(pd, 0, <usize>C << 2); continue; }
      const k0 = max(0, P - t), k1 = min(K, T + P - t);
      for (let c = 0; c < C; c += 4) {
        let acc = f32x4.splat(0);
        for (let k = k0; k < k1; k++) {
          acc = f32x4.add(acc, f32x4.mul(v128.load(at(dwWt, k * C + c)), v128.load(at(x, (t + k - P) * C + c))));
        }
        v128.store(at(pd, c), f32x4.add(acc, v128.load(at(dwB, c))));
      }
      lnRow(pd, C, lnG, lnB, eps, pd);
    }
    packRows4(dbuf, C, C, paH);
    // pwconv1 + bias + GELU, packed for pwconv2.
    stripGemm(C, paH, w1p, I >> 3, ubuf, I);
    const ldU = <usize>I << 2;
    for (let j = 0; j < I; j += 4) {
      const bj = v128.load(at(b1, j));
      const p = at(ubuf, j);
      const u0 = geluT(f32x4.add(v128.load(p), bj));
      const u1 = geluT(f32x4.add(v128.load(p + ldU), bj));
      const u2 = geluT(f32x4.add(v128.load(p + 2 * ldU), bj));
      const u3 = geluT(f32x4.add(v128.load(p + 3 * ldU), bj));
      storeTransposed4x4(u0, u1, u2, u3, paG + (<usize>j << 4), 16);
    }
    // pwconv2 + bias, layer scale, residual.
    stripGemm(I, paG, w2p, C >> 3, obuf, C);
    for (let i = 0; i < rows; i++) {
      const po = obuf + (<usize>(i * C) << 2);
      const px = at(x, (r0 + i) * C), py = at(y, (r0 + i) * C);
      for (let c = 0; c < C; c += 4) {
        const f = f32x4.mul(f32x4.add(v128.load(at(po, c)), v128.load(at(b2, c))), v128.load(at(gamma, c)));
        v128.store(at(py, c), f32x4.add(v128.load(at(px, c)), f));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// sin/cos (Cephes sinf/cosf: octant reduction j = 4|x|/π rounded to even, x − j·π/4 with a
// 3-part π/4, degree-7/8 polynomials; ≈ 1e-7 absolute for |x| ≤ 8192; lanes beyond, inf or NaN
// take the scalar f64 path). Constants: KF[0..12].

// Stores sin x at ps and cos x at pc.
@inline function sincos4(x: v128, ps: usize, pc: usize): void {
  const ax = f32x4.abs(x);
  if (!i32x4.all_true(f32x4.le(ax, kf(12)))) {
    let s = x, c = x;
    s = f32x4.replace_lane(s, 0, <f32>Math.sin(<f64>f32x4.extract_lane(x, 0)));
    s = f32x4.replace_lane(s, 1, <f32>Math.sin(<f64>f32x4.extract_lane(x, 1)));
    s = f32x4.replace_lane(s, 2, <f32>Math.sin(<f64>f32x4.extract_lane(x, 2)));
    s = f32x4.replace_lane(s, 3, <f32>Math.sin(<f64>f32x4.extract_lane(x, 3)));
    c = f32x4.replace_lane(c, 0, <f32>Math.cos(<f64>f32x4.extract_lane(x, 0)));
    c = f32x4.replace_lane(c, 1, <f32>Math.cos(<f64>f32x4.extract_lane(x, 1)));
    c = f32x4.replace_lane(c, 2, <f32>Math.cos(<f64>f32x4.extract_lane(x, 2)));
    c = f32x4.replace_lane(c, 3, <f32>Math.cos(<f64>f32x4.extract_lane(x, 3)));
    v128.store(ps, s);
    v128.store(pc, c);
    return;
  }
  let j = i32x4.trunc_sat_f32x4_s(f32x4.mul(ax, kf(0)));
  j = v128.and(i32x4.add(j, ki(0)), ki(1));
  const yf = f32x4.convert_i32x4_s(j);
  let z = f32x4.sub(ax, f32x4.mul(yf, kf(1)));
  z = f32x4.sub(z, f32x4.mul(yf, kf(2)));
  z = f32x4.sub(z, f32x4.mul(yf, kf(3)));
  const zz = f32x4.mul(z, z);
  let sp = kf(4);
  sp = f32x4.add(f32x4.mul(sp, zz), kf(5));
  sp = f32x4.add(f32x4.mul(sp, zz), kf(6));
  sp = f32x4.add(f32x4.mul(f32x4.mul(sp, zz), z), z);
  let cp = kf(7);
  cp = f32x4.add(f32x4.mul(cp, zz), kf(8));
  cp = f32x4.add(f32x4.mul(cp, zz), kf(9));
  cp = f32x4.add(f32x4.sub(f32x4.mul(f32x4.mul(cp, zz), zz), f32x4.mul(zz, kf(HALF))), kf(ONE));
  // Octant j ∈ {0, 2, 4, 6} (mod 8): sin = ±(sp | cp), cos = ±(cp | sp).
  const swap = i32x4.ne(v128.and(j, ki(2)), i32x4.splat(0));
  const s0 = v128.bitselect(cp, sp, swap);
  const c0 = v128.bitselect(sp, cp, swap);
  const signBit = ki(3);
  const sNeg = v128.xor(v128.and(i32x4.shl(j, 29), signBit), v128.and(x, signBit)); // j&4 xor sign(x)
  const cNeg = v128.and(i32x4.shl(i32x4.add(j, ki(2)), 29), signBit);      // (j+2)&4
  v128.store(ps, v128.xor(s0, sNeg));
  v128.store(pc, v128.xor(c0, cNeg));
}

/** sin and cos of n values, n a multiple of 4 (tests sincos4 against f64 Math). */
export function vocos_sincos_f32(n: i32, x: usize, s: usize, c: usize, tid: i32, nt: i32): void {
  if (tid != 0) return;
  for (let i = 0; i + 4 <= n; i += 4) sincos4(v128.load(at(x, i)), at(s, i), at(c, i));
}

// ---------------------------------------------------------------------------------------------
// Head + inverse STFT
//
// Tables (built by the caller, `tables` pointer, in this order; m = nFft/2, R = nFft/hop):
//   tw     [m/2][2]  cos, sin of 2πj/m          (the half-size inverse FFT's twiddles)
//   ptw    [m][2]    cos, sin of 2πk/nFft       (packing the real spectrum into the half-size one)
//   brev   [m] i32   bit reversal of log2(m) bits
//   win    [nFft]    window[n] / m              (the FFT's 1/m folded into the window)
//   iwss   [R][hop]  1/Σ w² at output hop J (row min(J, R−1)), 0 where the sum vanishes
// Per-thread scratch: (4·C·2 + 4·ldY + 2·(bins+3)·4 + 2·m·4)·4 bytes (xr/xi, 2·(bins+3)·16 bytes,
// double as the 4·nFft-float frame buffer of the overlap-add).
// The FFT, packing, transposition and overlap-add are fft-lanes.ts's, shared with mel-refine.ts.

/**
 * Head + iSTFT for F frames of one chunk. x: the last ConvNeXt block's output rows of these frames
 * ([F][C], before the final LayerNorm). Output hop h covers samples [h·hop, (h+1)·hop) of `out`
 * ((F + R − 1)·hop floats); frame f adds its windowed inverse FFT at f·hop. `carry` ((R − 1)·hop
 * floats: the previous chunk's unfinished hops) is added to hops 0..R−2. Hops < F are final and
 * normalised by the window-sum-square of global hop startHop + h; hops ≥ F stay raw sums (the next
 * carry). Work items: segments of segHops output hops (each recomputes the R − 1 frames before it).
 * The real spectrum → half-size complex packing is src/audio RealFFT.inverse's (both ignore the
 * imaginary parts of the DC and Nyquist bins, as torch.istft), so the result matches that path.
 */
export function vocos_istft_f32(F: i32, x: usize, C: i32, lnG: usize, lnB: usize, eps: f32, whp: usize, bh: usize,
                                bins: i32, logMax: f32, nFft: i32, hop: i32, tables: usize, startHop: i32,
                                carry: usize, out: usize, segHops: i32,
                                scratch: usize, scratchBytes: i32, counter: usize, tid: i32, nt: i32): void {
  const m = nFft >> 1;
  const R = nFft / hop;
  const ldY = (2 * bins + 7) & ~7;
  const tw = tables;
  const ptw = tw + (<usize>m << 2);
  const brev = ptw + (<usize>m << 3);
  const win = brev + (<usize>m << 2);
  const iwss = win + (<usize>nFft << 2);
  const ws = scratch + <usize>tid * <usize>scratchBytes;
  const dbuf = ws;                                   // [4][C]
  const paH = dbuf + (<usize>C << 4);                // [C][4]
  const ybuf = paH + (<usize>C << 4);                // [4][ldY]
  const xr = ybuf + (<usize>ldY << 4);               // [bins + 3] v128
  const xi = xr + (<usize>(bins + 3) << 4);
  const zr = xi + (<usize>(bins + 3) << 4);          // [m] v128
  const zi = zr + (<usize>m << 4);
  const totalHops = F + R - 1;
  const segs = (totalHops + segHops - 1) / segHops;
  const hopB = <usize>hop << 2;
  const logMaxV = f32x4.splat(logMax);
  const ldYB = <usize>ldY << 2;
  for (;;) {
    const sg = claim(counter);
    if (sg >= segs) break;
    const a = sg * segHops, b = min(totalHops, a + segHops);
    const lo = <usize>a * hopB, hi = <usize>b * hopB; // byte range of out owned by this item
    // Initialise: carry for hops < R − 1, zero elsewhere.
    for (let h = a; h < b; h++) {
      const p = out + <usize>h * hopB;
      if (h < R - 1) memory.copy(p, carry + <usize>h * hopB, hopB);
      else memory.fill(p, 0, hopB);
    }
    const f0 = max(0, a - R + 1), f1 = min(F, b);
    for (let g = f0; g < f1; g += 4) {
      // Final LayerNorm of the 4 frames (lanes past f1 repeat the last frame; never added).
      for (let l = 0; l < 4; l++) {
        const f = min(g + l, f1 - 1);
        lnRow(at(x, f * C), C, lnG, lnB, eps, dbuf + (<usize>(l * C) << 2));
      }
      packRows4(dbuf, C, C, paH);
      stripGemm(C, paH, whp, ldY >> 3, ybuf, ldY);
      // Spectrum, lane = frame: X = min(exp(logMag + b), max) · (cos φ, sin φ), φ = phase + b.
      for (let k = 0; k < bins; k += 4) {
        const pm = ybuf + (<usize>k << 2), pp = ybuf + (<usize>(k + bins) << 2);
        const bm = v128.load(at(bh, k)), bp = v128.load(at(bh, k + bins));
        // Rows → lanes: transpose the 4 frames × 4 bins blocks through zr/zi as a staging area.
        storeTransposed4x4(f32x4.add(v128.load(pm), bm), f32x4.add(v128.load(pm + ldYB), bm),
                f32x4.add(v128.load(pm + 2 * ldYB), bm), f32x4.add(v128.load(pm + 3 * ldYB), bm), zr, 16);
        storeTransposed4x4(f32x4.add(v128.load(pp), bp), f32x4.add(v128.load(pp + ldYB), bp),
                f32x4.add(v128.load(pp + 2 * ldYB), bp), f32x4.add(v128.load(pp + 3 * ldYB), bp), zi, 16);
        for (let q = 0; q < 4; q++) {
          const off = <usize>q << 4;
          const mag = expT(f32x4.min(v128.load(zr + off), logMaxV));
          const o = <usize>(k + q) << 4;
          sincos4(v128.load(zi + off), xi + o, xr + o);
          v128.store(xr + o, f32x4.mul(mag, v128.load(xr + o)));
          v128.store(xi + o, f32x4.mul(mag, v128.load(xi + o)));
        }
      }
      // The DC and Nyquist bins are real (torch.istft, which training uses, ignores their imaginary parts).
      v128.store(xi, f32x4.splat(0));
      v128.store(xi + (<usize>m << 4), f32x4.splat(0));
      // Pack the real spectrum into the m-point complex one (bit-reversed), RealFFT.inverse's formula.
      packRealSpectrum(m, xr, xi, zr, zi, ptw, brev);
      fftLanes(m, zr, zi, tw);
      // Samples 4j..4j+3 of each frame are (Re z[2j], Im z[2j], Re z[2j+1], Im z[2j+1]): transpose
      // to frame-major windowed frames in xr/xi (4·nFft floats), then overlap-add frame by frame, so
      // every output sample sums its frames in ascending order whatever the grouping (chunking,
      // work items and threads then give bit-identical results).
      const tbuf = xr;
      lanesToFrames(m, zr, zi, win, tbuf);
      overlapAddFrames(nFft, tbuf, min(4, f1 - g), g, hopB, lo, hi, out);
    }
    // Normalise the final hops of this item.
    for (let h = a; h < min(b, F); h++) {
      const row = min(startHop + h, R - 1);
      const p = out + <usize>h * hopB, pw = iwss + <usize>row * hopB;
      for (let i = 0; i < hop; i += 4) v128.store(at(p, i), f32x4.mul(v128.load(at(p, i)), v128.load(at(pw, i))));
    }
  }
}
