/**
 * Acoustic-model configurations as plain data: the model shape, loss weights and training schedule.
 *   'tiny'   trains in tests (seconds)
 *   'small'  the bundled voice: sized to reach good quality on 2 CPU cores in hours, not days
 *   'base'   paper-like: FastSpeech 2's sizes (256 wide, 4 encoder + 6 decoder blocks, postnet 512)
 * A config file (JSON) may override any field of a preset: `{"preset": "small", "model": {"decoder": {"layers": 6}}}`.
 * With `--init-clip`, the text encoder's shape comes from the Speech-Clip checkpoint instead.
 */
import { presetWithOverrides } from '../../util/config.js';
import type { DurationPredictorConfig, EncoderConfig, TextEncoderConfig } from '../speech-clip/config.js';

export interface PostnetConfig {
  /** Conv layers (FastSpeech 2 / Tacotron 2: 5); 0 = no postnet. */
  layers: number;
  channels: number;
  kernel: number;
  dropout: number;
}

export interface AcousticModelConfig {
  /** The text encoder (phoneme embedding → FFT blocks → duration predictor); replaced by --init-clip's. */
  textEncoder: Omit<TextEncoderConfig, 'vocabSize'>;
  /** Width of the decoder (a linear map joins them when it differs from the encoder's). */
  decoderDim: number;
  decoder: EncoderConfig;
  /** Pitch and energy predictors (FastSpeech 2's variance predictor shape). */
  variancePredictor: DurationPredictorConfig;
  /** Quantisation bins of the pitch and energy embeddings (FastSpeech 2: 256). */
  pitchBins: number;
  energyBins: number;
  postnet: PostnetConfig;
  /** Dropout inside the decoder's FFT blocks. */
  dropout: number;
}

export interface AcousticLossConfig {
  melWeight: number;
  postnetWeight: number;
  durationWeight: number;
  pitchWeight: number;
  energyWeight: number;
  /**
   * Weight of the auxiliary Speech-Clip contrastive loss: utterance-level InfoNCE between the text
   * encoder's states (through the frozen Speech-Clip text projection) and the frozen Speech-Clip mel
   * encoder's embedding of the target mel. Needs --init-clip to be a train-clip run folder. 0 = off.
   */
  clipWeight: number;
}

export interface AcousticTrainingConfig {
  batchSize: number;
  /** Frame budget per batch, padding included (decoder attention memory grows with F²). */
  maxBatchFrames: number;
  /** Micro-batches per optimizer step. */
  gradAccumulation: number;
  peakLr: number;
  warmupSteps: number;
  /** The cosine schedule reaches minLr here. */
  totalSteps: number;
  minLr: number;
  weightDecay: number;
  maxGradNorm: number;
  /** Steps during which the (Speech-Clip initialised) text encoder is not updated; 0 = fine-tune throughout. */
  freezeEncoderSteps: number;
  /** EMA decay of the weights used for validation and export (0 = no EMA). */
  emaDecay: number;
  seed: number;
  logEvery: number;
  validateEvery: number;
  checkpointEvery: number;
}

export interface AcousticConfig {
  kind: 'acoustic';
  preset: string;
  model: AcousticModelConfig;
  loss: AcousticLossConfig;
  training: AcousticTrainingConfig;
}

/** Data-dependent values filled in from the feature manifest when training starts. */
export interface AcousticDataConfig {
  vocabSize: number;
  nMels: number;
  /** Speaker names by id ([] = single speaker, no speaker embedding). */
  speakers: string[];
  /** Emotion names by id ([] = no emotion embedding). */
  emotions: string[];
  /** ln F0 statistics of voiced frames (normalises the pitch targets). */
  logPitch: { mean: number; std: number };
  /** Frame-energy statistics (normalises the energy targets). */
  energy: { mean: number; std: number };
  /**
   * Multiplier on predicted durations measured at validation: total real frames / total predicted
   * frames. The log-domain duration loss predicts E[log(1+d)], whose exp is below E[1+d] by about
   * exp(σ²/2) (lognormal): uncalibrated speech runs 4–12% fast (measured). Absent = 1.
   */
  durationCalibration?: number;
}

export type AcousticPreset = 'tiny' | 'small' | 'base';

const LOSS: AcousticLossConfig = { melWeight: 1, postnetWeight: 1, durationWeight: 1, pitchWeight: 0.5, energyWeight: 0.5, clipWeight: 0 };

const TINY: AcousticConfig = {
  kind: 'acoustic',
  preset: 'tiny',
  model: {
    textEncoder: { dim: 32, encoder: { layers: 1, heads: 2, ffnDim: 64, kernels: [3, 1] }, durationPredictor: { filterSize: 32, kernel: 3, dropout: 0 }, dropout: 0 },
    decoderDim: 32,
    decoder: { layers: 1, heads: 2, ffnDim: 64, kernels: [3, 1] },
    variancePredictor: { filterSize: 32, kernel: 3, dropout: 0 },
    pitchBins: 32, energyBins: 32,
    postnet: { layers: 2, channels: 32, kernel: 5, dropout: 0 },
    dropout: 0,
  },
  loss: { ...LOSS },
  training: {
    batchSize: 8, maxBatchFrames: 4000, gradAccumulation: 1, peakLr: 3e-3, warmupSteps: 10, totalSteps: 300, minLr: 1e-4,
    weightDecay: 0, maxGradNorm: 1, freezeEncoderSteps: 0, emaDecay: 0, seed: 1, logEvery: 10, validateEvery: 100, checkpointEvery: 50,
  },
};

const SMALL: AcousticConfig = {
  kind: 'acoustic',
  preset: 'small',
  model: {
    // The Speech-Clip 'small' text encoder (its shape wins when --init-clip is given).
    textEncoder: { dim: 96, encoder: { layers: 2, heads: 2, ffnDim: 192, kernels: [9, 1] }, durationPredictor: { filterSize: 96, kernel: 3, dropout: 0.5 }, dropout: 0.1 },
    // Decoder FFN kernels [3, 1] instead of FastSpeech 2's [9, 1]: the k = 9 conv was 55% of the
    // step time at width 160 (measured); attention already gives the decoder its long context.
    decoderDim: 128,
    decoder: { layers: 4, heads: 2, ffnDim: 512, kernels: [3, 1] },
    variancePredictor: { filterSize: 128, kernel: 3, dropout: 0.5 },
    pitchBins: 128, energyBins: 128,
    postnet: { layers: 5, channels: 128, kernel: 5, dropout: 0.3 },
    dropout: 0.1,
  },
  loss: { ...LOSS },
  training: {
    // The frame budget bounds attention memory (B·F² per head and layer) under wasm32's 4 GiB.
    batchSize: 16, maxBatchFrames: 3200, gradAccumulation: 1, peakLr: 1e-3, warmupSteps: 400, totalSteps: 40000, minLr: 5e-5,
    weightDecay: 0.01, maxGradNorm: 1, freezeEncoderSteps: 0, emaDecay: 0.999, seed: 1, logEvery: 50, validateEvery: 1000, checkpointEvery: 200,
  },
};

const BASE: AcousticConfig = {
  kind: 'acoustic',
  preset: 'base',
  model: {
    textEncoder: { dim: 256, encoder: { layers: 4, heads: 2, ffnDim: 1024, kernels: [9, 1] }, durationPredictor: { filterSize: 256, kernel: 3, dropout: 0.5 }, dropout: 0.2 },
    decoderDim: 256,
    decoder: { layers: 6, heads: 2, ffnDim: 1024, kernels: [9, 1] },
    variancePredictor: { filterSize: 256, kernel: 3, dropout: 0.5 },
    pitchBins: 256, energyBins: 256,
    postnet: { layers: 5, channels: 512, kernel: 5, dropout: 0.5 },
    dropout: 0.2,
  },
  loss: { ...LOSS },
  training: {
    batchSize: 16, maxBatchFrames: 3200, gradAccumulation: 2, peakLr: 5e-4, warmupSteps: 4000, totalSteps: 200000, minLr: 1e-5,
    weightDecay: 0.01, maxGradNorm: 1, freezeEncoderSteps: 0, emaDecay: 0.9995, seed: 1, logEvery: 100, validateEvery: 2000, checkpointEvery: 500,
  },
};

export const ACOUSTIC_PRESETS: Readonly<Record<AcousticPreset, AcousticConfig>> = { tiny: TINY, small: SMALL, base: BASE };

export function isAcousticPreset(name: string): name is AcousticPreset {
  return name === 'tiny' || name === 'small' || name === 'base';
}

/** A deep copy of a preset (callers may edit it). */
export function acousticPreset(name: AcousticPreset): AcousticConfig {
  return structuredClone(ACOUSTIC_PRESETS[name]);
}

export class AcousticConfigError extends Error {
  override name = 'AcousticConfigError';
}

/**
 * Builds a config from JSON: `{"preset": "tiny"|"small"|"base", ...overrides}` (preset defaults to
 * 'small'). A full config saved by a run parses back to itself.
 */
export function parseAcousticConfig(json: unknown): AcousticConfig {
  const cfg = presetWithOverrides(json, { kind: 'acoustic', presets: ACOUSTIC_PRESETS, defaultPreset: 'small', makeError: (m) => new AcousticConfigError(m) });
  validateAcousticConfig(cfg);
  return cfg;
}

function checkInt(v: number, what: string, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new AcousticConfigError(`${what} must be an integer ≥ ${min}, got ${v}`);
}
function checkOdd(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 1 || v % 2 === 0) throw new AcousticConfigError(`${what} must be an odd positive integer, got ${v}`);
}
function checkDropout(v: number, what: string): void {
  if (!(v >= 0 && v < 1)) throw new AcousticConfigError(`${what} must be in [0, 1), got ${v}`);
}
function checkBlocks(e: EncoderConfig, dim: number, what: string): void {
  checkInt(e.layers, `${what}.layers`, 0);
  checkInt(e.heads, `${what}.heads`);
  checkInt(e.ffnDim, `${what}.ffnDim`);
  if (dim % e.heads !== 0) throw new AcousticConfigError(`${what}.heads (${e.heads}) must divide the width (${dim})`);
  if (!Array.isArray(e.kernels) || e.kernels.length !== 2) throw new AcousticConfigError(`${what}.kernels must be two odd integers`);
  e.kernels.forEach((k, i) => checkOdd(k, `${what}.kernels[${i}]`));
}

/** Throws AcousticConfigError naming the first bad field. */
export function validateAcousticConfig(c: AcousticConfig): void {
  const m = c.model, l = c.loss, t = c.training;
  checkInt(m.textEncoder.dim, 'model.textEncoder.dim');
  checkBlocks(m.textEncoder.encoder, m.textEncoder.dim, 'model.textEncoder.encoder');
  checkInt(m.textEncoder.durationPredictor.filterSize, 'model.textEncoder.durationPredictor.filterSize');
  checkOdd(m.textEncoder.durationPredictor.kernel, 'model.textEncoder.durationPredictor.kernel');
  checkDropout(m.textEncoder.durationPredictor.dropout, 'model.textEncoder.durationPredictor.dropout');
  checkDropout(m.textEncoder.dropout, 'model.textEncoder.dropout');
  checkInt(m.decoderDim, 'model.decoderDim');
  checkBlocks(m.decoder, m.decoderDim, 'model.decoder');
  checkInt(m.variancePredictor.filterSize, 'model.variancePredictor.filterSize');
  checkOdd(m.variancePredictor.kernel, 'model.variancePredictor.kernel');
  checkDropout(m.variancePredictor.dropout, 'model.variancePredictor.dropout');
  checkInt(m.pitchBins, 'model.pitchBins', 2);
  checkInt(m.energyBins, 'model.energyBins', 2);
  checkInt(m.postnet.layers, 'model.postnet.layers', 0);
  if (m.postnet.layers === 1) throw new AcousticConfigError('model.postnet.layers must be 0 or ≥ 2');
  checkInt(m.postnet.channels, 'model.postnet.channels');
  checkOdd(m.postnet.kernel, 'model.postnet.kernel');
  checkDropout(m.postnet.dropout, 'model.postnet.dropout');
  checkDropout(m.dropout, 'model.dropout');
  for (const [k, v] of Object.entries(l)) if (!(typeof v === 'number' && v >= 0)) throw new AcousticConfigError(`loss.${k} must be ≥ 0, got ${v}`);
  checkInt(t.batchSize, 'training.batchSize');
  checkInt(t.maxBatchFrames, 'training.maxBatchFrames', 2);
  checkInt(t.gradAccumulation, 'training.gradAccumulation');
  if (!(t.peakLr > 0)) throw new AcousticConfigError(`training.peakLr must be > 0, got ${t.peakLr}`);
  checkInt(t.warmupSteps, 'training.warmupSteps', 0);
  checkInt(t.totalSteps, 'training.totalSteps');
  if (!(t.minLr >= 0 && t.minLr <= t.peakLr)) throw new AcousticConfigError(`training.minLr must be in [0, peakLr], got ${t.minLr}`);
  if (!(t.weightDecay >= 0)) throw new AcousticConfigError(`training.weightDecay must be ≥ 0, got ${t.weightDecay}`);
  if (!(t.maxGradNorm > 0)) throw new AcousticConfigError(`training.maxGradNorm must be > 0, got ${t.maxGradNorm}`);
  checkInt(t.freezeEncoderSteps, 'training.freezeEncoderSteps', 0);
  if (!(t.emaDecay >= 0 && t.emaDecay < 1)) throw new AcousticConfigError(`training.emaDecay must be in [0, 1), got ${t.emaDecay}`);
  checkInt(t.seed, 'training.seed', 0);
  for (const key of ['logEvery', 'validateEvery', 'checkpointEvery'] as const) checkInt(t[key], `training.${key}`);
}
