/**
 * Speech-Clip (Clip-TTS, Liu 2025, arXiv 2502.18889): a text encoder and a mel encoder trained so
 * that matched text/mel pairs have a high cosine similarity and unmatched pairs a low one.
 *
 *   text side   phonemes [B, T] → Embedding(d) + sinusoidal positions → N × FFTBlock → states [B, T, d]
 *                                                                     ↘ VariancePredictor → log(1+frames) [B, T]
 *               (lengthRegulate: states repeated by durations → [B, F, d], the acoustic model's input)
 *   mel side    log-mel [B, F, 80] → normalise → Linear(80 → d) (+ speaker/emotion embeddings)
 *               + sinusoidal positions → N × FFTBlock → frames [B, F, d]
 *   utterance   masked mean over phonemes / frames → Linear(d → p, no bias) → L2-normalise → InfoNCE
 *   phoneme     text state of phoneme t  vs  mel frames averaged over t's duration → heads → InfoNCE
 *   duration    predicted log(1+d) vs the durations used for pooling → MSE (FastSpeech 2)
 *
 * The text encoder (embedding, blocks, duration predictor) is a self-contained sub-module
 * (`model.textEncoder`) that `saveTextEncoder` writes alone, with its config, for the acoustic model.
 */
import {
  Embedding, FFTBlock, Linear, Module, type Tensor, add, cast, div, full, indexSelect, mul,
  noGrad, tidy, repeatByLengths, reshape, scatterAdd, sum, tensor, unsqueeze, where, affine, initTensor,
} from '../../engine/index.js';
import { saveCheckpoint } from '../../engine/node.js';
import type { Batch } from '../../data/loader.js';
import type { BatchTensors } from '../../data/to-tensors.js';
import {
  type SpeechClipConfig, type SpeechClipDataConfig, type TextEncoderConfig, type EncoderConfig, textEncoderConfigOf,
} from './config.js';
import { VariancePredictor } from '../common/variance-predictor.js';
import { durationLoss, infoNCE, l2Normalize, logitScaleOf } from './losses.js';
import { sinusoidalEncoding } from './positional.js';

/**
 * Fixed log-mel normalisation before the up-projection. HiFi-GAN log-mels (ln of magnitude, floor
 * 1e-5) lie in about [−11.5, 2] with mean ≈ −6 and spread ≈ 2.5 on speech; centring them keeps the
 * projection's input near unit scale at initialisation. Fixed (not learned from data) so that a
 * checkpoint means the same thing on any corpus.
 */
export const MEL_MEAN = -6;
export const MEL_STD = 2.5;

/** Where the per-phoneme durations of a batch came from. */
export type DurationSource = 'aligner' | 'uniform';

function floatMask(mask: Tensor): Tensor {
  return mask.dtype === 'float32' ? mask : cast(mask, 'float32');
}

/** Masked mean over axis 1: x [B, L, D], mask [B, L] → [B, D]. */
function maskedMean(x: Tensor, mask: Tensor): Tensor {
  const m = unsqueeze(floatMask(mask), -1);
  const total = sum(mul(x, m), 1);
  const count = affine(sum(m, 1), 1, 1e-6);
  return div(total, count);
}

function fftStack(dim: number, cfg: EncoderConfig, dropout: number): FFTBlock[] {
  return Array.from({ length: cfg.layers }, () => new FFTBlock(dim, cfg.heads, cfg.ffnDim, { kernels: cfg.kernels, dropout }));
}

/**
 * Durations spread evenly: frames f over n phonemes, d_t = ⌊(t+1)f/n⌋ − ⌊tf/n⌋ (they sum to f).
 * The fallback until the aligner provides real durations: utterance-level contrast does not need
 * them; phoneme-level contrast and the duration loss are only meaningful with aligner durations.
 */
export function uniformDurations(phonemeLengths: Int32Array, melLengths: Int32Array, maxPhonemes: number): Int32Array {
  const B = phonemeLengths.length;
  const out = new Int32Array(B * maxPhonemes);
  for (let b = 0; b < B; b++) {
    const n = phonemeLengths[b]!, f = melLengths[b]!;
    for (let t = 0; t < n; t++) out[b * maxPhonemes + t] = Math.floor(((t + 1) * f) / n) - Math.floor((t * f) / n);
  }
  return out;
}

/**
 * The batch's durations [B, T]: the loader's aligner durations when present and consistent with
 * the mel lengths, else uniform ones. An utterance whose durations do not sum to its frame count
 * falls back to uniform alone (a stale cache must not shift every phoneme boundary silently).
 */
export function batchDurations(batch: Batch): { durations: Int32Array; source: DurationSource } {
  const given = batch.durations;
  const uniform = uniformDurations(batch.phonemeLengths, batch.melLengths, batch.maxPhonemes);
  if (!given || given.length !== uniform.length) return { durations: uniform, source: 'uniform' };
  const T = batch.maxPhonemes;
  const out = new Int32Array(given);
  let allGood = true;
  for (let b = 0; b < batch.ids.length; b++) {
    let total = 0;
    for (let t = 0; t < T; t++) total += Math.max(0, out[b * T + t]!);
    if (total !== batch.melLengths[b]) {
      allGood = false;
      out.set(uniform.subarray(b * T, (b + 1) * T), b * T);
    }
  }
  return { durations: out, source: allGood ? 'aligner' : 'uniform' };
}

/** Phoneme embedding + positions → FFT blocks, and the duration predictor. */
export class TextEncoder extends Module {
  readonly embedding: Embedding;
  readonly blocks: FFTBlock[];
  readonly durationPredictor: VariancePredictor;

  constructor(readonly config: TextEncoderConfig) {
    super();
    const { vocabSize, dim } = config;
    this.embedding = this.module('embedding', new Embedding(vocabSize, dim, { paddingIdx: 0 }));
    this.blocks = this.moduleList('blocks', fftStack(dim, config.encoder, config.dropout));
    this.durationPredictor = this.module('durationPredictor', new VariancePredictor(dim, config.durationPredictor));
  }

  /** phonemes int32 [B, T], mask [B, T] (1 = real) → states [B, T, d] and predicted log(1+frames) [B, T]. */
  forward(phonemes: Tensor, mask: Tensor): { states: Tensor; logDurations: Tensor } {
    const states = this.encode(phonemes, mask);
    return { states, logDurations: this.durationPredictor.forward(states, mask) };
  }

  /** The phoneme states alone [B, T, d] (the acoustic model conditions them before predicting durations). */
  encode(phonemes: Tensor, mask: Tensor): Tensor {
    const [, T] = phonemes.shape as [number, number];
    let h = add(this.embedding.forward(phonemes), sinusoidalEncoding(T, this.config.dim));
    h = where(unsqueeze(floatMask(mask), -1), h, 0);
    for (const block of this.blocks) h = block.forward(h, mask);
    return h;
  }

  /** FastSpeech's length regulator: states [B, T, d] repeated by durations int32 [B, T] → [B, F, d]. */
  lengthRegulate(states: Tensor, durations: Tensor, maxFrames?: number): Tensor {
    return repeatByLengths(states, durations, maxFrames);
  }
}

/** Linear up-projection of the log-mel bins (+ speaker/emotion embeddings) → positions → FFT blocks. */
export class MelEncoder extends Module {
  readonly inputProjection: Linear;
  readonly speakerEmbedding: Embedding | null;
  readonly emotionEmbedding: Embedding | null;
  readonly blocks: FFTBlock[];

  constructor(readonly dim: number, nMels: number, cfg: EncoderConfig, dropout: number, speakers: number, emotions: number) {
    super();
    this.inputProjection = this.module('inputProjection', new Linear(nMels, dim));
    this.speakerEmbedding = speakers > 0 ? this.module('speakerEmbedding', new Embedding(speakers, dim)) : null;
    this.emotionEmbedding = emotions > 0 ? this.module('emotionEmbedding', new Embedding(emotions, dim)) : null;
    this.blocks = this.moduleList('blocks', fftStack(dim, cfg, dropout));
  }

  /** mels [B, F, nMels], mask [B, F] → frames [B, F, d] (padded frames 0). */
  forward(mels: Tensor, mask: Tensor, speakers?: Tensor, emotions?: Tensor): Tensor {
    const [B, F] = mels.shape as [number, number, number];
    let h = this.inputProjection.forward(affine(mels, 1 / MEL_STD, -MEL_MEAN / MEL_STD));
    // Speaker/emotion ids condition the mel side only: the text side must not see who speaks, so
    // that a text embedding matches its content whatever the voice.
    if (this.speakerEmbedding && speakers) h = add(h, reshape(this.speakerEmbedding.forward(speakers), [B, 1, this.dim]));
    if (this.emotionEmbedding && emotions) h = add(h, reshape(this.emotionEmbedding.forward(emotions), [B, 1, this.dim]));
    h = add(h, sinusoidalEncoding(F, this.dim));
    h = where(unsqueeze(floatMask(mask), -1), h, 0);
    for (const block of this.blocks) h = block.forward(h, mask);
    return h;
  }
}

/** What one forward pass of the training loss reports. */
export interface SpeechClipLoss {
  loss: Tensor;
  parts: Record<string, Tensor | number>;
}

/**
 * Phoneme indices (b·T + t) that take part in the phoneme-level contrast: real phonemes with at
 * least one frame, thinned evenly (deterministically, so resumed runs match) to at most `limit`.
 */
function contrastPhonemes(durations: Int32Array, phonemeLengths: Int32Array, T: number, limit: number): Int32Array {
  const picked: number[] = [];
  for (let b = 0; b < phonemeLengths.length; b++) for (let t = 0; t < phonemeLengths[b]!; t++) if (durations[b * T + t]! > 0) picked.push(b * T + t);
  if (picked.length <= limit) return Int32Array.from(picked);
  const out = new Int32Array(limit);
  for (let i = 0; i < limit; i++) out[i] = picked[Math.floor((i * picked.length) / limit)]!;
  return out;
}

export class SpeechClip extends Module {
  readonly textEncoder: TextEncoder;
  readonly melEncoder: MelEncoder;
  /** Utterance-level projection heads (CLIP: linear, no bias). */
  readonly textProjection: Linear;
  readonly melProjection: Linear;
  /** Phoneme-level heads (separate, as CLAPSpeech: the two levels need not share a space). */
  readonly textPhonemeProjection: Linear | null;
  readonly melPhonemeProjection: Linear | null;
  /** ln of the utterance-level logit scale, shape [1]. */
  readonly logScale: Tensor;
  /** ln of the phoneme-level logit scale, shape [1] (present with the phoneme objective). */
  readonly phonemeLogScale: Tensor | null;

  constructor(readonly config: SpeechClipConfig, readonly data: SpeechClipDataConfig) {
    super();
    const m = config.model;
    this.textEncoder = this.module('textEncoder', new TextEncoder(textEncoderConfigOf(config, data.vocabSize)));
    this.melEncoder = this.module('melEncoder', new MelEncoder(m.dim, data.nMels, m.mel, m.dropout, data.speakers, data.emotions));
    this.textProjection = this.module('textProjection', new Linear(m.dim, m.projectionDim, { bias: false }));
    this.melProjection = this.module('melProjection', new Linear(m.dim, m.projectionDim, { bias: false }));
    const phoneme = config.loss.objective !== 'utterance';
    this.textPhonemeProjection = phoneme ? this.module('textPhonemeProjection', new Linear(m.dim, m.projectionDim, { bias: false })) : null;
    this.melPhonemeProjection = phoneme ? this.module('melPhonemeProjection', new Linear(m.dim, m.projectionDim, { bias: false })) : null;
    const initLogScale = Math.log(1 / m.initialTemperature);
    const makeScale = (name: string): Tensor => {
      const t = initTensor([1], { kind: 'zeros' });
      t.unsafeView().fill(initLogScale);
      if (m.learnTemperature) return this.param(name, t);
      // A fixed temperature is still saved (as a buffer) so checkpoints are self-describing.
      return this.buffer(name, t);
    };
    this.logScale = makeScale('logScale');
    this.phonemeLogScale = phoneme ? makeScale('phonemeLogScale') : null;
  }

  /** The utterance-level logit scale s = 1/τ currently applied (clamped). */
  logitScale(): number {
    return tidy(() => noGrad(() => logitScaleOf(this.logScale, this.config.model.maxLogitScale).item()));
  }

  /** Unit-norm utterance embeddings of the text side [B, p] (phoneme states mean-pooled). */
  embedText(phonemes: Tensor, phonemeMask: Tensor): Tensor {
    return this.embedTextStates(this.textEncoder.encode(phonemes, phonemeMask), phonemeMask);
  }

  /** Unit-norm utterance embeddings [B, p] of text-encoder states [B, T, d] computed elsewhere (the acoustic model's auxiliary loss). */
  embedTextStates(states: Tensor, phonemeMask: Tensor): Tensor {
    return l2Normalize(this.textProjection.forward(maskedMean(states, phonemeMask)));
  }

  /** Unit-norm utterance embeddings of the mel side [B, p] (frames mean-pooled). */
  embedMel(mels: Tensor, melMask: Tensor, speakers?: Tensor, emotions?: Tensor): Tensor {
    const frames = this.melEncoder.forward(mels, melMask, speakers, emotions);
    return l2Normalize(this.melProjection.forward(maskedMean(frames, melMask)));
  }

  /**
   * The training loss of one batch (see the header for the objectives). `durations` [B·T] are the
   * frames per phoneme (aligner or uniform), used for phoneme pooling and the duration loss.
   */
  loss(t: BatchTensors, durations: Int32Array, phonemeLengths: Int32Array): SpeechClipLoss {
    const { loss: lc, model: mc } = this.config;
    const [B, T] = t.phonemes.shape as [number, number];
    const F = t.mels.shape[1]!;
    const text = this.textEncoder.forward(t.phonemes, t.phonemeMask);
    const frames = this.melEncoder.forward(t.mels, t.melMask, t.speakers, t.emotions);
    const parts: Record<string, Tensor | number> = {};
    let total: Tensor | null = null;
    const addTerm = (term: Tensor, weight: number): void => { const w = mul(term, weight); total = total ? add(total, w) : w; };

    if (lc.objective !== 'phoneme') {
      const textEmb = l2Normalize(this.textProjection.forward(maskedMean(text.states, t.phonemeMask)));
      const melEmb = l2Normalize(this.melProjection.forward(maskedMean(frames, t.melMask)));
      const scale = logitScaleOf(this.logScale, mc.maxLogitScale);
      const u = infoNCE(textEmb, melEmb, scale);
      addTerm(u.loss, lc.utteranceWeight);
      parts.utterance = u.loss;
      parts.logitScale = scale;
      parts.batchR1 = diagonalHits(u.logits) / B;
    }
    if (lc.objective !== 'utterance') {
      const picked = contrastPhonemes(durations, phonemeLengths, T, lc.maxPhonemesPerBatch);
      if (picked.length >= 2) {
        const D = mc.dim;
        // Segment means of the mel frames: every real frame is scattered onto its phoneme's row
        // (b·T + t); padded frames go to a spare last row that is dropped.
        const owner = new Int32Array(B * F).fill(B * T);
        const inverse = new Float32Array(B * T + 1);
        for (let b = 0; b < B; b++) {
          let f = 0;
          for (let p = 0; p < T; p++) {
            const d = durations[b * T + p]!;
            for (let k = 0; k < d && f < F; k++) owner[b * F + f++] = b * T + p;
            if (d > 0) inverse[b * T + p] = 1 / d;
          }
        }
        const sums = scatterAdd(full([B * T + 1, D], 0), 0, tensor(owner, [B * F], 'int32'), reshape(frames, [B * F, D]));
        const pooled = mul(sums, tensor(inverse, [B * T + 1, 1]));
        const idx = tensor(picked, [picked.length], 'int32');
        const melPh = l2Normalize(this.melPhonemeProjection!.forward(indexSelect(pooled, 0, idx)));
        const textPh = l2Normalize(this.textPhonemeProjection!.forward(indexSelect(reshape(text.states, [B * T, D]), 0, idx)));
        const scale = logitScaleOf(this.phonemeLogScale!, mc.maxLogitScale);
        const p = infoNCE(textPh, melPh, scale);
        addTerm(p.loss, lc.phonemeWeight);
        parts.phoneme = p.loss;
        parts.phonemeLogitScale = scale;
      }
    }
    if (lc.durationWeight > 0) {
      const d = durationLoss(text.logDurations, durations, t.phonemeMask);
      addTerm(d, lc.durationWeight);
      parts.duration = d;
    }
    if (!total) throw new Error('speech-clip: the configured objectives produced no loss term');
    return { loss: total, parts };
  }

  /** Writes the text encoder alone (weights + its config) for the acoustic model to start from. */
  async saveTextEncoder(path: string): Promise<void> {
    await saveCheckpoint(path, this.textEncoder, {
      config: { kind: 'speech-clip-text-encoder', ...this.textEncoder.config },
      metadata: { source: 'speech-clip' },
    });
  }
}

/** Rows whose largest logit is on the diagonal (text→mel top-1 hits in the batch). */
function diagonalHits(logits: Tensor): number {
  const [n] = logits.shape as [number, number];
  const v = logits.toFloat32Array();
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < n; j++) if (v[i * n + j]! > v[i * n + best]!) best = j;
    if (best === i) hits++;
  }
  return hits;
}
