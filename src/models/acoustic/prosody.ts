/**
 * Phoneme-level pitch and energy targets (FastSpeech 2's "phoneme-level" variant, which ming024's
 * implementation found better than frame-level): the frame values averaged over each phoneme's
 * frames, then z-scored with the corpus statistics.
 *
 *  - pitch: mean ln F0 over the phoneme's *voiced* frames. A phoneme with no voiced frame
 *    (unvoiced consonant, pause) takes the value interpolated linearly between its nearest voiced
 *    neighbours (held at the edges), as FastSpeech 2 interpolates F0 through unvoiced stretches:
 *    a continuous contour is easier to predict and the decoder learns voicing from the phoneme.
 *  - energy: mean frame energy over the phoneme.
 * Phonemes with zero frames get the interpolated pitch and the energy of silence (the minimum).
 */

import { averageByDurations, interpolateUnvoiced } from '../../audio/pitch.js';

export interface Normalizer { mean: number; std: number }

export interface PhonemeProsody {
  /** [B, T] z-scored ln F0 (0 on padding). */
  pitch: Float32Array;
  /** [B, T] z-scored energy (0 on padding). */
  energy: Float32Array;
}

/**
 * Averages frame-level F0 (Hz, 0 = unvoiced) and energy [B, F] over the durations [B, T].
 * @example phonemeProsody(batch.pitch, batch.energy, durations, batch.phonemeLengths, T, F, stats)
 */
export function phonemeProsody(
  framePitchHz: Float32Array, frameEnergy: Float32Array, durations: Int32Array, phonemeLengths: Int32Array,
  T: number, F: number, stats: { logPitch: Normalizer; energy: Normalizer },
): PhonemeProsody {
  const B = phonemeLengths.length;
  const pitch = new Float32Array(B * T), energy = new Float32Array(B * T);
  const silentEnergy = -3; // z-score for phonemes with no frames (≈ silence on speech corpora)
  for (let b = 0; b < B; b++) {
    const n = phonemeLengths[b]!;
    const d = durations.subarray(b * T, b * T + n);
    const frames = Math.min(F, d.reduce((a, x) => a + x, 0));
    // ln F0 > 4 for any F0 the tracker reports, so 0 still marks "unvoiced" after the log.
    const logF0 = framePitchHz.subarray(b * F, b * F + frames).map((hz) => (hz > 0 ? Math.log(hz) : 0));
    const phonemeLogF0 = interpolateUnvoiced(averageByDurations(logF0, d, { ignoreZeros: true }));
    const phonemeEnergy = averageByDurations(frameEnergy.subarray(b * F, b * F + frames), d);
    for (let t = 0; t < n; t++) {
      const lf = phonemeLogF0[t]!;
      pitch[b * T + t] = lf > 0 ? (lf - stats.logPitch.mean) / stats.logPitch.std : 0;
      energy[b * T + t] = d[t]! > 0 ? (phonemeEnergy[t]! - stats.energy.mean) / stats.energy.std : silentEnergy;
    }
  }
  return { pitch, energy };
}

/**
 * Bucket index of each value among `bins` equal-width buckets over [lo, hi] (clamped): the
 * quantised pitch/energy embedding's input.
 */
export function bucketize(values: Float32Array, bins: number, lo: number, hi: number): Int32Array {
  const out = new Int32Array(values.length);
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) out[i] = Math.min(bins - 1, Math.max(0, Math.floor((values[i]! - lo) / width)));
  return out;
}

/** Range of the z-scored values the quantisation bins cover (±4 σ holds all but outliers). */
export const PROSODY_RANGE: readonly [number, number] = [-4, 4];
