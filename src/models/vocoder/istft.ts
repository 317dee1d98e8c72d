/**
 * Differentiable inverse STFT (and forward STFT) built from existing engine ops: the engine has no
 * FFT op, so the DFT is a matrix product with fixed cosine/sine bases, and overlap-add is a strided
 * transposed convolution.
 *
 *   iSTFT (torch.istft semantics, centred, periodic Hann):
 *     frame_t[n] = w[n] · irfft(X_t)[n] = Σ_k  Re X_t[k] · w[n] c_k cos(2πkn/N) / N
 *                                         − Im X_t[k] · w[n] c_k sin(2πkn/N) / N      (c_0 = c_{N/2} = 1, else 2)
 *     y_full = Σ_t frame_t shifted by t·hop        (overlap-add)
 *     y[i]   = y_full[i + N/2] / Σ_t w²[i + N/2 − t·hop]   (window-sum-square normalization)
 *
 *   The first two lines are ONE convTranspose1d: input [B, 2·bins, T] (real parts then imaginary
 *   parts as channels), weight [2·bins, 1, N] = the windowed inverse DFT basis, stride hop. Its
 *   im2col-style lowering computes colᵀ = Wᵀ·X (the inverse DFT of every frame, one GEMM) and
 *   col2im sums the frames at stride hop (the overlap-add). The normalization is a fixed
 *   envelope, precomputed per frame count (a constant tensor, so gradients pass straight through).
 *
 *   STFT (the loss side): conv1d with stride hop and weight [2·bins, 1, N] = the windowed forward
 *   DFT basis (w[n] cos(2πkn/N), −w[n] sin(2πkn/N)) computes every frame's spectrum as one GEMM.
 *
 * Cost: 2·(2·bins)·N flops per frame (≈ 2.1 MFLOP at N = 1024) against O(N log N) for an FFT,
 * but it is a single large GEMM that the engine runs near peak, and the backward is free of new
 * code. Inference (vocode.ts) uses the real FFT from src/audio instead.
 */
import { concat, convTranspose1d, conv1d, mul, pad, reshape, slice, tensor, unsqueeze, type Tensor } from '../../engine/index.js';
import { hannWindow } from '../../audio/stft.js';

/** The Hann window of length `win` centred in `nFft` samples (torch.stft with win_length < n_fft). */
export function paddedHann(nFft: number, win = nFft): Float64Array {
  const w = new Float64Array(nFft);
  w.set(hannWindow(win), Math.floor((nFft - win) / 2));
  return w;
}

/** Windowed inverse real-DFT basis as a convTranspose1d weight [2·bins, 1, nFft] (data, row-major). */
export function inverseDftBasis(nFft: number, window: Float64Array): Float32Array {
  const bins = nFft / 2 + 1;
  const out = new Float32Array(2 * bins * nFft);
  for (let k = 0; k < bins; k++) {
    const ck = k === 0 || k === nFft / 2 ? 1 : 2;
    for (let n = 0; n < nFft; n++) {
      // (k·n) mod N keeps the angle small, so cos/sin stay accurate for large k·n.
      const angle = (2 * Math.PI * ((k * n) % nFft)) / nFft;
      const s = (window[n]! * ck) / nFft;
      out[k * nFft + n] = s * Math.cos(angle);
      out[(bins + k) * nFft + n] = -s * Math.sin(angle);
    }
  }
  return out;
}

/** Windowed forward real-DFT basis as a conv1d weight [2·bins, 1, nFft]: rows give Re then Im of X[k]. */
export function forwardDftBasis(nFft: number, window: Float64Array): Float32Array {
  const bins = nFft / 2 + 1;
  const out = new Float32Array(2 * bins * nFft);
  for (let k = 0; k < bins; k++) {
    for (let n = 0; n < nFft; n++) {
      const angle = (2 * Math.PI * ((k * n) % nFft)) / nFft;
      out[k * nFft + n] = window[n]! * Math.cos(angle);
      out[(bins + k) * nFft + n] = -window[n]! * Math.sin(angle);
    }
  }
  return out;
}

/**
 * Differentiable torch.istft(center=True) for a fixed (nFft, hop, win).
 * @example
 *   const istft = new DifferentiableISTFT(1024, 256);
 *   const audio = istft.forward(re, im, frames * 256); // re, im [B, 513, T] → [B, frames·256]
 */
export class DifferentiableISTFT {
  readonly bins: number;
  readonly window: Float64Array;
  /** [2·bins, 1, nFft] heap tensor (not a parameter: no gradient). */
  readonly basis: Tensor;
  private readonly envelopes = new Map<string, Tensor>();

  constructor(readonly nFft: number, readonly hop: number, readonly win = nFft) {
    if (nFft % 2) throw new Error(`DifferentiableISTFT: nFft must be even, got ${nFft}`);
    if (hop < 1 || hop > nFft) throw new Error(`DifferentiableISTFT: hop must be in [1, nFft], got ${hop}`);
    this.bins = nFft / 2 + 1;
    this.window = paddedHann(nFft, win);
    this.basis = tensor(inverseDftBasis(nFft, this.window), [2 * this.bins, 1, nFft], 'float32', true);
  }

  /** Samples produced by default for `frames` frames: (frames − 1)·hop, as torch.istft(center=True). */
  defaultLength(frames: number): number {
    return Math.max(0, (frames - 1) * this.hop);
  }

  /**
   * 1 / window-sum-square for output samples [0, length) of a `frames`-frame signal ([1, length],
   * 0 where the envelope vanishes), cached on the heap per (frames, length).
   */
  inverseEnvelope(frames: number, length: number): Tensor {
    const key = `${frames}:${length}`;
    let env = this.envelopes.get(key);
    if (!env) {
      const full = this.nFft + this.hop * (frames - 1);
      const wss = new Float64Array(full);
      for (let t = 0; t < frames; t++) for (let n = 0; n < this.nFft; n++) wss[t * this.hop + n]! += this.window[n]! ** 2;
      const inv = new Float32Array(length);
      const offset = this.nFft / 2;
      for (let i = 0; i < length; i++) {
        const d = i + offset < full ? wss[i + offset]! : 0;
        inv[i] = d > 1e-11 ? 1 / d : 0;
      }
      if (this.envelopes.size > 64) { for (const t of this.envelopes.values()) t.dispose(); this.envelopes.clear(); }
      env = tensor(inv, [1, length], 'float32', true);
      this.envelopes.set(key, env);
    }
    return env;
  }

  /**
   * re, im [B, bins, T] (channels-first) → waveform [B, length]. `length` defaults to
   * (T − 1)·hop; up to T·hop is supported (the tail is covered by the last frame's window).
   */
  forward(re: Tensor, im: Tensor, length?: number): Tensor {
    return this.fromStacked(concat([re, im], 1), length);
  }

  /** spec [B, 2·bins, T] (real parts, then imaginary parts) → waveform [B, length]. */
  fromStacked(spec: Tensor, length?: number): Tensor {
    if (spec.ndim !== 3 || spec.shape[1] !== 2 * this.bins) throw new Error(`istft: expected [B, ${2 * this.bins}, T], got [${spec.shape.join(', ')}]`);
    const [B, , T] = spec.shape as [number, number, number];
    const len = length ?? this.defaultLength(T);
    const offset = this.nFft / 2;
    const fullLength = this.nFft + this.hop * (T - 1);
    if (len + offset > fullLength) throw new Error(`istft: length ${len} exceeds what ${T} frames cover (${fullLength - offset})`);
    const full = convTranspose1d(spec, this.basis, null, { stride: this.hop }); // [B, 1, full]
    const y = reshape(slice(full, 2, offset, offset + len), [B, len]);
    return mul(y, this.inverseEnvelope(T, len));
  }

  dispose(): void {
    this.basis.dispose();
    for (const t of this.envelopes.values()) t.dispose();
    this.envelopes.clear();
  }
}

/**
 * Differentiable STFT by strided conv1d with a windowed DFT basis, centred with ZERO padding
 * (torch.stft(center=True, pad_mode='constant')). Reflect padding is not an engine op; for losses
 * that compare two signals framed the same way it makes no difference.
 * @example const stft = new ConvSTFT(1024, 256); const { re, im } = stft.forward(audio); // [B, 513, frames]
 */
export class ConvSTFT {
  readonly bins: number;
  readonly window: Float64Array;
  readonly basis: Tensor;

  constructor(readonly nFft: number, readonly hop: number, readonly win = nFft) {
    this.bins = nFft / 2 + 1;
    this.window = paddedHann(nFft, win);
    this.basis = tensor(forwardDftBasis(nFft, this.window), [2 * this.bins, 1, nFft], 'float32', true);
  }

  /** Frames for `length` samples: 1 + floor(length / hop). */
  frameCount(length: number): number {
    return 1 + Math.floor(length / this.hop);
  }

  /** audio [B, L] → stacked spectrum [B, 2·bins, frames] (real parts, then imaginary parts). */
  stacked(audio: Tensor): Tensor {
    if (audio.ndim !== 2) throw new Error(`stft: expected audio [B, L], got [${audio.shape.join(', ')}]`);
    const half = this.nFft / 2;
    const x = pad(unsqueeze(audio, 1), [half, half]);
    return conv1d(x, this.basis, null, { stride: this.hop });
  }

  /** audio [B, L] → { re, im } each [B, bins, frames]. */
  forward(audio: Tensor): { re: Tensor; im: Tensor } {
    const s = this.stacked(audio);
    return { re: slice(s, 1, 0, this.bins), im: slice(s, 1, this.bins, 2 * this.bins) };
  }

  dispose(): void {
    this.basis.dispose();
  }
}
