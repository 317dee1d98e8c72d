/** Node-only WAV file helpers (the decoding itself is in the browser-safe wav.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeWav, encodeWav, WavError, type DecodeWavOptions, type EncodeWavOptions, type WavAudio } from './wav.js';

/**
 * Reads and decodes a WAV file; errors name the file.
 * @example
 *   const { samples, sampleRate } = readWavFile('LJ001-0001.wav');
 */
export function readWavFile(path: string, options: Omit<DecodeWavOptions, 'name'> = {}): WavAudio {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new WavError(`${path}: cannot read file${code === 'ENOENT' ? ' (no such file)' : code ? ` (${code})` : ''}`);
  }
  return decodeWav(bytes, { ...options, name: path });
}

/**
 * Encodes and writes a WAV file (16-bit PCM unless `options.format` says otherwise).
 * @example
 *   writeWavFile('out.wav', samples, 22050, { format: 'float32' });
 */
export function writeWavFile(path: string, audio: Float32Array | Float64Array | (Float32Array | Float64Array)[], sampleRate: number, options: EncodeWavOptions = {}): void {
  writeFileSync(path, encodeWav(audio, sampleRate, options));
}
