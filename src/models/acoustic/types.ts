/**
 * The acoustic model's inference surface: what the synthesis pipeline (src/synth), the CLI and the
 * server rely on. The model itself (model.ts) and its loader (synthesizer.ts) implement it.
 */
import type { SymbolTable } from '../../text/index.js';
import type { MelConfig } from '../../audio/mel.js';

/** Prosody and voice controls for one inference call. All optional. */
export interface AcousticControls {
  /** Speaking rate: predicted durations are divided by this (2 = twice as fast). Default 1. */
  speed?: number;
  /** Semitones added to the predicted F0 of voiced phonemes. Default 0. */
  pitchShift?: number;
  /** Scales the predicted F0 contour around its utterance mean (0 = monotone). Default 1. */
  pitchScale?: number;
  /** Multiplies the predicted energy. Default 1. */
  energyScale?: number;
  /**
   * Per-phoneme duration override in frames, one entry per input phoneme; a negative or
   * non-finite entry keeps the prediction. (Also how a caller applies per-phoneme rate changes.)
   */
  durations?: ArrayLike<number>;
  /** Per-phoneme multiplier on the predicted duration (e.g. SSML prosody rate spans). */
  durationScale?: ArrayLike<number>;
  /** Speaker id (index into `speakers`); 0 when the model has none. */
  speaker?: number;
  /** Emotion id (index into `emotions`); 0 when the model has none. */
  emotion?: number;
}

/** What one inference call returns. */
export interface AcousticResult {
  /** Log-mel, frame-major [frames, nMels] (the audio front-end's exact configuration). */
  mel: Float32Array;
  frames: number;
  nMels: number;
  /** Frames given to each input phoneme (sums to `frames`). */
  durations: Int32Array;
}

/** A loaded acoustic model ready for inference. */
export interface AcousticInference {
  /** The symbol table the model's phoneme ids refer to. */
  readonly symbols: SymbolTable;
  /** Speaker names, index = id (empty for a single-speaker model). */
  readonly speakers: readonly string[];
  /** Emotion names, index = id (empty when the model has none). */
  readonly emotions: readonly string[];
  readonly melConfig: MelConfig;
  /** phoneme ids [T] → mel. Throws a RangeError on an empty input or an unknown speaker/emotion id. */
  infer(phonemes: Int32Array, controls?: AcousticControls): AcousticResult;
}
