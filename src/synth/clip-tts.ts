/**
 * The library's front door: load a voice, turn text into audio with phoneme and word timings,
 * whole or streamed sentence by sentence.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engine, initEngine, isEngineReady } from '../engine/index.js';
import type { MelConfig } from '../audio/mel.js';
import type { AcousticInference } from '../models/acoustic/types.js';
import { AcousticSynthesizer } from '../models/acoustic/synthesizer.js';
import { VocoderSynthesizer } from '../models/vocoder/vocode.js';
import { resolveSynthesisOptions, type ResolvedSynthesisOptions, type SynthesisOptions } from './options.js';
import { planSentence } from './plan.js';
import { renderPiece, type WaveformVocoder } from './render.js';
import { frontEndLanguage, phonemizedSentences } from './sentences.js';
import type { PhonemeTiming, SynthesisChunk, SynthesisResult, WordTiming } from './types.js';
import type { VoiceConfig } from './voice.js';
import { downloadVoice, isVoiceUrl } from './voice-fetch.js';
import { DEFAULT_VOICE, resolveVoice } from './voice-registry.js';

/** Options of `ClipTTS.load`. */
export interface LoadOptions {
  /** Engine threads (including the caller's) when the engine is not running yet. Default 2 (or CLIP_TTS_THREADS). */
  threads?: number;
  /** Extra folders searched for voice names (after the bundled `voices/`). */
  voiceDirs?: string[];
  /** Receives warnings (unknown symbols dropped, unsupported scripts skipped). Default: console.warn. */
  onWarning?: (message: string) => void;
}

/** Pipeline settings of a ClipTTS instance. */
export interface PipelineOptions {
  /** The voice's config (name, language, …); null for models assembled in code. */
  voice?: VoiceConfig | null;
  /** Front-end language when there is no voice config: 'en' (default), 'zh' or 'auto'. */
  language?: string;
  onWarning?: (message: string) => void;
  /**
   * The first sentence is cut into pieces of at most this many phonemes, after commas or pauses,
   * so a stream's first audio comes quickly. Default 50.
   */
  firstPiecePhonemes?: number;
  /**
   * Later sentences are cut only beyond this many phonemes (default 150): each piece is spoken as a
   * whole utterance (final lengthening, falling pitch), so fewer cuts keep the sentence's prosody.
   */
  maxPiecePhonemes?: number;
  /** Sentences longer than this many characters are cut at clause punctuation or spaces. Default 300. */
  maxSentenceChars?: number;
}

/** Lets other work (I/O, timers) run between chunks: synthesis itself is synchronous. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * A loaded voice.
 * @example
 *   import { ClipTTS, toWav } from 'clip-tts';
 *   const tts = await ClipTTS.load();                       // the bundled voice, en-slt
 *   const { audio, sampleRate, words } = await tts.synthesize('Hello from ClipTTS.');
 *   writeFileSync('hello.wav', toWav(audio, sampleRate));
 * @example
 *   for await (const chunk of tts.stream(longText)) player.write(chunk.audio);  // sentence by sentence
 */
export class ClipTTS {
  readonly voice: VoiceConfig | null;
  private readonly language: string;
  private readonly warn: (message: string) => void;
  private readonly warnedSymbols = new Set<string>();
  private readonly firstPiecePhonemes: number;
  private readonly maxPiecePhonemes: number;
  private readonly maxSentenceChars: number;

  /**
   * Assembles a pipeline from loaded models (most callers use `ClipTTS.load`). The acoustic model's
   * mel features must be the vocoder's.
   */
  constructor(readonly acoustic: AcousticInference, readonly vocoder: WaveformVocoder, options: PipelineOptions = {}) {
    this.voice = options.voice ?? null;
    this.language = this.voice?.language ?? options.language ?? 'en';
    this.warn = options.onWarning ?? ((m) => console.warn(`clip-tts: ${m}`));
    this.firstPiecePhonemes = options.firstPiecePhonemes ?? 50;
    this.maxPiecePhonemes = options.maxPiecePhonemes ?? 150;
    this.maxSentenceChars = options.maxSentenceChars ?? 300;
    const mel = acoustic.melConfig;
    if (mel.sampleRate !== vocoder.sampleRate || mel.hopLength !== vocoder.hop) {
      throw new Error(`the acoustic model (${mel.sampleRate} Hz, hop ${mel.hopLength}) and the vocoder (${vocoder.sampleRate} Hz, hop ${vocoder.hop}) use different mel features`);
    }
  }

  /**
   * Loads a voice: a name (bundled `voices/NAME`, `voiceDirs`, CLIP_TTS_VOICE_PATH), a folder, or
   * an http(s) URL of a voice folder (its voice.json and the two weight files are downloaded; the
   * only download ClipTTS ever makes). Starts the engine if needed.
   * @example const tts = await ClipTTS.load();                         // bundled en-slt
   * @example const tts = await ClipTTS.load('./voices/my-voice', { threads: 1 });
   */
  static async load(voice: string | URL = DEFAULT_VOICE, options: LoadOptions = {}): Promise<ClipTTS> {
    const warn = options.onWarning ?? ((m: string) => console.warn(`clip-tts: ${m}`));
    if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
      throw new RangeError(`threads must be a positive integer, got ${String(options.threads)}`);
    }
    if (!isEngineReady()) await initEngine(options.threads !== undefined ? { threads: options.threads } : {});
    else if (options.threads !== undefined && engine().threads !== options.threads) {
      warn(`the engine is already running with ${engine().threads} thread(s); threads: ${options.threads} is ignored`);
    }
    let dir: string, config: VoiceConfig, cleanup: (() => void) | null = null;
    if (isVoiceUrl(voice)) {
      const d = await downloadVoice(voice);
      ({ dir, config } = d);
      cleanup = d.remove;
    } else {
      const ref = voice instanceof URL ? fileURLToPath(voice) : voice;
      ({ dir, config } = resolveVoice(ref, options.voiceDirs));
    }
    try {
      const files = { acoustic: join(dir, config.acoustic), vocoder: join(dir, config.vocoder) };
      for (const [role, name] of [['acoustic', config.acoustic], ['vocoder', config.vocoder]] as const) {
        if (!existsSync(join(dir, name))) throw new Error(`${join(dir, 'voice.json')}: its ${role} file ${name} is missing from ${dir}`);
      }
      const vocoder = await VocoderSynthesizer.load(files.vocoder);
      let acoustic: AcousticSynthesizer | null = null;
      try {
        acoustic = await AcousticSynthesizer.load(files.acoustic);
        const mismatch = melMismatch(acoustic.melConfig, vocoder.config.mel);
        if (mismatch) throw new Error(`voice ${config.name}: ${config.acoustic} and ${config.vocoder} use different mel features (${mismatch})`);
        if (vocoder.sampleRate !== config.sampleRate) throw new Error(`${join(dir, 'voice.json')}: "sampleRate" is ${config.sampleRate} but ${config.vocoder} produces ${vocoder.sampleRate} Hz`);
        const pipeline: PipelineOptions = { voice: config };
        if (options.onWarning) pipeline.onWarning = options.onWarning;
        return new ClipTTS(acoustic, vocoder, pipeline);
      } catch (e) {
        acoustic?.dispose();
        vocoder.dispose();
        throw e;
      }
    } finally {
      cleanup?.();
    }
  }

  get sampleRate(): number { return this.vocoder.sampleRate; }
  /** Speaker names of a multi-speaker voice (empty for one speaker). */
  get speakers(): readonly string[] { return this.acoustic.speakers; }
  /** Emotion names of a voice trained with emotions (empty otherwise). */
  get emotions(): readonly string[] { return this.acoustic.emotions; }

  /**
   * Speaks `text` (any length): the chunks of `stream` joined.
   * @example
   *   const r = await tts.synthesize('It is 5 p.m. Time to go!', { speed: 1.1 });
   *   r.words.map((w) => `${w.word}@${w.start.toFixed(2)}`)   // ['It@0.00', 'is@0.12', 'five@0.21', …]
   */
  async synthesize(text: string, options: SynthesisOptions = {}): Promise<SynthesisResult> {
    const parts: Float32Array[] = [];
    const phonemes: PhonemeTiming[] = [], words: WordTiming[] = [];
    let length = 0;
    for await (const chunk of this.stream(text, options)) {
      parts.push(chunk.audio);
      length += chunk.audio.length;
      for (const p of chunk.phonemes) phonemes.push(p);
      for (const w of chunk.words) words.push(w);
    }
    const audio = new Float32Array(length);
    let at = 0;
    for (const p of parts) { audio.set(p, at); at += p.length; }
    return { audio, sampleRate: this.sampleRate, duration: length / this.sampleRate, phonemes, words };
  }

  /**
   * Speaks `text` chunk by chunk (a sentence, or a clause of a long one), each computed when the
   * consumer asks for it: the first arrives after one short piece of work, and memory does not
   * grow with the text. Throws at once on empty text or bad options.
   * @example
   *   for await (const c of tts.stream('First sentence. Second one.')) console.log(c.index, c.start, c.text);
   *   // 0 0 'First sentence.'   then   1 1.32 'Second one.'
   */
  stream(text: string, options: SynthesisOptions = {}): AsyncGenerator<SynthesisChunk, void, undefined> {
    if (typeof text !== 'string') throw new TypeError(`text must be a string, got ${typeof text}`);
    if (!text.trim()) throw new RangeError('text is empty');
    return this.chunks(text, resolveSynthesisOptions(options, this.speakers, this.emotions));
  }

  private async *chunks(text: string, opts: ResolvedSynthesisOptions): AsyncGenerator<SynthesisChunk, void, undefined> {
    const sr = this.sampleRate;
    const gapSamples = Math.round(opts.sentenceSilence * sr);
    const leadingSamples = Math.round(opts.leadingSilence * sr), trailingSamples = Math.round(opts.trailingSilence * sr);
    let index = 0, sentence = 0, samplesSoFar = 0;
    const sentences = phonemizedSentences(text, {
      lang: frontEndLanguage(this.language), ssml: opts.ssml, maxSentenceChars: this.maxSentenceChars, onWarning: this.warn,
    });
    // One sentence of look-ahead (text processing only) tells which chunk is the last one.
    let next = sentences.next();
    while (!next.done) {
      const { sentence: s, source, textOffset } = next.value;
      next = sentences.next();
      const pieces = planSentence(s, {
        symbols: this.acoustic.symbols, maxPiecePhonemes: sentence === 0 ? this.firstPiecePhonemes : this.maxPiecePhonemes, textOffset, source,
        onUnknownSymbol: (sym) => this.unknownSymbol(sym),
      });
      let lastPiece = pieces.length - 1;
      while (lastPiece >= 0 && pieces[lastPiece]!.tokens.length === 0) lastPiece--;
      let first = true;
      for (const [p, piece] of pieces.entries()) {
        if (piece.tokens.length === 0) continue;
        const r = renderPiece(piece, this.acoustic, this.vocoder, opts);
        // The output opens with the leading silence; the silence between sentences opens the next
        // sentence's first chunk; the trailing silence closes the last chunk.
        const lead = index === 0 ? leadingSamples : first ? gapSamples : 0;
        const tail = next.done && p === lastPiece ? trailingSamples : 0;
        first = false;
        const audio = lead || tail ? new Float32Array(lead + r.audio.length + tail) : r.audio;
        if (lead || tail) audio.set(r.audio, lead);
        const start = samplesSoFar / sr, t0 = (samplesSoFar + lead) / sr;
        yield {
          audio, sampleRate: sr, text: piece.text, index, sentence, start,
          phonemes: r.phonemes.map((ph) => ({ symbol: ph.symbol, start: t0 + ph.start, end: t0 + ph.end })),
          words: r.words.map((w) => ({ ...w, start: t0 + w.start, end: t0 + w.end })),
        };
        index++;
        samplesSoFar += audio.length;
        await yieldToEventLoop();
      }
      if (!first) sentence++;
    }
    if (index === 0) throw new RangeError('text has nothing to speak (no words this voice can pronounce)');
  }

  private unknownSymbol(symbol: string): void {
    if (this.warnedSymbols.has(symbol)) return;
    this.warnedSymbols.add(symbol);
    this.warn(`the voice has no symbol "${symbol}": dropped from the input`);
  }

  /** Frees the models' engine memory. The instance is unusable afterwards. */
  dispose(): void {
    for (const m of [this.acoustic, this.vocoder] as unknown[]) (m as { dispose?: () => void }).dispose?.();
  }
}

/** The first mel setting two configs disagree on, or null. */
function melMismatch(a: MelConfig, b: MelConfig): string | null {
  for (const k of ['sampleRate', 'nFft', 'hopLength', 'winLength', 'nMels', 'fMin', 'fMax', 'melScale', 'logFloor'] as const) {
    if (a[k] !== b[k]) return `${k} ${String(a[k])} vs ${String(b[k])}`;
  }
  return null;
}
