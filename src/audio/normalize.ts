/**
 * Peak and loudness normalisation. Loudness is ITU-R BS.1770-4 integrated loudness (LUFS) of a mono signal:
 * K-weighting (high-shelf pre-filter + RLB high-pass, biquads derived for any sample rate from the analog
 * prototypes, as libebur128 / pyloudnorm do; at 48 kHz they equal the coefficients printed in the standard),
 * 400 ms blocks with 75 % overlap, absolute gate -70 LUFS, relative gate -10 LU. Browser-safe.
 */

/** Peak level in dBFS (-Infinity for silence). */
export function peakDbfs(samples: ArrayLike<number>): number {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) { const a = Math.abs(samples[i]!); if (a > peak) peak = a; }
  return 20 * Math.log10(peak);
}

/**
 * Scales the signal so its sample peak is `targetDbfs` (default -1 dBFS). Silence is returned unchanged (a copy).
 * @example const y = peakNormalize(x, -1); // max |y| = 10^(-1/20) = 0.891
 */
export function peakNormalize(samples: ArrayLike<number>, targetDbfs = -1): Float32Array {
  if (!Number.isFinite(targetDbfs)) throw new RangeError(`peakNormalize: targetDbfs must be finite, got ${targetDbfs}`);
  const peak = peakDbfs(samples);
  return scale(samples, Number.isFinite(peak) ? Math.pow(10, (targetDbfs - peak) / 20) : 1);
}

function scale(samples: ArrayLike<number>, gain: number): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < out.length; i++) out[i] = samples[i]! * gain;
  return out;
}

/** A biquad: b0, b1, b2, a1, a2 (a0 = 1). */
export type Biquad = [number, number, number, number, number];

/**
 * The two K-weighting biquads for `sampleRate` (stage 1 high shelf, stage 2 RLB high-pass), from the analog
 * prototype parameters used by libebur128 (f0 1681.97 Hz, gain 3.99984 dB, Q 0.70718; f0 38.1355 Hz, Q 0.50033).
 */
export function kWeightingFilters(sampleRate: number): [Biquad, Biquad] {
  let f0 = 1681.974450955533, G = 3.999843853973347, Q = 0.7071752369554196;
  let K = Math.tan((Math.PI * f0) / sampleRate);
  const Vh = Math.pow(10, G / 20), Vb = Math.pow(Vh, 0.4996667741545416);
  let a0 = 1 + K / Q + K * K;
  const shelf: Biquad = [
    (Vh + (Vb * K) / Q + K * K) / a0, (2 * (K * K - Vh)) / a0, (Vh - (Vb * K) / Q + K * K) / a0,
    (2 * (K * K - 1)) / a0, (1 - K / Q + K * K) / a0,
  ];
  f0 = 38.13547087602444; Q = 0.5003270373238773;
  K = Math.tan((Math.PI * f0) / sampleRate);
  a0 = 1 + K / Q + K * K;
  const highPass: Biquad = [1, -2, 1, (2 * (K * K - 1)) / a0, (1 - K / Q + K * K) / a0];
  return [shelf, highPass];
}

function biquad(x: Float64Array, [b0, b1, b2, a1, a2]: Biquad): void {
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const y = b0 * v + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1; x1 = v; y2 = y1; y1 = y;
    x[i] = y;
  }
}

/**
 * BS.1770-4 integrated loudness of a mono signal in LUFS (-Infinity when every block is below the absolute
 * gate, e.g. silence). Signals shorter than one 400 ms block are measured as a single block over their length.
 * A full-scale 997 Hz sine measures -3.01 LUFS.
 * @example integratedLoudness(x, 22050) // e.g. -23.4
 */
export function integratedLoudness(samples: ArrayLike<number>, sampleRate: number): number {
  if (!(sampleRate > 0)) throw new RangeError(`integratedLoudness: sampleRate must be positive, got ${sampleRate}`);
  const n = samples.length;
  if (n === 0) return -Infinity;
  const z = Float64Array.from(samples as ArrayLike<number>);
  for (const f of kWeightingFilters(sampleRate)) biquad(z, f);
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + z[i]! * z[i]!;
  const block = Math.round(0.4 * sampleRate), step = Math.round(0.1 * sampleRate);
  const powers: number[] = [];
  if (n < block) powers.push(prefix[n]! / n);
  else for (let a = 0; a + block <= n; a += step) powers.push((prefix[a + block]! - prefix[a]!) / block);
  const lufs = (p: number): number => -0.691 + 10 * Math.log10(p);
  const gatedMean = (threshold: number): number => {
    let s = 0, c = 0;
    for (const p of powers) if (lufs(p) > threshold) { s += p; c++; }
    return c ? s / c : 0;
  };
  const absMean = gatedMean(-70);
  if (absMean === 0) return -Infinity;
  const relMean = gatedMean(lufs(absMean) - 10);
  return relMean > 0 ? lufs(relMean) : -Infinity;
}

/**
 * Scales the signal to an integrated loudness of `targetLufs` (default -23, EBU R128). Silence (loudness
 * -Infinity) is returned unchanged. No limiter: a large gain can push peaks past full scale; check with
 * `peakDbfs` and fall back to `peakNormalize` if that matters.
 * @example const y = loudnessNormalize(x, 22050, -23);
 */
export function loudnessNormalize(samples: ArrayLike<number>, sampleRate: number, targetLufs = -23): Float32Array {
  if (!Number.isFinite(targetLufs)) throw new RangeError(`loudnessNormalize: targetLufs must be finite, got ${targetLufs}`);
  const current = integratedLoudness(samples, sampleRate);
  return scale(samples, Number.isFinite(current) ? Math.pow(10, (targetLufs - current) / 20) : 1);
}
