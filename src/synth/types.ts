/** Public result types of the synthesis pipeline. Times are seconds from the start of the output. */

/** A model input symbol (ARPAbet phoneme, punctuation, pause) and when it is heard. */
export interface PhonemeTiming {
  symbol: string;
  start: number;
  end: number;
}

/** A spoken word and when it is heard. */
export interface WordTiming {
  /** Spoken form after normalisation ("$5" → "five", "dollars"). */
  word: string;
  start: number;
  end: number;
  /** Character offsets [textStart, textEnd) of the word's source in the input text; -1 when unknown (SSML entities, `<sub>`). */
  textStart: number;
  textEnd: number;
}

/** One chunk of `stream()`: a sentence, or a clause of a long sentence. */
export interface SynthesisChunk {
  /** Mono samples in [-1, 1]. Chunks after a sentence end start with the inter-sentence silence. */
  audio: Float32Array;
  sampleRate: number;
  /** Source text this chunk speaks. */
  text: string;
  /** Chunk number, from 0. */
  index: number;
  /** Sentence number, from 0 (several chunks share one when a long sentence is split). */
  sentence: number;
  /** Time of the chunk's first sample in the whole output, seconds. */
  start: number;
  /** Timings in the whole output's time (already offset by `start`). */
  phonemes: PhonemeTiming[];
  words: WordTiming[];
}

/** What `synthesize` returns: the chunks of `stream` joined. */
export interface SynthesisResult {
  audio: Float32Array;
  sampleRate: number;
  /** Length of `audio`, seconds. */
  duration: number;
  phonemes: PhonemeTiming[];
  words: WordTiming[];
}
