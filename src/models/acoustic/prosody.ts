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
  const silentEnergy = -3; // z-score floor for phonemes with no frames (≈ silence on speech corpora)
  for (let b = 0; b < B; b++) {
    const n = phonemeLengths[b]!;
    const logF0 = new Float64Array(n).fill(NaN);
    let f = 0;
    for (let t = 0; t < n; t++) {
      const d = durations[b * T + t]!;
      let voiced = 0, sumLog = 0, sumEnergy = 0;
      for (let k = 0; k < d && f < F; k++, f++) {
        const hz = framePitchHz[b * F + f]!;
        if (hz > 0) { voiced++; sumLog += Math.log(hz); }
        sumEnergy += frameEnergy[b * F + f]!;
      }
      if (voiced > 0) logF0[t] = sumLog / voiced;
      energy[b * T + t] = d > 0 ? (sumEnergy / d - stats.energy.mean) / stats.energy.std : silentEnergy;
    }
    const filled = interpolateGaps(logF0);
    for (let t = 0; t < n; t++) pitch[b * T + t] = Number.isNaN(filled[t]!) ? 0 : (filled[t]! - stats.logPitch.mean) / stats.logPitch.std;
  }
  return { pitch, energy };
}

/** NaN runs replaced by linear interpolation between their neighbours (held at the edges; all-NaN stays NaN). */
export function interpolateGaps(v: Float64Array): Float64Array {
  const out = Float64Array.from(v);
  const known: number[] = [];
  for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i]!)) known.push(i);
  if (!known.length) return out;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isNaN(v[i]!)) continue;
    // Neighbouring known indices (binary search would do; utterances are short).
    let lo = -1, hi = -1;
    for (const k of known) { if (k < i) lo = k; else { hi = k; break; } }
    if (lo < 0) out[i] = v[hi]!;
    else if (hi < 0) out[i] = v[lo]!;
    else out[i] = v[lo]! + ((v[hi]! - v[lo]!) * (i - lo)) / (hi - lo);
  }
  return out;
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
