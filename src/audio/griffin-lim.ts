/**
 * Griffin-Lim phase reconstruction (the "fast" variant with momentum, Perraudin et al. 2013, as in
 * torchaudio/librosa), used as the fallback vocoder: log-mel -> linear magnitude -> waveform. Browser-safe.
 */
import { melFilterbank, melStftConfig, resolveMelConfig, type MelConfig, type MelSpectrogram } from './mel.js';
import { istft, stft, type MagnitudeSpectrogram, type Spectrogram, type StftConfig } from './stft.js';
import { mulberry32 } from '../util/random.js';

export interface MelInversionOptions {
  /** Non-negative least-squares refinement steps after the clamped pseudo-inverse. Default 30. */
  nnlsIterations?: number;
}

/** Inverts the symmetric positive-definite n x n matrix `a` (row-major) by Gauss-Jordan elimination. */
function invertSpd(a: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]!) > Math.abs(m[pivot * n + col]!)) pivot = r;
    if (pivot !== col) {
      for (let k = 0; k < n; k++) {
        [m[col * n + k], m[pivot * n + k]] = [m[pivot * n + k]!, m[col * n + k]!];
        [inv[col * n + k], inv[pivot * n + k]] = [inv[pivot * n + k]!, inv[col * n + k]!];
      }
    }
    const p = m[col * n + col]!;
    for (let k = 0; k < n; k++) { m[col * n + k]! /= p; inv[col * n + k]! /= p; }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r * n + col]!;
      if (f === 0) continue;
      for (let k = 0; k < n; k++) { m[r * n + k]! -= f * m[col * n + k]!; inv[r * n + k]! -= f * inv[col * n + k]!; }
    }
  }
  return inv;
}

/**
 * Estimates the linear magnitude spectrogram from a log-mel: exp, then the minimum-norm solution of
 * F s = mel (pseudo-inverse F^T (F F^T)^-1, lightly regularised) clamped at 0, refined by multiplicative
 * NNLS updates s <- s * (F^T mel) / (F^T F s). Bins above fMax (no filter covers them) come out 0.
 * @example
 *   const mag = melToMagnitude(mel, DEFAULT_MEL_CONFIG); // mag.data: frames x (nFft / 2 + 1)
 */
export function melToMagnitude(mel: MelSpectrogram, config: Partial<MelConfig> = {}, options: MelInversionOptions = {}): MagnitudeSpectrogram {
  const c = resolveMelConfig(config);
  if (mel.nMels !== c.nMels) throw new RangeError(`melToMagnitude: mel has ${mel.nMels} channels but the config says nMels=${c.nMels}`);
  const fb = melFilterbank(c);
  const { weights: F, bins, start, end } = fb;
  const nMels = c.nMels, frames = mel.frames;
  // G = F F^T (nMels x nMels), ridge-regularised relative to its trace.
  const g = new Float64Array(nMels * nMels);
  let trace = 0;
  for (let i = 0; i < nMels; i++) {
    for (let j = i; j < nMels; j++) {
      let s = 0;
      const lo = Math.max(start[i]!, start[j]!), hi = Math.min(end[i]!, end[j]!);
      for (let k = lo; k < hi; k++) s += F[i * bins + k]! * F[j * bins + k]!;
      g[i * nMels + j] = s; g[j * nMels + i] = s;
    }
    trace += g[i * nMels + i]!;
  }
  const ridge = (1e-6 * trace) / nMels;
  for (let i = 0; i < nMels; i++) g[i * nMels + i]! += ridge;
  const gInv = invertSpd(g, nMels);

  const iterations = options.nnlsIterations ?? 30;
  const out = new Float32Array(frames * bins);
  const m = new Float64Array(nMels), y = new Float64Array(nMels), s = new Float64Array(bins);
  const numer = new Float64Array(bins), fs = new Float64Array(nMels), denom = new Float64Array(bins);
  for (let t = 0; t < frames; t++) {
    for (let i = 0; i < nMels; i++) m[i] = Math.exp(mel.data[i * frames + t]!);
    for (let i = 0; i < nMels; i++) {
      let acc = 0;
      for (let j = 0; j < nMels; j++) acc += gInv[i * nMels + j]! * m[j]!;
      y[i] = acc;
    }
    s.fill(0); numer.fill(0);
    for (let i = 0; i < nMels; i++) {
      for (let k = start[i]!; k < end[i]!; k++) { s[k]! += F[i * bins + k]! * y[i]!; numer[k]! += F[i * bins + k]! * m[i]!; }
    }
    // Clamp to a small positive floor so multiplicative updates can still move every covered bin.
    let peak = 0;
    for (let k = 0; k < bins; k++) peak = Math.max(peak, s[k]!);
    const floor = Math.max(peak * 1e-4, 1e-12);
    for (let k = 0; k < bins; k++) s[k] = numer[k]! > 0 ? Math.max(s[k]!, floor) : 0;
    for (let it = 0; it < iterations; it++) {
      for (let i = 0; i < nMels; i++) {
        let acc = 0;
        for (let k = start[i]!; k < end[i]!; k++) acc += F[i * bins + k]! * s[k]!;
        fs[i] = acc;
      }
      denom.fill(0);
      for (let i = 0; i < nMels; i++) for (let k = start[i]!; k < end[i]!; k++) denom[k]! += F[i * bins + k]! * fs[i]!;
      for (let k = 0; k < bins; k++) if (denom[k]! > 0) s[k] = s[k]! * (numer[k]! / denom[k]!);
    }
    for (let k = 0; k < bins; k++) out[t * bins + k] = c.power === 2 ? Math.sqrt(s[k]!) : s[k]!;
  }
  return { data: out, frames, bins };
}

export interface GriffinLimOptions {
  /** Iterations. Default 32. */
  iterations?: number;
  /** Fast Griffin-Lim momentum (0 = classic Griffin-Lim). Default 0.99 (torchaudio default). */
  momentum?: number;
  /** Initial phase: 'random' (seeded, deterministic) or 'zeros'. Default 'random'. */
  init?: 'random' | 'zeros';
  /** Seed for the random initial phase. Default 0. */
  seed?: number;
  /** Output length in samples. Default (frames - 1) * hop for centred STFTs. */
  length?: number;
  /** Called after each iteration with the spectral convergence ||S - |STFT(x)||| / ||S||. */
  onIteration?: (iteration: number, spectralConvergence: number) => void;
}

/**
 * ||S - |X||| / ||S|| (Frobenius): 0 when X's magnitudes match the target exactly.
 * @example spectralConvergence(target, stft(y, cfg))
 */
export function spectralConvergence(target: MagnitudeSpectrogram, spec: Spectrogram): number {
  let num = 0, den = 0;
  const n = Math.min(target.data.length, spec.re.length);
  for (let i = 0; i < n; i++) {
    const s = target.data[i]!;
    const diff = s - Math.hypot(spec.re[i]!, spec.im[i]!);
    num += diff * diff; den += s * s;
  }
  return den > 0 ? Math.sqrt(num / den) : 0;
}

/**
 * Waveform whose STFT magnitude approximates `magnitude`, by (fast) Griffin-Lim.
 * @example
 *   const y = griffinLim(magnitudeSpectrogram(x, cfg), cfg, { iterations: 60 });
 */
export function griffinLim(magnitude: MagnitudeSpectrogram, config: StftConfig, options: GriffinLimOptions = {}): Float32Array {
  const iterations = options.iterations ?? 32;
  const momentum = options.momentum ?? 0.99;
  const { frames, bins, data: mag } = magnitude;
  const length = options.length ?? (config.center ?? true ? (frames - 1) * config.hopLength : undefined);
  const size = frames * bins;
  const angRe = new Float32Array(size), angIm = new Float32Array(size);
  if ((options.init ?? 'random') === 'random') {
    const rand = mulberry32(options.seed ?? 0);
    for (let i = 0; i < size; i++) { const p = 2 * Math.PI * rand(); angRe[i] = Math.cos(p); angIm[i] = Math.sin(p); }
  } else angRe.fill(1);
  const spec: Spectrogram = { re: new Float32Array(size), im: new Float32Array(size), frames, bins };
  const build = (): void => {
    for (let i = 0; i < size; i++) { spec.re[i] = mag[i]! * angRe[i]!; spec.im[i] = mag[i]! * angIm[i]!; }
  };
  let prevRe: Float32Array = new Float32Array(size), prevIm: Float32Array = new Float32Array(size);
  const alpha = momentum / (1 + momentum);
  for (let it = 0; it < iterations; it++) {
    build();
    const rebuilt = stft(istft(spec, config, length), config);
    if (rebuilt.frames !== frames) throw new RangeError(`griffinLim: length ${length} gives ${rebuilt.frames} frames, expected ${frames}`);
    if (options.onIteration) options.onIteration(it + 1, spectralConvergence(magnitude, rebuilt));
    for (let i = 0; i < size; i++) {
      const re = rebuilt.re[i]! - alpha * prevRe[i]!, im = rebuilt.im[i]! - alpha * prevIm[i]!;
      const norm = Math.hypot(re, im) + 1e-16;
      angRe[i] = re / norm; angIm[i] = im / norm;
    }
    prevRe = rebuilt.re; prevIm = rebuilt.im;
  }
  build();
  return istft(spec, config, length);
}

/**
 * The fallback vocoder: log-mel -> magnitude (melToMagnitude) -> Griffin-Lim waveform at config.sampleRate.
 * @example
 *   const wav = griffinLimFromMel(mel, DEFAULT_MEL_CONFIG, { iterations: 60 });
 */
export function griffinLimFromMel(mel: MelSpectrogram, config: Partial<MelConfig> = {}, options: GriffinLimOptions & MelInversionOptions = {}): Float32Array {
  const c = resolveMelConfig(config);
  return griffinLim(melToMagnitude(mel, c, options), melStftConfig(c), options);
}
