/**
 * Aligner configuration: model shape, attention temperature, prior, loss schedule and optimizer.
 * Presets are plain data; `resolveAlignerConfig` validates anything read from JSON.
 */

export interface AlignerModelConfig {
  /** Symbol table size (the manifest's symbol count). */
  vocabSize: number;
  /** Text embedding width. */
  textEmbedDim: number;
  /** Hidden channels of the text (key) conv stack. */
  keyHidden: number;
  /**
   * Kernel sizes of the key stack, one per conv layer (ReLU between layers, none after the last).
   * The presets use 1s (a per-token MLP): with text context (kernel 3) the keys learn to absorb the
   * transition into the next phone and every boundary lands ~2 frames late (measured, docs/aligner.md).
   */
  keyKernels: number[];
  /** Hidden channels of the mel (query) conv stack. */
  queryHidden: number;
  /** Kernel sizes of the query stack. */
  queryKernels: number[];
  /** Width of the space keys and queries meet in (RAD-TTS: 80). */
  attnDim: number;
  nMels: number;
  /** Log-mels are fed as (x − melMean) / melStd (fixed, not learned: the corpus-wide scale of log-mel). */
  melMean: number;
  melStd: number;
  /** Logits = −temperature·‖q − k‖² (RAD-TTS / FastPitch 1.1: 0.0005). */
  temperature: number;
  /** Beta-binomial prior scaling factor ω (RAD-TTS: 1.0); 0 disables the prior. */
  priorScaling: number;
}

export interface AlignerTrainConfig {
  batchSize: number;
  /** Frame budget per batch (batch size × longest mel, padding included). */
  maxFrames: number;
  lr: number;
  warmupSteps: number;
  weightDecay: number;
  maxGradNorm: number;
  /** Log-probability of the CTC blank before the softmax over text + blank (RAD-TTS: −1). */
  blankLogProb: number;
  /** Step the binarization loss starts at (RAD-TTS turns it on after the soft alignment has converged). */
  binarizationStart: number;
  /** Steps over which its weight ramps linearly from 0 to `binarizationWeight`. */
  binarizationWarmup: number;
  binarizationWeight: number;
  maxSteps: number;
  seed: number;
  logEvery: number;
  validateEvery: number;
  checkpointEvery: number;
}

export interface AlignerConfig {
  kind: 'clip-tts-aligner';
  version: 1;
  model: AlignerModelConfig;
  train: AlignerTrainConfig;
}

/** Model settings independent of the dataset (vocabSize is filled in from the manifest). */
type ModelPreset = Omit<AlignerModelConfig, 'vocabSize'>;

export const ALIGNER_PRESETS: Readonly<Record<'tiny' | 'default', { model: ModelPreset; train: AlignerTrainConfig }>> = {
  tiny: {
    model: {
      textEmbedDim: 32, keyHidden: 32, keyKernels: [1, 1], queryHidden: 32, queryKernels: [3, 1], attnDim: 16,
      nMels: 80, melMean: -6, melStd: 2.5, temperature: 0.0005, priorScaling: 1,
    },
    train: {
      batchSize: 4, maxFrames: 4000, lr: 3e-3, warmupSteps: 5, weightDecay: 1e-6, maxGradNorm: 10, blankLogProb: -1,
      binarizationStart: 20, binarizationWarmup: 10, binarizationWeight: 1, maxSteps: 40, seed: 1,
      logEvery: 5, validateEvery: 20, checkpointEvery: 20,
    },
  },
  default: {
    model: {
      textEmbedDim: 256, keyHidden: 256, keyKernels: [1, 1, 1], queryHidden: 160, queryKernels: [3, 3, 1], attnDim: 80,
      nMels: 80, melMean: -6, melStd: 2.5, temperature: 0.0005, priorScaling: 1,
    },
    train: {
      batchSize: 16, maxFrames: 6000, lr: 1e-3, warmupSteps: 100, weightDecay: 1e-6, maxGradNorm: 10, blankLogProb: -1,
      binarizationStart: 1500, binarizationWarmup: 500, binarizationWeight: 1, maxSteps: 3000, seed: 1,
      logEvery: 25, validateEvery: 500, checkpointEvery: 100,
    },
  },
};

export class AlignerConfigError extends Error {
  override name = 'AlignerConfigError';
}

function checkInt(v: unknown, name: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new AlignerConfigError(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function checkNum(v: unknown, name: string, ok: (x: number) => boolean, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new AlignerConfigError(`${name} must be ${what}, got ${JSON.stringify(v)}`);
  return v;
}

function checkKernels(v: unknown, name: string): number[] {
  if (!Array.isArray(v) || v.length === 0) throw new AlignerConfigError(`${name} must be a non-empty array of odd kernel sizes`);
  return v.map((k, i) => {
    const n = checkInt(k, `${name}[${i}]`, 1);
    // Odd kernels with padding (k−1)/2 keep every layer's length equal to its input's.
    if (n % 2 === 0) throw new AlignerConfigError(`${name}[${i}] must be odd (same-length convolution), got ${n}`);
    return n;
  });
}

/** Checks a whole config (e.g. parsed from a --config FILE); throws AlignerConfigError naming the field. */
export function validateAlignerConfig(c: AlignerConfig): AlignerConfig {
  if (c.kind !== 'clip-tts-aligner') throw new AlignerConfigError(`kind must be "clip-tts-aligner", got ${JSON.stringify(c.kind)}`);
  const m = c.model, t = c.train;
  if (!m || !t) throw new AlignerConfigError('config needs "model" and "train" sections');
  checkInt(m.vocabSize, 'model.vocabSize', 2);
  for (const k of ['textEmbedDim', 'keyHidden', 'queryHidden', 'attnDim', 'nMels'] as const) checkInt(m[k], `model.${k}`, 1);
  checkKernels(m.keyKernels, 'model.keyKernels');
  checkKernels(m.queryKernels, 'model.queryKernels');
  checkNum(m.melMean, 'model.melMean', () => true, 'a number');
  checkNum(m.melStd, 'model.melStd', (x) => x > 0, 'positive');
  checkNum(m.temperature, 'model.temperature', (x) => x > 0, 'positive');
  checkNum(m.priorScaling, 'model.priorScaling', (x) => x >= 0, '≥ 0');
  for (const k of ['batchSize', 'maxFrames', 'maxSteps', 'logEvery', 'validateEvery', 'checkpointEvery'] as const) checkInt(t[k], `train.${k}`, 1);
  for (const k of ['warmupSteps', 'binarizationStart', 'binarizationWarmup', 'seed'] as const) checkInt(t[k], `train.${k}`, 0);
  checkNum(t.lr, 'train.lr', (x) => x > 0, 'positive');
  checkNum(t.weightDecay, 'train.weightDecay', (x) => x >= 0, '≥ 0');
  checkNum(t.maxGradNorm, 'train.maxGradNorm', (x) => x > 0, 'positive');
  checkNum(t.blankLogProb, 'train.blankLogProb', () => true, 'a number');
  checkNum(t.binarizationWeight, 'train.binarizationWeight', (x) => x >= 0, '≥ 0');
  return c;
}

/**
 * A full config from a preset name or a partial JSON object over a preset (its `preset` field, default
 * "default"), with the vocabulary size of the dataset.
 */
export function resolveAlignerConfig(source: 'tiny' | 'default' | Record<string, unknown>, vocabSize: number): AlignerConfig {
  const presetName = typeof source === 'string' ? source : (source.preset ?? 'default');
  if (presetName !== 'tiny' && presetName !== 'default') throw new AlignerConfigError(`unknown preset ${JSON.stringify(presetName)} (tiny or default)`);
  const preset = ALIGNER_PRESETS[presetName];
  const over = typeof source === 'string' ? {} : source;
  const model = { ...preset.model, vocabSize, ...(over.model as Partial<AlignerModelConfig> | undefined ?? {}) };
  const train = { ...preset.train, ...(over.train as Partial<AlignerTrainConfig> | undefined ?? {}) };
  return validateAlignerConfig({ kind: 'clip-tts-aligner', version: 1, model, train });
}
