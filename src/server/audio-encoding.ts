/**
 * Byte encodings the server sends: 16-bit little-endian PCM, WAV headers (exact, or with an
 * unknown length for streaming), and a compact log-mel for the web page's spectrogram.
 */
import { MelExtractor, resolveMelConfig, type MelConfig } from '../audio/mel.js';

/** Data-size value of a streamed WAV header: the length is unknown when the header is sent. */
export const STREAMING_WAV_SIZE = 0xffffffff;
export const WAV_HEADER_BYTES = 44;

/** Mono samples → 16-bit little-endian PCM (clipped; same scaling as encodeWav's pcm16). */
export function toPcm16(audio: Float32Array): Uint8Array {
  const out = new Uint8Array(audio.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < audio.length; i++) {
    const x = audio[i]!;
    const clipped = x > 1 ? 1 : x < -1 ? -1 : x; // NaN stays NaN and is written as 0
    view.setInt16(2 * i, Math.min(32767, Math.round(clipped * 32768)), true);
  }
  return out;
}

/**
 * The 44-byte header of a mono 16-bit PCM WAV. With `dataBytes` undefined (streaming) the RIFF and
 * data sizes are 0xFFFFFFFF, which decoders such as ffmpeg, sox and browsers read as "until the end
 * of the stream".
 */
export function wavHeader(sampleRate: number, dataBytes?: number): Uint8Array {
  const out = new Uint8Array(WAV_HEADER_BYTES);
  const view = new DataView(out.buffer);
  const put4 = (at: number, s: string): void => { for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i); };
  const riffSize = dataBytes === undefined ? STREAMING_WAV_SIZE : WAV_HEADER_BYTES - 8 + dataBytes;
  put4(0, 'RIFF'); view.setUint32(4, riffSize, true); put4(8, 'WAVE');
  put4(12, 'fmt '); view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  put4(36, 'data'); view.setUint32(40, dataBytes ?? STREAMING_WAV_SIZE, true);
  return out;
}

/** A log-mel quantized to bytes for display (the JSON response's `mel`). */
export interface MelForDisplay {
  /** Mel channels (rows). */
  bins: number;
  frames: number;
  /** Seconds between frames (hop / sample rate). */
  frame_seconds: number;
  /** Log-mel values mapped to 0 and 255. */
  min: number;
  max: number;
  /** base64 of bins × frames bytes, mel-major: byte[m * frames + t], m = 0 the lowest band. */
  data: string;
}

/** Display dynamic range, in natural-log units below the loudest cell (≈ 87 dB). */
const DISPLAY_RANGE = 10;
const extractors = new Map<number, MelExtractor>();

/** The mel configuration the display uses at `sampleRate`: the models' (80 bands, ≈ 11.6 ms hop at 22.05 kHz). */
export function displayMelConfig(sampleRate: number): MelConfig {
  const hop = Math.max(1, Math.round((256 * sampleRate) / 22050));
  const nFft = 2 ** Math.ceil(Math.log2(4 * hop));
  return resolveMelConfig({ sampleRate, hopLength: hop, nFft, winLength: nFft, fMax: Math.min(8000, sampleRate / 2) });
}

/** Log-mel of what the client hears (computed from the audio), quantized for the web page. */
export function melForDisplay(audio: Float32Array, sampleRate: number): MelForDisplay {
  let extractor = extractors.get(sampleRate);
  if (!extractor) {
    extractor = new MelExtractor(displayMelConfig(sampleRate));
    extractors.set(sampleRate, extractor);
  }
  const mel = extractor.compute(audio);
  let max = -Infinity;
  for (const v of mel.data) if (v > max) max = v;
  if (!Number.isFinite(max)) max = 0;
  let min = Infinity;
  for (const v of mel.data) if (v < min) min = v;
  min = Math.max(Number.isFinite(min) ? min : max - DISPLAY_RANGE, max - DISPLAY_RANGE);
  const span = max - min || 1;
  const bytes = new Uint8Array(mel.data.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(((mel.data[i]! - min) / span) * 255)));
  return {
    bins: mel.nMels,
    frames: mel.frames,
    frame_seconds: extractor.config.hopLength / sampleRate,
    min,
    max,
    data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  };
}
