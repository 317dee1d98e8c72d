/** `toWav`: synthesized audio → WAV file bytes (the audio front-end's encoder, 16-bit PCM). */
import { encodeWav } from '../audio/wav.js';

/**
 * Mono samples in [-1, 1] → a 16-bit PCM WAV file (clipped and rounded).
 * @example
 *   const { audio, sampleRate } = await tts.synthesize('Hello.');
 *   writeFileSync('hello.wav', toWav(audio, sampleRate));
 */
export function toWav(audio: Float32Array, sampleRate: number): Uint8Array {
  return encodeWav(audio, sampleRate, { format: 'pcm16' });
}
