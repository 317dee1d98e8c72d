/**
 * Vocoder configuration: the Vocos-style model (ConvNeXt-1d backbone at frame rate + iSTFT head),
 * its losses and its training recipe, as plain JSON-able data. Presets: 'tiny' (tests) and
 * 'small' (the bundled vocoder). `resolveVocoderConfig` fills defaults and validates, listing
 * every problem at once.
 */
import { DEFAULT_MEL_CONFIG, resolveMelConfig, type MelConfig } from '../../audio/mel.js';

/** One STFT resolution of the multi-resolution STFT loss. */
export interface StftResolution {
  nFft: number;
  hop: number;
  /** Window length (≤ nFft). */
  win: number;
}

export type GanLossKind = 'lsgan' | 'hinge';

export interface GanConfig {
  /** Adversarial fine-tuning on (false = reconstruction phase only). */
  enabled: boolean;
  loss: GanLossKind;
  /** Multi-period discriminator periods (HiFi-GAN: 2, 3, 5, 7, 11). */
  periods: number[];
  /** Channels of the MPD conv stack (HiFi-GAN uses 32…1024; far too costly on a CPU). */
  mpdChannels: number[];
  /** Multi-resolution discriminator STFT resolutions. */
  mrdResolutions: StftResolution[];
  /** Channels of each MRD conv stack. */
  mrdChannels: number[];
  /** Loss weights: adversarial (generator side), feature matching. */
  adversarialWeight: number;
  featureMatchingWeight: number;
}

export interface VocoderTrainingConfig {
  /** Mel frames per training segment (audio = frames × hop samples). */
  segmentFrames: number;
  batchSize: number;
  lr: number;
  /** Linear warm-up steps, then cosine decay to `minLrRatio`·lr at `decaySteps`. */
  warmupSteps: number;
  decaySteps: number;
  minLrRatio: number;
  weightDecay: number;
  maxGradNorm: number;
  /** Multi-resolution STFT loss resolutions (spectral convergence + log magnitude, averaged). */
  stftResolutions: StftResolution[];
  stftWeight: number;
  /** L1 between log-mels of the prediction and of the target audio. */
  melWeight: number;
  gan: GanConfig;
  seed: number;
}

export interface VocoderConfig {
  preset: string;
  /** Features the vocoder consumes (must equal the acoustic model's / the feature cache's). */
  mel: MelConfig;
  /** Backbone width (ConvNeXt channels). */
  dim: number;
  /** ConvNeXt inverted-bottleneck width. */
  intermediateDim: number;
  layers: number;
  /** Depthwise kernel of each ConvNeXt block and kernel of the input embedding conv. */
  kernel: number;
  /** iSTFT head: FFT size and hop (hop must equal the mel hop: one STFT frame per mel frame). */
  nFft: number;
  hop: number;
  /** Upper bound of the predicted magnitude (Vocos clips exp(logMag) at 1e2). */
  maxMagnitude: number;
  training: VocoderTrainingConfig;
}

export type VocoderPreset = 'tiny' | 'small';

const STANDARD_RESOLUTIONS: StftResolution[] = [
  { nFft: 512, hop: 128, win: 512 },
  { nFft: 1024, hop: 256, win: 1024 },
  { nFft: 2048, hop: 512, win: 2048 },
];

/**
 * Loss resolutions of the 'small' recipe: the 2048-point resolution of Parallel WaveGAN would cost
 * as much as the other two together in this matmul STFT; the 1024/256 one doubles as the mel loss's STFT.
 */
const LOSS_RESOLUTIONS: StftResolution[] = [
  { nFft: 256, hop: 64, win: 256 },
  { nFft: 512, hop: 128, win: 512 },
  { nFft: 1024, hop: 256, win: 1024 },
];

function ganDefaults(small: boolean): GanConfig {
  return {
    enabled: false,
    loss: 'hinge',
    periods: [2, 3, 5, 7, 11],
    mpdChannels: small ? [16, 32, 64, 64] : [4, 8],
    mrdResolutions: small ? STANDARD_RESOLUTIONS.map((r) => ({ ...r })) : [{ nFft: 256, hop: 64, win: 256 }],
    mrdChannels: small ? [32, 32, 32] : [8],
    adversarialWeight: 1,
    featureMatchingWeight: 2,
  };
}

/** The presets, as data. */
export const VOCODER_PRESETS: Readonly<Record<VocoderPreset, VocoderConfig>> = {
  tiny: {
    preset: 'tiny',
    mel: { ...DEFAULT_MEL_CONFIG },
    dim: 32, intermediateDim: 64, layers: 2, kernel: 7,
    nFft: 1024, hop: 256, maxMagnitude: 100,
    training: {
      segmentFrames: 16, batchSize: 2, lr: 2e-3, warmupSteps: 0, decaySteps: 1000, minLrRatio: 0.1,
      weightDecay: 0, maxGradNorm: 10,
      stftResolutions: [{ nFft: 256, hop: 64, win: 256 }, { nFft: 512, hop: 128, win: 512 }, { nFft: 1024, hop: 256, win: 1024 }],
      stftWeight: 1, melWeight: 1,
      gan: ganDefaults(false), seed: 1,
    },
  },
  small: {
    preset: 'small',
    mel: { ...DEFAULT_MEL_CONFIG },
    dim: 128, intermediateDim: 384, layers: 6, kernel: 7,
    nFft: 1024, hop: 256, maxMagnitude: 100,
    training: {
      segmentFrames: 32, batchSize: 16, lr: 1e-3, warmupSteps: 500, decaySteps: 200_000, minLrRatio: 0.05,
      weightDecay: 0.01, maxGradNorm: 10,
      stftResolutions: LOSS_RESOLUTIONS.map((r) => ({ ...r })),
      stftWeight: 1, melWeight: 1,
      gan: ganDefaults(true), seed: 1,
    },
  },
};

export function isVocoderPreset(name: string): name is VocoderPreset {
  return name === 'tiny' || name === 'small';
}

/** A deep copy of a preset. */
export function vocoderPreset(name: VocoderPreset): VocoderConfig {
  return JSON.parse(JSON.stringify(VOCODER_PRESETS[name])) as VocoderConfig;
}

/** An invalid vocoder config; the message lists every problem. */
export class VocoderConfigError extends Error {
  override name = 'VocoderConfigError';
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type VocoderConfigInput = DeepPartial<VocoderConfig>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Recursively overlays `over` on `base` (arrays replace, objects merge). */
function merge<T>(base: T, over: unknown): T {
  if (!isRecord(over) || !isRecord(base)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) if (v !== undefined) out[k] = merge((base as Record<string, unknown>)[k], v);
  return out as T;
}

/**
 * Preset (from `input.preset`, default 'small') overlaid with `input`, validated.
 * @example resolveVocoderConfig({ preset: 'tiny', training: { batchSize: 4 } })
 */
export function resolveVocoderConfig(input: VocoderConfigInput | unknown = {}): VocoderConfig {
  if (!isRecord(input)) throw new VocoderConfigError('vocoder config must be a JSON object');
  const presetName = typeof input.preset === 'string' ? input.preset : 'small';
  const base = isVocoderPreset(presetName) ? vocoderPreset(presetName) : vocoderPreset('small');
  const c = merge(base, input);
  const problems: string[] = [];
  const posInt = (v: unknown, name: string): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) problems.push(`${name} must be a positive integer (got ${JSON.stringify(v)})`);
  };
  const nonNeg = (v: unknown, name: string): void => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) problems.push(`${name} must be a number ≥ 0 (got ${JSON.stringify(v)})`);
  };
  const resolutions = (rs: unknown, name: string): void => {
    if (!Array.isArray(rs) || rs.length === 0) { problems.push(`${name} must be a non-empty list`); return; }
    rs.forEach((r: unknown, i) => {
      if (!isRecord(r)) { problems.push(`${name}[${i}] must be {nFft, hop, win}`); return; }
      posInt(r.nFft, `${name}[${i}].nFft`); posInt(r.hop, `${name}[${i}].hop`); posInt(r.win, `${name}[${i}].win`);
      if (typeof r.win === 'number' && typeof r.nFft === 'number' && r.win > r.nFft) problems.push(`${name}[${i}].win must be ≤ nFft`);
    });
  };
  try {
    c.mel = resolveMelConfig(c.mel);
  } catch (e) {
    problems.push(`mel: ${(e as Error).message}`);
  }
  posInt(c.dim, 'dim'); posInt(c.intermediateDim, 'intermediateDim'); posInt(c.layers, 'layers'); posInt(c.nFft, 'nFft'); posInt(c.hop, 'hop');
  if (typeof c.kernel !== 'number' || !Number.isInteger(c.kernel) || c.kernel < 1 || c.kernel % 2 === 0) problems.push(`kernel must be an odd positive integer (got ${JSON.stringify(c.kernel)})`);
  if (c.hop !== c.mel.hopLength) problems.push(`hop (${c.hop}) must equal the mel hop (${c.mel.hopLength}): the head makes one STFT frame per mel frame`);
  if (typeof c.nFft === 'number' && c.nFft % 2) problems.push(`nFft must be even (got ${c.nFft})`);
  if (typeof c.hop === 'number' && typeof c.nFft === 'number' && c.hop * 2 > c.nFft) problems.push(`hop (${c.hop}) must be ≤ nFft / 2 for overlap-add`);
  if (!(c.maxMagnitude > 0)) problems.push(`maxMagnitude must be > 0 (got ${JSON.stringify(c.maxMagnitude)})`);
  const t = c.training;
  if (!isRecord(t)) problems.push('training must be an object');
  else {
    posInt(t.segmentFrames, 'training.segmentFrames'); posInt(t.batchSize, 'training.batchSize');
    nonNeg(t.lr, 'training.lr'); nonNeg(t.warmupSteps, 'training.warmupSteps'); posInt(t.decaySteps, 'training.decaySteps');
    nonNeg(t.minLrRatio, 'training.minLrRatio'); nonNeg(t.weightDecay, 'training.weightDecay'); nonNeg(t.maxGradNorm, 'training.maxGradNorm');
    nonNeg(t.stftWeight, 'training.stftWeight'); nonNeg(t.melWeight, 'training.melWeight');
    resolutions(t.stftResolutions, 'training.stftResolutions');
    const g = t.gan;
    if (!isRecord(g)) problems.push('training.gan must be an object');
    else {
      if (typeof g.enabled !== 'boolean') problems.push('training.gan.enabled must be true or false');
      if (g.loss !== 'lsgan' && g.loss !== 'hinge') problems.push(`training.gan.loss must be "lsgan" or "hinge" (got ${JSON.stringify(g.loss)})`);
      for (const [k, list] of [['periods', g.periods], ['mpdChannels', g.mpdChannels], ['mrdChannels', g.mrdChannels]] as const) {
        if (!Array.isArray(list) || list.length === 0) problems.push(`training.gan.${k} must be a non-empty list`);
        else list.forEach((v, i) => posInt(v, `training.gan.${k}[${i}]`));
      }
      resolutions(g.mrdResolutions, 'training.gan.mrdResolutions');
      nonNeg(g.adversarialWeight, 'training.gan.adversarialWeight'); nonNeg(g.featureMatchingWeight, 'training.gan.featureMatchingWeight');
    }
  }
  if (problems.length) throw new VocoderConfigError(`invalid vocoder config: ${problems.join('; ')}`);
  return c;
}

/** The magnitude/phase bins of the head: nFft / 2 + 1. */
export function headBins(c: Pick<VocoderConfig, 'nFft'>): number {
  return c.nFft / 2 + 1;
}
