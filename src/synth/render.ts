/**
 * One planned piece → audio and timings: acoustic model (phoneme ids → frame-major mel and
 * durations), pause silence spliced into the mel, vocoder (mel-major mel → samples), SSML volume
 * as a smooth per-frame gain. Times come from the durations: one frame = hop / sampleRate s.
 */
import type { MelSpectrogram } from '../audio/mel.js';
import type { AcousticControls, AcousticInference } from '../models/acoustic/types.js';
import type { SpeechPiece } from './plan.js';
import type { ResolvedSynthesisOptions } from './options.js';
import type { PhonemeTiming, WordTiming } from './types.js';

/** What the pipeline needs of a vocoder (VocoderSynthesizer implements it). */
export interface WaveformVocoder {
  readonly sampleRate: number;
  /** Samples per mel frame. */
  readonly hop: number;
  /** Mel-major [nMels, frames] log-mel → frames·hop samples. */
  vocode(mel: MelSpectrogram): Float32Array;
}

/** A rendered piece; times are seconds from the piece's first sample. */
export interface RenderedPiece {
  audio: Float32Array;
  phonemes: PhonemeTiming[];
  words: WordTiming[];
}

/**
 * Renders one piece.
 * @example const { audio, phonemes } = renderPiece(piece, acoustic, vocoder, resolveSynthesisOptions({}, [], []));
 */
export function renderPiece(piece: SpeechPiece, acoustic: AcousticInference, vocoder: WaveformVocoder, opts: ResolvedSynthesisOptions): RenderedPiece {
  const { nMels, logFloor } = acoustic.melConfig;
  const secondsPerFrame = vocoder.hop / vocoder.sampleRate;
  let modelMel: Float32Array = new Float32Array(0);
  let durations: Int32Array = new Int32Array(0);
  if (piece.ids.length > 0) {
    const controls: AcousticControls = {
      speed: opts.speed, pitchShift: opts.pitch + piece.pitchSemitones, pitchScale: opts.pitchRange,
      energyScale: opts.energy, speaker: opts.speaker, emotion: opts.emotion,
    };
    if (piece.durationScale) controls.durationScale = piece.durationScale;
    const r = acoustic.infer(piece.ids, controls);
    checkResult(r.mel.length, r.frames, r.nMels, r.durations, piece.ids.length, nMels);
    modelMel = r.mel;
    durations = r.durations;
  }
  // Frames per planned token: the model's durations, or the pause length.
  const tokenFrames = piece.tokens.map((t) => (t.input >= 0 ? durations[t.input]! : Math.round(t.pauseSeconds / secondsPerFrame)));
  const frames = tokenFrames.reduce((a, b) => a + b, 0);
  // Mel-major for the vocoder; pauses are the log floor (digital silence in the features).
  const silence = Math.log(logFloor);
  const mel = new Float32Array(nMels * frames).fill(silence);
  const phonemes: PhonemeTiming[] = [];
  const starts = new Int32Array(piece.tokens.length + 1);
  let at = 0, modelFrame = 0;
  piece.tokens.forEach((t, i) => {
    const n = tokenFrames[i]!;
    if (t.input >= 0) {
      for (let f = 0; f < n; f++) {
        const row = (modelFrame + f) * nMels;
        for (let m = 0; m < nMels; m++) mel[m * frames + at + f] = modelMel[row + m]!;
      }
      modelFrame += n;
    }
    starts[i] = at;
    phonemes.push({ symbol: t.symbol, start: at * secondsPerFrame, end: (at + n) * secondsPerFrame });
    at += n;
  });
  starts[piece.tokens.length] = at;
  const audio = frames > 0 ? vocoder.vocode({ data: mel, nMels, frames }) : new Float32Array(0);
  applyGains(audio, piece, tokenFrames, vocoder.hop);
  const words: WordTiming[] = piece.words.map((w) => ({
    word: w.text, start: starts[w.firstToken]! * secondsPerFrame, end: starts[w.endToken]! * secondsPerFrame,
    textStart: w.textStart, textEnd: w.textEnd,
  }));
  return { audio, phonemes, words };
}

function checkResult(melLength: number, frames: number, resultMels: number, durations: Int32Array, inputs: number, nMels: number): void {
  let sum = 0;
  for (const d of durations) sum += d;
  if (resultMels !== nMels || melLength !== frames * nMels || durations.length !== inputs || sum !== frames) {
    throw new Error(`acoustic model returned an inconsistent result: mel ${melLength} values for ${frames} frames x ${resultMels} mels (expected ${nMels}), ` +
      `${durations.length} durations for ${inputs} phonemes summing to ${sum}`);
  }
}

/** SSML volume: per-token gains, interpolated between frame centres so changes do not click. */
function applyGains(audio: Float32Array, piece: SpeechPiece, tokenFrames: number[], hop: number): void {
  if (!piece.tokens.some((t) => t.gainDb !== 0)) return;
  const frameGain: number[] = [];
  piece.tokens.forEach((t, i) => { for (let f = 0; f < tokenFrames[i]!; f++) frameGain.push(10 ** (t.gainDb / 20)); });
  const F = frameGain.length;
  for (let n = 0; n < audio.length; n++) {
    const x = n / hop - 0.5;
    const f0 = Math.max(0, Math.min(F - 1, Math.floor(x))), f1 = Math.min(F - 1, f0 + 1);
    const w = Math.max(0, Math.min(1, x - f0));
    audio[n]! *= frameGain[f0]! * (1 - w) + frameGain[f1]! * w;
  }
}
