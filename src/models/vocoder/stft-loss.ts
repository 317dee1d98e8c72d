/**
 * Reconstruction losses of the vocoder (Parallel WaveGAN / Vocos):
 *  - multi-resolution STFT loss: per resolution, spectral convergence ‖|Y| − |Ŷ|‖_F / ‖|Y|‖_F plus
 *    mean |log|Y| − log|Ŷ||, averaged over resolutions;
 *  - mel L1: mean |logmel(y) − logmel(ŷ)| with the features' own filterbank and log floor.
 * Spectra come from ConvSTFT (a strided conv1d with a DFT basis), so every gradient is an engine op.
 */
import {
  abs, add, clamp, log, matmul, mean, mul, noGrad, scale, slice, sqrt, square, sub, sum, tensor, type Tensor,
} from '../../engine/index.js';
import { melFilterbank, type MelConfig } from '../../audio/mel.js';
import { ConvSTFT } from './istft.js';
import type { StftResolution } from './config.js';

/** |STFT|² is clamped here before the square root (as Parallel WaveGAN) so the gradient stays finite at 0. */
const POWER_FLOOR = 1e-7;

/** Magnitude [B, bins, frames] from a stacked spectrum [B, 2·bins, frames]. */
export function magnitudeOf(stacked: Tensor, bins: number): Tensor {
  const re = slice(stacked, 1, 0, bins), im = slice(stacked, 1, bins, 2 * bins);
  return sqrt(clamp(add(square(re), square(im)), POWER_FLOOR));
}

export interface StftLossParts {
  spectralConvergence: Tensor;
  logMagnitude: Tensor;
  /** Magnitudes [B, bins, frames] of prediction and target per resolution ("nFft/hop/win"), for reuse by the mel loss. */
  magnitudes: Map<string, { pred: Tensor; target: Tensor }>;
}

/** Key of a resolution in StftLossParts.magnitudes. */
export function resolutionKey(nFft: number, hop: number, win: number): string {
  return `${nFft}/${hop}/${win}`;
}

/**
 * Multi-resolution STFT loss.
 * @example const mr = new MultiResolutionStftLoss(cfg.training.stftResolutions); const { spectralConvergence, logMagnitude } = mr.forward(pred, target);
 */
export class MultiResolutionStftLoss {
  readonly stfts: ConvSTFT[];

  constructor(resolutions: readonly StftResolution[]) {
    this.stfts = resolutions.map((r) => new ConvSTFT(r.nFft, r.hop, r.win));
  }

  /** pred, target [B, L] (target needs no gradient). */
  forward(pred: Tensor, target: Tensor): StftLossParts {
    let sc: Tensor | null = null, lm: Tensor | null = null;
    const magnitudes = new Map<string, { pred: Tensor; target: Tensor }>();
    for (const stft of this.stfts) {
      const magT = noGrad(() => magnitudeOf(stft.stacked(target), stft.bins));
      const magP = magnitudeOf(stft.stacked(pred), stft.bins);
      magnitudes.set(resolutionKey(stft.nFft, stft.hop, stft.win), { pred: magP, target: magT });
      const scI = mul(sqrt(sum(square(sub(magT, magP)))), 1 / Math.sqrt(Math.max(sum(square(magT)).item(), 1e-12)));
      const lmI = mean(abs(sub(log(magT), log(magP))));
      sc = sc ? add(sc, scI) : scI;
      lm = lm ? add(lm, lmI) : lmI;
    }
    const n = this.stfts.length;
    return { spectralConvergence: scale(sc!, 1 / n), logMagnitude: scale(lm!, 1 / n), magnitudes };
  }

  dispose(): void {
    for (const s of this.stfts) s.dispose();
  }
}

/**
 * Log-mel of a waveform inside the graph: ConvSTFT magnitude → filterbank GEMM → log(clamp(·, floor)).
 * Framing uses zero padding (ConvSTFT), so values differ from src/audio's reflect-padded mel in the
 * first and last two frames only.
 */
export class DifferentiableLogMel {
  readonly stft: ConvSTFT;
  /** [nMels, bins] heap tensor. */
  readonly filterbank: Tensor;

  constructor(readonly config: MelConfig) {
    if (config.power !== 1) throw new Error('DifferentiableLogMel: only magnitude (power 1) mels are supported');
    this.stft = new ConvSTFT(config.nFft, config.hopLength, config.winLength);
    const fb = melFilterbank(config);
    this.filterbank = tensor(Float32Array.from(fb.weights), [fb.nMels, fb.bins], 'float32', true);
  }

  /** audio [B, L] → log-mel [B, nMels, frames]. */
  forward(audio: Tensor): Tensor {
    return this.fromMagnitude(magnitudeOf(this.stft.stacked(audio), this.stft.bins));
  }

  /** Magnitude [B, bins, frames] (framed as this.stft) → log-mel [B, nMels, frames]. */
  fromMagnitude(mag: Tensor): Tensor {
    return log(clamp(matmul(this.filterbank, mag), this.config.logFloor));
  }

  /** The key of this mel's framing among multi-resolution STFT magnitudes. */
  get key(): string {
    return resolutionKey(this.stft.nFft, this.stft.hop, this.stft.win);
  }

  dispose(): void {
    this.stft.dispose();
    this.filterbank.dispose();
  }
}

/**
 * Mean |logmel(pred) − logmel(target)|. Pass the multi-resolution STFT magnitudes to reuse the
 * resolution that matches the mel framing (saves one STFT of each signal).
 */
export function melL1Loss(melOf: DifferentiableLogMel, pred: Tensor, target: Tensor, magnitudes?: StftLossParts['magnitudes']): Tensor {
  const shared = magnitudes?.get(melOf.key);
  if (shared) return mean(abs(sub(melOf.fromMagnitude(shared.pred), noGrad(() => melOf.fromMagnitude(shared.target)))));
  const melT = noGrad(() => melOf.forward(target));
  return mean(abs(sub(melOf.forward(pred), melT)));
}
