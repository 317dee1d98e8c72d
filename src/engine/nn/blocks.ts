/**
 * Model building blocks: the FastSpeech 2 FFT block (Transformer encoder/decoder layer with a
 * convolutional feed-forward net) and the Vocos ConvNeXt-1d block.
 *
 * Layouts:
 *  - FFTBlock works channels-last, x [B, T, D] (as attention wants). The conv FFN needs
 *    channels-first, so it transposes to [B, D, T] (a view; conv1d makes it contiguous) and the
 *    result back (a view, consumed by the residual add without a copy).
 *  - ConvNeXtBlock works channels-first, x [B, C, T] (as Vocos' backbone does). The depthwise conv
 *    runs on [B, C, T]; LayerNorm and the pointwise Linears run channels-last after a transpose
 *    view (the LayerNorm makes it contiguous), and the layer-scaled result is transposed back.
 */
import { add, gelu, mul, where } from '../ops/elementwise.js';
import { transpose, unsqueeze } from '../ops/shape.js';
import { cast } from '../backend.js';
import type { Tensor } from '../tensor.js';
import { MultiHeadAttention } from './attention.js';
import { Conv1d, Dropout, LayerNorm, Linear } from './layers.js';
import { Module, initTensor } from './module.js';

/**
 * mask [B, T] (1 = real) as a float [B, T, 1] condition for channels-last activations. Padded
 * frames are filled with `where(mask, y, 0)` (torch masked_fill: exact +0 even if y is NaN/∞ there),
 * not multiplied by the mask.
 */
function frameMask(mask: Tensor): Tensor {
  return unsqueeze(mask.dtype === 'float32' ? mask : cast(mask, 'float32'), -1);
}

export interface FFTBlockOptions {
  /** Conv FFN kernel sizes [k1, k2] (odd; default [9, 1] as FastSpeech 2). Padding (k−1)/2 each. */
  kernels?: readonly [number, number];
  /** Dropout after attention and after the FFN (default 0.1, FastSpeech 2's value). */
  dropout?: number;
  /** Dropout on attention weights (default 0: ming024's implementation applies the block dropout there too; set it to match). */
  attentionDropout?: number;
  /** LayerNorm eps (default 1e-5). */
  eps?: number;
}

/**
 * FastSpeech 2 FFT block, post-norm, ming024 layout:
 *   h = LayerNorm(x + Dropout(MHA(x, mask)));  h[padded] = 0
 *   y = LayerNorm(h + Dropout(Conv2(ReLU(Conv1(h))))); y[padded] = 0
 * with Conv1: D → ffnDim (kernel k1), Conv2: ffnDim → D (kernel k2), both "same" padding.
 * Parameter names: attn.{qkv,out}.{weight,bias}, attnNorm.*, conv1.*, conv2.*, ffnNorm.*.
 * @example const block = new FFTBlock(256, 2, 1024); const y = block.forward(x, mask); // [B, T, 256]
 */
export class FFTBlock extends Module {
  readonly attn: MultiHeadAttention;
  readonly attnNorm: LayerNorm;
  readonly conv1: Conv1d;
  readonly conv2: Conv1d;
  readonly ffnNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(readonly dim: number, heads: number, readonly ffnDim: number, opts: FFTBlockOptions = {}) {
    super();
    const [k1, k2] = opts.kernels ?? [9, 1];
    for (const k of [k1, k2]) if (!Number.isInteger(k) || k < 1 || k % 2 === 0) throw new Error(`FFTBlock: kernel sizes must be odd positive integers, got [${k1}, ${k2}]`);
    const eps = opts.eps ?? 1e-5;
    this.attn = this.module('attn', new MultiHeadAttention(dim, heads, { dropout: opts.attentionDropout ?? 0 }));
    this.attnNorm = this.module('attnNorm', new LayerNorm(dim, { eps }));
    this.conv1 = this.module('conv1', new Conv1d(dim, ffnDim, k1, { padding: (k1 - 1) / 2 }));
    this.conv2 = this.module('conv2', new Conv1d(ffnDim, dim, k2, { padding: (k2 - 1) / 2 }));
    this.ffnNorm = this.module('ffnNorm', new LayerNorm(dim, { eps }));
    this.dropout = this.module('dropout', new Dropout(opts.dropout ?? 0.1));
  }

  /** x [B, T, D], mask [B, T] (1 = real, 0 = padding; optional) → [B, T, D]. */
  forward(x: Tensor, mask?: Tensor | null): Tensor {
    const m = mask ? frameMask(mask) : null;
    let h = this.attnNorm.forward(add(x, this.dropout.forward(this.attn.forward(x, mask))));
    if (m) h = where(m, h, 0);
    // Conv FFN on channels-last activations: each conv is one large GEMM, no transposes.
    const f = this.conv2.forwardChannelsLast(this.conv1.forwardChannelsLast(h, { relu: true }));
    let y = this.ffnNorm.forward(add(h, this.dropout.forward(f)));
    if (m) y = where(m, y, 0);
    return y;
  }
}

export interface ConvNeXtBlockOptions {
  /** Depthwise kernel size (default 7, padding 3). */
  kernel?: number;
  /** Initial value of the per-channel layer scale γ (Vocos: 1 / numLayers; ConvNeXt: 1e-6). Pass 0 or null for no layer scale. */
  layerScaleInit?: number | null;
  /** LayerNorm eps (default 1e-6, as Vocos). */
  eps?: number;
}

/**
 * Vocos ConvNeXt-1d block (no AdaLayerNorm), channels-first x [B, C, T]:
 *   h = dwconv(x)                          depthwise Conv1d, kernel 7, padding 3, groups C
 *   h = transpose → [B, T, C];  LayerNorm(C)
 *   h = pwconv2(GELU(pwconv1(h)))          Linear C → I, exact GELU, Linear I → C
 *   h = γ ⊙ h;  transpose → [B, C, T];  y = x + h
 * Parameter names match Vocos: dwconv.*, norm.*, pwconv1.*, pwconv2.*, gamma [C].
 * An optional mask [B, T] (1 = real) zeroes padded frames of the output.
 */
export class ConvNeXtBlock extends Module {
  readonly dwconv: Conv1d;
  readonly norm: LayerNorm;
  readonly pwconv1: Linear;
  readonly pwconv2: Linear;
  readonly gamma: Tensor | null;

  constructor(readonly dim: number, readonly intermediateDim: number, opts: ConvNeXtBlockOptions = {}) {
    super();
    const k = opts.kernel ?? 7;
    if (!Number.isInteger(k) || k < 1 || k % 2 === 0) throw new Error(`ConvNeXtBlock: kernel must be an odd positive integer, got ${k}`);
    this.dwconv = this.module('dwconv', new Conv1d(dim, dim, k, { padding: (k - 1) / 2, groups: dim }));
    this.norm = this.module('norm', new LayerNorm(dim, { eps: opts.eps ?? 1e-6 }));
    this.pwconv1 = this.module('pwconv1', new Linear(dim, intermediateDim));
    this.pwconv2 = this.module('pwconv2', new Linear(intermediateDim, dim));
    const ls = opts.layerScaleInit === undefined ? 1e-6 : opts.layerScaleInit;
    if (ls) {
      const g = initTensor([dim], { kind: 'ones' });
      g.unsafeView().fill(ls);
      this.gamma = this.param('gamma', g);
    } else {
      this.gamma = null;
    }
  }

  /** x [B, C, T] → [B, C, T]; `mask` [B, T] (optional) zeroes padded frames. */
  forward(x: Tensor, mask?: Tensor | null): Tensor {
    if (x.ndim !== 3 || x.shape[1] !== this.dim) throw new Error(`ConvNeXtBlock(${this.dim}): x must be [B, ${this.dim}, T], got [${x.shape.join(', ')}]`);
    const h = this.norm.forward(transpose(this.dwconv.forward(x), 1, 2));
    let f = this.pwconv2.forward(gelu(this.pwconv1.forward(h)));
    if (this.gamma) f = mul(f, this.gamma);
    const y = add(x, transpose(f, 1, 2));
    // frameMask is [B, T, 1]; viewed as [B, 1, T] it broadcasts over channels-first y.
    return mask ? where(transpose(frameMask(mask), 1, 2), y, 0) : y;
  }
}
