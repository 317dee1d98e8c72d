/**
 * Vocoder inference: log-mel [nMels, F] → waveform [F·hop], chunked and streaming-friendly.
 *
 * The backbone's receptive field is finite: (kernel − 1)/2 frames per conv (the embedding conv and
 * one depthwise conv per ConvNeXt block), and every other layer is per-frame. So a chunk of frames
 * computed with that many real context frames on each side is bit-for-bit the full-utterance
 * result (zero padding only ever happens at the true edges). The stream buffers mel frames until a
 * chunk plus its right context is available, computes the head, and feeds the spectrum frames to
 * an overlap-add iSTFT that emits each hop of samples as soon as no later frame can touch it.
 *
 * Two implementations compute a chunk: the fast path (fast.ts: 2 + layers fused wasm kernel calls
 * per chunk, float32 FFT; the default) and the reference path (engine ops for the model, then the float64
 * real FFT of src/audio in `StreamingISTFT`; `fast: false`, and the fallback for configs the fast
 * kernels do not cover). Both compute torch.istft(center=True) of the same spectrum (the
 * imaginary parts of the DC and Nyquist bins ignored, as in training) and are tested equal to
 * float32 rounding. Neither is the matmul iSTFT of training (O(N²)).
 */
import { noGrad, tensor, tidy, type Tensor } from '../../engine/index.js';
import { RealFFT } from '../../audio/fft.js';
import type { MelSpectrogram } from '../../audio/mel.js';
import { DEFAULT_REFINE_ITERATIONS, refineToMel, resolveMelRefineOptions } from '../../audio/mel-refine.js';
import { resolveVocoderConfig, type VocoderConfig } from './config.js';
import { Vocoder, spectrumChannelsLast } from './model.js';
import { paddedHann } from './istft.js';
import { FastVocoderPath, fastPathUnsupported } from './fast.js';
import { FastMelRefiner, fastRefineUnsupported } from './fast-refine.js';

/**
 * Overlap-add inverse STFT that streams: push complex frames one at a time, get back the samples
 * that are final. Output sample i is centred-STFT sample i (the first nFft/2 samples of the raw
 * overlap-add are dropped), normalized by the window-sum-square.
 */
export class StreamingISTFT {
  private readonly fft: RealFFT;
  private readonly window: Float64Array;
  private readonly acc: Float64Array;
  private readonly wss: Float64Array;
  private readonly frame: Float64Array;
  /** Raw overlap-add samples already emitted or dropped. */
  private produced = 0;
  private framesPushed = 0;

  constructor(readonly nFft: number, readonly hop: number) {
    this.fft = new RealFFT(nFft);
    this.window = paddedHann(nFft);
    this.acc = new Float64Array(nFft);
    this.wss = new Float64Array(nFft);
    this.frame = new Float64Array(nFft);
  }

  /** Adds one frame (re, im: bins values each); returns the `hop` samples now final (fewer at the start). */
  push(re: ArrayLike<number>, im: ArrayLike<number>): Float32Array {
    const { nFft, hop, window, acc, wss, frame } = this;
    this.fft.inverse(re, im, frame);
    for (let n = 0; n < nFft; n++) {
      const w = window[n]!;
      acc[n]! += frame[n]! * w;
      wss[n]! += w * w;
    }
    this.framesPushed++;
    return this.take(hop);
  }

  /** Emits the rest of the overlap-add buffer (after the last frame). */
  flush(): Float32Array {
    return this.take(this.nFft - this.hop);
  }

  /** Emits the first `n` buffered samples (normalized), shifts the buffer, drops the centring offset. */
  private take(n: number): Float32Array {
    const { acc, wss, nFft } = this;
    const skip = Math.max(0, Math.min(n, nFft / 2 - this.produced));
    const out = new Float32Array(n - skip);
    for (let i = skip; i < n; i++) {
      const d = wss[i]!;
      out[i - skip] = d > 1e-11 ? acc[i]! / d : 0;
    }
    acc.copyWithin(0, n); acc.fill(0, nFft - n);
    wss.copyWithin(0, n); wss.fill(0, nFft - n);
    this.produced += n;
    return out;
  }
}

/** Frames per kernel call of a whole-utterance `vocode()` on the fast path (at least; ≈ 24 s). */
const FAST_WHOLE_CHUNK = 2048;

export interface SynthesizerOptions {
  /**
   * Frames computed per backbone call of a stream (default 256 ≈ 3 s). A whole-utterance
   * `vocode()` on the fast path uses chunks of at least 2048 frames (its memory is ~2.4 KB per
   * frame), saving the 2 × contextFrames recomputed per chunk; the output does not depend on it.
   */
  chunkFrames?: number;
  /**
   * Use the fused-kernel path (fast.ts; default true when the config allows it). false = the
   * op-by-op reference path with the float64 JS iSTFT.
   */
  fast?: boolean;
  /**
   * Mel-envelope refinement iterations after a whole-utterance `vocode()` (src/audio/mel-refine.ts:
   * pulls the output's log-mel back to the input mel, keeping the network's phase). Default 2;
   * 0 = the network's raw output (what training validates). Streams are refined too, with
   * `refineIterations` × nFft samples of extra latency.
   */
  refineIterations?: number;
}

/**
 * A loaded vocoder for inference.
 * @example
 *   const voc = await VocoderSynthesizer.load('runs/vocoder');
 *   const audio = voc.vocode(mel);                 // mel: { data (mel-major), nMels, frames }
 *   const s = voc.stream(); s.push(chunk1); s.push(chunk2); const tail = s.end();
 */
export class VocoderSynthesizer {
  readonly chunkFrames: number;
  /** Context frames each side that make chunked output equal the full pass. */
  readonly contextFrames: number;

  /** Mel-envelope refinement iterations applied by `vocode()` (see SynthesizerOptions.refineIterations). */
  readonly refineIterations: number;
  /** Whether chunks run on the fused kernels (see SynthesizerOptions.fast). */
  readonly fast: boolean;
  private fastPath: FastVocoderPath | null = null;
  /** Whether the refinement runs on the wasm kernel (the fast path is on and covers the mel config). */
  private readonly fastRefine: boolean;
  /** The wasm mel refinement, created at the first refinement on it. */
  private fastRefiner: FastMelRefiner | null = null;

  constructor(readonly model: Vocoder, opts: SynthesizerOptions = {}) {
    this.chunkFrames = opts.chunkFrames ?? 256;
    const c = model.config;
    this.contextFrames = ((c.kernel - 1) / 2) * (c.layers + 1);
    this.fast = (opts.fast ?? true) && fastPathUnsupported(c) === null;
    this.fastRefine = this.fast && fastRefineUnsupported(c.mel) === null;
    this.refineIterations = resolveMelRefineOptions({ iterations: opts.refineIterations ?? DEFAULT_REFINE_ITERATIONS }).iterations;
    model.eval();
  }

  /**
   * The fused-kernel path, created at first use: it packs a copy of the weights as they are then.
   * After changing the model's weights, call `release()` so the next synthesis packs them again.
   */
  fastKernels(): FastVocoderPath {
    if (!this.fast) throw new Error('VocoderSynthesizer: the fast path is off for this synthesizer');
    return (this.fastPath ??= new FastVocoderPath(this.model));
  }

  /** Frees the fast path's packed weights and scratch (the model stays usable). */
  release(): void {
    this.fastPath?.dispose();
    this.fastPath = null;
    this.fastRefiner?.dispose();
    this.fastRefiner = null;
  }

  get config(): VocoderConfig { return this.model.config; }
  get sampleRate(): number { return this.model.config.mel.sampleRate; }
  get hop(): number { return this.model.config.hop; }

  /**
   * Loads a vocoder from a training run folder (checkpoint.safetensors + checkpoint.json) or a
   * .safetensors file (Node only; in a browser build a `Vocoder`, load its weights and use the
   * constructor). Tensors named "model.generator.*" (trainer checkpoints) or bare generator
   * names are accepted.
   */
  static async load(path: string, opts: SynthesizerOptions = {}): Promise<VocoderSynthesizer> {
    // Node-only file access, imported here so the rest of this module stays browser-safe.
    const [{ existsSync, statSync }, { join }, { loadCheckpoint }] = await Promise.all([
      import('node:fs'), import('node:path'), import('../../engine/node.js'),
    ]);
    const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'checkpoint.safetensors') : path;
    if (!existsSync(file)) throw new Error(`${file}: no vocoder checkpoint (train one with \`clip-tts train-vocoder\`, or use --griffin-lim)`);
    const ck = await loadCheckpoint(file);
    const raw = ck.config as { vocoder?: unknown } | null;
    if (!raw || typeof raw !== 'object') throw new Error(`${file}: the checkpoint has no config`);
    const config = resolveVocoderConfig(raw.vocoder ?? raw);
    const model = new Vocoder(config);
    const weights = new Map<string, Tensor>();
    const prefix = 'model.generator.';
    const hasPrefix = [...ck.tensors.keys()].some((k) => k.startsWith(prefix));
    for (const [k, t] of ck.tensors) {
      if (hasPrefix) { if (k.startsWith(prefix)) weights.set(k.slice(prefix.length), t); }
      else weights.set(k, t);
    }
    try {
      model.loadStateDict(weights);
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    } finally {
      for (const t of ck.tensors.values()) t.dispose();
    }
    return new VocoderSynthesizer(model, opts);
  }

  /**
   * Complex spectrum frames for mel frames [from, to) of `melFrames` (frame-major, nMels each),
   * computed with up to `contextFrames` frames of context on each side.
   */
  spectrumFrames(melFrames: Float32Array, totalFrames: number, from: number, to: number): { re: Float32Array; im: Float32Array } {
    const c = this.model.config, nMels = c.mel.nMels, bins = c.nFft / 2 + 1;
    const lo = Math.max(0, from - this.contextFrames), hi = Math.min(totalFrames, to + this.contextFrames);
    const n = hi - lo;
    const mel = new Float32Array(nMels * n);
    for (let t = 0; t < n; t++) for (let m = 0; m < nMels; m++) mel[m * n + t] = melFrames[(lo + t) * nMels + m]!;
    let spec: Float32Array = new Float32Array(0);
    noGrad(() => tidy(() => {
      // exp / cos / sin run as engine kernels (SIMD, threaded); the FFT runs in JS below.
      const head = this.model.spectrum(tensor(mel, [1, nMels, n]));
      spec = spectrumChannelsLast(head, c.maxMagnitude).toFloat32Array(); // [n, 2·bins]
    }));
    const count = to - from, width = 2 * bins;
    const re = new Float32Array(count * bins), im = new Float32Array(count * bins);
    for (let t = 0; t < count; t++) {
      const row = (from - lo + t) * width;
      re.set(spec.subarray(row, row + bins), t * bins);
      im.set(spec.subarray(row + bins, row + width), t * bins);
    }
    return { re, im };
  }

  /**
   * A streaming session: push mel chunks, receive audio as it becomes final. Its output is
   * `vocode()`'s (refined), or `vocodeRaw()`'s with `{ raw: true }`.
   */
  stream(opts: { raw?: boolean } = {}): VocoderStream {
    return new VocoderStream(this, this.chunkFrames, !opts.raw && this.refineIterations > 0);
  }

  /**
   * The mel-envelope refinement of `audio` toward `mel` (`refineIterations` iterations): on the
   * wasm kernel with the fast path (float32, threaded; the float64 JS reference would take
   * several times the network's own time), else the JS reference.
   */
  refine(audio: Float32Array, mel: MelSpectrogram): Float32Array {
    const options = { iterations: this.refineIterations };
    if (this.refineIterations === 0) return audio;
    if (this.fastRefine) {
      return (this.fastRefiner ??= new FastMelRefiner(this.config.mel)).refine(audio, mel, options);
    }
    return refineToMel(audio, mel, this.config.mel, options);
  }

  /**
   * Whole-utterance synthesis: mel (mel-major [nMels, frames]) → waveform of `length` samples
   * (default frames·hop), then `refineIterations` of mel-envelope refinement toward `mel`.
   */
  vocode(mel: MelSpectrogram, length?: number): Float32Array {
    return this.refine(this.vocodeRaw(mel, length), mel);
  }

  /** The network's output for a whole utterance, without the mel-envelope refinement. */
  vocodeRaw(mel: MelSpectrogram, length?: number): Float32Array {
    const s = new VocoderStream(this, this.fast ? Math.max(this.chunkFrames, FAST_WHOLE_CHUNK) : this.chunkFrames, false);
    const first = s.push(mel), rest = s.end();
    let all = rest;
    if (first.length) {
      all = new Float32Array(first.length + rest.length);
      all.set(first); all.set(rest, first.length);
    }
    const want = length ?? mel.frames * this.hop;
    if (all.length === want) return all;
    const out = new Float32Array(want);
    out.set(all.subarray(0, Math.min(want, all.length)));
    return out;
  }

  dispose(): void {
    this.release();
    this.model.dispose();
  }
}

/**
 * One streaming synthesis. Output so far + `end()` = the whole-utterance result (frames·hop
 * samples), independent of how the mel was split into pushes.
 *
 * Refined streams: one refinement iteration makes output sample s depend on the raw samples and
 * mel frames within nFft of s (the frames whose windows cover s, and what those windows read), so
 * after I iterations a stretch refined with I·nFft samples of real context on each side equals
 * the whole-utterance refinement there (frames stay on the whole signal's hop grid). The stream
 * keeps the raw samples from I·nFft before the first unemitted one and emits refined samples
 * up to I·nFft before the last final raw sample (all of them at `end()`).
 */
export class VocoderStream {
  /** Mel frames so far, channel-major [nMels][cap] (frame t of channel m at m·cap + t). */
  private mel: Float32Array = new Float32Array(0);
  private cap = 0;
  private total = 0;
  /** Frames whose spectrum went into the iSTFT. */
  private done = 0;
  private emitted = 0;
  private ended = false;
  /** Reference path: the float64 overlap-add iSTFT. */
  private readonly istft: StreamingISTFT | null;
  /** Fast path: the kernels and the unfinished overlap-add samples between chunks. */
  private readonly fast: FastVocoderPath | null;
  private readonly carry: Float32Array;

  private readonly chunkFrames: number;
  /** Refined streams: raw samples from global index `rawStart` on, and refined samples emitted. */
  private raw: Float32Array = new Float32Array(0);
  private rawStart = 0;
  private rawLength = 0;
  private refinedOut = 0;

  constructor(private readonly synth: VocoderSynthesizer, chunkFrames = synth.chunkFrames, private readonly refining = false) {
    this.chunkFrames = chunkFrames;
    this.fast = synth.fast ? synth.fastKernels() : null;
    this.istft = this.fast ? null : new StreamingISTFT(synth.config.nFft, synth.config.hop);
    this.carry = new Float32Array(this.fast ? this.fast.carryLength : 0);
  }

  /** Appends mel frames (mel-major [nMels, frames]); returns the samples that became final. */
  push(mel: MelSpectrogram): Float32Array {
    if (this.ended) throw new Error('VocoderStream: push after end()');
    const nMels = this.synth.config.mel.nMels;
    if (mel.nMels !== nMels) throw new Error(`VocoderStream: mel has ${mel.nMels} channels, the vocoder expects ${nMels}`);
    const F = mel.frames;
    if (this.total + F > this.cap) {
      const cap = Math.max(this.total + F, 2 * this.cap);
      const grown = new Float32Array(nMels * cap);
      for (let m = 0; m < nMels; m++) grown.set(this.mel.subarray(m * this.cap, m * this.cap + this.total), m * cap);
      this.mel = grown;
      this.cap = cap;
    }
    for (let m = 0; m < nMels; m++) this.mel.set(mel.data.subarray(m * F, (m + 1) * F), m * this.cap + this.total);
    this.total += F;
    // Compute every full chunk whose right context is already available.
    const out: Float32Array[] = [];
    const { chunkFrames } = this, { contextFrames } = this.synth;
    while (this.done + chunkFrames + contextFrames <= this.total) out.push(this.compute(this.done + chunkFrames));
    return this.refining ? this.refineFinal(this.concat(out), false) : this.concat(out);
  }

  /** Finishes: computes the remaining frames (right edge zero-padded, as in a full pass) and flushes. */
  end(): Float32Array {
    if (this.ended) return new Float32Array(0);
    this.ended = true;
    const out: Float32Array[] = [];
    let flushed = false;
    while (this.done < this.total) {
      const to = Math.min(this.total, this.done + this.chunkFrames);
      // The fast path appends the overlap-add tail to the last chunk's samples (one array, no copy).
      flushed = this.fast !== null && to === this.total;
      out.push(this.compute(to, flushed));
    }
    if (!flushed) {
      // The centred output of F frames is F·hop samples; the overlap-add tail holds a little more.
      const tail = this.fast ? this.centred(this.fast.flush(this.carry, this.total), this.total * this.synth.hop) : this.istft!.flush();
      const remaining = Math.max(0, Math.min(tail.length, this.total * this.synth.hop - this.emitted));
      out.push(tail.subarray(0, remaining));
      this.emitted += remaining;
    }
    return this.refining ? this.refineFinal(this.concat(out), true) : this.concat(out);
  }

  /** Computes frames [done, to); `last`: also flush the overlap-add tail (fast path; to = total). */
  private compute(to: number, last = false): Float32Array {
    let all: Float32Array;
    if (this.fast) {
      const raw = this.fast.chunk(this.mel, this.cap, this.total, this.done, to, this.synth.contextFrames, this.carry, last);
      all = this.centred(raw, this.done * this.synth.hop);
      // Output ends at total·hop samples (the tail holds a little more).
      if (last) all = all.subarray(0, Math.max(0, Math.min(all.length, this.total * this.synth.hop - this.emitted)));
    } else {
      // spectrumFrames wants frame-major frames: pass the chunk's span (its context included).
      const nMels = this.synth.config.mel.nMels, bins = this.synth.config.nFft / 2 + 1, ctx = this.synth.contextFrames;
      const lo = Math.max(0, this.done - ctx), hi = Math.min(this.total, to + ctx), n = hi - lo;
      const frames = new Float32Array(n * nMels);
      for (let t = 0; t < n; t++) for (let m = 0; m < nMels; m++) frames[t * nMels + m] = this.mel[m * this.cap + lo + t]!;
      const { re, im } = this.synth.spectrumFrames(frames, n, this.done - lo, to - lo);
      const out: Float32Array[] = [];
      for (let t = 0; t < to - this.done; t++) out.push(this.istft!.push(re.subarray(t * bins, (t + 1) * bins), im.subarray(t * bins, (t + 1) * bins)));
      all = this.concat(out);
    }
    this.done = to;
    this.emitted += all.length;
    return all;
  }

  /**
   * Appends newly final raw samples; returns the refined samples that became final (all the rest
   * when `last`). See the class comment for why the context makes them equal `vocode()`'s.
   */
  private refineFinal(fresh: Float32Array, last: boolean): Float32Array {
    const { hop, mel: melConfig } = this.synth.config;
    const context = this.synth.refineIterations * this.synth.config.nFft;
    if (this.rawLength + fresh.length > this.raw.length) {
      const grown = new Float32Array(Math.max(this.rawLength + fresh.length, 2 * this.raw.length));
      grown.set(this.raw.subarray(0, this.rawLength));
      this.raw = grown;
    }
    this.raw.set(fresh, this.rawLength);
    this.rawLength += fresh.length;
    const rawEnd = this.rawStart + this.rawLength;
    const until = last ? rawEnd : rawEnd - context;
    if (until <= this.refinedOut) return new Float32Array(0);
    // The stretch to refine starts on a frame of the whole signal's grid, `context` before the output.
    const from = Math.max(this.rawStart, Math.floor(Math.max(0, this.refinedOut - context) / hop) * hop);
    const firstFrame = from / hop, frames = Math.min(this.total, firstFrame + 1 + Math.floor((rawEnd - from) / hop)) - firstFrame;
    const nMels = melConfig.nMels, target = new Float32Array(nMels * frames);
    for (let m = 0; m < nMels; m++) target.set(this.mel.subarray(m * this.cap + firstFrame, m * this.cap + firstFrame + frames), m * frames);
    const refined = this.synth.refine(this.raw.slice(from - this.rawStart, this.rawLength), { data: target, nMels, frames });
    const out = refined.slice(this.refinedOut - from, until - from);
    this.refinedOut = until;
    // Keep only what the next stretch can read.
    const keep = Math.max(this.rawStart, Math.floor(Math.max(0, until - context) / hop) * hop);
    this.raw.copyWithin(0, keep - this.rawStart, this.rawLength);
    this.rawLength -= keep - this.rawStart;
    this.rawStart = keep;
    return out;
  }

  /** Raw overlap-add samples starting at raw position `start` → centred output (drops raw < nFft/2). */
  private centred(raw: Float32Array, start: number): Float32Array {
    const skip = Math.max(0, Math.min(raw.length, this.synth.config.nFft / 2 - start));
    return skip ? raw.subarray(skip) : raw;
  }

  private concat(parts: Float32Array[]): Float32Array {
    const nonEmpty = parts.filter((p) => p.length > 0);
    if (nonEmpty.length <= 1) return nonEmpty[0] ?? new Float32Array(0);
    const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { all.set(p, at); at += p.length; }
    return all;
  }
}
