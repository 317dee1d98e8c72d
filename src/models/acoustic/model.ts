/**
 * The Clip-TTS acoustic model (Liu 2025): the Speech-Clip text encoder extended into a FastSpeech 2
 * style non-autoregressive TTS.
 *
 *   phonemes [B,T] ─ TextEncoder (Speech-Clip: embedding + PE → FFT blocks) ─ states [B,T,d]
 *     (+ speaker embedding) (+ emotion embedding)                              ← conditioning
 *     ├─ duration predictor (the Speech-Clip one, on the conditioned states) → log(1+frames)
 *     ├─ pitch predictor → z-scored ln F0 per phoneme ─ bucketize → pitch embedding  ─┐ added
 *     └─ energy predictor (sees the pitch embedding) → z-scored energy ─ bucketize → energy embedding ─┘
 *   length regulator (target durations in training, predicted at inference) → [B,F,d]
 *   (Linear d → decoderDim) + PE → decoder FFT blocks → Linear → log-mel (normalised) ─ + postnet(·)
 *
 * Pitch and energy are phoneme-level (ming024's FastSpeech 2 default); training feeds the *target*
 * pitch/energy buckets to the embeddings (teacher forcing), inference the predicted ones. The mel is
 * predicted in the normalised domain (x − MEL_MEAN)/MEL_STD and returned as the front-end's log-mel.
 */
import {
  Conv1d, Dropout, Embedding, FFTBlock, LayerNorm, Linear, Module, type Tensor,
  add, affine, l1Loss, mseLoss, mul, noGrad, reshape, repeatByLengths, tanh, tensor, tidy, tidyLayers, unsqueeze, where, full,
} from '../../engine/index.js';
import type { BatchTensors } from '../../data/to-tensors.js';
import { VariancePredictor } from '../common/variance-predictor.js';
import { MEL_MEAN, MEL_STD, TextEncoder } from '../speech-clip/model.js';
import { durationLoss } from '../speech-clip/losses.js';
import { sinusoidalEncoding } from '../speech-clip/positional.js';
import type { TextEncoderConfig } from '../speech-clip/config.js';
import type { AcousticConfig, AcousticDataConfig, PostnetConfig } from './config.js';
import { PROSODY_RANGE, bucketize, type PhonemeProsody } from './prosody.js';
import type { AcousticControls } from './types.js';

/** Tacotron 2 / FastSpeech 2 postnet: conv stack predicting a residual on the decoder's mel. */
export class Postnet extends Module {
  readonly convs: Conv1d[];
  readonly norms: LayerNorm[];
  readonly dropout: Dropout;

  constructor(nMels: number, readonly config: PostnetConfig) {
    super();
    const { layers, channels, kernel } = config;
    const padding = (kernel - 1) / 2;
    const widths = Array.from({ length: layers + 1 }, (_, i) => (i === 0 || i === layers ? nMels : channels));
    this.convs = this.moduleList('convs', Array.from({ length: layers }, (_, i) => new Conv1d(widths[i]!, widths[i + 1]!, kernel, { padding })));
    // LayerNorm over channels instead of Tacotron's BatchNorm: no batch statistics to keep, and the
    // same result for a sentence alone at inference as inside a padded batch.
    this.norms = this.moduleList('norms', Array.from({ length: layers - 1 }, () => new LayerNorm(channels)));
    this.dropout = this.module('dropout', new Dropout(config.dropout));
  }

  /** x [B, F, nMels] → residual [B, F, nMels]. */
  forward(x: Tensor): Tensor {
    return tidyLayers(x, this.convs.map((conv, i) => (h: Tensor) => {
      let y = conv.forwardChannelsLast(h);
      if (i < this.norms.length) y = tanh(this.norms[i]!.forward(y));
      return this.dropout.forward(y);
    }));
  }
}

export interface AcousticLoss {
  loss: Tensor;
  parts: Record<string, Tensor>;
  /** Postnet log-mel [B, F, nMels] (teacher-forced), for plots. */
  mel: Tensor;
  /** The text encoder's states [B, T, d] before conditioning (for the auxiliary Speech-Clip loss). */
  textStates: Tensor;
  /** Predicted log(1 + frames) [B, T] (for the duration calibration). */
  logDurations: Tensor;
}

/** Predicted per-phoneme values of one utterance (host arrays, length T). */
export interface VariancePrediction {
  logDurations: Float32Array;
  pitch: Float32Array;
  energy: Float32Array;
}

export class AcousticModel extends Module {
  readonly textEncoder: TextEncoder;
  readonly speakerEmbedding: Embedding | null;
  readonly emotionEmbedding: Embedding | null;
  readonly pitchPredictor: VariancePredictor;
  readonly energyPredictor: VariancePredictor;
  readonly pitchEmbedding: Embedding;
  readonly energyEmbedding: Embedding;
  readonly decoderInput: Linear | null;
  readonly decoder: FFTBlock[];
  readonly melProjection: Linear;
  readonly postnet: Postnet | null;
  readonly textDim: number;

  constructor(readonly config: AcousticConfig, readonly data: AcousticDataConfig) {
    super();
    const m = config.model;
    const d = m.textEncoder.dim;
    this.textDim = d;
    this.textEncoder = this.module('textEncoder', new TextEncoder(this.textEncoderConfig()));
    this.speakerEmbedding = data.speakers.length > 0 ? this.module('speakerEmbedding', new Embedding(data.speakers.length, d)) : null;
    this.emotionEmbedding = data.emotions.length > 0 ? this.module('emotionEmbedding', new Embedding(data.emotions.length, d)) : null;
    this.pitchPredictor = this.module('pitchPredictor', new VariancePredictor(d, m.variancePredictor));
    this.energyPredictor = this.module('energyPredictor', new VariancePredictor(d, m.variancePredictor));
    this.pitchEmbedding = this.module('pitchEmbedding', new Embedding(m.pitchBins, d));
    this.energyEmbedding = this.module('energyEmbedding', new Embedding(m.energyBins, d));
    this.decoderInput = m.decoderDim !== d ? this.module('decoderInput', new Linear(d, m.decoderDim)) : null;
    this.decoder = this.moduleList('decoder', Array.from({ length: m.decoder.layers }, () => new FFTBlock(m.decoderDim, m.decoder.heads, m.decoder.ffnDim, { kernels: m.decoder.kernels, dropout: m.dropout })));
    this.melProjection = this.module('melProjection', new Linear(m.decoderDim, data.nMels));
    this.postnet = m.postnet.layers > 0 ? this.module('postnet', new Postnet(data.nMels, m.postnet)) : null;
  }

  /** The text encoder's standalone config (what a Speech-Clip text-encoder checkpoint must match). */
  textEncoderConfig(): TextEncoderConfig {
    return { vocabSize: this.data.vocabSize, ...structuredClone(this.config.model.textEncoder) };
  }

  /** Encoder states [B, T, d] plus speaker/emotion conditioning. `freeze` stops gradients into the text encoder. */
  encode(phonemes: Tensor, mask: Tensor, speakers?: Tensor, emotions?: Tensor, freeze = false): Tensor {
    const h = this.textEncoder.encode(phonemes, mask);
    return this.condition(freeze ? h.detach() : h, mask, speakers, emotions);
  }

  /** Adds the speaker and emotion embeddings to phoneme states [B, T, d] (padding stays 0). */
  condition(states: Tensor, mask: Tensor, speakers?: Tensor, emotions?: Tensor): Tensor {
    const [B] = states.shape as [number, number, number];
    let h = states;
    if (this.speakerEmbedding && speakers) h = add(h, reshape(this.speakerEmbedding.forward(speakers), [B, 1, this.textDim]));
    if (this.emotionEmbedding && emotions) h = add(h, reshape(this.emotionEmbedding.forward(emotions), [B, 1, this.textDim]));
    return where(unsqueeze(mask, -1), h, 0);
  }

  private bucketTensor(values: Float32Array, bins: number, shape: [number, number]): Tensor {
    return tensor(bucketize(values, bins, PROSODY_RANGE[0], PROSODY_RANGE[1]), shape, 'int32');
  }

  /** Phoneme states → mel frames: length-regulate by `durations` [B, T], decode, project, postnet. */
  decode(states: Tensor, durations: Tensor, frames: number, frameMask: Tensor | null): { before: Tensor; after: Tensor } {
    let h = repeatByLengths(states, durations, frames);
    if (this.decoderInput) h = this.decoderInput.forward(h);
    h = add(h, sinusoidalEncoding(frames, this.config.model.decoderDim));
    // One block's temporaries at a time at inference (tidyLayers); all of them when training.
    h = tidyLayers(h, this.decoder.map((block) => (x: Tensor) => block.forward(x, frameMask)));
    const normBefore = this.melProjection.forward(h);
    const normAfter = this.postnet ? add(normBefore, this.postnet.forward(normBefore)) : normBefore;
    return { before: affine(normBefore, MEL_STD, MEL_MEAN), after: affine(normAfter, MEL_STD, MEL_MEAN) };
  }

  /**
   * The training loss of one batch, teacher-forced: target durations for the length regulator and
   * target pitch/energy buckets for the embeddings; every predictor is trained against its target.
   */
  loss(t: BatchTensors, durations: Int32Array, prosody: PhonemeProsody, opts: { freezeEncoder?: boolean } = {}): AcousticLoss {
    const w = this.config.loss;
    const [B, T] = t.phonemes.shape as [number, number];
    const out = this.teacherForced(t, durations, prosody, opts);
    const frameMask = unsqueeze(t.melMask, -1);
    const parts: Record<string, Tensor> = {
      mel: l1Loss(out.before, t.mels, { mask: frameMask }),
      postnet: l1Loss(out.after, t.mels, { mask: frameMask }),
      duration: durationLoss(out.logDurations, durations, t.phonemeMask),
      pitch: mseLoss(out.pitch, tensor(prosody.pitch, [B, T]), { mask: t.phonemeMask }),
      energy: mseLoss(out.energy, tensor(prosody.energy, [B, T]), { mask: t.phonemeMask }),
    };
    let loss = mul(parts.mel!, w.melWeight);
    if (this.postnet) loss = add(loss, mul(parts.postnet!, w.postnetWeight));
    loss = add(loss, mul(parts.duration!, w.durationWeight));
    loss = add(loss, mul(parts.pitch!, w.pitchWeight));
    loss = add(loss, mul(parts.energy!, w.energyWeight));
    return { loss, parts, mel: out.after, textStates: out.textStates, logDurations: out.logDurations };
  }

  /**
   * The teacher-forced forward pass: target durations drive the length regulator and target
   * pitch/energy buckets the embeddings, so the mel is frame-aligned with the recording (what
   * training compares, and what a vocoder is fine-tuned on). Also returns every prediction.
   */
  teacherForced(t: BatchTensors, durations: Int32Array, prosody: PhonemeProsody, opts: { freezeEncoder?: boolean } = {}): {
    before: Tensor; after: Tensor; logDurations: Tensor; pitch: Tensor; energy: Tensor; textStates: Tensor;
  } {
    const [B, T] = t.phonemes.shape as [number, number];
    const encoded = this.textEncoder.encode(t.phonemes, t.phonemeMask);
    const textStates = opts.freezeEncoder ? encoded.detach() : encoded;
    const states = this.condition(textStates, t.phonemeMask, t.speakers, t.emotions);
    const logDurations = this.textEncoder.durationPredictor.forward(states, t.phonemeMask);
    const v = this.varianceAdaptor(states, t.phonemeMask, () => prosody.pitch, () => prosody.energy);
    const mel = this.decode(v.conditioned, tensor(durations, [B, T], 'int32'), t.mels.shape[1]!, t.melMask);
    return { ...mel, logDurations, pitch: v.pitch, energy: v.energy, textStates };
  }

  /**
   * Pitch predictor → pitch embedding → energy predictor (which sees it) → energy embedding, added
   * to the states. The embedded values come from `pitchOf`/`energyOf` given each prediction: the
   * targets in training, the (controlled) predictions at inference.
   */
  private varianceAdaptor(states: Tensor, mask: Tensor, pitchOf: (predicted: Tensor) => Float32Array, energyOf: (predicted: Tensor) => Float32Array): { conditioned: Tensor; pitch: Tensor; energy: Tensor } {
    const m = this.config.model;
    const shape = states.shape.slice(0, 2) as [number, number];
    const pitch = this.pitchPredictor.forward(states, mask);
    const withPitch = add(states, this.pitchEmbedding.forward(this.bucketTensor(pitchOf(pitch), m.pitchBins, shape)));
    const energy = this.energyPredictor.forward(withPitch, mask);
    const conditioned = add(withPitch, this.energyEmbedding.forward(this.bucketTensor(energyOf(energy), m.energyBins, shape)));
    return { conditioned, pitch, energy };
  }

  /**
   * Inference on one utterance: phoneme ids → log-mel [frames, nMels] (frame-major) and the frames
   * given to each phoneme. Runs without gradients and frees its temporaries.
   */
  infer(phonemeIds: Int32Array, controls: AcousticControls = {}): { mel: Float32Array; frames: number; durations: Int32Array } {
    const T = phonemeIds.length;
    if (T === 0) throw new RangeError('acoustic model: no phonemes to synthesize');
    const c = resolveControls(controls, T, this.data);
    return tidy(() => noGrad(() => {
      const ids = tensor(phonemeIds, [1, T], 'int32');
      const mask = full([1, T], 1);
      const speakers = this.speakerEmbedding ? tensor(Int32Array.of(c.speaker), [1], 'int32') : undefined;
      const emotions = this.emotionEmbedding ? tensor(Int32Array.of(c.emotion), [1], 'int32') : undefined;
      const states = this.encode(ids, mask, speakers, emotions);
      const logDurations = this.textEncoder.durationPredictor.forward(states, mask).toFloat32Array();
      const { conditioned } = this.varianceAdaptor(states, mask,
        (pitch) => adjustPitch(pitch.toFloat32Array(), c.pitchShift, c.pitchScale, this.data.logPitch.std),
        (energy) => adjustEnergy(energy.toFloat32Array(), c.energyScale, this.data.energy));
      const durations = durationsFrom(logDurations, c, this.data.durationCalibration ?? 1);
      const frames = durations.reduce((a, b) => a + b, 0);
      const mel = this.decode(conditioned, tensor(durations, [1, T], 'int32'), frames, null).after;
      return { mel: mel.toFloat32Array(), frames, durations };
    }));
  }
}

interface ResolvedControls {
  speed: number; pitchShift: number; pitchScale: number; energyScale: number; speaker: number; emotion: number;
  durations: ArrayLike<number> | null; durationScale: ArrayLike<number> | null;
}

function checkFinite(v: number, what: string, positive: boolean): void {
  if (!Number.isFinite(v) || (positive && v <= 0)) throw new RangeError(`${what} must be a ${positive ? 'positive' : 'finite'} number, got ${v}`);
}

/** Validates the controls against the model (clear errors name the control). */
function resolveControls(c: AcousticControls, T: number, data: AcousticDataConfig): ResolvedControls {
  const speed = c.speed ?? 1, pitchShift = c.pitchShift ?? 0, pitchScale = c.pitchScale ?? 1, energyScale = c.energyScale ?? 1;
  checkFinite(speed, 'speed', true);
  checkFinite(pitchShift, 'pitchShift', false);
  checkFinite(pitchScale, 'pitchScale', false);
  if (pitchScale < 0) throw new RangeError(`pitchScale must be ≥ 0, got ${pitchScale}`);
  checkFinite(energyScale, 'energyScale', true);
  const speaker = c.speaker ?? 0, emotion = c.emotion ?? 0;
  const checkId = (id: number, names: readonly string[], what: string): void => {
    const limit = Math.max(1, names.length);
    if (!Number.isInteger(id) || id < 0 || id >= limit) throw new RangeError(`${what} id ${id} is out of range: ${names.length ? `0–${names.length - 1} (${names.join(', ')})` : 'the model has none (use 0)'}`);
  };
  checkId(speaker, data.speakers, 'speaker');
  checkId(emotion, data.emotions, 'emotion');
  for (const [arr, what] of [[c.durations, 'durations'], [c.durationScale, 'durationScale']] as const) {
    if (arr && arr.length !== T) throw new RangeError(`${what} has ${arr.length} entries for ${T} phonemes`);
  }
  return { speed, pitchShift, pitchScale, energyScale, speaker, emotion, durations: c.durations ?? null, durationScale: c.durationScale ?? null };
}

/** Frames per phoneme: round((e^x − 1) · calibration · scale / speed), overrides applied, at least one frame in total. */
export function durationsFrom(logDurations: Float32Array, c: Pick<ResolvedControls, 'speed' | 'durations' | 'durationScale'>, calibration = 1): Int32Array {
  const T = logDurations.length;
  const out = new Int32Array(T);
  for (let t = 0; t < T; t++) {
    const override = c.durations ? Number(c.durations[t]) : NaN;
    if (Number.isFinite(override) && override >= 0) { out[t] = Math.round(override); continue; }
    const scale = c.durationScale ? Number(c.durationScale[t]) : 1;
    out[t] = Math.max(0, Math.round((Math.expm1(logDurations[t]!) * calibration * (Number.isFinite(scale) && scale > 0 ? scale : 1)) / c.speed));
  }
  if (out.every((d) => d === 0)) out[0] = 1;
  return out;
}

/** z-scored ln F0: contour scaled around its mean, then shifted by semitones (ln 2 / 12 each). */
function adjustPitch(pitch: Float32Array, shiftSemitones: number, scale: number, logPitchStd: number): Float32Array {
  if (shiftSemitones === 0 && scale === 1) return pitch;
  const mean = pitch.reduce((a, b) => a + b, 0) / pitch.length;
  const shift = (shiftSemitones * Math.LN2) / 12 / logPitchStd;
  return pitch.map((p) => mean + (p - mean) * scale + shift);
}

/** z-scored energy with the raw energy multiplied by `scale`. */
function adjustEnergy(energy: Float32Array, scale: number, stats: { mean: number; std: number }): Float32Array {
  if (scale === 1) return energy;
  return energy.map((e) => ((e * stats.std + stats.mean) * scale - stats.mean) / stats.std);
}
