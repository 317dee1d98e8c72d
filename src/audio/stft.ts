/**
 * Short-time Fourier transform and its inverse, following torch.stft / torch.istft conventions:
 * periodic Hann window (torch.hann_window default) zero-padded to n_fft when shorter, optional centre
 * padding of n_fft / 2 (reflect by default), frame t centred on sample t * hop. Browser-safe.
 */
import { RealFFT } from './fft.js';

export interface StftConfig {
  /** FFT size. */
  nFft: number;
  /** Samples between frames. */
  hopLength: number;
  /** Window length (<= nFft, centred inside it). Default nFft. */
  winLength?: number;
  /** Pad n_fft / 2 on both sides so frame t is centred on sample t * hop. Default true. */
  center?: boolean;
  /** Padding used when `center`. Default 'reflect' (torch.stft / torchaudio default). */
  padMode?: 'reflect' | 'constant';
}

/** A complex spectrogram, frame-major: bin k of frame t is at index t * bins + k. */
export interface Spectrogram {
  re: Float32Array;
  im: Float32Array;
  frames: number;
  bins: number;
}

/** A real spectrogram (magnitude or power), frame-major: bin k of frame t is at t * bins + k. */
export interface MagnitudeSpectrogram {
  data: Float32Array;
  frames: number;
  bins: number;
}

/**
 * Hann window; `periodic` (default, like torch.hann_window) divides by `length` rather than `length - 1`.
 * @example hannWindow(1024) // w[0] = 0, w[512] = 1
 */
export function hannWindow(length: number, periodic = true): Float64Array {
  const w = new Float64Array(length);
  const denom = periodic ? length : length - 1;
  if (length === 1) { w[0] = 1; return w; }
  for (let n = 0; n < length; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / denom);
  return w;
}

/** Checks an StftConfig and fills in defaults; throws a RangeError naming the bad field. */
export function resolveStftConfig(config: StftConfig): Required<StftConfig> {
  const { nFft, hopLength } = config;
  const winLength = config.winLength ?? nFft;
  if (!Number.isInteger(nFft) || nFft < 2) throw new RangeError(`STFT: nFft must be an integer >= 2, got ${nFft}`);
  if (!Number.isInteger(hopLength) || hopLength < 1) throw new RangeError(`STFT: hopLength must be a positive integer, got ${hopLength}`);
  if (!Number.isInteger(winLength) || winLength < 1 || winLength > nFft) {
    throw new RangeError(`STFT: winLength must be an integer in [1, nFft=${nFft}], got ${winLength}`);
  }
  const padMode = config.padMode ?? 'reflect';
  if (padMode !== 'reflect' && padMode !== 'constant') throw new RangeError(`STFT: padMode must be "reflect" or "constant", got "${String(padMode)}"`);
  return { nFft, hopLength, winLength, center: config.center ?? true, padMode };
}

/** The analysis window zero-padded (centred) to nFft, as torch.stft does with a shorter window. */
export function stftWindow(config: StftConfig): Float64Array {
  const c = resolveStftConfig(config);
  const w = new Float64Array(c.nFft);
  w.set(hannWindow(c.winLength), Math.floor((c.nFft - c.winLength) / 2));
  return w;
}

/**
 * Number of frames for a signal of `length` samples: 1 + floor(length / hop) when centred.
 * @example stftFrameCount(22050, { nFft: 1024, hopLength: 256 }) // 87
 */
export function stftFrameCount(length: number, config: StftConfig): number {
  const c = resolveStftConfig(config);
  if (c.center) return 1 + Math.floor(length / c.hopLength);
  if (length < c.nFft) return 0;
  return 1 + Math.floor((length - c.nFft) / c.hopLength);
}

/** Index into a signal of length n under numpy-style 'reflect' padding (edge sample not repeated). */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  i %= period;
  if (i < 0) i += period;
  return i >= n ? period - i : i;
}

/**
 * Calls `visit(frameIndex, windowedFrame)` for each analysis frame, with the frame already multiplied by
 * the window. The frame buffer is reused between calls.
 */
export function forEachWindowedFrame(signal: ArrayLike<number>, config: StftConfig, visit: (t: number, frame: Float64Array) => void): number {
  const c = resolveStftConfig(config);
  const window = stftWindow(c);
  const n = signal.length;
  const frames = stftFrameCount(n, c);
  const offset = c.center ? Math.floor(c.nFft / 2) : 0;
  const frame = new Float64Array(c.nFft);
  for (let t = 0; t < frames; t++) {
    const start = t * c.hopLength - offset;
    if (start >= 0 && start + c.nFft <= n) {
      for (let i = 0; i < c.nFft; i++) frame[i] = signal[start + i]! * window[i]!;
    } else {
      for (let i = 0; i < c.nFft; i++) {
        const j = start + i;
        let x: number;
        if (j >= 0 && j < n) x = signal[j]!;
        else if (c.padMode === 'reflect' && n > 0) x = signal[reflectIndex(j, n)]!;
        else x = 0;
        frame[i] = x * window[i]!;
      }
    }
    visit(t, frame);
  }
  return frames;
}

/**
 * Complex STFT (like torch.stft(..., return_complex=True), transposed to frame-major).
 * @example
 *   const spec = stft(samples, { nFft: 1024, hopLength: 256 });
 *   spec.re[t * spec.bins + k] // real part of bin k, frame t
 */
export function stft(signal: ArrayLike<number>, config: StftConfig): Spectrogram {
  const c = resolveStftConfig(config);
  const fft = new RealFFT(c.nFft);
  const bins = fft.bins;
  const frames = stftFrameCount(signal.length, c);
  const re = new Float32Array(frames * bins), im = new Float32Array(frames * bins);
  const fr = new Float64Array(bins), fi = new Float64Array(bins);
  forEachWindowedFrame(signal, c, (t, frame) => {
    fft.forward(frame, fr, fi);
    re.set(fr, t * bins);
    im.set(fi, t * bins);
  });
  return { re, im, frames, bins };
}

/**
 * Magnitude (power = 1, default) or power (power = 2) spectrogram, computed in float64 and stored as float32.
 * @example
 *   const mag = magnitudeSpectrogram(samples, { nFft: 1024, hopLength: 256 }); // mag.data: frames x 513
 */
export function magnitudeSpectrogram(signal: ArrayLike<number>, config: StftConfig, power: 1 | 2 = 1): MagnitudeSpectrogram {
  const c = resolveStftConfig(config);
  const fft = new RealFFT(c.nFft);
  const bins = fft.bins;
  const frames = stftFrameCount(signal.length, c);
  const data = new Float32Array(frames * bins);
  const fr = new Float64Array(bins), fi = new Float64Array(bins);
  forEachWindowedFrame(signal, c, (t, frame) => {
    fft.forward(frame, fr, fi);
    const base = t * bins;
    for (let k = 0; k < bins; k++) {
      const p = fr[k]! * fr[k]! + fi[k]! * fi[k]!;
      data[base + k] = power === 2 ? p : Math.sqrt(p);
    }
  });
  return { data, frames, bins };
}

/**
 * Inverse STFT by windowed overlap-add divided by the window-sum-square (torch.istft). With `length`,
 * the output is trimmed or zero-padded to exactly that many samples (pass the original length for
 * perfect reconstruction); otherwise it is (frames - 1) * hop samples when centred.
 * @example
 *   const y = istft(stft(x, cfg), cfg, x.length); // y ~= x
 */
export function istft(spec: Spectrogram, config: StftConfig, length?: number): Float32Array {
  const c = resolveStftConfig(config);
  const fft = new RealFFT(c.nFft);
  if (spec.bins !== fft.bins) throw new RangeError(`istft: spectrogram has ${spec.bins} bins but nFft=${c.nFft} needs ${fft.bins}`);
  const window = stftWindow(c);
  const { frames, bins } = spec;
  const full = c.nFft + c.hopLength * Math.max(0, frames - 1);
  const y = new Float64Array(full), wss = new Float64Array(full);
  const frame = new Float64Array(c.nFft);
  const fr = new Float64Array(bins), fi = new Float64Array(bins);
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < bins; k++) { fr[k] = spec.re[t * bins + k]!; fi[k] = spec.im[t * bins + k]!; }
    fft.inverse(fr, fi, frame);
    const start = t * c.hopLength;
    for (let i = 0; i < c.nFft; i++) {
      const w = window[i]!;
      y[start + i]! += frame[i]! * w;
      wss[start + i]! += w * w;
    }
  }
  const offset = c.center ? Math.floor(c.nFft / 2) : 0;
  const outLen = length ?? Math.max(0, full - 2 * offset);
  const out = new Float32Array(outLen);
  for (let i = 0; i < outLen; i++) {
    const j = i + offset;
    if (j >= full) break;
    const d = wss[j]!;
    out[i] = d > 1e-11 ? y[j]! / d : 0;
  }
  return out;
}
