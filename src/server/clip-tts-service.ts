/**
 * The SpeechService over the real pipeline (ClipTTS from src/synth). Every served voice is loaded
 * once, at startup: requests are validated against its speakers and emotions (known only once the
 * model is loaded), a broken voice fails the start rather than a request, and no request pays for
 * a load.
 */
import { existsSync } from 'node:fs';
import { basename, join, relative, resolve, isAbsolute } from 'node:path';
import { ClipTTS, DEFAULT_VOICE, listVoices, readVoiceConfig, VOICE_CONFIG_FILE, type SynthesisOptions } from '../synth/index.js';
import { shutdownEngine } from '../engine/index.js';
import { isValidVoiceName } from './speech-request.js';
import { SpeechInputError, type SpeechChunk, type SpeechOptions, type SpeechService, type VoiceInfo } from './types.js';

export interface ClipTTSServiceOptions {
  /**
   * Folders to serve voices from: each a folder of voice folders, or one voice folder. Default:
   * the bundled voices (and CLIP_TTS_VOICE_PATH).
   */
  voiceDirs?: readonly string[];
  /** Voice used when a request names none. Default: "en-slt" when served, else the first by name. */
  defaultVoice?: string;
  /** Engine threads, when the engine is not running yet. */
  threads?: number;
  /** Warnings (voices skipped, symbols dropped). Default: console.warn. */
  log?: (line: string) => void;
}

interface LoadedVoice {
  info: VoiceInfo;
  tts: ClipTTS;
}

/** The folders (name, dir) to serve, per ClipTTSServiceOptions.voiceDirs. */
function voiceFolders(voiceDirs: readonly string[] | undefined, log: (line: string) => void): { name: string; dir: string }[] {
  if (!voiceDirs || voiceDirs.length === 0) {
    return listVoices().flatMap((v) => {
      if (v.problem) { log(`skipping voice ${v.name}: ${v.problem}`); return []; }
      return [{ name: v.name, dir: v.dir }];
    });
  }
  const out: { name: string; dir: string }[] = [];
  for (const d of voiceDirs) {
    const root = resolve(d);
    if (!existsSync(root)) throw new Error(`voice folder ${root} does not exist`);
    if (existsSync(join(root, VOICE_CONFIG_FILE))) {
      readVoiceConfig(root); // a clear error for a broken single voice
      out.push({ name: basename(root), dir: root });
      continue;
    }
    // listVoices also searches the bundled folder: keep only the voices inside this one.
    for (const v of listVoices([root])) {
      const rel = relative(root, v.dir);
      if (rel.startsWith('..') || isAbsolute(rel)) continue;
      if (v.problem) { log(`skipping voice ${v.name}: ${v.problem}`); continue; }
      out.push({ name: v.name, dir: v.dir });
    }
  }
  return out;
}

export class ClipTTSService implements SpeechService {
  private constructor(private readonly loaded: ReadonlyMap<string, LoadedVoice>, readonly defaultVoice: string) {}

  /** Finds and loads the voices to serve (starting the engine); fails when there is none. */
  static async load(options: ClipTTSServiceOptions = {}): Promise<ClipTTSService> {
    const log = options.log ?? ((line: string) => console.warn(`clip-tts: ${line}`));
    const loaded = new Map<string, LoadedVoice>();
    for (const { name, dir } of voiceFolders(options.voiceDirs, log)) {
      if (!isValidVoiceName(name)) { log(`skipping voice folder ${dir}: "${name}" is not a valid voice name`); continue; }
      if (loaded.has(name)) { log(`skipping voice folder ${dir}: a voice named "${name}" is already served`); continue; }
      const load: { threads?: number; onWarning: (m: string) => void } = { onWarning: (m) => log(`${name}: ${m}`) };
      if (options.threads !== undefined) load.threads = options.threads;
      const tts = await ClipTTS.load(dir, load);
      const config = tts.voice;
      loaded.set(name, {
        tts,
        info: {
          name,
          language: config?.language ?? 'en',
          sampleRate: tts.sampleRate,
          speakers: [...tts.speakers],
          emotions: [...tts.emotions],
          description: config?.description ?? '',
        },
      });
    }
    if (loaded.size === 0) {
      const where = options.voiceDirs?.length ? options.voiceDirs.join(', ') : 'the bundled voices folder';
      throw new Error(`no voices to serve in ${where}: pass --voices DIR (a folder of voice folders, or one voice folder)`);
    }
    const names = [...loaded.keys()].sort();
    const defaultVoice = options.defaultVoice ?? (loaded.has(DEFAULT_VOICE) ? DEFAULT_VOICE : names[0]!);
    if (!loaded.has(defaultVoice)) throw new Error(`default voice "${defaultVoice}" is not among the served voices (${names.join(', ')})`);
    return new ClipTTSService(loaded, defaultVoice);
  }

  voices(): readonly VoiceInfo[] {
    return [...this.loaded.values()].map((v) => v.info).sort((a, b) => a.name.localeCompare(b.name));
  }

  async *stream(voice: string, text: string, options: SpeechOptions, signal: AbortSignal): AsyncIterable<SpeechChunk> {
    const entry = this.loaded.get(voice);
    if (!entry) throw new SpeechInputError(`unknown voice "${voice}"`);
    const synthesisOptions: SynthesisOptions = { ...options };
    let yielded = 0;
    try {
      // The pipeline computes a chunk only when asked: stopping here (on abort) stops synthesis.
      for await (const chunk of entry.tts.stream(text, synthesisOptions)) {
        if (signal.aborted) return;
        yielded++;
        yield {
          audio: chunk.audio,
          sampleRate: chunk.sampleRate,
          words: chunk.words.map((w) => ({ word: w.word, start: w.start, end: w.end })),
          phonemes: chunk.phonemes,
        };
      }
    } catch (e) {
      // The pipeline reports unusable input and options (empty text, nothing pronounceable, an
      // unknown speaker) as RangeErrors before producing audio: the client's fault, a 400.
      if (e instanceof RangeError && yielded === 0) throw new SpeechInputError(e.message);
      throw e;
    }
  }

  /** Frees every voice and stops the engine (so the process can exit). */
  async close(): Promise<void> {
    for (const { tts } of this.loaded.values()) tts.dispose();
    await shutdownEngine();
  }
}
