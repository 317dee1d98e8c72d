/**
 * Discriminators and GAN losses for the vocoder's adversarial fine-tuning phase.
 *
 *  - Multi-period discriminator (HiFi-GAN MPD): for each period p the waveform [B, L] is folded
 *    into p interleaved columns [B·p, 1, L/p]; HiFi-GAN's 2-D convs with (k, 1) kernels act on each
 *    column independently with shared weights, which is exactly a 1-D conv over the columns, so the
 *    engine's conv1d computes them. Channels are configurable (HiFi-GAN's 32…1024 are far too
 *    costly on a CPU).
 *  - Multi-resolution discriminator (UnivNet / Vocos MRD), 1-D variant: for each STFT resolution
 *    the log-magnitude spectrogram [B, bins, frames] goes through a conv1d stack over time with the
 *    frequency bins as input channels. The original uses 2-D convs over (frequency, time); the
 *    engine has no conv2d, so this variant sees all bins at once at the first layer.
 *  - Losses: least-squares (LSGAN) or hinge, switchable; feature matching (L1 between the
 *    discriminator feature maps of real and generated audio).
 *
 * `frozen = true` runs a discriminator with detached weights: the generator's adversarial loss then
 * sends gradients to the generated audio but none to the discriminator, so one backward of
 * (L_G + L_D) trains both players (each with its own objective) in a single optimizer step.
 */
import {
  Conv1d, Module, abs, add, conv1d, leakyRelu, log, mean, relu, reshape, scale, square, sub, transpose, pad, clamp, type Tensor,
} from '../../engine/index.js';
import type { GanConfig, GanLossKind, StftResolution } from './config.js';
import { ConvSTFT } from './istft.js';
import { magnitudeOf } from './stft-loss.js';

const LEAKY_SLOPE = 0.1;

/** Logits and intermediate feature maps of one sub-discriminator. */
export interface DiscriminatorOutput {
  logits: Tensor;
  features: Tensor[];
}

function convForward(c: Conv1d, x: Tensor, frozen: boolean): Tensor {
  const w = frozen ? c.weight.detach() : c.weight;
  const b = c.bias ? (frozen ? c.bias.detach() : c.bias) : null;
  return conv1d(x, w, b, { stride: c.stride, padding: c.padding, groups: c.groups });
}

/** A stack of strided conv1d + leaky ReLU layers ending in a 1-channel conv (logits). */
class ConvStack extends Module {
  readonly convs: Conv1d[];
  readonly post: Conv1d;

  constructor(inChannels: number, channels: readonly number[], kernel: number, stride: number) {
    super();
    const layers: Conv1d[] = [];
    let c = inChannels;
    channels.forEach((out, i) => {
      const s = i === channels.length - 1 ? 1 : stride;
      layers.push(new Conv1d(c, out, kernel, { stride: s, padding: (kernel - 1) / 2 }));
      c = out;
    });
    this.convs = this.moduleList('convs', layers);
    this.post = this.module('conv_post', new Conv1d(c, 1, 3, { padding: 1 }));
  }

  forward(x: Tensor, frozen: boolean): DiscriminatorOutput {
    const features: Tensor[] = [];
    let h = x;
    for (const c of this.convs) {
      h = leakyRelu(convForward(c, h, frozen), LEAKY_SLOPE);
      features.push(h);
    }
    const logits = convForward(this.post, h, frozen);
    features.push(logits);
    return { logits, features };
  }
}

/** One period of the MPD. */
export class PeriodDiscriminator extends Module {
  readonly stack: ConvStack;

  constructor(readonly period: number, channels: readonly number[]) {
    super();
    this.stack = this.module('stack', new ConvStack(1, channels, 5, 3));
  }

  /** audio [B, L] → logits over [B·p, 1, L'] and the feature maps. */
  forward(audio: Tensor, frozen = false): DiscriminatorOutput {
    const [B, L] = audio.shape as [number, number];
    const p = this.period;
    const padded = L % p ? pad(audio, [0, p - (L % p)]) : audio;
    const rows = padded.shape[1]! / p;
    // [B, rows, p] → [B, p, rows] → [B·p, 1, rows]: each column is one phase of the period.
    const cols = reshape(transpose(reshape(padded, [B, rows, p]), 1, 2), [B * p, 1, rows]);
    return this.stack.forward(cols, frozen);
  }
}

/** One resolution of the (1-D) MRD. */
export class ResolutionDiscriminator extends Module {
  readonly stft: ConvSTFT;
  readonly stack: ConvStack;

  constructor(readonly resolution: StftResolution, channels: readonly number[]) {
    super();
    this.stft = new ConvSTFT(resolution.nFft, resolution.hop, resolution.win);
    this.stack = this.module('stack', new ConvStack(this.stft.bins, channels, 3, 1));
  }

  forward(audio: Tensor, frozen = false): DiscriminatorOutput {
    const mag = magnitudeOf(this.stft.stacked(audio), this.stft.bins);
    return this.stack.forward(log(clamp(mag, 1e-5)), frozen);
  }

  override dispose(): void {
    super.dispose();
    this.stft.dispose();
  }
}

/** All sub-discriminators (MPD periods + MRD resolutions). */
export class VocoderDiscriminators extends Module {
  readonly mpd: PeriodDiscriminator[];
  readonly mrd: ResolutionDiscriminator[];

  constructor(readonly config: GanConfig) {
    super();
    this.mpd = this.moduleList('mpd', config.periods.map((p) => new PeriodDiscriminator(p, config.mpdChannels)));
    this.mrd = this.moduleList('mrd', config.mrdResolutions.map((r) => new ResolutionDiscriminator(r, config.mrdChannels)));
  }

  forward(audio: Tensor, frozen = false): DiscriminatorOutput[] {
    return [...this.mpd.map((d) => d.forward(audio, frozen)), ...this.mrd.map((d) => d.forward(audio, frozen))];
  }
}

function sumAll(xs: Tensor[]): Tensor {
  return xs.reduce((a, b) => add(a, b));
}

/** Discriminator loss: real → 1, fake → 0 (LSGAN) or hinge margins ±1. Summed over sub-discriminators. */
export function discriminatorLoss(real: DiscriminatorOutput[], fake: DiscriminatorOutput[], kind: GanLossKind): Tensor {
  return sumAll(real.map((r, i) => {
    const f = fake[i]!.logits;
    if (kind === 'lsgan') return add(mean(square(sub(r.logits, 1))), mean(square(f)));
    return add(mean(relu(sub(1, r.logits))), mean(relu(add(f, 1))));
  }));
}

/** Generator adversarial loss (fake → 1 for LSGAN; mean relu(1 − D(ŷ)) for hinge, as Vocos). */
export function generatorAdversarialLoss(fake: DiscriminatorOutput[], kind: GanLossKind): Tensor {
  return sumAll(fake.map((f) => (kind === 'lsgan' ? mean(square(sub(f.logits, 1))) : mean(relu(sub(1, f.logits))))));
}

/** Feature matching: Σ over sub-discriminators and layers of mean |F(y) − F(ŷ)|, averaged per sub-discriminator. */
export function featureMatchingLoss(real: DiscriminatorOutput[], fake: DiscriminatorOutput[]): Tensor {
  return sumAll(real.map((r, i) => {
    const terms = r.features.map((fr, j) => mean(abs(sub(fr.detach(), fake[i]!.features[j]!))));
    return scale(sumAll(terms), 1 / terms.length);
  }));
}
