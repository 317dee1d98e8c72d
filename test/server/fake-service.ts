/**
 * A SpeechService double for the HTTP-layer tests (not a test file itself): one chunk per sentence
 * of a deterministic tone, with word and phoneme timings. When `gated`, each chunk waits for the
 * test to `release` it, so a test decides exactly when synthesis progresses.
 */
import type { SpeechChunk, SpeechOptions, SpeechService, VoiceInfo } from '../../src/server/index.js';

export const FAKE_RATE = 16000;
/** Samples per sentence chunk (0.25 s). */
export const CHUNK_SAMPLES = 4000;

export const FAKE_VOICES: readonly VoiceInfo[] = [
  { name: 'fake-en', language: 'en-US', sampleRate: FAKE_RATE, speakers: [], emotions: ['happy', 'sad'], description: 'test double' },
  { name: 'fake-multi', language: 'en-GB', sampleRate: FAKE_RATE, speakers: ['p1', 'p2'], emotions: [], description: 'test double, two speakers' },
];

/** The sentences the double speaks for `text` (one chunk each). */
export function fakeSentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+/).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** The samples of sentence `index` (a tone whose pitch depends on the index, so chunks differ). */
export function fakeChunkAudio(index: number): Float32Array {
  const out = new Float32Array(CHUNK_SAMPLES);
  const f = 200 + 50 * index;
  for (let i = 0; i < out.length; i++) out[i] = 0.5 * Math.sin((2 * Math.PI * f * i) / FAKE_RATE);
  return out;
}

export interface FakeCall {
  voice: string;
  text: string;
  options: SpeechOptions;
}

export class FakeSpeechService implements SpeechService {
  readonly defaultVoice = 'fake-en';
  /** When true, every chunk waits for a `release`. */
  gated = false;
  /**
   * When true, a chunk parked at the gate does not react to the abort signal (like the real engine
   * in the middle of a sentence): only a `release` moves it on.
   */
  ignoreAbort = false;
  /** Called each time a chunk parks at the gate. */
  onWaiting: (() => void) | null = null;
  /** Thrown by stream() before the first chunk when set. */
  failWith: Error | null = null;
  readonly calls: FakeCall[] = [];
  /** Chunks handed to the server so far. */
  yielded = 0;
  /** Streams that ran to completion / stopped early (cancelled, failed, or the consumer stopped). */
  completed = 0;
  stopped = 0;
  private releases = 0;
  private readonly gateWaiters: (() => void)[] = [];
  private readonly waitingListeners: (() => void)[] = [];
  private waitingCount = 0;

  voices(): readonly VoiceInfo[] {
    return FAKE_VOICES;
  }

  /** Lets `n` more chunks through the gate. */
  release(n = 1): void {
    this.releases += n;
    while (this.releases > 0 && this.gateWaiters.length > 0) {
      this.releases--;
      this.gateWaiters.shift()!();
    }
  }

  /** Resolves once a stream is waiting at the gate (at once if one is). */
  whenWaiting(): Promise<void> {
    if (this.waitingCount > 0) return Promise.resolve();
    return new Promise((resolve) => this.waitingListeners.push(resolve));
  }

  async *stream(voice: string, text: string, options: SpeechOptions, signal: AbortSignal): AsyncIterable<SpeechChunk> {
    this.calls.push({ voice, text, options });
    let finished = false;
    try {
      if (this.failWith) throw this.failWith;
      const sentences = fakeSentences(text);
      const seconds = CHUNK_SAMPLES / FAKE_RATE;
      for (let i = 0; i < sentences.length; i++) {
        if (this.gated) await this.passGate(signal);
        if (!this.ignoreAbort) signal.throwIfAborted();
        const start = i * seconds;
        const words = sentences[i]!.split(/\s+/);
        const step = seconds / words.length;
        this.yielded++;
        yield {
          audio: fakeChunkAudio(i),
          sampleRate: FAKE_RATE,
          words: words.map((word, k) => ({ word, start: start + k * step, end: start + (k + 1) * step })),
          phonemes: [{ symbol: 'AH0', start, end: start + seconds }],
        };
      }
      finished = true;
    } finally {
      if (finished) this.completed++; else this.stopped++;
    }
  }

  private passGate(signal: AbortSignal): Promise<void> {
    if (this.releases > 0) { this.releases--; return Promise.resolve(); }
    return new Promise((resolve, reject) => {
      const pass = (): void => { this.waitingCount--; signal.removeEventListener('abort', onAbort); resolve(); };
      const onAbort = (): void => {
        const i = this.gateWaiters.indexOf(pass);
        if (i >= 0) this.gateWaiters.splice(i, 1);
        this.waitingCount--;
        reject(signal.reason);
      };
      if (!this.ignoreAbort) signal.addEventListener('abort', onAbort, { once: true });
      this.gateWaiters.push(pass);
      this.waitingCount++;
      for (const l of this.waitingListeners.splice(0)) l();
      this.onWaiting?.();
    });
  }
}
