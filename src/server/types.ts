/**
 * What the HTTP layer needs from speech synthesis. The server is written against this interface
 * only, so it can be tested with a controllable double; clip-tts-service.ts adapts the real
 * ClipTTS pipeline to it.
 */

/** A voice as the server lists it (GET /v1/voices) and validates requests against. */
export interface VoiceInfo {
  /** Name clients pass as `voice`: letters, digits, `.`, `_`, `-` (see isValidVoiceName). */
  name: string;
  /** BCP-47-ish language tag, e.g. "en-US" or "zh-CN". */
  language: string;
  /** Sample rate of the audio the voice produces, Hz. */
  sampleRate: number;
  /** Speaker names a request may pick (empty for a single-speaker voice). */
  speakers: readonly string[];
  /** Emotion names a request may pick (empty when the voice has none). */
  emotions: readonly string[];
  description: string;
}

/** Prosody and voice controls of one request (already validated against the voice). */
export interface SpeechOptions {
  /** Speaking rate, 1 = normal. */
  speed?: number;
  /** Pitch shift in semitones. */
  pitch?: number;
  speaker?: string;
  emotion?: string;
  /** The input is SSML markup. */
  ssml?: boolean;
}

/** A word's time span in the whole utterance, seconds from its start. */
export interface WordTiming {
  word: string;
  start: number;
  end: number;
}

/** A phoneme's time span in the whole utterance, seconds from its start. */
export interface PhonemeTiming {
  symbol: string;
  start: number;
  end: number;
}

/** One piece of a streamed utterance (a sentence or part of one), in order. */
export interface SpeechChunk {
  /** Mono samples in [-1, 1] at `sampleRate`. */
  audio: Float32Array;
  sampleRate: number;
  /** Words of this chunk, times absolute (from the start of the utterance). */
  words: readonly WordTiming[];
  /** Phonemes of this chunk, times absolute. */
  phonemes: readonly PhonemeTiming[];
}

/**
 * Speech synthesis as the server sees it. `stream` is only ever called by the server's queue, one
 * call at a time (the engine is one global per process), and should stop early once `signal` aborts.
 */
export interface SpeechService {
  /** Voices clients may use; the server validates names against this list. */
  voices(): readonly VoiceInfo[];
  /** Name of the voice used when a request names none (one of `voices()`). */
  readonly defaultVoice: string;
  /** Synthesizes `text` chunk by chunk (one chunk per sentence or sentence part). */
  stream(voice: string, text: string, options: SpeechOptions, signal: AbortSignal): AsyncIterable<SpeechChunk>;
}

/** A request the service cannot synthesize because of its input (the server answers 400, not 500). */
export class SpeechInputError extends Error {
  override name = 'SpeechInputError';
}
