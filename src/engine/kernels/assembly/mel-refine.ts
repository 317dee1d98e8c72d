// One iteration of the mel-envelope refinement (src/audio/mel-refine.ts, MelRefiner.refine; the
// driver is src/models/vocoder/fast-refine.ts). Per STFT frame t of the padded signal:
//   X = rfft(window · frame)                        float32, 4 frames per v128 (lane = frame)
//   c_m = Σ_k F[m,k]·|X_k|^p                         sparse filterbank, p = the mel config's power
//   g_m = clamp(exp(target[m,t]) / max(c_m, floor), minGain, maxGain)
//   G_k = (Σ_m F[m,k]/cover_k · g_m  +  1 if no filter covers k)^(1/p)
//   frame' = window · irfft(G·X), overlap-added, times 1/Σw²
// Work items are segments of output hops; each recomputes the nFft/hop − 1 frames that overlap its
// first hop, and every output sample sums its frames in ascending order from 0 (overlapAddFrames),
// so the result is bit-identical for any thread count or split. No relaxed madd: the plain and
// relaxed-SIMD builds give identical results too.
import { exp4 } from './vecmath';
import { claim, fftLanes, lanesToFrames, loadFramesLanes, overlapAddFrames, packRealSpectrum, unpackRealSpectrum } from './fft-lanes';

// Float offsets of the tables inside the `tables` block (m = nFft/2, every piece a multiple of
// 4 floats so v128 loads stay aligned). fast-refine.ts builds the block in this order:
//   twF    [m/2][2]    cos, −sin of 2πj/m     forward FFT twiddles
//   twI    [m/2][2]    cos, +sin of 2πj/m     inverse FFT twiddles
//   ptw    [m+2][2]    cos, sin of 2πk/nFft   real ↔ half-size packing (k ≤ m; one pad entry)
//   brev   [m] i32     bit reversal of log2(m) bits
//   winF   [nFft]      the analysis window
//   winI   [nFft]      window / m             (the inverse FFT's 1/m folded in)
//   uncov  [m+4]       1 for bins no filter covers, else 0
//   first  [nMels4] i32        first bin of filter m
//   offs   [nMels4'] i32       filter m's weights are entries offs[m] .. offs[m+1]
//   toMel  [nnz4]      F[m,k]                 (filters' non-zero weights, contiguous)
//   toBins [nnz4]      F[m,k] / Σ_m' F[m',k]  (mel gains → bin gains: a weighted mean)
// with nMels4 = nMels rounded up to 4, nMels4' = nMels + 1 rounded up, nnz4 = nnz rounded up.
@inline function up4(n: i32): i32 { return (n + 3) & ~3; }

/**
 * One refinement iteration. src: the padded signal (raw STFT coordinates: frame t covers
 * src[t·hop .. t·hop + nFft), frames·hop + nFft − hop floats); dst (same size, not aliasing src):
 * the overlap-add, normalised. Output hop h covers dst[h·hop, (h+1)·hop), h < frames + R − 1
 * (R = nFft/hop); its 1/Σw² row in iwss ([2R − 1][hop]) is h for h < R − 1,
 * R − 1 + h − max(R − 1, frames) for h ≥ max(R − 1, frames), else 2R − 2 (all R frames).
 * target: the log-mel target, mel-major [nMels][ldT], column t = the target frame STFT frame t
 * uses, ldT ≥ frames + 3 (the lanes of a last partial group read up to 3 columns past the end).
 * power2: 1 when the mel config's power is 2 (|X|², gains square-rooted). segHops: output hops
 * per work item. Scratch per thread: (4m + 2 + nMels)·16 bytes.
 */
export function mel_refine_f32(frames: i32, nFft: i32, hop: i32, nMels: i32, power2: i32, floor: f32, minGain: f32, maxGain: f32,
                               tables: usize, target: usize, ldT: i32, iwss: usize, src: usize, dst: usize, segHops: i32,
                               scratch: usize, scratchBytes: i32, counter: usize, tid: i32, nt: i32): void {
  const m = nFft >> 1, bins = m + 1;
  const R = nFft / hop;
  const twF = tables;
  const twI = twF + (<usize>m << 2);
  const ptw = twI + (<usize>m << 2);
  const brev = ptw + (<usize>(m + 2) << 3);
  const winF = brev + (<usize>m << 2);
  const winI = winF + (<usize>nFft << 2);
  const uncov = winI + (<usize>nFft << 2);
  const first = uncov + (<usize>(m + 4) << 2);
  const offs = first + (<usize>up4(nMels) << 2);
  const toMel = offs + (<usize>up4(nMels + 1) << 2);
  const nnz = load<i32>(offs + (<usize>nMels << 2));
  const toBins = toMel + (<usize>up4(nnz) << 2);
  const ws = scratch + <usize>tid * <usize>scratchBytes;
  const zr = ws;                                   // [m + 1] v128: the frames' spectra, lane = frame
  const zi = zr + (<usize>(m + 1) << 4);           // [m + 1]; zr ∪ zi doubles as the 4·nFft-float overlap-add buffer
  const yr = zi + (<usize>(m + 1) << 4);           // [m]: the inverse FFT; before it, the bin gains [bins]
  const yi = yr + (<usize>m << 4);                 // [m]
  const melGain = yi + (<usize>m << 4);            // [nMels]
  const gainK = yr;
  const totalHops = frames + R - 1;
  const tailStart = max(R - 1, frames);
  const segs = (totalHops + segHops - 1) / segHops;
  const hopB = <usize>hop << 2;
  const floorV = f32x4.splat(floor), minV = f32x4.splat(minGain), maxV = f32x4.splat(maxGain);
  const ldTB = <usize>ldT << 2;
  // Bins [kLo, kHi) are the ones some filter covers; outside, the gain is exactly 1 (skipped).
  let kLo = bins, kHi = 0;
  for (let mm = 0; mm < nMels; mm++) {
    const j0 = load<i32>(offs + (<usize>mm << 2)), j1 = load<i32>(offs + (<usize>(mm + 1) << 2));
    if (j1 > j0) {
      const k0 = load<i32>(first + (<usize>mm << 2));
      kLo = min(kLo, k0); kHi = max(kHi, k0 + j1 - j0);
    }
  }
  for (;;) {
    const sg = claim(counter);
    if (sg >= segs) break;
    const a = sg * segHops, b = min(totalHops, a + segHops);
    const lo = <usize>a * hopB, hi = <usize>b * hopB; // byte range of dst owned by this item
    memory.fill(dst + lo, 0, hi - lo);
    const f0 = max(0, a - R + 1), f1 = min(frames, b);
    for (let g = f0; g < f1; g += 4) {
      // Lanes past f1 repeat the last frame (computed, never added).
      const s0 = src + <usize>g * hopB;
      loadFramesLanes(nFft, s0, src + <usize>min(g + 1, f1 - 1) * hopB, src + <usize>min(g + 2, f1 - 1) * hopB,
                      src + <usize>min(g + 3, f1 - 1) * hopB, winF, brev, zr, zi);
      fftLanes(m, zr, zi, twF);
      unpackRealSpectrum(m, zr, zi, ptw);
      // |X| (or |X|²) into gainK, then the mel gains.
      for (let k = kLo; k < kHi; k++) {
        const o = <usize>k << 4;
        const re = v128.load(zr + o), im = v128.load(zi + o);
        const p = f32x4.add(f32x4.mul(re, re), f32x4.mul(im, im));
        v128.store(gainK + o, power2 ? p : f32x4.sqrt(p));
      }
      const tcol = target + (<usize>g << 2);
      for (let mm = 0; mm < nMels; mm++) {
        const k0 = load<i32>(first + (<usize>mm << 2));
        const j0 = load<i32>(offs + (<usize>mm << 2)), j1 = load<i32>(offs + (<usize>(mm + 1) << 2));
        let cur = f32x4.splat(0);
        let pm = gainK + (<usize>k0 << 4);
        for (let j = j0; j < j1; j++) {
          cur = f32x4.add(cur, f32x4.mul(v128.load32_splat(toMel + (<usize>j << 2)), v128.load(pm)));
          pm += 16;
        }
        const want = exp4(v128.load(tcol + <usize>mm * ldTB));
        const gm = f32x4.div(want, f32x4.max(cur, floorV));
        v128.store(melGain + (<usize>mm << 4), f32x4.min(f32x4.max(gm, minV), maxV));
      }
      // Bin gains: uncovered bins start (and stay) at 1, covered ones at 0 + Σ_m in ascending m.
      for (let k = kLo; k < kHi; k++) v128.store(gainK + (<usize>k << 4), v128.load32_splat(uncov + (<usize>k << 2)));
      for (let mm = 0; mm < nMels; mm++) {
        const k0 = load<i32>(first + (<usize>mm << 2));
        const j0 = load<i32>(offs + (<usize>mm << 2)), j1 = load<i32>(offs + (<usize>(mm + 1) << 2));
        const gm = v128.load(melGain + (<usize>mm << 4));
        let pk = gainK + (<usize>k0 << 4);
        for (let j = j0; j < j1; j++) {
          v128.store(pk, f32x4.add(v128.load(pk), f32x4.mul(v128.load32_splat(toBins + (<usize>j << 2)), gm)));
          pk += 16;
        }
      }
      for (let k = kLo; k < kHi; k++) {
        const o = <usize>k << 4;
        let gk = v128.load(gainK + o);
        if (power2) gk = f32x4.sqrt(gk);
        v128.store(zr + o, f32x4.mul(v128.load(zr + o), gk));
        v128.store(zi + o, f32x4.mul(v128.load(zi + o), gk));
      }
      // DC and Nyquist are real (the reference's inverse ignores their imaginary parts).
      v128.store(zi, f32x4.splat(0));
      v128.store(zi + (<usize>m << 4), f32x4.splat(0));
      packRealSpectrum(m, zr, zi, yr, yi, ptw, brev);
      fftLanes(m, yr, yi, twI);
      lanesToFrames(m, yr, yi, winI, zr);
      overlapAddFrames(nFft, zr, min(4, f1 - g), g, hopB, lo, hi, dst);
    }
    // Normalise this item's hops by 1/Σw².
    for (let h = a; h < b; h++) {
      const row = h < R - 1 ? h : h >= tailStart ? R - 1 + h - tailStart : 2 * R - 2;
      const p = dst + <usize>h * hopB, pw = iwss + <usize>row * hopB;
      for (let i: usize = 0; i < hopB; i += 16) v128.store(p + i, f32x4.mul(v128.load(p + i), v128.load(pw + i)));
    }
  }
}
