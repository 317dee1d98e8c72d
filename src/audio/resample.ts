/**
 * Band-limited sample-rate conversion: a Kaiser-windowed sinc low-pass evaluated as a polyphase filter.
 * For rates whose reduced ratio L/M has a small L (22050/16000 = 441/320, 22050/48000 = 147/320) every
 * output sample uses one exact precomputed phase; for awkward ratios the table is sampled finely and
 * adjacent phases are interpolated linearly. Browser-safe.
 */

export interface ResampleOptions {
  /** Sinc zero crossings on each side of the centre (at the narrower of the two rates). More = sharper. Default 32. */
  zeroCrossings?: number;
  /** Cutoff as a fraction of the lower Nyquist frequency. Default 0.9, so the stop band (>= ~90 dB) starts before the Nyquist frequency and nothing aliases. */
  rolloff?: number;
  /** Kaiser window beta (stop-band attenuation ~ 8.7 + beta / 0.1102 dB). Default 9. */
  kaiserBeta?: number;
  /** Largest exact phase table; ratios needing more phases use interpolated phases. Default 1024. */
  maxPhases?: number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (power series; converges fast for beta < 30). */
function besselI0(x: number): number {
  let sum = 1, term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** A precomputed resampler for one pair of rates; reuse it across files for speed. */
export class Resampler {
  readonly fromRate: number;
  readonly toRate: number;
  /** Output samples per input step: ratio up / down (reduced). */
  readonly up: number;
  readonly down: number;
  /** Taps per phase. */
  readonly taps: number;
  /** Input samples left of the centre a filter reaches: taps / 2 - 1. */
  private readonly left: number;
  private readonly phases: number;
  private readonly exact: boolean;
  /** phases + 1 rows of `taps` coefficients (the extra row = phase 1.0, for interpolation). */
  private readonly table: Float32Array;

  /**
   * @example
   *   const r = new Resampler(48000, 22050);
   *   const y = r.process(x48k);
   */
  constructor(fromRate: number, toRate: number, options: ResampleOptions = {}) {
    for (const [name, v] of [['fromRate', fromRate], ['toRate', toRate]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`Resampler: ${name} must be a positive integer, got ${v}`);
    }
    const zeroCrossings = options.zeroCrossings ?? 32;
    const rolloff = options.rolloff ?? 0.9;
    const beta = options.kaiserBeta ?? 9;
    const maxPhases = options.maxPhases ?? 1024;
    if (!(rolloff > 0 && rolloff <= 1)) throw new RangeError(`Resampler: rolloff must be in (0, 1], got ${rolloff}`);
    if (!(zeroCrossings >= 1)) throw new RangeError(`Resampler: zeroCrossings must be >= 1, got ${zeroCrossings}`);
    this.fromRate = fromRate;
    this.toRate = toRate;
    const g = gcd(fromRate, toRate);
    this.up = toRate / g;
    this.down = fromRate / g;
    // Cutoff in cycles per input sample, relative to the input Nyquist: narrow it when downsampling.
    const cutoff = rolloff * Math.min(1, this.up / this.down);
    const halfWidth = zeroCrossings / cutoff; // in input samples
    const half = Math.ceil(halfWidth);
    this.taps = 2 * half;
    this.left = half - 1;
    this.exact = this.up <= maxPhases;
    this.phases = this.exact ? this.up : maxPhases;
    const i0Beta = besselI0(beta);
    const table = new Float32Array((this.phases + 1) * this.taps);
    for (let p = 0; p <= this.phases; p++) {
      const frac = p / this.phases;
      for (let k = 0; k < this.taps; k++) {
        // Tap k multiplies input sample (i - left + k); its distance from the output instant i + frac:
        const x = frac + this.left - k;
        const r = x / halfWidth;
        let w = 0;
        if (Math.abs(r) < 1) {
          const arg = Math.PI * cutoff * x;
          const sinc = x === 0 ? 1 : Math.sin(arg) / arg;
          w = cutoff * sinc * (besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta);
        }
        table[p * this.taps + k] = w;
      }
    }
    this.table = table;
  }

  /** Number of output samples for `inputLength` input samples: ceil(n * to / from). */
  outputLength(inputLength: number): number {
    return Math.ceil((inputLength * this.up) / this.down);
  }

  /** Resamples a whole signal (zero outside it). Same rate in and out returns a copy. */
  process(input: Float32Array | Float64Array): Float32Array {
    const n = input.length;
    const outLen = this.outputLength(n);
    const out = new Float32Array(outLen);
    if (this.up === this.down) { out.set(input); return out; }
    const taps = this.taps, left = this.left, table = this.table;
    // Zero-pad both ends once so the inner loop has no bounds checks.
    const padded = new Float32Array(n + taps + 1);
    padded.set(input, left);
    const up = this.up, down = this.down;
    const stepWhole = Math.floor(down / up), stepFrac = down % up;
    let i = 0; // integer input position of output sample j
    let r = 0; // phase numerator: output time = i + r / up
    if (this.exact) {
      for (let j = 0; j < outLen; j++) {
        const row = r * taps;
        let acc = 0;
        for (let k = 0; k < taps; k++) acc += table[row + k]! * padded[i + k]!;
        out[j] = acc;
        i += stepWhole; r += stepFrac;
        if (r >= up) { r -= up; i++; }
      }
    } else {
      const phases = this.phases;
      for (let j = 0; j < outLen; j++) {
        const pos = (r / up) * phases;
        const p = Math.floor(pos);
        const t = pos - p;
        const row0 = p * taps, row1 = row0 + taps;
        let acc0 = 0, acc1 = 0;
        for (let k = 0; k < taps; k++) {
          const s = padded[i + k]!;
          acc0 += table[row0 + k]! * s;
          acc1 += table[row1 + k]! * s;
        }
        out[j] = acc0 + t * (acc1 - acc0);
        i += stepWhole; r += stepFrac;
        if (r >= up) { r -= up; i++; }
      }
    }
    return out;
  }
}

const cache = new Map<string, Resampler>();

/**
 * Resamples `input` from `fromRate` to `toRate` (Hz) with a band-limited Kaiser-sinc filter.
 * Resamplers (their filter tables) are cached per rate pair.
 * @example
 *   const y = resample(x, 48000, 22050); // y.length === Math.ceil(x.length * 22050 / 48000)
 */
export function resample(input: Float32Array | Float64Array, fromRate: number, toRate: number, options?: ResampleOptions): Float32Array {
  if (fromRate === toRate) return Float32Array.from(input);
  if (options) return new Resampler(fromRate, toRate, options).process(input);
  const key = `${fromRate}:${toRate}`;
  let r = cache.get(key);
  if (!r) { r = new Resampler(fromRate, toRate); cache.set(key, r); }
  return r.process(input);
}
