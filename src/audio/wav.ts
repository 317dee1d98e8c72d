/**
 * WAV (RIFF/WAVE) decoding and encoding on plain byte arrays: browser-safe, no Node APIs.
 * File helpers live in wav-file.ts (Node only).
 */

/** Sample encodings this module reads; `encodeWav` writes the PCM and float ones. */
export type WavSampleFormat = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64' | 'mulaw' | 'alaw';

/** Decoded audio: samples in [-1, 1] as Float32Array. */
export interface WavAudio {
  sampleRate: number;
  /** Mono mix-down (the average of all channels); for a mono file, the channel itself. */
  samples: Float32Array;
  /** Every channel when decoded with `keepChannels: true`; otherwise `[samples]`. */
  channels: Float32Array[];
  /** Channel count stored in the file (even when mixed down). */
  channelCount: number;
  format: WavSampleFormat;
  /** True when the file used WAVE_FORMAT_EXTENSIBLE. */
  extensible: boolean;
}

export interface DecodeWavOptions {
  /** Keep every channel in `channels` (the mono mix is still in `samples`). Default false. */
  keepChannels?: boolean;
  /** Name used in error messages (a file path, a URL). */
  name?: string;
}

export interface EncodeWavOptions {
  /** Sample encoding. Default 'pcm16'. */
  format?: Exclude<WavSampleFormat, 'mulaw' | 'alaw'>;
  /** Write a WAVE_FORMAT_EXTENSIBLE header (needed by some tools for >2 channels or >16 bits). Default false. */
  extensible?: boolean;
  /** Extra chunks written before `data`, e.g. `{ id: 'LIST', data: bytes }`; odd sizes get their pad byte. */
  extraChunks?: { id: string; data: Uint8Array }[];
}

/** A malformed, truncated or unsupported WAV file. The message names the file when a name was given. */
export class WavError extends Error {
  override name = 'WavError';
}

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_ALAW = 0x0006;
const FORMAT_MULAW = 0x0007;
const FORMAT_EXTENSIBLE = 0xfffe;

const FORMAT_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM', 0x0011: 'IMA ADPCM', 0x0031: 'GSM 6.10', 0x0050: 'MPEG', 0x0055: 'MP3',
  0x0160: 'WMA', 0x00ff: 'AAC', 0x1610: 'AAC', 0xf1ac: 'FLAC',
};

function fourcc(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
}

/**
 * Decodes a WAV file: PCM 8/16/24/32-bit, IEEE float 32/64, mu-law, A-law, plain or WAVE_FORMAT_EXTENSIBLE,
 * any channel count (mixed down to mono unless `keepChannels`), any sample rate, any extra chunks.
 * @example
 *   const { samples, sampleRate } = decodeWav(bytes, { name: 'speech.wav' });
 */
export function decodeWav(bytes: Uint8Array, options: DecodeWavOptions = {}): WavAudio {
  const where = options.name ? `${options.name}: ` : '';
  const fail = (msg: string): never => { throw new WavError(`${where}${msg}`); };
  if (bytes.length < 12) fail(`not a WAV file (only ${bytes.length} bytes)`);
  const riff = fourcc(bytes, 0);
  if (riff === 'RF64') fail('RF64 (64-bit WAV) is not supported');
  if (riff !== 'RIFF' || fourcc(bytes, 8) !== 'WAVE') {
    fail(`not a WAV file (starts with ${JSON.stringify(fourcc(bytes, 0))}, expected "RIFF....WAVE")`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  let fmt: { tag: number; channels: number; rate: number; blockAlign: number; bits: number; extensible: boolean } | undefined;
  let dataStart = -1;
  let dataLength = 0;
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = fourcc(bytes, pos);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    const available = bytes.length - body;
    if (id === 'fmt ') {
      if (size < 16 || available < 16) fail(`truncated or invalid "fmt " chunk (${Math.min(size, available)} bytes)`);
      let tag = view.getUint16(body, true);
      const extensible = tag === FORMAT_EXTENSIBLE;
      if (extensible) {
        if (size < 40 || available < 40) fail('truncated WAVE_FORMAT_EXTENSIBLE "fmt " chunk');
        tag = view.getUint16(body + 24, true); // first two bytes of the SubFormat GUID
      }
      fmt = {
        tag, extensible,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      dataStart = body;
      // Streaming writers leave the size as 0 or 0xFFFFFFFF; read to the end of the file then.
      if (size === 0xffffffff || (size === 0 && available > 0)) dataLength = available;
      else if (size > available) fail(`truncated: "data" chunk declares ${size} bytes but only ${available} remain`);
      else dataLength = size;
      break;
    }
    pos = body + size + (size & 1); // chunks are word-aligned: odd sizes carry a pad byte
  }
  if (!fmt) fail('no "fmt " chunk before the audio data (truncated or not a WAV file)');
  if (dataStart < 0) fail('no "data" chunk (truncated file?)');
  const f = fmt!;
  if (f.channels < 1) fail('invalid channel count 0');
  if (f.rate < 1) fail('invalid sample rate 0');

  let format: WavSampleFormat;
  if (f.tag === FORMAT_PCM) {
    const byBits: Record<number, WavSampleFormat> = { 8: 'pcm8', 16: 'pcm16', 24: 'pcm24', 32: 'pcm32' };
    const found = byBits[f.bits];
    if (!found) fail(`unsupported PCM bit depth ${f.bits} (supported: 8, 16, 24, 32)`);
    format = found!;
  } else if (f.tag === FORMAT_FLOAT) {
    if (f.bits !== 32 && f.bits !== 64) fail(`unsupported float bit depth ${f.bits} (supported: 32, 64)`);
    format = f.bits === 32 ? 'float32' : 'float64';
  } else if (f.tag === FORMAT_MULAW || f.tag === FORMAT_ALAW) {
    if (f.bits !== 8) fail(`unsupported ${f.tag === FORMAT_MULAW ? 'mu-law' : 'A-law'} bit depth ${f.bits}`);
    format = f.tag === FORMAT_MULAW ? 'mulaw' : 'alaw';
  } else {
    const what = FORMAT_NAMES[f.tag] ?? `format tag 0x${f.tag.toString(16).padStart(4, '0')}`;
    return fail(`unsupported compressed encoding (${what}); convert to PCM first, e.g. \`sox in.wav -b 16 out.wav\``);
  }

  const bytesPerSample = f.bits / 8;
  const frameBytes = bytesPerSample * f.channels;
  const frames = Math.floor(dataLength / frameBytes); // a trailing partial frame is dropped
  const channels: Float32Array[] = [];
  for (let c = 0; c < f.channels; c++) channels.push(new Float32Array(frames));
  readSamples(view, dataStart, frames, f.channels, format, channels);

  let samples: Float32Array;
  if (f.channels === 1) samples = channels[0]!;
  else {
    samples = new Float32Array(frames);
    const scale = 1 / f.channels;
    for (const ch of channels) for (let i = 0; i < frames; i++) samples[i]! += ch[i]!;
    for (let i = 0; i < frames; i++) samples[i]! *= scale;
  }
  return {
    sampleRate: f.rate, samples, channels: options.keepChannels ? channels : [samples],
    channelCount: f.channels, format, extensible: f.extensible,
  };
}

function readSamples(view: DataView, start: number, frames: number, nch: number, format: WavSampleFormat, out: Float32Array[]): void {
  let p = start;
  switch (format) {
    case 'pcm8':
      for (let i = 0; i < frames; i++) for (let c = 0; c < nch; c++) out[c]![i] = (view.getUint8(p++) - 128) / 128;
      break;
    case 'pcm16':
      for (let i = 0; i < frames; i++) for (let c = 0; c < nch; c++, p += 2) out[c]![i] = view.getInt16(p, true) / 32768;
      break;
    case 'pcm24':
      for (let i = 0; i < frames; i++) for (let c = 0; c < nch; c++, p += 3) {
        const v = view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16);
        out[c]![i] = v / 8388608;
      }
      break;
    case 'pcm32':
      for (let i = 0; i < frames; i++) for (let c = 0; c < nch; c++, p += 4) out[c]![i] = view.getInt32(p, true) / 2147483648;
      break;
    case 'float32':
      for (let i = 0; i < frames; i++) for (let c = 0; c < nch; c++, p += 4) out[c]![i] = view.getFloat32(p, true);
      break;
    case 'float64':
      for (let i = 0; i < frames; i++) for (let c = 0; c < nch; c++, p += 8) out[c]![i] = view.getFloat64(p, true);
      break;
    case 'mulaw':
      for (let i = 0; i < frames; i++) for (let c = 0; c < nch; c++) out[c]![i] = mulawDecode(view.getUint8(p++)) / 32768;
      break;
    case 'alaw':
      for (let i = 0; i < frames; i++) for (let c = 0; c < nch; c++) out[c]![i] = alawDecode(view.getUint8(p++)) / 32768;
      break;
  }
}

/** G.711 mu-law byte to 16-bit linear. */
function mulawDecode(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** G.711 A-law byte to 16-bit linear. */
function alawDecode(byte: number): number {
  const a = byte ^ 0x55;
  const seg = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  t = seg === 0 ? t + 8 : seg === 1 ? t + 0x108 : (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

const BITS: Record<Exclude<WavSampleFormat, 'mulaw' | 'alaw'>, number> = {
  pcm8: 8, pcm16: 16, pcm24: 24, pcm32: 32, float32: 32, float64: 64,
};

/**
 * Encodes audio as a WAV file. Pass one Float32Array for mono or one per channel.
 * PCM samples are clipped to [-1, 1] and rounded; float formats are written as is.
 * @example
 *   const bytes = encodeWav(samples, 22050);                        // 16-bit PCM mono
 *   const f32 = encodeWav([left, right], 48000, { format: 'float32' });
 */
export function encodeWav(audio: Float32Array | Float64Array | (Float32Array | Float64Array)[], sampleRate: number, options: EncodeWavOptions = {}): Uint8Array {
  const format = options.format ?? 'pcm16';
  const channels = Array.isArray(audio) ? audio : [audio];
  if (channels.length < 1) throw new WavError('encodeWav: no channels');
  if (!Number.isInteger(sampleRate) || sampleRate < 1) throw new WavError(`encodeWav: sample rate must be a positive integer, got ${sampleRate}`);
  const frames = channels[0]!.length;
  if (channels.some((c) => c.length !== frames)) throw new WavError('encodeWav: channels have different lengths');
  const bits = BITS[format];
  if (bits === undefined) throw new WavError(`encodeWav: unsupported format "${String(format)}"`);
  const isFloat = format === 'float32' || format === 'float64';
  const nch = channels.length;
  const blockAlign = nch * bits / 8;
  const dataBytes = frames * blockAlign;
  const extensible = options.extensible ?? false;
  const fmtSize = extensible ? 40 : isFloat ? 18 : 16;
  const extras = options.extraChunks ?? [];
  let total = 12 + 8 + fmtSize + (isFloat && !extensible ? 12 : 0);
  for (const e of extras) total += 8 + e.data.length + (e.data.length & 1);
  total += 8 + dataBytes + (dataBytes & 1);

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const put4 = (at: number, s: string): void => { for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i); };
  put4(0, 'RIFF'); view.setUint32(4, total - 8, true); put4(8, 'WAVE');
  let p = 12;
  put4(p, 'fmt '); view.setUint32(p + 4, fmtSize, true); p += 8;
  view.setUint16(p, extensible ? FORMAT_EXTENSIBLE : isFloat ? FORMAT_FLOAT : FORMAT_PCM, true);
  view.setUint16(p + 2, nch, true);
  view.setUint32(p + 4, sampleRate, true);
  view.setUint32(p + 8, sampleRate * blockAlign, true);
  view.setUint16(p + 12, blockAlign, true);
  view.setUint16(p + 14, bits, true);
  if (fmtSize >= 18) view.setUint16(p + 16, fmtSize - 18, true);
  if (extensible) {
    view.setUint16(p + 18, bits, true); // valid bits per sample
    view.setUint32(p + 20, nch <= 2 ? (nch === 1 ? 0x4 : 0x3) : 0, true); // channel mask: centre / front L+R / unspecified
    // SubFormat GUID: {0000000X-0000-0010-8000-00AA00389B71}
    const guid = [isFloat ? 3 : 1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];
    out.set(guid, p + 24);
  }
  p += fmtSize;
  if (isFloat && !extensible) { // non-PCM formats should carry a fact chunk (sample frame count)
    put4(p, 'fact'); view.setUint32(p + 4, 4, true); view.setUint32(p + 8, frames, true); p += 12;
  }
  for (const e of extras) {
    if (e.id.length !== 4) throw new WavError(`encodeWav: chunk id must be 4 characters, got "${e.id}"`);
    put4(p, e.id); view.setUint32(p + 4, e.data.length, true); out.set(e.data, p + 8);
    p += 8 + e.data.length + (e.data.length & 1);
  }
  put4(p, 'data'); view.setUint32(p + 4, dataBytes, true); p += 8;
  const clip = (x: number): number => (x > 1 ? 1 : x < -1 ? -1 : x);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nch; c++) {
      const x = channels[c]![i]!;
      switch (format) {
        case 'pcm8': out[p] = Math.min(255, Math.round(clip(x) * 128) + 128); p += 1; break;
        case 'pcm16': view.setInt16(p, Math.min(32767, Math.round(clip(x) * 32768)), true); p += 2; break;
        case 'pcm24': {
          const v = Math.min(8388607, Math.round(clip(x) * 8388608));
          out[p] = v & 0xff; out[p + 1] = (v >> 8) & 0xff; out[p + 2] = (v >> 16) & 0xff; p += 3; break;
        }
        case 'pcm32': view.setInt32(p, Math.min(2147483647, Math.round(clip(x) * 2147483648)), true); p += 4; break;
        case 'float32': view.setFloat32(p, x, true); p += 4; break;
        case 'float64': view.setFloat64(p, x, true); p += 8; break;
      }
    }
  }
  return out;
}
