// Lane-parallel real FFT pieces shared by the fused vocoder iSTFT (vocos.ts) and the mel-envelope
// refinement (mel-refine.ts): 4 transforms at once, lane l = transform (frame) l, so every butterfly
// is plain f32x4 arithmetic with no shuffles. A real nFft-point transform goes through a complex
// m = nFft/2-point one (even samples → real parts, odd samples → imaginary parts).
// Not re-exported from index.ts, so nothing here becomes a wasm export.
//
// Tables the callers build (float32 unless noted; m = nFft/2):
//   twiddles [m/2][2]   (cos, ±sin) of 2πj/m: + for the inverse transform, − for the forward one
//   ptw      [m][2]     (cos, sin) of 2πk/nFft: the real ↔ half-size complex (un)packing
//   brev     [m] i32    bit reversal of log2(m) bits
// Only mul/add/sub (no relaxed madd): both wasm builds give identical results.

// 0.5 as a splat load: V8 rematerialises a v128.const at every use inside a loop (vocos.ts).
const HALF_K = memory.data<f32>([0.5]);
@inline function half(): v128 { return v128.load32_splat(HALF_K); }

/** Next work item from the counter the caller zeroed before the dispatch. */
@inline export function claim(counter: usize): i32 {
  if (ASC_FEATURE_THREADS) {
    return atomic.add<i32>(counter, 1);
  } else {
    const v = load<i32>(counter);
    store<i32>(counter, v + 1);
    return v;
  }
}

// One radix-2 butterfly pair of stage `len`: (a, b) → (a + w·b, a − w·b) at byte offsets pa, pb.
@inline function butterfly(zr: usize, zi: usize, pa: usize, pb: usize, wr: v128, wi: v128): void {
  const br = v128.load(zr + pb), bi = v128.load(zi + pb);
  const tr = f32x4.sub(f32x4.mul(br, wr), f32x4.mul(bi, wi));
  const ti = f32x4.add(f32x4.mul(br, wi), f32x4.mul(bi, wr));
  const ar = v128.load(zr + pa), ai = v128.load(zi + pa);
  v128.store(zr + pa, f32x4.add(ar, tr)); v128.store(zi + pa, f32x4.add(ai, ti));
  v128.store(zr + pb, f32x4.sub(ar, tr)); v128.store(zi + pb, f32x4.sub(ai, ti));
}

/**
 * Unnormalised radix-2 DIT FFT of m points (m ≥ 4), 4 transforms at once, in place on zr/zi
 * (m v128 each, input in bit-reversed order, output in natural order):
 * z[n] = Σ_k Z[k] e^{±2πikn/m}, the sign being the twiddle table's (see above).
 * Stages are done two at a time (radix 2²: 4 values stay in registers, half the memory passes),
 * each butterfly with the same operations and twiddle as the plain radix-2 loop, so the result is
 * bit-identical to doing one stage per pass.
 */
export function fftLanes(m: i32, zr: usize, zi: usize, tw: usize): void {
  // Stages len = 2 (twiddle 1: add/sub only) and len = 4 (twiddles T[0], T[m/4]) over 4 values.
  {
    const p1 = tw + (<usize>(m >> 2) << 3);
    const w0r = v128.load32_splat(tw), w0i = v128.load32_splat(tw, 4);
    const w1r = v128.load32_splat(p1), w1i = v128.load32_splat(p1, 4);
    for (let i = 0; i < m; i += 4) {
      const p = <usize>i << 4;
      const a0r = v128.load(zr + p), a0i = v128.load(zi + p), a1r = v128.load(zr + p + 16), a1i = v128.load(zi + p + 16);
      const a2r = v128.load(zr + p + 32), a2i = v128.load(zi + p + 32), a3r = v128.load(zr + p + 48), a3i = v128.load(zi + p + 48);
      const b0r = f32x4.add(a0r, a1r), b0i = f32x4.add(a0i, a1i), b1r = f32x4.sub(a0r, a1r), b1i = f32x4.sub(a0i, a1i);
      const b2r = f32x4.add(a2r, a3r), b2i = f32x4.add(a2i, a3i), b3r = f32x4.sub(a2r, a3r), b3i = f32x4.sub(a2i, a3i);
      const t2r = f32x4.sub(f32x4.mul(b2r, w0r), f32x4.mul(b2i, w0i)), t2i = f32x4.add(f32x4.mul(b2r, w0i), f32x4.mul(b2i, w0r));
      const t3r = f32x4.sub(f32x4.mul(b3r, w1r), f32x4.mul(b3i, w1i)), t3i = f32x4.add(f32x4.mul(b3r, w1i), f32x4.mul(b3i, w1r));
      v128.store(zr + p, f32x4.add(b0r, t2r)); v128.store(zi + p, f32x4.add(b0i, t2i));
      v128.store(zr + p + 32, f32x4.sub(b0r, t2r)); v128.store(zi + p + 32, f32x4.sub(b0i, t2i));
      v128.store(zr + p + 16, f32x4.add(b1r, t3r)); v128.store(zi + p + 16, f32x4.add(b1i, t3i));
      v128.store(zr + p + 48, f32x4.sub(b1r, t3r)); v128.store(zi + p + 48, f32x4.sub(b1i, t3i));
    }
  }
  let len = 8;
  // An odd number of remaining stages: one plain radix-2 stage first.
  if ((ctz(m) & 1) == 1 && len <= m) {
    const half = len >> 1, step = m / len;
    for (let j = 0; j < half; j++) {
      const pt = tw + (<usize>(j * step) << 3);
      const wr = v128.load32_splat(pt), wi = v128.load32_splat(pt, 4);
      for (let i = j; i < m; i += len) butterfly(zr, zi, <usize>i << 4, <usize>(i + half) << 4, wr, wi);
    }
    len <<= 1;
  }
  // Stages len and 2·len together: per j < len/2 and block b (step 2·len), the values at
  // b + j + {0, h, len, len + h} (h = len/2) go through stage len's butterflies (a0, a1), (a2, a3)
  // with T[j·m/len], then stage 2·len's (a0, a2) with T[j·m/2len] and (a1, a3) with T[(j + h)·m/2len].
  for (; len < m; len <<= 2) {
    const h = len >> 1, stepA = m / len, stepB = stepA >> 1;
    const lenB = <usize>len << 4, hB = <usize>h << 4;
    for (let j = 0; j < h; j++) {
      const pa = tw + (<usize>(j * stepA) << 3), pb1 = tw + (<usize>(j * stepB) << 3), pb2 = tw + (<usize>((j + h) * stepB) << 3);
      const war = v128.load32_splat(pa), wai = v128.load32_splat(pa, 4);
      const wb1r = v128.load32_splat(pb1), wb1i = v128.load32_splat(pb1, 4);
      const wb2r = v128.load32_splat(pb2), wb2i = v128.load32_splat(pb2, 4);
      for (let i = j; i < m; i += len << 1) {
        const p0 = <usize>i << 4, p1 = p0 + hB, p2 = p0 + lenB, p3 = p2 + hB;
        const a0r = v128.load(zr + p0), a0i = v128.load(zi + p0), a1r = v128.load(zr + p1), a1i = v128.load(zi + p1);
        const a2r = v128.load(zr + p2), a2i = v128.load(zi + p2), a3r = v128.load(zr + p3), a3i = v128.load(zi + p3);
        // Stage len.
        const t1r = f32x4.sub(f32x4.mul(a1r, war), f32x4.mul(a1i, wai)), t1i = f32x4.add(f32x4.mul(a1r, wai), f32x4.mul(a1i, war));
        const t3r = f32x4.sub(f32x4.mul(a3r, war), f32x4.mul(a3i, wai)), t3i = f32x4.add(f32x4.mul(a3r, wai), f32x4.mul(a3i, war));
        const b0r = f32x4.add(a0r, t1r), b0i = f32x4.add(a0i, t1i), b1r = f32x4.sub(a0r, t1r), b1i = f32x4.sub(a0i, t1i);
        const b2r = f32x4.add(a2r, t3r), b2i = f32x4.add(a2i, t3i), b3r = f32x4.sub(a2r, t3r), b3i = f32x4.sub(a2i, t3i);
        // Stage 2·len.
        const u2r = f32x4.sub(f32x4.mul(b2r, wb1r), f32x4.mul(b2i, wb1i)), u2i = f32x4.add(f32x4.mul(b2r, wb1i), f32x4.mul(b2i, wb1r));
        const u3r = f32x4.sub(f32x4.mul(b3r, wb2r), f32x4.mul(b3i, wb2i)), u3i = f32x4.add(f32x4.mul(b3r, wb2i), f32x4.mul(b3i, wb2r));
        v128.store(zr + p0, f32x4.add(b0r, u2r)); v128.store(zi + p0, f32x4.add(b0i, u2i));
        v128.store(zr + p2, f32x4.sub(b0r, u2r)); v128.store(zi + p2, f32x4.sub(b0i, u2i));
        v128.store(zr + p1, f32x4.add(b1r, u3r)); v128.store(zi + p1, f32x4.add(b1i, u3i));
        v128.store(zr + p3, f32x4.sub(b1r, u3r)); v128.store(zi + p3, f32x4.sub(b1i, u3i));
      }
    }
  }
}

/**
 * Forward real FFT, step 1: 4 frames of nFft real samples (frame l at src[l], any alignment) times
 * the window `win`, into the half-size complex input zr/zi in bit-reversed order
 * (z[j] = x[2j] + i·x[2j+1]). Then run fftLanes with the forward twiddles and unpackRealSpectrum.
 */
export function loadFramesLanes(nFft: i32, src0: usize, src1: usize, src2: usize, src3: usize, win: usize, brev: usize,
                                zr: usize, zi: usize): void {
  const halfM = <usize>(nFft >> 2) << 4; // brev(2q + 1) = brev(2q) + m/2, in bytes
  for (let q = 0; q < nFft; q += 4) {
    const o = <usize>q << 2;
    const w = v128.load(win + o);
    const r0 = f32x4.mul(v128.load(src0 + o), w), r1 = f32x4.mul(v128.load(src1 + o), w);
    const r2 = f32x4.mul(v128.load(src2 + o), w), r3 = f32x4.mul(v128.load(src3 + o), w);
    // 4 frames × samples q..q+3 → sample q+i across the 4 frames.
    const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
    const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
    const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
    const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    const d = <usize>load<i32>(brev + (<usize>q << 1)) << 4; // brev[q/2]
    v128.store(zr + d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
    v128.store(zi + d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
    v128.store(zr + d + halfM, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
    v128.store(zi + d + halfM, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
  }
}

/**
 * Forward real FFT, step 3: the m-point spectrum Z of z[j] = x[2j] + i·x[2j+1] (zr/zi, natural
 * order, m + 1 slots each) → the real signal's bins X[0..m], in place:
 *   X[k] = (Z[k] + conj Z[m−k])/2 − (i/2)·e^{−2πik/nFft}·(Z[k] − conj Z[m−k])   (Z[m] = Z[0])
 * Bins k and m − k read and write the same two slots, so pairs are done together.
 * ptw needs m + 1 entries here (k = m: cos = −1, sin = 0). X[0] and X[m] come out real.
 */
export function unpackRealSpectrum(m: i32, zr: usize, zi: usize, ptw: usize): void {
  const mB = <usize>m << 4;
  v128.store(zr + mB, v128.load(zr)); v128.store(zi + mB, v128.load(zi));
  for (let k = 0; k <= (m >> 1); k++) {
    const pa = <usize>k << 4, pb = <usize>(m - k) << 4;
    const ar = v128.load(zr + pa), ai = v128.load(zi + pa), br = v128.load(zr + pb), bi = v128.load(zi + pb);
    const pt = ptw + (<usize>k << 3);
    const c = v128.load32_splat(pt), s = v128.load32_splat(pt, 4);
    // With e = (Z[k] + conj Z[m−k])/2 and d = (Z[k] − conj Z[m−k])/2:
    // X[k] = (er + P, ei − Q), X[m−k] = (er − P, −ei − Q), P = c·di − s·dr, Q = c·dr + s·di.
    const er = f32x4.mul(half(), f32x4.add(ar, br)), ei = f32x4.mul(half(), f32x4.sub(ai, bi));
    const dr = f32x4.mul(half(), f32x4.sub(ar, br)), di = f32x4.mul(half(), f32x4.add(ai, bi));
    const P = f32x4.sub(f32x4.mul(c, di), f32x4.mul(s, dr));
    const Q = f32x4.add(f32x4.mul(c, dr), f32x4.mul(s, di));
    // m − k first: at k = m/2 both are the same slot and X[k]'s formula is the one that holds.
    v128.store(zr + pb, f32x4.sub(er, P)); v128.store(zi + pb, f32x4.sub(f32x4.neg(ei), Q));
    v128.store(zr + pa, f32x4.add(er, P)); v128.store(zi + pa, f32x4.sub(ei, Q));
  }
}

/**
 * Inverse real FFT, step 1: bins X[0..m] (xr/xi) → the half-size complex spectrum in zr/zi,
 * bit-reversed, as src/audio RealFFT.inverse packs it (the imaginary parts of X[0] and X[m] must
 * already be 0: torch.istft ignores them). Then run fftLanes with the inverse twiddles and
 * lanesToFrames.
 */
export function packRealSpectrum(m: i32, xr: usize, xi: usize, zr: usize, zi: usize, ptw: usize, brev: usize): void {
  for (let k = 0; k < m; k++) {
    const pk = <usize>k << 4, pm = <usize>(m - k) << 4;
    const ar = v128.load(xr + pk), ai = v128.load(xi + pk);
    const yr = v128.load(xr + pm), yi = f32x4.neg(v128.load(xi + pm));
    const er = f32x4.mul(half(), f32x4.add(ar, yr)), ei = f32x4.mul(half(), f32x4.add(ai, yi));
    const dr = f32x4.mul(half(), f32x4.sub(ar, yr)), di = f32x4.mul(half(), f32x4.sub(ai, yi));
    const pt = ptw + (<usize>k << 3);
    const cr = v128.load32_splat(pt), ci = v128.load32_splat(pt, 4);
    const or = f32x4.sub(f32x4.mul(dr, cr), f32x4.mul(di, ci));
    const oi = f32x4.add(f32x4.mul(dr, ci), f32x4.mul(di, cr));
    const dst = <usize>load<i32>(brev + (<usize>k << 2)) << 4;
    v128.store(zr + dst, f32x4.sub(er, oi));
    v128.store(zi + dst, f32x4.add(ei, or));
  }
}

/**
 * Inverse real FFT, step 3: samples 4j..4j+3 of each frame are (Re z[2j], Im z[2j], Re z[2j+1],
 * Im z[2j+1]); transposes them to 4 frame-major windowed frames at tbuf (frame l at tbuf + l·nFft
 * floats; tbuf must not overlap zr/zi). `win` holds window[n] / m (the FFT's 1/m folded in).
 */
export function lanesToFrames(m: i32, zr: usize, zi: usize, win: usize, tbuf: usize): void {
  const frameB = <usize>m << 3;
  for (let j = 0; j < m; j += 2) {
    const p0 = <usize>j << 4;
    const r0 = v128.load(zr + p0), i0 = v128.load(zi + p0), r1 = v128.load(zr + p0 + 16), i1 = v128.load(zi + p0 + 16);
    const t0 = v128.shuffle<f32>(r0, i0, 0, 4, 1, 5);
    const t1 = v128.shuffle<f32>(r0, i0, 2, 6, 3, 7);
    const t2 = v128.shuffle<f32>(r1, i1, 0, 4, 1, 5);
    const t3 = v128.shuffle<f32>(r1, i1, 2, 6, 3, 7);
    const wv = v128.load(win + (<usize>j << 3));
    const pt = tbuf + (<usize>j << 3); // sample 2j of frame 0
    v128.store(pt, f32x4.mul(v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), wv));
    v128.store(pt + frameB, f32x4.mul(v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), wv));
    v128.store(pt + 2 * frameB, f32x4.mul(v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), wv));
    v128.store(pt + 3 * frameB, f32x4.mul(v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), wv));
  }
}

/**
 * Adds `lanes` frame-major frames (tbuf, from lanesToFrames) into `out`, frame l starting at byte
 * (first + l)·hopB, keeping only bytes [lo, hi) of `out` (the work item's own output hops; hopB,
 * lo and hi multiples of 16). Frame by frame, so every output sample sums its frames in ascending
 * order whatever the grouping: work items and threads then give bit-identical results.
 */
export function overlapAddFrames(nFft: i32, tbuf: usize, lanes: i32, first: i32, hopB: usize, lo: usize, hi: usize, out: usize): void {
  const frameB = <usize>nFft << 2;
  for (let l = 0; l < lanes; l++) {
    // This frame's samples [n0, n1) land in [lo, hi).
    const start = <isize>(first + l) * <isize>hopB;
    const n0 = <usize>max<isize>(0, <isize>lo - start), n1 = <usize>min<isize>(<isize>frameB, <isize>hi - start);
    const src = tbuf + <usize>l * frameB;
    for (let nb = n0; nb < n1; nb += 16) {
      const po = out + <usize>start + nb;
      v128.store(po, f32x4.add(v128.load(po), v128.load(src + nb)));
    }
  }
}
