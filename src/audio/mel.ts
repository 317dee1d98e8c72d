/**
 * Log-mel spectrogram, matching torchaudio.transforms.MelSpectrogram followed by log(clamp(x, 1e-5)).
 * Default config = the LJSpeech / HiFi-GAN convention shared by FastSpeech 2 and most public vocoders.
 * Browser-safe.
 */
import { RealFFT } from './fft.js';
import { forEachWindowedFrame, stftFrameCount, type MagnitudeSpectrogram, type StftConfig } from './stft.js';

export interface MelConfig {
  /** Sample rate the audio must have (resample first). */
  sampleRate: number;
  nFft: number;
  hopLength: number;
  winLength: number;
  nMels: number;
  /** Lowest filter edge, Hz. */
  fMin: number;
  /** Highest filter edge, Hz (<= sampleRate / 2). */
  fMax: number;
  /** Mel scale formula: 'slaney' (librosa default, HiFi-GAN) or 'htk'. */
  melScale: 'slaney' | 'htk';
  /** 'slaney' divides each triangle by its width (constant energy per channel); 'none' keeps peak 1. */
  norm: 'slaney' | 'none';
  /** 1 = magnitude spectrogram (HiFi-GAN), 2 = power. */
  power: 1 | 2;
  /** Values are clamped to at least this before the natural log. */
  logFloor: number;
  /** Centre frames with n_fft / 2 padding. */
  center: boolean;
  padMode: 'reflect' | 'constant';
}

/** LJSpeech / HiFi-GAN V1 features: 22050 Hz, n_fft 1024, hop 256, win 1024, 80 Slaney mels 0-8000 Hz, magnitude, log(clamp(x, 1e-5)). */
export const DEFAULT_MEL_CONFIG: Readonly<MelConfig> = Object.freeze({
  sampleRate: 22050,
  nFft: 1024,
  hopLength: 256,
  winLength: 1024,
  nMels: 80,
  fMin: 0,
  fMax: 8000,
  melScale: 'slaney',
  norm: 'slaney',
  power: 1,
  logFloor: 1e-5,
  center: true,
  padMode: 'reflect',
});

/** An invalid MelConfig; the message lists every problem found. */
export class MelConfigError extends Error {
  override name = 'MelConfigError';
}

/** A log-mel spectrogram, mel-major ([nMels, frames] in C order, like the .npy files): data[m * frames + t]. */
export interface MelSpectrogram {
  data: Float32Array;
  nMels: number;
  frames: number;
}

/**
 * Fills defaults (DEFAULT_MEL_CONFIG) and validates; throws MelConfigError listing every bad field.
 * `winLength` defaults to `nFft` when nFft is overridden without it.
 * @example resolveMelConfig({ sampleRate: 24000, hopLength: 300, nFft: 2048, winLength: 1200 })
 */
export function resolveMelConfig(partial: Partial<MelConfig> = {}): MelConfig {
  const base: MelConfig = { ...DEFAULT_MEL_CONFIG };
  if (partial.nFft !== undefined && partial.winLength === undefined) base.winLength = partial.nFft;
  const c: MelConfig = { ...base, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  const problems: string[] = [];
  const posInt = (k: keyof MelConfig): void => {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) problems.push(`${k} must be a positive integer (got ${JSON.stringify(v)})`);
  };
  posInt('sampleRate'); posInt('nFft'); posInt('hopLength'); posInt('winLength'); posInt('nMels');
  if (Number.isInteger(c.nFft) && c.nFft < 2) problems.push(`nFft must be >= 2 (got ${c.nFft})`);
  if (Number.isInteger(c.winLength) && Number.isInteger(c.nFft) && c.winLength > c.nFft) problems.push(`winLength (${c.winLength}) must be <= nFft (${c.nFft})`);
  if (typeof c.fMin !== 'number' || !Number.isFinite(c.fMin) || c.fMin < 0) problems.push(`fMin must be a number >= 0 (got ${JSON.stringify(c.fMin)})`);
  if (typeof c.fMax !== 'number' || !Number.isFinite(c.fMax)) problems.push(`fMax must be a number (got ${JSON.stringify(c.fMax)})`);
  else {
    if (c.fMax <= c.fMin) problems.push(`fMax (${c.fMax}) must be greater than fMin (${c.fMin})`);
    if (Number.isFinite(c.sampleRate) && c.fMax > c.sampleRate / 2) problems.push(`fMax (${c.fMax} Hz) is above the Nyquist frequency (${c.sampleRate / 2} Hz) of sampleRate ${c.sampleRate}`);
  }
  if (c.melScale !== 'slaney' && c.melScale !== 'htk') problems.push(`melScale must be "slaney" or "htk" (got ${JSON.stringify(c.melScale)})`);
  if (c.norm !== 'slaney' && c.norm !== 'none') problems.push(`norm must be "slaney" or "none" (got ${JSON.stringify(c.norm)})`);
  if (c.power !== 1 && c.power !== 2) problems.push(`power must be 1 (magnitude) or 2 (power) (got ${JSON.stringify(c.power)})`);
  if (typeof c.logFloor !== 'number' || !(c.logFloor > 0)) problems.push(`logFloor must be a number > 0 (got ${JSON.stringify(c.logFloor)})`);
  if (typeof c.center !== 'boolean') problems.push(`center must be true or false (got ${JSON.stringify(c.center)})`);
  if (c.padMode !== 'reflect' && c.padMode !== 'constant') problems.push(`padMode must be "reflect" or "constant" (got ${JSON.stringify(c.padMode)})`);
  if (problems.length) throw new MelConfigError(`invalid mel config: ${problems.join('; ')}`);
  return c;
}

/** snake_case names used by HiFi-GAN / FastSpeech 2 / torchaudio configs, accepted in JSON. */
const KEY_ALIASES: Record<string, keyof MelConfig> = {
  sampling_rate: 'sampleRate', sample_rate: 'sampleRate', sr: 'sampleRate',
  n_fft: 'nFft', filter_length: 'nFft',
  hop_size: 'hopLength', hop_length: 'hopLength',
  win_size: 'winLength', win_length: 'winLength',
  num_mels: 'nMels', n_mels: 'nMels', n_mel_channels: 'nMels',
  fmin: 'fMin', f_min: 'fMin', mel_fmin: 'fMin',
  fmax: 'fMax', f_max: 'fMax', mel_fmax: 'fMax',
  mel_scale: 'melScale', pad_mode: 'padMode', log_floor: 'logFloor',
};

/**
 * Parses a JSON-decoded object into a MelConfig: camelCase keys or the usual snake_case aliases
 * (`sampling_rate`, `hop_size`, `num_mels`, `fmax`, ...); `norm: null` means 'none'. Unknown keys are errors.
 * @example parseMelConfigJson(JSON.parse('{"sampling_rate": 24000, "hop_size": 300}'))
 */
export function parseMelConfigJson(json: unknown): MelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new MelConfigError('mel config must be a JSON object');
  const known = Object.keys(DEFAULT_MEL_CONFIG) as (keyof MelConfig)[];
  const out: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const name = (known as string[]).includes(key) ? key : KEY_ALIASES[key];
    if (!name) { unknown.push(key); continue; }
    out[name] = name === 'norm' && value === null ? 'none' : value;
  }
  if (unknown.length) throw new MelConfigError(`unknown mel config key(s): ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return resolveMelConfig(out as Partial<MelConfig>);
}

/** Hz to mel. Slaney: linear below 1 kHz (3 mels / 200 Hz), logarithmic above; HTK: 2595 log10(1 + f / 700). */
export function hzToMel(hz: number, scale: 'slaney' | 'htk' = 'slaney'): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + hz / 700);
  const fSp = 200 / 3;
  if (hz < 1000) return hz / fSp;
  return 1000 / fSp + Math.log(hz / 1000) / (Math.log(6.4) / 27);
}

/** Inverse of hzToMel. */
export function melToHz(mel: number, scale: 'slaney' | 'htk' = 'slaney'): number {
  if (scale === 'htk') return 700 * (Math.pow(10, mel / 2595) - 1);
  const fSp = 200 / 3;
  const minLogMel = 1000 / fSp;
  if (mel < minLogMel) return mel * fSp;
  return 1000 * Math.exp((Math.log(6.4) / 27) * (mel - minLogMel));
}

/** A triangular mel filterbank, mel-major: weight of FFT bin k in mel channel m at m * bins + k. */
export interface MelFilterbank {
  weights: Float64Array;
  nMels: number;
  bins: number;
  /** First and one-past-last non-zero bin of each channel (for a sparse product). */
  start: Int32Array;
  end: Int32Array;
}

/**
 * The mel filterbank, equal to torchaudio.functional.melscale_fbanks(...).T (and librosa.filters.mel for
 * even sample rates). Like torchaudio, bin frequencies are linspace(0, floor(sampleRate / 2), bins).
 * @example melFilterbank(DEFAULT_MEL_CONFIG).weights.length // 80 * 513
 */
export function melFilterbank(config: Partial<MelConfig> = {}): MelFilterbank {
  const c = resolveMelConfig(config);
  const bins = Math.floor(c.nFft / 2) + 1;
  const nyquist = Math.floor(c.sampleRate / 2);
  const freqs = new Float64Array(bins);
  for (let k = 0; k < bins; k++) freqs[k] = bins === 1 ? 0 : (nyquist * k) / (bins - 1);
  const mMin = hzToMel(c.fMin, c.melScale), mMax = hzToMel(c.fMax, c.melScale);
  const edges = new Float64Array(c.nMels + 2);
  for (let i = 0; i < edges.length; i++) edges[i] = melToHz(mMin + ((mMax - mMin) * i) / (c.nMels + 1), c.melScale);
  const weights = new Float64Array(c.nMels * bins);
  const start = new Int32Array(c.nMels), end = new Int32Array(c.nMels);
  for (let m = 0; m < c.nMels; m++) {
    const lo = edges[m]!, mid = edges[m + 1]!, hi = edges[m + 2]!;
    const scale = c.norm === 'slaney' ? 2 / (hi - lo) : 1;
    let first = -1, last = -1;
    for (let k = 0; k < bins; k++) {
      const f = freqs[k]!;
      const w = Math.max(0, Math.min((f - lo) / (mid - lo), (hi - f) / (hi - mid)));
      if (w > 0) {
        weights[m * bins + k] = w * scale;
        if (first < 0) first = k;
        last = k;
      }
    }
    start[m] = first < 0 ? 0 : first;
    end[m] = first < 0 ? 0 : last + 1;
  }
  return { weights, nMels: c.nMels, bins, start, end };
}

/** The StftConfig part of a MelConfig. */
export function melStftConfig(c: MelConfig): StftConfig {
  return { nFft: c.nFft, hopLength: c.hopLength, winLength: c.winLength, center: c.center, padMode: c.padMode };
}

/**
 * Computes log-mel spectrograms for one config, reusing the filterbank and FFT plan across calls.
 * @example
 *   const mel = new MelExtractor().compute(samples22k); // mel.data: 80 x frames, mel-major
 */
export class MelExtractor {
  readonly config: MelConfig;
  readonly filterbank: MelFilterbank;
  private readonly fft: RealFFT;
  /** [first, one-past-last) bin with a non-zero weight in any channel. */
  private readonly usedBins: Int32Array;

  constructor(config: Partial<MelConfig> = {}) {
    this.config = resolveMelConfig(config);
    this.filterbank = melFilterbank(this.config);
    this.fft = new RealFFT(this.config.nFft);
    const { start, end, nMels } = this.filterbank;
    let lo = this.filterbank.bins, hi = 0;
    for (let m = 0; m < nMels; m++) if (end[m]! > start[m]!) { lo = Math.min(lo, start[m]!); hi = Math.max(hi, end[m]!); }
    this.usedBins = Int32Array.of(Math.min(lo, hi), hi);
  }

  /** Number of frames for a signal of `length` samples (1 + floor(length / hop) when centred). */
  frameCount(length: number): number {
    return stftFrameCount(length, melStftConfig(this.config));
  }

  /** Log-mel spectrogram of `signal` (at config.sampleRate). */
  compute(signal: ArrayLike<number>): MelSpectrogram {
    const c = this.config, fb = this.filterbank, fft = this.fft;
    const bins = fb.bins, nMels = c.nMels;
    const frames = this.frameCount(signal.length);
    const data = new Float32Array(nMels * frames);
    const mag = new Float64Array(bins);
    // Only bins inside some filter need the square root (bins above fMax never contribute).
    const used = this.usedBins;
    forEachWindowedFrame(signal, melStftConfig(c), (t, frame) => {
      fft.powerSpectrum(frame, mag);
      if (c.power === 1) for (let k = used[0]!; k < used[1]!; k++) mag[k] = Math.sqrt(mag[k]!);
      this.project(mag, 0, data, t, frames);
    });
    return { data, nMels, frames };
  }

  /** Log-mel from a precomputed magnitude (power 1) or power (power 2) spectrogram matching the config. */
  fromMagnitude(spec: MagnitudeSpectrogram): MelSpectrogram {
    if (spec.bins !== this.filterbank.bins) throw new RangeError(`spectrogram has ${spec.bins} bins; nFft=${this.config.nFft} needs ${this.filterbank.bins}`);
    const { frames } = spec, nMels = this.config.nMels;
    const data = new Float32Array(nMels * frames);
    for (let t = 0; t < frames; t++) this.project(spec.data, t * spec.bins, data, t, frames);
    return { data, nMels, frames };
  }

  private project(mag: ArrayLike<number>, offset: number, out: Float32Array, t: number, frames: number): void {
    const { weights, start, end, bins, nMels } = this.filterbank;
    const floor = this.config.logFloor;
    for (let m = 0; m < nMels; m++) {
      let acc = 0;
      const row = m * bins;
      for (let k = start[m]!; k < end[m]!; k++) acc += weights[row + k]! * mag[offset + k]!;
      out[m * frames + t] = Math.log(acc > floor ? acc : floor);
    }
  }
}

const extractors = new Map<string, MelExtractor>();

/**
 * Log-mel spectrogram with the given config (defaults: LJSpeech / HiFi-GAN). The signal must already be
 * at `config.sampleRate`. Extractors are cached per config.
 * @example
 *   const { data, nMels, frames } = logMelSpectrogram(samples); // data[m * frames + t]
 */
export function logMelSpectrogram(signal: ArrayLike<number>, config: Partial<MelConfig> = {}): MelSpectrogram {
  return perMelConfig(extractors, config, (c) => new MelExtractor(c)).compute(signal);
}

/**
 * The object `cache` holds for `config` (resolved, compared by value), made by `make` on first use.
 * The cache is emptied past 16 configs (a program uses one or two).
 */
export function perMelConfig<T>(cache: Map<string, T>, config: Partial<MelConfig>, make: (config: MelConfig) => T): T {
  const resolved = resolveMelConfig(config);
  const key = JSON.stringify(resolved);
  let value = cache.get(key);
  if (value === undefined) {
    value = make(resolved);
    if (cache.size >= 16) cache.clear();
    cache.set(key, value);
  }
  return value;
}

/**
 * Frame-major [frames, nMels] values (the feature cache's and the acoustic model's layout) as a
 * mel-major [nMels, frames] array (MelSpectrogram's, the vocoder's and .npy's layout).
 * @example melMajorFromFrames(Float32Array.of(1, 2, 3, 4, 5, 6), 3, 2) // [1, 3, 5, 2, 4, 6]
 */
export function melMajorFromFrames(frameMajor: ArrayLike<number>, frames: number, nMels: number): Float32Array {
  const out = new Float32Array(frames * nMels);
  for (let f = 0; f < frames; f++) for (let m = 0; m < nMels; m++) out[m * frames + f] = frameMajor[f * nMels + m]!;
  return out;
}
