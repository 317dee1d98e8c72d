/**
 * Vocos-style vocoder (Siuzdak 2023, "Vocos: Closing the gap between time-domain and Fourier-based
 * neural vocoders"): everything runs at the mel frame rate, and the waveform comes from an inverse
 * STFT of a predicted spectrum instead of learned upsampling (HiFi-GAN). Per mel frame:
 *
 *   mel [B, nMels, T]
 *     → embed: Conv1d(nMels → dim, kernel 7, pad 3)  → LayerNorm(dim)
 *     → layers × ConvNeXtBlock(dim, intermediateDim)  (depthwise conv 7, LN, Linear, GELU, Linear, γ)
 *     → final LayerNorm(dim)
 *     → head: Linear(dim → nFft + 2) = [log|X| (bins), phase (bins)]
 *     → X = min(exp(log|X|), maxMagnitude) · (cos φ + i sin φ)
 *     → iSTFT (nFft, hop = mel hop, Hann) → waveform [B, T·hop]
 *
 * Predicting the phase p and using cos p, sin p (as Vocos) needs no atan2 and is periodic, so the
 * unwrapping problem never appears. Parameter names follow Vocos (backbone.embed, backbone.norm,
 * backbone.convnext.N.*, backbone.final_layer_norm, head.out).
 */
import {
  Conv1d, ConvNeXtBlock, LayerNorm, Linear, Module, clamp, concat, cos, exp, mul, sin, slice, transpose, type Tensor,
} from '../../engine/index.js';
import { headBins, type VocoderConfig } from './config.js';
import { DifferentiableISTFT } from './istft.js';

export class VocosBackbone extends Module {
  readonly embed: Conv1d;
  readonly norm: LayerNorm;
  readonly convnext: ConvNeXtBlock[];
  readonly finalNorm: LayerNorm;

  constructor(nMels: number, dim: number, intermediateDim: number, layers: number, kernel: number) {
    super();
    this.embed = this.module('embed', new Conv1d(nMels, dim, kernel, { padding: (kernel - 1) / 2 }));
    this.norm = this.module('norm', new LayerNorm(dim, { eps: 1e-6 }));
    const blocks: ConvNeXtBlock[] = [];
    for (let i = 0; i < layers; i++) blocks.push(new ConvNeXtBlock(dim, intermediateDim, { kernel, layerScaleInit: 1 / layers }));
    this.convnext = this.moduleList('convnext', blocks);
    this.finalNorm = this.module('final_layer_norm', new LayerNorm(dim, { eps: 1e-6 }));
  }

  /** mel [B, nMels, T] → hidden [B, T, dim] (channels-last, ready for the head's Linear). */
  forward(mel: Tensor): Tensor {
    let x = transpose(this.norm.forward(transpose(this.embed.forward(mel), 1, 2)), 1, 2); // [B, dim, T]
    for (const block of this.convnext) x = block.forward(x);
    return this.finalNorm.forward(transpose(x, 1, 2));
  }
}

/** The head's raw outputs, channels-last [B, T, bins] each. */
export interface HeadOutput {
  logMagnitude: Tensor;
  phase: Tensor;
}

export class ISTFTHead extends Module {
  readonly out: Linear;
  readonly bins: number;

  constructor(dim: number, readonly nFft: number) {
    super();
    this.bins = nFft / 2 + 1;
    this.out = this.module('out', new Linear(dim, nFft + 2));
  }

  /** hidden [B, T, dim] → log-magnitude and phase [B, T, bins]. */
  forward(hidden: Tensor): HeadOutput {
    const y = this.out.forward(hidden);
    return { logMagnitude: slice(y, 2, 0, this.bins), phase: slice(y, 2, this.bins, 2 * this.bins) };
  }
}

/**
 * Complex spectrum from the head's outputs, stacked channels-first [B, 2·bins, T] (real parts, then
 * imaginary parts) as DifferentiableISTFT.fromStacked wants.
 */
export function spectrumFromHead(head: HeadOutput, maxMagnitude: number): Tensor {
  return transpose(spectrumChannelsLast(head, maxMagnitude), 1, 2);
}

/** The same spectrum channels-last, [B, T, 2·bins] (real parts, then imaginary parts, per frame). */
export function spectrumChannelsLast(head: HeadOutput, maxMagnitude: number): Tensor {
  // Clamping the log (not the magnitude) gives the same value as Vocos' clip(exp(·), max) and keeps exp finite.
  const mag = exp(clamp(head.logMagnitude, -Infinity, Math.log(maxMagnitude)));
  return concat([mul(mag, cos(head.phase)), mul(mag, sin(head.phase))], 2);
}

/**
 * The vocoder: log-mel → waveform.
 * @example
 *   const voc = new Vocoder(resolveVocoderConfig({ preset: 'tiny' }));
 *   const audio = voc.forward(mel); // mel [B, 80, T] → [B, T·256]
 */
export class Vocoder extends Module {
  readonly backbone: VocosBackbone;
  readonly head: ISTFTHead;
  readonly istft: DifferentiableISTFT;

  constructor(readonly config: VocoderConfig) {
    super();
    this.backbone = this.module('backbone', new VocosBackbone(config.mel.nMels, config.dim, config.intermediateDim, config.layers, config.kernel));
    this.head = this.module('head', new ISTFTHead(config.dim, config.nFft));
    if (headBins(config) !== this.head.bins) throw new Error('Vocoder: head bins mismatch');
    this.istft = new DifferentiableISTFT(config.nFft, config.hop);
  }

  /** mel [B, nMels, T] → log-magnitude and phase [B, T, bins]. */
  spectrum(mel: Tensor): HeadOutput {
    if (mel.ndim !== 3 || mel.shape[1] !== this.config.mel.nMels) throw new Error(`Vocoder: mel must be [B, ${this.config.mel.nMels}, T], got [${mel.shape.join(', ')}]`);
    return this.head.forward(this.backbone.forward(mel));
  }

  /** mel [B, nMels, T] → waveform [B, length] (default T·hop: one hop of samples per frame), differentiable. */
  forward(mel: Tensor, length?: number): Tensor {
    const T = mel.shape[2]!;
    return this.istft.fromStacked(spectrumFromHead(this.spectrum(mel), this.config.maxMagnitude), length ?? T * this.config.hop);
  }

  override dispose(): void {
    super.dispose();
    this.istft.dispose();
  }
}
