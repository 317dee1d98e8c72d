/**
 * FastSpeech 2's variance predictor (Ren et al. 2021):
 *   [Conv1d(k) → ReLU → LayerNorm → Dropout] × 2 → Linear(filter → 1)
 * on phoneme states [B, T, D], one scalar per phoneme: log(1 + frames) for the duration predictor
 * (the target of the log-domain MSE, as in ming024's FastSpeech 2), normalised pitch or energy for
 * the acoustic model's pitch and energy predictors. Padded phonemes are set to 0.
 */
import {
  Conv1d, Dropout, LayerNorm, Linear, Module, type Tensor, cast, relu, reshape, where,
} from '../../engine/index.js';
import type { DurationPredictorConfig } from '../speech-clip/config.js';

export class VariancePredictor extends Module {
  readonly conv1: Conv1d;
  readonly norm1: LayerNorm;
  readonly conv2: Conv1d;
  readonly norm2: LayerNorm;
  readonly out: Linear;
  readonly dropout: Dropout;

  constructor(readonly inputDim: number, readonly config: DurationPredictorConfig) {
    super();
    const { filterSize, kernel } = config;
    const padding = (kernel - 1) / 2;
    this.conv1 = this.module('conv1', new Conv1d(inputDim, filterSize, kernel, { padding }));
    this.norm1 = this.module('norm1', new LayerNorm(filterSize));
    this.conv2 = this.module('conv2', new Conv1d(filterSize, filterSize, kernel, { padding }));
    this.norm2 = this.module('norm2', new LayerNorm(filterSize));
    this.out = this.module('out', new Linear(filterSize, 1));
    this.dropout = this.module('dropout', new Dropout(config.dropout));
  }

  /** x [B, T, D], mask [B, T] (1 = real) → one value per phoneme [B, T], 0 on padding. */
  forward(x: Tensor, mask: Tensor): Tensor {
    const [B, T] = x.shape as [number, number, number];
    let h = this.dropout.forward(this.norm1.forward(relu(this.conv1.forwardChannelsLast(x))));
    h = this.dropout.forward(this.norm2.forward(relu(this.conv2.forwardChannelsLast(h))));
    const value = reshape(this.out.forward(h), [B, T]);
    return where(mask.dtype === 'float32' ? mask : cast(mask, 'float32'), value, 0);
  }
}
