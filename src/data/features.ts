/**
 * Per-utterance acoustic features for training: edge-silence trimming, log-mel (frame-major), F0 and energy,
 * all on the same frames. One STFT feeds both the mel and the energy.
 */
import { MelExtractor, melStftConfig, type MelConfig } from '../audio/mel.js';
import { magnitudeSpectrogram } from '../audio/stft.js';
import { energyFromMagnitude } from '../audio/energy.js';
import { estimatePitch, type PitchConfig } from '../audio/pitch.js';

/** Features of one utterance; every array has one value (or one mel row) per frame. */
export interface UtteranceFeatures {
  frames: number;
  nMels: number;
  /** Log-mel, frame-major: mel[t * nMels + m]. */
  mel: Float32Array;
  /** F0 in Hz, 0 = unvoiced. */
  pitch: Float32Array;
  /** L2 norm of each STFT magnitude frame. */
  energy: Float32Array;
}

/**
 * Sample range [start, end) left after cutting leading and trailing frames quieter than `topDb` below
 * the loudest frame (RMS over `frameLength` samples every `hop`), widened by `marginSeconds` each side
 * so soft onsets and releases survive. A signal with no sound at all gives [0, 0].
 * @example const [s, e] = trimSilence(samples, 22050, 40); const trimmed = samples.subarray(s, e);
 */
export function trimSilence(samples: Float32Array, sampleRate: number, topDb: number, marginSeconds = 0.01, frameLength = 512, hop = 128): [number, number] {
  const n = samples.length;
  if (n === 0) return [0, 0];
  const frames = Math.max(1, Math.ceil(n / hop));
  const power = new Float64Array(frames);
  let peak = 0;
  for (let f = 0; f < frames; f++) {
    const a = Math.max(0, f * hop + (hop >> 1) - (frameLength >> 1));
    const b = Math.min(n, a + frameLength);
    let sum = 0;
    for (let i = a; i < b; i++) sum += samples[i]! * samples[i]!;
    const p = b > a ? sum / (b - a) : 0;
    power[f] = p;
    if (p > peak) peak = p;
  }
  if (peak <= 1e-20) return [0, 0];
  const threshold = peak * Math.pow(10, -topDb / 10);
  let first = 0, last = frames - 1;
  while (first < frames && power[first]! < threshold) first++;
  while (last > first && power[last]! < threshold) last--;
  const margin = Math.round(marginSeconds * sampleRate);
  const start = Math.max(0, first * hop - margin);
  const end = Math.min(n, (last + 1) * hop + margin);
  return [start, end];
}

/**
 * Fraction of samples inside clipped runs: at least 3 consecutive samples at >= 99.9% of full scale
 * (a single full-scale peak is legitimate, a plateau is not).
 */
export function clippedFraction(samples: Float32Array): number {
  let clipped = 0, run = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i]!;
    if (x >= 0.999 || x <= -0.999) run++;
    else { if (run >= 3) clipped += run; run = 0; }
  }
  if (run >= 3) clipped += run;
  return samples.length ? clipped / samples.length : 0;
}

/** Computes mel, pitch and energy for signals at the mel config's sample rate; reuse one per thread. */
export class FeatureExtractor {
  readonly melConfig: MelConfig;
  private readonly mel: MelExtractor;
  private readonly pitchConfig: PitchConfig;

  constructor(melConfig: MelConfig, pitch: Partial<PitchConfig> = {}) {
    this.melConfig = melConfig;
    this.mel = new MelExtractor(melConfig);
    this.pitchConfig = {
      sampleRate: melConfig.sampleRate, hopLength: melConfig.hopLength, nFft: melConfig.nFft, center: melConfig.center,
      fMax: Math.min(800, melConfig.sampleRate / 2 - 1), ...pitch,
    };
  }

  /** Features of `signal` (already at melConfig.sampleRate). */
  compute(signal: Float32Array): UtteranceFeatures {
    const c = this.melConfig;
    const mag = magnitudeSpectrogram(signal, melStftConfig(c), c.power);
    const melMajor = this.mel.fromMagnitude(mag);
    const energy = c.power === 1 ? energyFromMagnitude(mag) : energyFromPower(mag.data, mag.frames, mag.bins);
    const frames = melMajor.frames, nMels = melMajor.nMels;
    const mel = new Float32Array(frames * nMels);
    for (let m = 0; m < nMels; m++) {
      const row = m * frames;
      for (let t = 0; t < frames; t++) mel[t * nMels + m] = melMajor.data[row + t]!;
    }
    const pitch = estimatePitch(signal, this.pitchConfig);
    if (pitch.length !== frames) throw new Error(`internal: pitch has ${pitch.length} frames, mel ${frames}`);
    return { frames, nMels, mel, pitch, energy };
  }
}

function energyFromPower(data: Float32Array, frames: number, bins: number): Float32Array {
  const out = new Float32Array(frames);
  for (let t = 0; t < frames; t++) {
    let sum = 0;
    for (let k = 0; k < bins; k++) sum += data[t * bins + k]!;
    out[t] = Math.sqrt(sum);
  }
  return out;
}
