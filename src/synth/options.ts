/**
 * Synthesis options as users pass them, and their validation against a loaded voice. Every error
 * is a RangeError naming the option and what is allowed.
 */

/** Options of `synthesize` and `stream`. All optional. */
export interface SynthesisOptions {
  /** Speaking rate: 2 = twice as fast. In (0, 10]; default 1. */
  speed?: number;
  /** Pitch shift in semitones, in [-24, 24]; default 0. */
  pitch?: number;
  /** Pitch range: scales the F0 contour around its mean (0 = monotone), in [0, 4]; default 1. */
  pitchRange?: number;
  /** Loudness multiplier on the predicted energy, in (0, 4]; default 1. */
  energy?: number;
  /** Speaker name (or index) of a multi-speaker voice; `tts.speakers` lists them. */
  speaker?: string | number;
  /** Emotion name (or index) of a voice trained with emotions; `tts.emotions` lists them. */
  emotion?: string | number;
  /** Read `text` as SSML (`<speak>`, `<break>`, `<prosody>`, `<say-as>`, `<phoneme>`, …). Default false. */
  ssml?: boolean;
  /** Silence between sentences, seconds, in [0, 5]; default 0.2. */
  sentenceSilence?: number;
  /** Silence before the first word, seconds, in [0, 5]; default 0.15. */
  leadingSilence?: number;
  /** Silence after the last word, seconds, in [0, 5]; default 0.15. */
  trailingSilence?: number;
}

/** Options after validation, with ids in place of names. */
export interface ResolvedSynthesisOptions {
  speed: number;
  pitch: number;
  pitchRange: number;
  energy: number;
  speaker: number;
  emotion: number;
  ssml: boolean;
  sentenceSilence: number;
  leadingSilence: number;
  trailingSilence: number;
}

/** Silence between sentences when not given (seconds): a natural full-stop pause. */
export const DEFAULT_SENTENCE_SILENCE = 0.2;

/**
 * Silence around the whole output when not given (seconds), like the pauses a recording has before
 * the first and after the last word. Speech that starts on its first sample gets its onset clipped
 * by players that open the audio device late and by recognisers that calibrate on the first frames:
 * PocketSphinx got the first word of 39 of 100 held-out sentences wrong without it, 13 with 0.15 s
 * (docs/synthesis.md).
 */
export const DEFAULT_EDGE_SILENCE = 0.15;

function numberIn(name: string, value: unknown, fallback: number, lo: number, hi: number, openLow = false): number {
  if (value === undefined) return fallback;
  const ok = typeof value === 'number' && Number.isFinite(value) && (openLow ? value > lo : value >= lo) && value <= hi;
  if (!ok) throw new RangeError(`${name} must be a number in ${openLow ? '(' : '['}${lo}, ${hi}], got ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`);
  return value as number;
}

/** A speaker/emotion name or index → its id. */
function choice(name: 'speaker' | 'emotion', value: unknown, names: readonly string[]): number {
  if (value === undefined) return 0;
  const allowed = names.length ? `one of ${names.map((n) => JSON.stringify(n)).join(', ')} (or an index 0..${names.length - 1})` : `nothing: this voice has no ${name}s`;
  if (typeof value === 'string') {
    const i = names.indexOf(value);
    if (i >= 0) return i;
    throw new RangeError(`unknown ${name} ${JSON.stringify(value)}: allowed ${allowed}`);
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < names.length) return value;
  throw new RangeError(`${name} ${JSON.stringify(value)} is not valid: allowed ${allowed}`);
}

/**
 * Validates options against a voice's speakers and emotions.
 * @example resolveSynthesisOptions({ speed: 1.2 }, [], []).speed // 1.2
 */
export function resolveSynthesisOptions(opts: SynthesisOptions | undefined, speakers: readonly string[], emotions: readonly string[]): ResolvedSynthesisOptions {
  const o = opts ?? {};
  if (typeof o !== 'object') throw new RangeError(`options must be an object, got ${typeof o}`);
  if (o.ssml !== undefined && typeof o.ssml !== 'boolean') throw new RangeError(`ssml must be true or false, got ${JSON.stringify(o.ssml)}`);
  return {
    speed: numberIn('speed', o.speed, 1, 0, 10, true),
    pitch: numberIn('pitch', o.pitch, 0, -24, 24),
    pitchRange: numberIn('pitchRange', o.pitchRange, 1, 0, 4),
    energy: numberIn('energy', o.energy, 1, 0, 4, true),
    speaker: choice('speaker', o.speaker, speakers),
    emotion: choice('emotion', o.emotion, emotions),
    ssml: o.ssml ?? false,
    sentenceSilence: numberIn('sentenceSilence', o.sentenceSilence, DEFAULT_SENTENCE_SILENCE, 0, 5),
    leadingSilence: numberIn('leadingSilence', o.leadingSilence, DEFAULT_EDGE_SILENCE, 0, 5),
    trailingSilence: numberIn('trailingSilence', o.trailingSilence, DEFAULT_EDGE_SILENCE, 0, 5),
  };
}
