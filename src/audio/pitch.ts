/**
 * Fundamental frequency (F0) per frame with the YIN algorithm (de Cheveigné & Kawahara 2002): cumulative
 * mean normalised difference, absolute threshold, parabolic interpolation, plus an energy gate. Frames are
 * aligned with the mel frames (same hop and centring, same count); unvoiced frames are 0.
 * Also FastSpeech 2 helpers: unvoiced interpolation and per-phoneme averaging. Browser-safe.
 */
import { RealFFT } from './fft.js';
import { stftFrameCount } from './stft.js';

export interface PitchConfig {
  sampleRate: number;
  /** Samples between frames; use the mel hop. */
  hopLength: number;
  /** Mel n_fft; only used to align frames when `center` is false. Default 1024. */
  nFft?: number;
  /** Same meaning as for the STFT: frame t is centred on sample t * hop. Default true. */
  center?: boolean;
  /** Lowest F0 searched, Hz. Default 65 (low male speech). */
  fMin?: number;
  /** Highest F0 searched, Hz. Default 800 (as FastSpeech 2's WORLD/DIO ceiling; covers children and shouting). */
  fMax?: number;
  /** YIN absolute threshold on the normalised difference: lower = stricter voicing. Default 0.15. */
  threshold?: number;
  /** Frames quieter than this RMS level (dB re full scale) are unvoiced. Default -55. */
  silenceDb?: number;
  /** Integration window in samples. Default 2 periods of fMin. */
  windowLength?: number;
}

/** Fills PitchConfig defaults and validates. */
export function resolvePitchConfig(config: PitchConfig): Required<PitchConfig> {
  const c: Required<PitchConfig> = {
    nFft: 1024, center: true, fMin: 65, fMax: 800, threshold: 0.15, silenceDb: -55,
    windowLength: 0, ...config,
  };
  if (!Number.isInteger(c.sampleRate) || c.sampleRate < 1) throw new RangeError(`pitch: sampleRate must be a positive integer, got ${c.sampleRate}`);
  if (!Number.isInteger(c.hopLength) || c.hopLength < 1) throw new RangeError(`pitch: hopLength must be a positive integer, got ${c.hopLength}`);
  if (!(c.fMin > 0 && c.fMax > c.fMin)) throw new RangeError(`pitch: need 0 < fMin < fMax, got fMin=${c.fMin}, fMax=${c.fMax}`);
  if (c.fMax >= c.sampleRate / 2) throw new RangeError(`pitch: fMax (${c.fMax}) must be below the Nyquist frequency (${c.sampleRate / 2})`);
  if (!(c.threshold > 0 && c.threshold < 1)) throw new RangeError(`pitch: threshold must be in (0, 1), got ${c.threshold}`);
  if (!c.windowLength) c.windowLength = Math.ceil((2 * c.sampleRate) / c.fMin);
  return c;
}

/**
 * F0 in Hz per frame (0 = unvoiced), one value per mel frame.
 * @example
 *   const f0 = estimatePitch(samples, { sampleRate: 22050, hopLength: 256 }); // f0.length === mel.frames
 */
export function estimatePitch(signal: ArrayLike<number>, config: PitchConfig): Float32Array {
  const c = resolvePitchConfig(config);
  const n = signal.length;
  const frames = stftFrameCount(n, { nFft: c.nFft, hopLength: c.hopLength, center: c.center });
  const out = new Float32Array(frames);
  const tauMin = Math.max(2, Math.floor(c.sampleRate / c.fMax));
  const tauMax = Math.ceil(c.sampleRate / c.fMin);
  const w = Math.max(c.windowLength, tauMax);
  const segLen = w + tauMax + 1;
  let size = 4;
  while (size < segLen) size *= 2;
  const fft = new RealFFT(size);
  const seg = new Float64Array(size), head = new Float64Array(size), corr = new Float64Array(size);
  const sr = new Float64Array(fft.bins), si = new Float64Array(fft.bins), hr = new Float64Array(fft.bins), hi = new Float64Array(fft.bins);
  const prefix = new Float64Array(segLen + 1);
  const cmnd = new Float64Array(tauMax + 2);
  const silence = Math.pow(10, c.silenceDb / 20);
  const centreOffset = c.center ? 0 : Math.floor(c.nFft / 2);

  for (let t = 0; t < frames; t++) {
    const start = t * c.hopLength + centreOffset - Math.floor(segLen / 2);
    seg.fill(0);
    let mean = 0;
    for (let i = 0; i < segLen; i++) { const j = start + i; seg[i] = j >= 0 && j < n ? signal[j]! : 0; mean += seg[i]!; }
    mean /= segLen;
    for (let i = 0; i < segLen; i++) seg[i]! -= mean; // DC would bias the difference function
    for (let i = 0; i < segLen; i++) prefix[i + 1] = prefix[i]! + seg[i]! * seg[i]!;
    const e0 = prefix[w]!;
    if (Math.sqrt(e0 / w) < silence) { out[t] = 0; continue; }

    // r(tau) = sum_{j<w} x_j x_{j+tau} by FFT cross-correlation (no wrap-around: size >= w + tauMax).
    head.fill(0);
    head.set(seg.subarray(0, w));
    fft.forward(seg, sr, si);
    fft.forward(head, hr, hi);
    for (let k = 0; k < fft.bins; k++) {
      const ar = hr[k]!, ai = -hi[k]!, br = sr[k]!, bi = si[k]!;
      hr[k] = ar * br - ai * bi;
      hi[k] = ar * bi + ai * br;
    }
    fft.inverse(hr, hi, corr);

    // Cumulative mean normalised difference d'(tau).
    cmnd[0] = 1;
    let running = 0;
    for (let tau = 1; tau <= tauMax + 1; tau++) {
      const et = prefix[tau + w]! - prefix[tau]!;
      const d = Math.max(0, e0 + et - 2 * corr[tau]!);
      running += d;
      cmnd[tau] = running > 0 ? (d * tau) / running : 1;
    }
    let best = -1;
    for (let tau = tauMin; tau <= tauMax; tau++) {
      if (cmnd[tau]! < c.threshold) {
        while (tau + 1 <= tauMax && cmnd[tau + 1]! < cmnd[tau]!) tau++;
        best = tau;
        break;
      }
    }
    if (best < 0) { out[t] = 0; continue; }
    // Parabolic interpolation of the dip for sub-sample period precision.
    let period = best;
    const a = cmnd[best - 1]!, b = cmnd[best]!, d2 = cmnd[best + 1]!;
    const denom = a - 2 * b + d2;
    if (denom > 0) period += Math.max(-0.5, Math.min(0.5, (0.5 * (a - d2)) / denom));
    const f0 = c.sampleRate / period;
    out[t] = f0 >= c.fMin * 0.97 && f0 <= c.fMax * 1.03 ? f0 : 0;
  }
  return out;
}

/**
 * Fills unvoiced (0) frames by linear interpolation between voiced neighbours, holding the first/last
 * voiced value at the edges (as FastSpeech 2's preprocessing does before averaging). All-unvoiced stays 0.
 * @example interpolateUnvoiced(Float32Array.of(0, 100, 0, 200, 0)) // [100, 100, 150, 200, 200]
 */
export function interpolateUnvoiced(f0: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(f0);
  let prev = -1;
  for (let i = 0; i < out.length; i++) {
    if (out[i]! <= 0) continue;
    if (prev < 0) out.fill(out[i]!, 0, i);
    else for (let j = prev + 1; j < i; j++) out[j] = out[prev]! + ((out[i]! - out[prev]!) * (j - prev)) / (i - prev);
    prev = i;
  }
  if (prev >= 0) out.fill(out[prev]!, prev + 1);
  return out;
}

/**
 * Averages frame values per phoneme given integer frame durations (FastSpeech 2 phoneme-level pitch and
 * energy). Phonemes with duration 0 get 0. With `ignoreZeros`, unvoiced (0) frames are left out of each
 * mean (a phoneme with no voiced frame gets 0). Durations may sum to fewer frames than given (the tail is
 * ignored) but not more.
 * @example averageByDurations(Float32Array.of(1, 3, 5, 7), [1, 3]) // [1, 5]
 */
export function averageByDurations(values: ArrayLike<number>, durations: ArrayLike<number>, options: { ignoreZeros?: boolean } = {}): Float32Array {
  let total = 0;
  for (let i = 0; i < durations.length; i++) {
    const d = durations[i]!;
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`averageByDurations: duration ${i} must be a non-negative integer, got ${d}`);
    total += d;
  }
  if (total > values.length) throw new RangeError(`averageByDurations: durations sum to ${total} frames but only ${values.length} frames were given`);
  const out = new Float32Array(durations.length);
  let pos = 0;
  for (let i = 0; i < durations.length; i++) {
    const d = durations[i]!;
    let sum = 0, count = 0;
    for (let j = pos; j < pos + d; j++) {
      const v = values[j]!;
      if (options.ignoreZeros && v === 0) continue;
      sum += v; count++;
    }
    out[i] = count ? sum / count : 0;
    pos += d;
  }
  return out;
}
