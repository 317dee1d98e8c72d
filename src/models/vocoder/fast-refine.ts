/**
 * The mel-envelope refinement (src/audio/mel-refine.ts, `MelRefiner.refine`) on a wasm kernel:
 * one `mel_refine_f32` dispatch per iteration (src/engine/kernels/assembly/mel-refine.ts) does the
 * float32 forward real FFT (4 frames per SIMD vector), mel gains, bin gains, inverse real FFT,
 * window, overlap-add and 1/Σw² over the engine memory, split over the engine's threads. The JS
 * reference runs a float64 FFT per frame on one thread (~200× real time for 2 iterations at 22 kHz);
 * this path is what lets `VocoderSynthesizer.vocode()` refine at a small fraction of the network's
 * cost.
 *
 * Equivalence: same frames, padding, gains, clamps and normalisation as the reference; the FFTs,
 * exp and sums are float32 instead of float64 (tested to float32 rounding). Results are
 * bit-identical for any thread count or work split, and between the plain and FMA kernel builds.
 *
 * Browser-safe: engine kernels and typed arrays only.
 */
import { empty, engine, tidy, type Tensor } from '../../engine/index.js';
import { melStftConfig, resolveMelConfig, type MelConfig, type MelSpectrogram } from '../../audio/mel.js';
import { checkRefineCall, melRefineTables, type MelRefineOptions } from '../../audio/mel-refine.js';
import { PerThreadScratch } from './fast.js';
import { reflectIndex, stftFrameCount, stftWindow } from '../../audio/stft.js';

const up4 = (n: number): number => (n + 3) & ~3;

/** Why `FastMelRefiner` cannot run `config` (null when it can): callers then use the JS `refineToMel`. */
export function fastRefineUnsupported(config: Partial<MelConfig>): string | null {
  let c: MelConfig;
  try { c = resolveMelConfig(config); } catch (e) { return (e as Error).message; }
  const { nFft, hopLength: hop } = c;
  // The kernel's lanes: an nFft/2-point complex FFT with a radix-2 table, 4-sample blocks.
  if (nFft < 16 || (nFft & (nFft - 1))) return `nFft (${nFft}) must be a power of two ≥ 16`;
  if (hop % 4 || nFft % hop) return `hop (${hop}) must be a multiple of 4 dividing nFft (${nFft})`;
  if (typeof engine().runner.exports['mel_refine_f32'] !== 'function') return 'the wasm kernels lack mel_refine_f32 (rebuild: node scripts/build-wasm.mjs)';
  return null;
}

export interface FastMelRefinerOptions {
  /**
   * Frames each work item computes (output hops + the nFft/hop − 1 overlapping frames it
   * recomputes). Default: sized from the signal so each thread gets ~4 items. Results do not
   * depend on it (tests set it small to exercise many item boundaries).
   */
  framesPerItem?: number;
}

/**
 * Tables for one mel config, packed once into engine memory (release with `dispose()`), and the
 * per-call driver.
 * @example
 *   const refiner = new FastMelRefiner(vocoderConfig.mel);
 *   const wav = refiner.refine(vocoder.vocodeRaw(mel), mel, { iterations: 2 }); // = refineToMel(...) to float32 rounding
 *   refiner.dispose();
 */
export class FastMelRefiner {
  readonly config: MelConfig;
  private readonly nFft: number;
  private readonly hop: number;
  private readonly center: boolean;
  private readonly reflectPad: boolean;
  private readonly window: Float64Array;
  private readonly framesPerItem: number | undefined;
  private store: Tensor | null;
  private readonly counter: number;
  private readonly tables: number;
  private readonly scratch: PerThreadScratch;

  constructor(config: Partial<MelConfig> = {}, opts: FastMelRefinerOptions = {}) {
    const c = (this.config = resolveMelConfig(config));
    const why = fastRefineUnsupported(c);
    if (why) throw new Error(`FastMelRefiner: ${why}`);
    const fpi = opts.framesPerItem;
    if (fpi !== undefined && !(Number.isInteger(fpi) && fpi >= c.nFft / c.hopLength)) {
      throw new RangeError(`FastMelRefiner: framesPerItem must be an integer >= nFft/hop = ${c.nFft / c.hopLength}, got ${fpi}`);
    }
    this.framesPerItem = fpi;
    const nFft = (this.nFft = c.nFft), m = nFft / 2;
    this.hop = c.hopLength; this.center = c.center; this.reflectPad = c.padMode === 'reflect';
    this.window = stftWindow(melStftConfig(c));
    const tables = melRefineTables(c);
    const { nMels, offsets: offs } = tables;
    const nnz = offs[nMels]!;
    // Layout: see mel_refine_f32 (float offsets, every piece a multiple of 4 floats).
    const twF = 16, twI = twF + m, ptw = twI + m, brev = ptw + 2 * (m + 2), winF = brev + m, winI = winF + nFft;
    const uncov = winI + nFft, first = uncov + m + 4, offsAt = first + up4(nMels), toMel = offsAt + up4(nMels + 1);
    const toBins = toMel + up4(nnz), total = toBins + up4(nnz);
    this.store = empty([total], 'float32', true);
    const base = this.store.ptr >> 2;
    const f32 = engine().mem.f32, i32 = engine().mem.i32;
    f32.fill(0, base, base + total);
    this.counter = this.store.ptr;
    this.tables = this.store.ptr + 4 * twF;
    for (let j = 0; j < m / 2; j++) {
      const a = (2 * Math.PI * j) / m;
      f32[base + twF + 2 * j] = Math.cos(a); f32[base + twF + 2 * j + 1] = -Math.sin(a);
      f32[base + twI + 2 * j] = Math.cos(a); f32[base + twI + 2 * j + 1] = Math.sin(a);
    }
    for (let k = 0; k <= m; k++) {
      // k = m is exactly (−1, 0): X[m] must come out real.
      f32[base + ptw + 2 * k] = k === m ? -1 : Math.cos((2 * Math.PI * k) / nFft);
      f32[base + ptw + 2 * k + 1] = k === m ? 0 : Math.sin((2 * Math.PI * k) / nFft);
    }
    const bits = Math.log2(m);
    for (let k = 0; k < m; k++) {
      let r = 0;
      for (let b = 0; b < bits; b++) if (k & (1 << b)) r |= 1 << (bits - 1 - b);
      i32[base + brev + k] = r;
    }
    for (let i = 0; i < nFft; i++) { f32[base + winF + i] = this.window[i]!; f32[base + winI + i] = this.window[i]! / m; }
    f32.set(tables.uncovered, base + uncov);
    i32.set(tables.first, base + first);
    i32.set(offs, base + offsAt);
    f32.set(tables.toMel, base + toMel);
    f32.set(tables.toBins, base + toBins);
    this.scratch = new PerThreadScratch((4 * m + 2 + nMels) * 16);
  }

  /** Frees the tables and scratch. */
  dispose(): void {
    this.store?.dispose(); this.store = null;
    this.scratch.dispose();
  }

  /**
   * `MelRefiner.refine` (see `refineToMel`): `iterations` refinement steps of `audio` toward the
   * log-mel `target` (mel-major [nMels, frames]); the output has the input's length, and
   * iterations = 0 (or empty audio or target) returns `audio` itself.
   */
  refine(audio: Float32Array, target: MelSpectrogram, options: MelRefineOptions = {}): Float32Array {
    if (!this.store) throw new Error('FastMelRefiner: used after dispose()');
    const c = this.config;
    const { iterations, minGain, maxGain } = checkRefineCall(c, target, options);
    if (iterations === 0 || audio.length === 0 || target.frames === 0) return audio;
    const { nFft, hop } = this, nMels = c.nMels, R = nFft / hop;
    const n = audio.length, offset = this.center ? nFft / 2 : 0;
    const frames = stftFrameCount(n, { nFft, hopLength: hop, center: this.center });
    // A non-centred signal shorter than nFft has no frame: every sample's window sum is 0, and the
    // reference outputs zeros.
    if (frames === 0) return new Float32Array(n);
    const totalHops = frames + R - 1, full = totalHops * hop;
    // Raw STFT coordinates: padded-signal sample p = output sample p − offset. Past `full` (hop
    // not dividing a non-centred length, or hop = nFft) no frame reaches: those outputs stay 0.
    const len = up4(Math.max(full, offset + n));
    const ldT = up4(frames + 3), tf = target.frames;
    const perItem = this.framesPerItem ?? Math.min(256, Math.max(32, up4(Math.ceil(totalHops / (4 * engine().threads)) + R - 1)));
    const segHops = perItem - (R - 1);
    let result = new Float32Array(0);
    tidy(() => {
      const bufs = [empty([len]), empty([len])];
      const targetT = empty([nMels * ldT]), iwssT = empty([(2 * R - 1) * hop]);
      let f32 = engine().mem.f32;
      const ib = iwssT.ptr >> 2;
      // 1/Σw² rows (see mel_refine_f32), summed in float64 over ascending frames like the reference.
      const tailStart = Math.max(R - 1, frames);
      for (let row = 0; row < 2 * R - 1; row++) {
        const h = row < R - 1 ? row : row < 2 * R - 2 ? tailStart + row - (R - 1) : -1;
        for (let i = 0; i < hop; i++) {
          let d = 0;
          if (h < 0) { for (let r = R - 1; r >= 0; r--) d += this.window[r * hop + i]! ** 2; } // all R frames
          else if (h < totalHops) for (let f = Math.max(0, h - R + 1); f <= Math.min(frames - 1, h); f++) d += this.window[(h - f) * hop + i]! ** 2;
          f32[ib + row * hop + i] = d > 1e-11 ? 1 / d : 0;
        }
      }
      // Target, mel-major with ldT columns; STFT frames past the target's last frame use that frame.
      const tb = targetT.ptr >> 2, cols = Math.min(tf, frames);
      for (let mm = 0; mm < nMels; mm++) {
        const row = tb + mm * ldT;
        f32.set(target.data.subarray(mm * tf, mm * tf + cols), row);
        f32.fill(target.data[mm * tf + tf - 1]!, row + cols, row + ldT);
      }
      const first = bufs[0]!.ptr >> 2;
      f32.set(audio, first + offset);
      this.pad(f32, first, offset, n, full, (i) => audio[i]!);
      // No kernel writes past `full`: zero there once (output samples no frame reaches are 0).
      for (const b of bufs) f32.fill(0, (b.ptr >> 2) + full, (b.ptr >> 2) + len);
      let src = 0;
      for (let it = 0; it < iterations; it++) {
        const dst = 1 - src;
        engine().mem.i32[this.counter >> 2] = 0;
        engine().runner.run('mel_refine_f32', [frames, nFft, hop, nMels, c.power === 2 ? 1 : 0, c.logFloor, minGain, maxGain,
          this.tables, targetT.ptr, ldT, iwssT.ptr, bufs[src]!.ptr, bufs[dst]!.ptr, segHops,
          this.scratch.ptr(), this.scratch.bytesPerThread, this.counter], frames * nFft * 100);
        f32 = engine().mem.f32;
        const db = bufs[dst]!.ptr >> 2;
        if (it + 1 < iterations) this.pad(f32, db, offset, n, full, (i) => f32[db + offset + i]!);
        src = dst;
      }
      const rb = bufs[src]!.ptr >> 2;
      result = f32.slice(rb + offset, rb + offset + n);
    });
    return result;
  }

  /** Writes the centring pads of the padded signal at float index `at` (signal y: `sample(i)`, n samples). */
  private pad(f32: Float32Array, at: number, offset: number, n: number, full: number, sample: (i: number) => number): void {
    if (!offset) return;
    for (let p = 0; p < offset; p++) f32[at + p] = this.reflectPad ? sample(reflectIndex(p - offset, n)) : 0;
    for (let p = offset + n; p < full; p++) f32[at + p] = this.reflectPad ? sample(reflectIndex(p - offset, n)) : 0;
  }
}
