/**
 * The feature cache: one binary file per utterance, `items/ID.feat`, laid out for one sequential read.
 *
 *   bytes 0-3    "CTFT" magic
 *   bytes 4-7    u32 LE format version (1)
 *   bytes 8-11   u32 LE header length H (JSON, UTF-8, space-padded to a multiple of 4)
 *   12 .. 12+H   JSON header: CachedItemHeader
 *   then, each section starting on a 4-byte boundary:
 *     mel      [frames, nMels] float16 or float32 (frame-major)
 *     pitch    [frames] float32, Hz, 0 = unvoiced
 *     energy   [frames] float32
 *     phonemes [phonemes] int32 symbol ids
 *     words    [words] int32: index of each word's first phoneme
 *
 * Items are written to a temp file and renamed, so a file that exists is complete.
 */
import { closeSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { decodeFloat16, encodeFloat16 } from './float16.js';
import type { DatasetIssue } from './types.js';

export const CACHE_MAGIC = 'CTFT';
export const CACHE_VERSION = 1;

/** Storage type of the mel section. */
export type MelDtype = 'float16' | 'float32';

/** JSON header of a cached item. */
export interface CachedItemHeader {
  id: string;
  frames: number;
  nMels: number;
  phonemes: number;
  words: number;
  melDtype: MelDtype;
  /** Hash of the settings the features depend on; a resumed run recomputes items whose fingerprint differs. */
  fingerprint: string;
  /** Kept part of the source audio, seconds from its start: [start, end). Alignments must be shifted by start. */
  trim: [number, number];
  /** Sample rate of the source wav. */
  sourceRate: number;
  /** Duration after trimming, seconds. */
  seconds: number;
  /** Problems that did not skip the item (e.g. light clipping), so a resumed run reports them again. */
  warnings: DatasetIssue[];
}

/** A decoded cached item. */
export interface CachedItem {
  header: CachedItemHeader;
  /** [frames, nMels], frame-major, always float32 in memory. */
  mel: Float32Array;
  pitch: Float32Array;
  energy: Float32Array;
  phonemes: Int32Array;
  /** Index of each word's first phoneme. */
  wordStarts: Int32Array;
}

const pad4 = (n: number): number => (n + 3) & ~3;

/** Byte size of the mel section. */
function melBytes(h: Pick<CachedItemHeader, 'frames' | 'nMels' | 'melDtype'>): number {
  return pad4(h.frames * h.nMels * (h.melDtype === 'float16' ? 2 : 4));
}

/** Serializes one item. */
export function encodeCachedItem(item: CachedItem): Uint8Array {
  const h = item.header;
  let json = JSON.stringify(h);
  const jsonBytes = new TextEncoder().encode(json);
  const headerLength = pad4(jsonBytes.length);
  json += ' '.repeat(headerLength - jsonBytes.length);
  const total = 12 + headerLength + melBytes(h) + 8 * h.frames + 4 * h.phonemes + 4 * h.words;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = CACHE_MAGIC.charCodeAt(i);
  view.setUint32(4, CACHE_VERSION, true);
  view.setUint32(8, headerLength, true);
  out.set(new TextEncoder().encode(json), 12);
  let p = 12 + headerLength;
  const n = h.frames * h.nMels;
  // Typed-array views need aligned offsets; every section starts on a 4-byte boundary (little-endian hosts).
  if (h.melDtype === 'float16') encodeFloat16(item.mel.subarray(0, n), new Uint16Array(out.buffer, p, n));
  else new Float32Array(out.buffer, p, n).set(item.mel.subarray(0, n));
  p += melBytes(h);
  new Float32Array(out.buffer, p, h.frames).set(item.pitch); p += 4 * h.frames;
  new Float32Array(out.buffer, p, h.frames).set(item.energy); p += 4 * h.frames;
  new Int32Array(out.buffer, p, h.phonemes).set(item.phonemes); p += 4 * h.phonemes;
  new Int32Array(out.buffer, p, h.words).set(item.wordStarts);
  return out;
}

/** A cache file that is not a valid item. */
export class CacheError extends Error {
  override name = 'CacheError';
}

function parseHeader(bytes: Uint8Array, name: string): { header: CachedItemHeader; dataStart: number } {
  if (bytes.length < 12 || String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!) !== CACHE_MAGIC) throw new CacheError(`${name}: not a ClipTTS feature file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== CACHE_VERSION) throw new CacheError(`${name}: feature file version ${version}, expected ${CACHE_VERSION} (re-run prepare)`);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) throw new CacheError(`${name}: truncated header`);
  let header: CachedItemHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as CachedItemHeader;
  } catch {
    throw new CacheError(`${name}: corrupt header`);
  }
  return { header, dataStart: 12 + headerLength };
}

/** Total file size an item with this header must have. */
export function expectedFileSize(header: CachedItemHeader, dataStart: number): number {
  return dataStart + melBytes(header) + 8 * header.frames + 4 * header.phonemes + 4 * header.words;
}

/** Decodes a whole item file. */
export function decodeCachedItem(bytes: Uint8Array, name = 'feature file'): CachedItem {
  const { header: h, dataStart } = parseHeader(bytes, name);
  if (bytes.length !== expectedFileSize(h, dataStart)) throw new CacheError(`${name}: size ${bytes.length} does not match its header (truncated?)`);
  // Copy into an aligned buffer when the caller's slice is not 4-byte aligned (e.g. a pooled Buffer).
  const b = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const n = h.frames * h.nMels;
  let p = b.byteOffset + dataStart;
  const mel = h.melDtype === 'float16' ? decodeFloat16(new Uint16Array(b.buffer, p, n)) : new Float32Array(b.buffer.slice(p, p + 4 * n));
  p += melBytes(h);
  const f32 = (count: number): Float32Array => { const a = new Float32Array(b.buffer.slice(p, p + 4 * count)); p += 4 * count; return a; };
  const i32 = (count: number): Int32Array => { const a = new Int32Array(b.buffer.slice(p, p + 4 * count)); p += 4 * count; return a; };
  const pitch = f32(h.frames), energy = f32(h.frames), phonemes = i32(h.phonemes), wordStarts = i32(h.words);
  return { header: h, mel, pitch, energy, phonemes, wordStarts };
}

/**
 * Reads only the header of an item file (a small positional read), checking that the file is complete.
 * Returns undefined for a missing, truncated or foreign file.
 */
export function readCachedItemHeader(path: string): CachedItemHeader | undefined {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch { return undefined; }
  try {
    const head = new Uint8Array(4096);
    const got = readSync(fd, head, 0, head.length, 0);
    if (got < 12) return undefined;
    const headerLength = new DataView(head.buffer).getUint32(8, true);
    let bytes = head.subarray(0, got);
    if (12 + headerLength > got) {
      bytes = new Uint8Array(12 + headerLength);
      if (readSync(fd, bytes, 0, bytes.length, 0) < bytes.length) return undefined;
    }
    const { header, dataStart } = parseHeader(bytes, path);
    const size = readSync(fd, new Uint8Array(1), 0, 1, expectedFileSize(header, dataStart) - 1);
    const beyond = readSync(fd, new Uint8Array(1), 0, 1, expectedFileSize(header, dataStart));
    return size === 1 && beyond === 0 ? header : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Reads the pitch and energy sections only (for dataset statistics), without the mel. */
export function readPitchEnergy(path: string): { pitch: Float32Array; energy: Float32Array } {
  const header = readCachedItemHeader(path);
  if (!header) throw new CacheError(`${path}: missing or incomplete feature file`);
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(12);
    readSync(fd, head, 0, 12, 0);
    const dataStart = 12 + new DataView(head.buffer).getUint32(8, true);
    const bytes = new Uint8Array(8 * header.frames);
    readSync(fd, bytes, 0, bytes.length, dataStart + melBytes(header));
    return { pitch: new Float32Array(bytes.buffer, 0, header.frames), energy: new Float32Array(bytes.buffer, 4 * header.frames, header.frames) };
  } finally {
    closeSync(fd);
  }
}

/** Writes `bytes` to `path` atomically: a temp file in the same folder, then rename. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}
