/**
 * Silence trimming, librosa.effects.trim style: frames whose RMS is more than `topDb` below the loudest
 * frame's RMS are silence; the kept range runs from the first to the last non-silent frame. Browser-safe.
 */

export interface TrimOptions {
  /** Threshold in dB below the peak frame RMS. Default 60 (librosa). */
  topDb?: number;
  /** RMS frame length in samples. Default 2048 (librosa). */
  frameLength?: number;
  /** Samples between RMS frames. Default 512 (librosa). */
  hop?: number;
  /** Extra audio kept on each side of the detected range, ms (clamped to the signal). Default 0 (librosa). */
  marginMs?: number;
}

/**
 * Kept sample range [start, end) after trimming leading and trailing silence. Frame t is centred on sample
 * t * hop (zero padding at the edges, as librosa.feature.rms(center=True)); the range is
 * [first * hop, min(n, (last + 1) * hop)) widened by the margin, exactly librosa.effects.trim's index when
 * marginMs is 0. An all-zero or empty signal gives { start: 0, end: 0 }.
 * @example
 *   const { start, end } = trimSilence(x, 22050, { topDb: 40, frameLength: 1024, hop: 256, marginMs: 10 });
 *   const trimmed = x.subarray(start, end);
 */
export function trimSilence(samples: ArrayLike<number>, sampleRate: number, options: TrimOptions = {}): { start: number; end: number } {
  const topDb = options.topDb ?? 60, frameLength = options.frameLength ?? 2048, hop = options.hop ?? 512, marginMs = options.marginMs ?? 0;
  if (!(sampleRate > 0)) throw new RangeError(`trimSilence: sampleRate must be positive, got ${sampleRate}`);
  if (!(topDb > 0)) throw new RangeError(`trimSilence: topDb must be > 0, got ${topDb}`);
  if (!Number.isInteger(frameLength) || frameLength < 1) throw new RangeError(`trimSilence: frameLength must be a positive integer, got ${frameLength}`);
  if (!Number.isInteger(hop) || hop < 1) throw new RangeError(`trimSilence: hop must be a positive integer, got ${hop}`);
  if (!(marginMs >= 0)) throw new RangeError(`trimSilence: marginMs must be >= 0, got ${marginMs}`);
  const n = samples.length;
  if (n === 0) return { start: 0, end: 0 };
  const frames = 1 + Math.floor(n / hop);
  const half = Math.floor(frameLength / 2);
  // Prefix sums of squares make each frame's mean square O(1).
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + samples[i]! * samples[i]!;
  const ms = new Float64Array(frames);
  let peak = 0;
  for (let t = 0; t < frames; t++) {
    const a = t * hop - half, b = a + frameLength;
    const v = (prefix[Math.min(n, Math.max(0, b))]! - prefix[Math.min(n, Math.max(0, a))]!) / frameLength; // zero padding counts
    ms[t] = v;
    if (v > peak) peak = v;
  }
  if (!(peak > 0)) return { start: 0, end: 0 };
  const threshold = peak * Math.pow(10, -topDb / 10); // mean square, so dB / 10
  let first = 0, last = frames - 1;
  while (ms[first]! <= threshold) first++;
  while (ms[last]! <= threshold) last--;
  const margin = Math.round((marginMs / 1000) * sampleRate);
  return { start: Math.max(0, first * hop - margin), end: Math.min(n, (last + 1) * hop + margin) };
}
