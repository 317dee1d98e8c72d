/**
 * Speech-Clip configurations as plain data: the model shape, the objectives and the training
 * schedule. 'tiny' trains in tests (seconds); 'small' is the size of the reference CPU run.
 * A config file (JSON) may override any field of a preset: `{"preset": "small", "model": {"dim": 96}}`.
 */import { presetWithOverrides } from '../../util/config.js';


/** Which contrastive objectives train the model (see docs/speech-clip.md). */
export type ClipObjective = 'utterance' | 'phoneme' | 'both';

export interface EncoderConfig {
  /** Number of FFT (Transformer) blocks. */
  layers: number;
  heads: number;
  /** Hidden width of the convolutional feed-forward net. */
  ffnDim: number;
  /** FFN kernel sizes [k1, k2] (odd). FastSpeech 2 uses [9, 1]. */
  kernels: [number, number];
}

export interface DurationPredictorConfig {
  /** Channels of the two conv layers (FastSpeech 2: 256). */
  filterSize: number;
  /** Conv kernel (FastSpeech 2: 3). */
  kernel: number;
  /** Dropout after each conv block (FastSpeech 2: 0.5). */
  dropout: number;
}

/** Everything the text encoder needs to be rebuilt alone (the acoustic model's initialisation). */
export interface TextEncoderConfig {
  /** Size of the phoneme symbol table (manifest.symbols). Id 0 is padding. */
  vocabSize: number;
  /** Model width d. */
  dim: number;
  encoder: EncoderConfig;
  durationPredictor: DurationPredictorConfig;
  dropout: number;
}

export interface SpeechClipModelConfig {
  dim: number;
  /** Width of the shared embedding space the projection heads map to. */
  projectionDim: number;
  text: EncoderConfig;
  mel: EncoderConfig;
  durationPredictor: DurationPredictorConfig;
  /** Dropout inside the FFT blocks. */
  dropout: number;
  /** Initial temperature τ of the learnable logit scale (CLIP: 0.07, i.e. scale ln(1/0.07)). */
  initialTemperature: number;
  /** Largest logit scale (CLIP clamps at 100). */
  maxLogitScale: number;
  /** Learn the logit scale (true, CLIP) or keep 1/initialTemperature fixed. */
  learnTemperature: boolean;
}

export interface SpeechClipLossConfig {
  objective: ClipObjective;
  /** Weight of the utterance-level InfoNCE (used when objective is 'utterance' or 'both'). */
  utteranceWeight: number;
  /** Weight of the phoneme-level InfoNCE (used when objective is 'phoneme' or 'both'). */
  phonemeWeight: number;
  /** Weight of the log-duration MSE. */
  durationWeight: number;
  /** Most phonemes in one phoneme-level contrast (a random subset beyond that: the logits are N×N). */
  maxPhonemesPerBatch: number;
}

export interface SpeechClipTrainingConfig {
  /** Most utterances per batch (the InfoNCE negatives are the rest of the batch). */
  batchSize: number;
  /**
   * Frame budget per batch, padding included (batch size × longest mel ≤ maxBatchFrames): long
   * utterances come in smaller batches. Attention memory grows with T², so this bounds the peak
   * memory (and time) of a step.
   */
  maxBatchFrames: number;
  peakLr: number;
  warmupSteps: number;
  /** The cosine schedule reaches minLr here (usually = --max-steps). */
  totalSteps: number;
  minLr: number;
  weightDecay: number;
  maxGradNorm: number;
  seed: number;
  logEvery: number;
  validateEvery: number;
  checkpointEvery: number;
}

export interface SpeechClipConfig {
  kind: 'speech-clip';
  /** Preset the config started from (informative). */
  preset: string;
  model: SpeechClipModelConfig;
  loss: SpeechClipLossConfig;
  training: SpeechClipTrainingConfig;
}

/** Data-dependent sizes, filled in from the feature manifest when training starts. */
export interface SpeechClipDataConfig {
  vocabSize: number;
  nMels: number;
  /** 0 = no speaker embedding on the mel side. */
  speakers: number;
  /** 0 = no emotion embedding on the mel side. */
  emotions: number;
}

export type PresetName = 'tiny' | 'small';

const TINY: SpeechClipConfig = {
  kind: 'speech-clip',
  preset: 'tiny',
  model: {
    dim: 32, projectionDim: 32,
    text: { layers: 1, heads: 2, ffnDim: 64, kernels: [3, 1] },
    mel: { layers: 1, heads: 2, ffnDim: 64, kernels: [3, 1] },
    durationPredictor: { filterSize: 32, kernel: 3, dropout: 0.1 },
    dropout: 0, initialTemperature: 0.07, maxLogitScale: 100, learnTemperature: true,
  },
  loss: { objective: 'utterance', utteranceWeight: 1, phonemeWeight: 1, durationWeight: 0.1, maxPhonemesPerBatch: 512 },
  training: {
    batchSize: 16, maxBatchFrames: 4000, peakLr: 2e-3, warmupSteps: 10, totalSteps: 200, minLr: 1e-4, weightDecay: 0.01,
    maxGradNorm: 1, seed: 1, logEvery: 10, validateEvery: 100, checkpointEvery: 50,
  },
};

const SMALL: SpeechClipConfig = {
  kind: 'speech-clip',
  preset: 'small',
  model: {
    dim: 96, projectionDim: 64,
    text: { layers: 2, heads: 2, ffnDim: 192, kernels: [9, 1] },
    mel: { layers: 2, heads: 2, ffnDim: 192, kernels: [3, 1] },
    durationPredictor: { filterSize: 96, kernel: 3, dropout: 0.5 },
    dropout: 0.1, initialTemperature: 0.07, maxLogitScale: 100, learnTemperature: true,
  },
  // 'both': measured best with aligner durations (docs/speech-clip.md); without them it ties 'utterance'.
  loss: { objective: 'both', utteranceWeight: 1, phonemeWeight: 1, durationWeight: 0.1, maxPhonemesPerBatch: 768 },
  training: {
    batchSize: 24, maxBatchFrames: 4000, peakLr: 1e-3, warmupSteps: 100, totalSteps: 1500, minLr: 5e-5, weightDecay: 0.01,
    maxGradNorm: 1, seed: 1, logEvery: 25, validateEvery: 250, checkpointEvery: 100,
  },
};

export const PRESETS: Readonly<Record<PresetName, SpeechClipConfig>> = { tiny: TINY, small: SMALL };

export function isPresetName(name: string): name is PresetName {
  return name === 'tiny' || name === 'small';
}

/** A deep copy of a preset (callers may edit it). */
export function presetConfig(name: PresetName): SpeechClipConfig {
  return structuredClone(PRESETS[name]);
}

export class SpeechClipConfigError extends Error {
  override name = 'SpeechClipConfigError';
}

/**
 * Builds a config from JSON: `{"preset": "tiny"|"small", ...overrides}` (preset defaults to 'small').
 * A full config saved by a run (checkpoint.json) parses back to itself.
 */
export function parseSpeechClipConfig(json: unknown): SpeechClipConfig {
  const cfg = presetWithOverrides(json, { kind: 'speech-clip', presets: PRESETS, defaultPreset: 'small', makeError: (m) => new SpeechClipConfigError(m) });
  validateSpeechClipConfig(cfg);
  return cfg;
}

function checkInt(v: number, what: string, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new SpeechClipConfigError(`${what} must be an integer ≥ ${min}, got ${v}`);
}

function checkEncoder(e: EncoderConfig, dim: number, what: string): void {
  checkInt(e.layers, `${what}.layers`, 0);
  checkInt(e.heads, `${what}.heads`);
  checkInt(e.ffnDim, `${what}.ffnDim`);
  if (dim % e.heads !== 0) throw new SpeechClipConfigError(`${what}.heads (${e.heads}) must divide model.dim (${dim})`);
  if (e.kernels.length !== 2 || e.kernels.some((k) => !Number.isInteger(k) || k < 1 || k % 2 === 0)) throw new SpeechClipConfigError(`${what}.kernels must be two odd positive integers, got ${JSON.stringify(e.kernels)}`);
}

/** Throws SpeechClipConfigError naming the first bad field. */
export function validateSpeechClipConfig(c: SpeechClipConfig): void {
  const m = c.model, l = c.loss, t = c.training;
  checkInt(m.dim, 'model.dim');
  checkInt(m.projectionDim, 'model.projectionDim');
  checkEncoder(m.text, m.dim, 'model.text');
  checkEncoder(m.mel, m.dim, 'model.mel');
  checkInt(m.durationPredictor.filterSize, 'model.durationPredictor.filterSize');
  const k = m.durationPredictor.kernel;
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0) throw new SpeechClipConfigError(`model.durationPredictor.kernel must be odd, got ${k}`);
  for (const [v, what] of [[m.dropout, 'model.dropout'], [m.durationPredictor.dropout, 'model.durationPredictor.dropout']] as const) {
    if (!(v >= 0 && v < 1)) throw new SpeechClipConfigError(`${what} must be in [0, 1), got ${v}`);
  }
  if (!(m.initialTemperature > 0)) throw new SpeechClipConfigError(`model.initialTemperature must be > 0, got ${m.initialTemperature}`);
  if (!(m.maxLogitScale >= 1)) throw new SpeechClipConfigError(`model.maxLogitScale must be ≥ 1, got ${m.maxLogitScale}`);
  if (1 / m.initialTemperature > m.maxLogitScale) throw new SpeechClipConfigError(`1/model.initialTemperature (${1 / m.initialTemperature}) exceeds model.maxLogitScale (${m.maxLogitScale})`);
  if (!['utterance', 'phoneme', 'both'].includes(l.objective)) throw new SpeechClipConfigError(`loss.objective must be utterance | phoneme | both, got ${JSON.stringify(l.objective)}`);
  for (const [v, what] of [[l.utteranceWeight, 'loss.utteranceWeight'], [l.phonemeWeight, 'loss.phonemeWeight'], [l.durationWeight, 'loss.durationWeight']] as const) {
    if (!(v >= 0)) throw new SpeechClipConfigError(`${what} must be ≥ 0, got ${v}`);
  }
  checkInt(l.maxPhonemesPerBatch, 'loss.maxPhonemesPerBatch', 2);
  checkInt(t.batchSize, 'training.batchSize', 2);
  checkInt(t.maxBatchFrames, 'training.maxBatchFrames', 2);
  if (!(t.peakLr > 0)) throw new SpeechClipConfigError(`training.peakLr must be > 0, got ${t.peakLr}`);
  checkInt(t.warmupSteps, 'training.warmupSteps', 0);
  checkInt(t.totalSteps, 'training.totalSteps');
  if (!(t.minLr >= 0 && t.minLr <= t.peakLr)) throw new SpeechClipConfigError(`training.minLr must be in [0, peakLr], got ${t.minLr}`);
  if (!(t.weightDecay >= 0)) throw new SpeechClipConfigError(`training.weightDecay must be ≥ 0, got ${t.weightDecay}`);
  if (!(t.maxGradNorm > 0)) throw new SpeechClipConfigError(`training.maxGradNorm must be > 0, got ${t.maxGradNorm}`);
  checkInt(t.seed, 'training.seed', 0);
  for (const key of ['logEvery', 'validateEvery', 'checkpointEvery'] as const) checkInt(t[key], `training.${key}`);
}

/** The text encoder's standalone config (saved with its weights for the acoustic model). */
export function textEncoderConfigOf(c: SpeechClipConfig, vocabSize: number): TextEncoderConfig {
  return { vocabSize, dim: c.model.dim, encoder: { ...c.model.text, kernels: [...c.model.text.kernels] as [number, number] }, durationPredictor: { ...c.model.durationPredictor }, dropout: c.model.dropout };
}
