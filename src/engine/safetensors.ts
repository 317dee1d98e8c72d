/**
 * safetensors encode/decode: bytes in, bytes out (browser-safe, no I/O).
 *
 * Format (https://github.com/huggingface/safetensors):
 *   [8 bytes]  N, unsigned 64-bit little-endian: byte length of the header
 *   [N bytes]  UTF-8 JSON object: { "__metadata__"?: {string: string},
 *                                   "<name>": { "dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end] }, ... }
 *              padded with spaces (0x20) so that 8 + N is a multiple of 8
 *   [rest]     the byte buffer; data_offsets are relative to its start, little-endian, row-major.
 *              Tensors tile the buffer exactly: no overlap, no holes, nothing after the last one.
 *
 * The writer lays tensors out like the reference (Rust/Python) implementation: sorted by dtype
 * (F32 before I32) then by name, header keys in that same order after "__metadata__", compact
 * JSON. The reader accepts F32 and I32 as is and converts F16, BF16, F64 (→ F32) and I64, I16,
 * I8, U8, U16, BOOL (→ I32; I64 values must fit in int32). Every validation error names the source
 * and, where it applies, the tensor.
 */
import { Tensor, tensor } from './tensor.js';
import type { Module } from './nn/module.js';

/** A tensor as plain data (what the codec reads and writes). */
export interface RawTensor {
  dtype: 'F32' | 'I32';
  shape: number[];
  data: Float32Array | Int32Array;
}

/**
 * A decoded tensor: F32/I32 data, with the dtype it had in the file. Aligned F32 data is a view of
 * the decoded bytes (loading a large model does not hold every weight twice): copy it to keep it
 * while the bytes change.
 */
export interface DecodedTensor extends RawTensor {
  sourceDtype: string;
}

export interface DecodedSafetensors {
  tensors: Map<string, DecodedTensor>;
  metadata: Record<string, string>;
}

/** Reference implementation's limit on header size (guards against absurd allocations). */
const MAX_HEADER_BYTES = 100_000_000;

const ITEM_BYTES: Record<string, number> = { F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2, I16: 2, U16: 2, I8: 1, U8: 1, BOOL: 1 };
/** Write order of the reference implementation: larger dtypes (its enum order) first. */
const WRITE_RANK: Record<RawTensor['dtype'], number> = { F32: 1, I32: 0 };

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function toRaw(name: string, t: RawTensor | Tensor): RawTensor {
  if (t instanceof Tensor) {
    return { dtype: t.dtype === 'float32' ? 'F32' : 'I32', shape: [...t.shape], data: t.toArray() };
  }
  if (t.dtype !== 'F32' && t.dtype !== 'I32') throw new Error(`encodeSafetensors: tensor "${name}" has dtype ${String(t.dtype)}; only F32 and I32 are written`);
  const wantArray = t.dtype === 'F32' ? Float32Array : Int32Array;
  if (!(t.data instanceof wantArray)) throw new Error(`encodeSafetensors: tensor "${name}" is ${t.dtype} but its data is a ${t.data.constructor.name}`);
  return t;
}

/**
 * Serializes tensors (engine Tensors or plain data) and optional string metadata to safetensors
 * bytes.
 * @example const bytes = encodeSafetensors(model.stateDict(), { step: '1000' });
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, RawTensor | Tensor>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const entries: [string, RawTensor][] = [];
  for (const [name, t] of tensors) {
    if (name === '' || name === '__metadata__') throw new Error(`encodeSafetensors: invalid tensor name "${name}"`);
    const raw = toRaw(name, t);
    for (const d of raw.shape) if (!Number.isInteger(d) || d < 0) throw new Error(`encodeSafetensors: tensor "${name}" has invalid shape [${raw.shape.join(', ')}]`);
    if (numel(raw.shape) !== raw.data.length) throw new Error(`encodeSafetensors: tensor "${name}" has ${raw.data.length} values for shape [${raw.shape.join(', ')}]`);
    entries.push([name, raw]);
  }
  entries.sort(([na, a], [nb, b]) => WRITE_RANK[b.dtype] - WRITE_RANK[a.dtype] || (na < nb ? -1 : na > nb ? 1 : 0));

  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) {
    const meta: Record<string, string> = {};
    for (const k of Object.keys(metadata).sort()) {
      const v = metadata[k];
      if (typeof v !== 'string') throw new Error(`encodeSafetensors: metadata "${k}" must be a string (got ${typeof v}); JSON.stringify it`);
      meta[k] = v;
    }
    header.__metadata__ = meta;
  }
  let offset = 0;
  for (const [name, raw] of entries) {
    const bytes = raw.data.length * 4;
    header[name] = { dtype: raw.dtype, shape: raw.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded, true);
  view.setUint32(4, Math.floor(padded / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const [, raw] of entries) {
    if (LITTLE_ENDIAN_HOST) out.set(new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength), at);
    else for (let i = 0; i < raw.data.length; i++) {
      if (raw.dtype === 'F32') view.setFloat32(at + 4 * i, raw.data[i]!, true);
      else view.setInt32(at + 4 * i, raw.data[i]!, true);
    }
    at += raw.data.byteLength;
  }
  return out;
}

/** IEEE half → float. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function convert(name: string, dtype: string, view: DataView, n: number, fail: (msg: string) => never): Float32Array | Int32Array {
  switch (dtype) {
    case 'F32': {
      // A view of the file's bytes when aligned (no second copy of every weight); a copy otherwise.
      if (LITTLE_ENDIAN_HOST) {
        return view.byteOffset % 4 === 0 ? new Float32Array(view.buffer, view.byteOffset, n) : new Float32Array(view.buffer.slice(view.byteOffset, view.byteOffset + n * 4));
      }
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    case 'I32': {
      if (LITTLE_ENDIAN_HOST) return new Int32Array(view.buffer.slice(view.byteOffset, view.byteOffset + n * 4));
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
      return out;
    }
    case 'F64': { const out = new Float32Array(n); for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true); return out; }
    case 'F16': { const out = new Float32Array(n); for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true)); return out; }
    case 'BF16': {
      const out = new Float32Array(n);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      return out;
    }
    case 'I64': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = view.getBigInt64(8 * i, true);
        if (v > 2147483647n || v < -2147483648n) fail(`tensor "${name}": I64 value ${v} at index ${i} does not fit in int32`);
        out[i] = Number(v);
      }
      return out;
    }
    case 'I16': { const out = new Int32Array(n); for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, true); return out; }
    case 'U16': { const out = new Int32Array(n); for (let i = 0; i < n; i++) out[i] = view.getUint16(2 * i, true); return out; }
    case 'I8': { const out = new Int32Array(n); for (let i = 0; i < n; i++) out[i] = view.getInt8(i); return out; }
    case 'U8': case 'BOOL': { const out = new Int32Array(n); for (let i = 0; i < n; i++) out[i] = view.getUint8(i); return out; }
    default: return fail(`tensor "${name}" has unsupported dtype "${dtype}"`);
  }
}

interface HeaderEntry { name: string; dtype: string; shape: number[]; begin: number; end: number }

/**
 * Parses and validates safetensors bytes. `source` (a file name or URL) is used in error messages.
 * @example const { tensors, metadata } = decodeSafetensors(await (await fetch(url)).arrayBuffer(), { source: url });
 */
export function decodeSafetensors(input: Uint8Array | ArrayBuffer, opts: { source?: string } = {}): DecodedSafetensors {
  const source = opts.source ?? '<bytes>';
  const fail = (msg: string): never => { throw new Error(`safetensors ${source}: ${msg}`); };
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.length < 8) fail(`truncated file: ${bytes.length} bytes, shorter than the 8-byte header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
  if (headerLen > MAX_HEADER_BYTES) fail(`header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`);
  if (8 + headerLen > bytes.length) fail(`truncated file: header needs ${headerLen} bytes, only ${bytes.length - 8} present`);
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
    if (!text.startsWith('{')) fail('header does not start with "{" (not a safetensors file?)');
    header = JSON.parse(text);
  } catch (e) {
    if ((e as Error).message.startsWith(`safetensors ${source}:`)) throw e;
    fail(`bad JSON header: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;

  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof info !== 'object' || info === null || Array.isArray(info)) fail('"__metadata__" must be an object of strings');
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`metadata "${k}" is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (typeof info !== 'object' || info === null) fail(`tensor "${name}": entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in ITEM_BYTES)) fail(`tensor "${name}" has unsupported dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || (d as number) < 0)) fail(`tensor "${name}" has invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isInteger(o) || (o as number) < 0)) {
      fail(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const need = numel(shape as number[]) * ITEM_BYTES[dtype as string]!;
    if (end < begin || end - begin !== need) fail(`tensor "${name}": data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${dtype as string} [${(shape as number[]).join(', ')}] needs ${need}`);
    if (end > dataLen) fail(`tensor "${name}": data_offsets [${begin}, ${end}] run past the end of the data (${dataLen} bytes): truncated file`);
    entries.push({ name, dtype: dtype as string, shape: shape as number[], begin, end });
  }
  // The buffer must be tiled exactly (reference implementation's rule: no overlaps, no holes).
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expect = 0;
  let prev: HeaderEntry | null = null;
  for (const e of byOffset) {
    if (e.begin < expect) fail(`tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] overlap tensor "${prev!.name}" [${prev!.begin}, ${prev!.end}]`);
    if (e.begin > expect) fail(`tensor "${e.name}": gap of ${e.begin - expect} bytes before its data_offsets [${e.begin}, ${e.end}]`);
    expect = e.end;
    prev = e;
  }
  if (expect !== dataLen) fail(`${dataLen - expect} unexpected bytes after the last tensor`);

  const tensors = new Map<string, DecodedTensor>();
  for (const e of entries) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + dataStart + e.begin, e.end - e.begin);
    const data = convert(e.name, e.dtype, view, numel(e.shape), fail);
    tensors.set(e.name, { dtype: data instanceof Float32Array ? 'F32' : 'I32', shape: e.shape, data, sourceDtype: e.dtype });
  }
  return { tensors, metadata };
}

/** Decoded tensors as engine Tensors (heap by default). */
export function tensorsFromRaw(raw: ReadonlyMap<string, RawTensor>, opts: { persistent?: boolean } = {}): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [name, t] of raw) {
    const x = tensor(t.data, t.shape, t.dtype === 'F32' ? 'float32' : 'int32', opts.persistent ?? true);
    x.name = name;
    out.set(name, x);
  }
  return out;
}

export interface LoadIntoOptions {
  /** Missing and unexpected tensors are errors (default true). Shape/dtype mismatches always are. */
  strict?: boolean;
  /** File name or URL for error messages. */
  source?: string;
}

export interface LoadIntoReport {
  /** Tensors copied into the module. */
  loaded: string[];
  /** Module tensors absent from the file (only possible with strict: false). */
  missing: string[];
  /** File tensors the module does not have (only possible with strict: false). */
  unexpected: string[];
}

/** Edit distance, for "did you mean" hints on renamed tensors. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

function closest(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null, bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) { bestD = d; best = c; }
  }
  return best !== null && bestD <= Math.max(3, Math.floor(name.length / 3)) ? best : null;
}

/**
 * Copies decoded safetensors (or raw bytes) into a module's parameters and buffers by dotted name,
 * validating everything first (nothing is modified when an error is thrown). Errors name each
 * offending tensor and the source; renamed tensors get a "did you mean" hint.
 * @example loadSafetensorsInto(model, new Uint8Array(await res.arrayBuffer()), { source: url });
 */
export function loadSafetensorsInto(module: Module, input: DecodedSafetensors | Uint8Array | ArrayBuffer, opts: LoadIntoOptions = {}): LoadIntoReport {
  const source = opts.source ?? '<bytes>';
  const strict = opts.strict ?? true;
  const decoded = input instanceof Uint8Array || input instanceof ArrayBuffer ? decodeSafetensors(input, { source }) : input;
  const own = module.stateDict();
  const missing: string[] = [], unexpected: string[] = [], problems: string[] = [];
  for (const [name, target] of own) {
    const src = decoded.tensors.get(name);
    if (!src) { missing.push(name); continue; }
    const wantDtype = target.dtype === 'float32' ? 'F32' : 'I32';
    if (src.shape.length !== target.shape.length || src.shape.some((d, i) => d !== target.shape[i])) {
      problems.push(`tensor "${name}" has shape [${src.shape.join(', ')}] in the file, the model expects [${target.shape.join(', ')}]`);
    } else if (src.dtype !== wantDtype) {
      problems.push(`tensor "${name}" is ${src.sourceDtype ?? src.dtype} in the file, the model expects ${wantDtype}`);
    } else if (!target.isContiguous()) {
      problems.push(`model tensor "${name}" is not contiguous`);
    }
  }
  for (const name of decoded.tensors.keys()) if (!own.has(name)) unexpected.push(name);
  if (strict) {
    for (const name of missing) problems.push(`missing tensor "${name}" [${own.get(name)!.shape.join(', ')}]`);
    for (const name of unexpected) {
      const hint = closest(name, missing);
      problems.push(`unexpected tensor "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
  }
  if (problems.length) throw new Error(`loading ${source} into ${module.constructor.name}: ${problems.join('; ')}`);
  const loaded: string[] = [];
  for (const [name, target] of own) {
    const src = decoded.tensors.get(name);
    if (!src) continue;
    target.unsafeView().set(src.data);
    loaded.push(name);
  }
  return { loaded, missing, unexpected };
}
