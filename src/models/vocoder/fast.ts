/**
 * The vocoder's fast inference path: mel → waveform as 2 + layers fused wasm kernel calls per chunk
 * (src/engine/kernels/assembly/vocos.ts) over the engine memory, instead of ~60 engine ops plus a
 * float64 JS FFT:
 *
 *   vocos_embed_f32      embedding conv + bias + LayerNorm          (channels-last [T, C] output)
 *   vocos_convnext_f32   one ConvNeXt block per call, per 4-frame strip in L1
 *   vocos_istft_f32      final LayerNorm, head Linear, exp/clamp, cos/sin, float32 inverse real
 *                        FFT (4 frames per SIMD vector), window, overlap-add, 1/Σw²
 *
 * The weights are packed once (at construction) into the GEMM micro-kernel's B layout: the kernels
 * never pack per call, and they never write a [T, intermediate] or [T, nFft + 2] activation to
 * memory. Work is claimed from an atomic counter, so a preempted thread does not stall the other.
 *
 * Equivalence with the op-by-op path (`VocoderSynthesizer` with `fast: false`): the backbone and
 * head Linear reproduce it bit for bit (same GEMM accumulation order, same exp/erf/LayerNorm
 * formulas); sin/cos (Cephes polynomial vs f64 Math) and the float32 FFT/overlap-add (vs float64)
 * differ at float32 rounding (tested: ≤ 2e-6 of the signal's peak; measured ~1e-7).
 *
 * Browser-safe: engine kernels and typed arrays only.
 */
import { empty, engine, tidy, type Tensor } from '../../engine/index.js';
import type { VocoderConfig } from './config.js';
import type { Vocoder } from './model.js';
import { paddedHann } from './istft.js';

/**
 * Frames per iSTFT work item: an item owns FRAMES_PER_ITEM − (nFft/hop − 1) output hops and
 * recomputes the nFft/hop − 1 frames before them (4-frame groups stay whole).
 */
const FRAMES_PER_ITEM = 64;

/** Why the fast path cannot run `config` (null when it can). */
export function fastPathUnsupported(config: VocoderConfig): string | null {
  const { dim, intermediateDim, nFft, hop, kernel } = config;
  if (dim % 8 || intermediateDim % 8) return `dim (${dim}) and intermediateDim (${intermediateDim}) must be multiples of 8`;
  if (nFft < 16 || (nFft & (nFft - 1))) return `nFft (${nFft}) must be a power of two ≥ 16`;
  if (hop % 4 || nFft % hop) return `hop (${hop}) must be a multiple of 4 dividing nFft`;
  if (kernel % 2 === 0) return `kernel (${kernel}) must be odd`;
  const ex = engine().runner.exports;
  for (const k of ['vocos_embed_f32', 'vocos_convnext_f32', 'vocos_istft_f32', 'vocos_pack_b_f32']) {
    if (typeof ex[k] !== 'function') return `the wasm kernels lack ${k} (rebuild: node scripts/build-wasm.mjs)`;
  }
  return null;
}

/**
 * Per-thread kernel scratch in engine memory: `bytesPerThread` (rounded up to a cache line) for
 * each engine thread, (re)allocated when the engine has more threads than it was sized for.
 * Kernels find their slice at ptr + tid · bytesPerThread.
 */
export class PerThreadScratch {
  readonly bytesPerThread: number;
  private buffer: Tensor | null = null;
  private threads = 0;

  constructor(bytesPerThread: number) {
    this.bytesPerThread = Math.ceil(bytesPerThread / 64) * 64;
  }

  /** The scratch's address, sized for the engine's current thread count. */
  ptr(): number {
    const threads = engine().threads;
    if (!this.buffer || this.threads < threads) {
      this.buffer?.dispose();
      this.buffer = empty([(threads * this.bytesPerThread) / 4], 'float32', true);
      this.threads = threads;
    }
    return this.buffer.ptr;
  }

  dispose(): void {
    this.buffer?.dispose();
    this.buffer = null;
    this.threads = 0;
  }
}

interface BlockPtrs { dwWt: number; dwB: number; lnG: number; lnB: number; eps: number; w1p: number; b1: number; w2p: number; b2: number; gamma: number }

/**
 * Packed weights, tables and scratch for one vocoder, and the per-chunk driver.
 * @example
 *   const fast = new FastVocoderPath(model);
 *   const carry = new Float32Array(fast.carryLength);
 *   const hops = fast.chunk(mel.data, total, total, 0, total, 21, carry); // normalised raw samples [0, total·hop)
 *   const tail = fast.flush(carry, total);                            // raw samples after total·hop
 */
export class FastVocoderPath {
  readonly config: VocoderConfig;
  /** Frames each output hop needs (nFft / hop). */
  readonly overlap: number;
  /** Raw samples carried between chunks: (overlap − 1)·hop. */
  readonly carryLength: number;
  private store: Tensor | null;
  private readonly scratch: PerThreadScratch;
  private readonly counter: number;
  private readonly embed: { wp: number; b: number; lnG: number; lnB: number; eps: number };
  private readonly blocks: BlockPtrs[] = [];
  private readonly head: { lnG: number; lnB: number; eps: number; whp: number; bh: number };
  private readonly tables: number;
  private readonly window: Float64Array;

  constructor(model: Vocoder) {
    const c = (this.config = model.config);
    const why = fastPathUnsupported(c);
    if (why) throw new Error(`FastVocoderPath: ${why}`);
    const C = c.dim, I = c.intermediateDim, K = c.kernel, nMels = c.mel.nMels, bins = c.nFft / 2 + 1, m = c.nFft / 2;
    this.overlap = c.nFft / c.hop;
    this.carryLength = (this.overlap - 1) * c.hop;
    const ldY = (2 * bins + 7) & ~7;
    const sl = (n: number): number => Math.ceil(n / 8);
    // Layout of one persistent block (float offsets; every piece 16-float aligned).
    let top = 0;
    const take = (floats: number): number => { const at = top; top += Math.ceil(floats / 16) * 16; return at; };
    const counterAt = take(16);
    const eW = take(sl(C) * nMels * K * 8), eB = take(C), eG = take(C), eBeta = take(C);
    const blockAt = c.layers === 0 ? [] : Array.from({ length: c.layers }, () => ({
      dwWt: take(K * C), dwB: take(C), lnG: take(C), lnB: take(C), w1p: take(sl(I) * C * 8), b1: take(I), w2p: take(sl(C) * I * 8), b2: take(C), gamma: take(C),
    }));
    const hG = take(C), hB = take(C), whp = take((ldY / 8) * C * 8), bh = take(ldY);
    const tablesAt = take(m + 2 * m + m + c.nFft + this.overlap * c.hop);
    this.store = empty([top], 'float32', true);
    const base = this.store.ptr;
    const ptr = (floatOffset: number): number => base + 4 * floatOffset;
    engine().mem.f32.fill(0, base >> 2, (base >> 2) + top);
    /** Copies `t` (or n × `fill` when the layer has no such parameter) to float offset `at`. */
    const putVec = (at: number, t: Tensor | null, n: number, fill: number): void => {
      const f32 = engine().mem.f32;
      if (t) f32.set(t.toFloat32Array(), (base >> 2) + at);
      else f32.fill(fill, (base >> 2) + at, (base >> 2) + at + n);
    };
    /** Packs weight [N, Kd] into the micro-kernel's B slivers at float offset `at`. */
    const pack = (at: number, w: Tensor, N: number, Kd: number): void => {
      tidy(() => {
        const raw = empty([N * Kd]);
        engine().mem.f32.set(w.toFloat32Array(), raw.ptr >> 2);
        engine().runner.run('vocos_pack_b_f32', [N, Kd, raw.ptr, Kd, ptr(at)], 0);
      });
    };
    const bb = model.backbone;
    this.counter = ptr(counterAt);
    pack(eW, bb.embed.weight, C, nMels * K);
    putVec(eB, bb.embed.bias, C, 0); putVec(eG, bb.norm.weight, C, 1); putVec(eBeta, bb.norm.bias, C, 0);
    this.embed = { wp: ptr(eW), b: ptr(eB), lnG: ptr(eG), lnB: ptr(eBeta), eps: bb.norm.eps };
    bb.convnext.forEach((blk, i) => {
      const o = blockAt[i]!;
      const dw = blk.dwconv.weight.toFloat32Array(); // [C, 1, K] → [K][C]
      const view = engine().mem.f32, at = (base >> 2) + o.dwWt;
      for (let ch = 0; ch < C; ch++) for (let k = 0; k < K; k++) view[at + k * C + ch] = dw[ch * K + k]!;
      putVec(o.dwB, blk.dwconv.bias, C, 0);
      putVec(o.lnG, blk.norm.weight, C, 1); putVec(o.lnB, blk.norm.bias, C, 0);
      pack(o.w1p, blk.pwconv1.weight, I, C); putVec(o.b1, blk.pwconv1.bias, I, 0);
      pack(o.w2p, blk.pwconv2.weight, C, I); putVec(o.b2, blk.pwconv2.bias, C, 0);
      putVec(o.gamma, blk.gamma, C, 1);
      this.blocks.push({
        dwWt: ptr(o.dwWt), dwB: ptr(o.dwB), lnG: ptr(o.lnG), lnB: ptr(o.lnB), eps: blk.norm.eps,
        w1p: ptr(o.w1p), b1: ptr(o.b1), w2p: ptr(o.w2p), b2: ptr(o.b2), gamma: ptr(o.gamma),
      });
    });
    putVec(hG, bb.finalNorm.weight, C, 1); putVec(hB, bb.finalNorm.bias, C, 0);
    pack(whp, model.head.out.weight, 2 * bins, C);
    putVec(bh, model.head.out.bias, 2 * bins, 0);
    this.head = { lnG: ptr(hG), lnB: ptr(hB), eps: bb.finalNorm.eps, whp: ptr(whp), bh: ptr(bh) };
    // iSTFT tables (see vocos_istft_f32).
    this.window = paddedHann(c.nFft);
    const view = engine().mem.f32, iv = engine().mem.i32;
    let t = (base >> 2) + tablesAt;
    for (let j = 0; j < m / 2; j++) { view[t++] = Math.cos((2 * Math.PI * j) / m); view[t++] = Math.sin((2 * Math.PI * j) / m); }
    for (let k = 0; k < m; k++) { view[t++] = Math.cos((2 * Math.PI * k) / c.nFft); view[t++] = Math.sin((2 * Math.PI * k) / c.nFft); }
    const bits = Math.log2(m);
    for (let k = 0; k < m; k++) {
      let r = 0;
      for (let b = 0; b < bits; b++) if (k & (1 << b)) r |= 1 << (bits - 1 - b);
      iv[t++] = r;
    }
    for (let n = 0; n < c.nFft; n++) view[t++] = this.window[n]! / m;
    for (let row = 0; row < this.overlap; row++) {
      // Output hop J = row (rows < overlap − 1: the first hops of the signal, fewer frames).
      for (let i = 0; i < c.hop; i++) view[t++] = inverseWss(this.window, c.hop, row * c.hop + i, 0, row);
    }
    this.tables = ptr(tablesAt);
    this.scratch = new PerThreadScratch(Math.max(
      (nMels * K + C) * 16,
      (4 * C * 3 + 4 * I * 2) * 4,
      (4 * C * 2 + 4 * ldY + 2 * (bins + 3) * 4 + 2 * m * 4) * 4,
    ));
  }

  /** Frees the packed weights and scratch (the model is untouched). */
  dispose(): void {
    this.store?.dispose(); this.store = null;
    this.scratch.dispose();
  }

  private run(name: string, args: number[], work: number): void {
    engine().mem.i32[this.counter >> 2] = 0;
    engine().runner.run(name, [...args, this.scratch.ptr(), this.scratch.bytesPerThread, this.counter], work);
  }

  /**
   * Frames [from, to) of a `total`-frame mel (`mel` channel-major: frame t of channel m at
   * m·ldMel + t), computed with
   * up to `context` frames of mel on each side. Returns raw overlap-add samples [from·hop, to·hop),
   * normalised (final); `carry` (carryLength floats) holds the unfinished samples after them: pass
   * zeros for the first chunk, the same array for the next. `last` (to = total): the result also
   * holds the flushed tail, raw samples [from·hop, total·hop + carryLength).
   */
  chunk(mel: Float32Array, ldMel: number, total: number, from: number, to: number, context: number, carry: Float32Array, last = false): Float32Array {
    if (!this.store) throw new Error('FastVocoderPath: used after dispose()');
    const c = this.config, C = c.dim, I = c.intermediateDim, K = c.kernel, P = (K - 1) / 2, nMels = c.mel.nMels, hop = c.hop;
    const bins = c.nFft / 2 + 1;
    const lo = Math.max(0, from - context), hi = Math.min(total, to + context), n = hi - lo, F = to - from;
    const R = this.overlap;
    let result = new Float32Array(0);
    tidy(() => {
      const ldm = n + K + 3;
      const melT = empty([nMels * ldm]);
      const xa = empty([n * C]), xb = empty([n * C]);
      const out = empty([(F + R - 1) * hop]);
      const carryT = empty([Math.max(1, this.carryLength)]);
      const f32 = engine().mem.f32;
      const mb = melT.ptr >> 2;
      for (let k = 0; k < nMels; k++) {
        const row = mb + k * ldm;
        f32.fill(0, row, row + P);
        f32.set(mel.subarray(k * ldMel + lo, k * ldMel + hi), row + P);
        f32.fill(0, row + P + n, row + ldm);
      }
      f32.set(carry, carryT.ptr >> 2);
      this.run('vocos_embed_f32', [n, nMels, K, melT.ptr, ldm, C, this.embed.wp, this.embed.b, this.embed.lnG, this.embed.lnB, this.embed.eps, xa.ptr], 2 * n * C * nMels * K);
      let x = xa, y = xb;
      for (const b of this.blocks) {
        this.run('vocos_convnext_f32', [n, C, I, K, x.ptr, b.dwWt, b.dwB, b.lnG, b.lnB, b.eps, b.w1p, b.b1, b.w2p, b.b2, b.gamma, y.ptr], 4 * n * C * I);
        [x, y] = [y, x];
      }
      this.run('vocos_istft_f32', [F, x.ptr + 4 * (from - lo) * C, C, this.head.lnG, this.head.lnB, this.head.eps, this.head.whp, this.head.bh,
        bins, Math.fround(Math.log(c.maxMagnitude)), c.nFft, hop, this.tables, from, carryT.ptr, out.ptr, Math.max(4, FRAMES_PER_ITEM - (R - 1))], F * (4 * C * bins + 40 * c.nFft));
      const ob = out.ptr >> 2, view = engine().mem.f32;
      carry.set(view.subarray(ob + F * hop, ob + (F + R - 1) * hop));
      if (last) {
        result = new Float32Array(F * hop + this.carryLength);
        result.set(view.subarray(ob, ob + F * hop));
        result.set(this.flush(carry, total), F * hop);
      } else {
        result = view.slice(ob, ob + F * hop);
      }
    });
    return result;
  }

  /** The carry after the last of `total` frames, normalised: raw samples [total·hop, total·hop + carryLength). */
  flush(carry: Float32Array, total: number): Float32Array {
    const hop = this.config.hop, out = new Float32Array(this.carryLength);
    for (let i = 0; i < this.carryLength; i++) {
      const p = total * hop + i;
      out[i] = carry[i]! * inverseWss(this.window, hop, p, Math.max(0, Math.floor(p / hop) - this.overlap + 1), total - 1);
    }
    return out;
  }
}

/**
 * 1 / Σ_f w²[p − f·hop] over frames f in [fFirst, fLast] that cover raw sample p, summed oldest frame
 * first in float64 (StreamingISTFT's order); 0 where the sum is ≤ 1e-11.
 */
function inverseWss(window: Float64Array, hop: number, p: number, fFirst: number, fLast: number): number {
  const n = window.length;
  let d = 0;
  for (let f = Math.max(fFirst, Math.ceil((p - n + 1) / hop)); f <= fLast; f++) {
    const o = p - f * hop;
    if (o >= 0 && o < n) d += window[o]! * window[o]!;
  }
  return d > 1e-11 ? 1 / d : 0;
}
