/**
 * NumPy .npy encoding/decoding (format v1.0 written; v1/v2/v3 read), little-endian, C order.
 * Browser-safe: works on Uint8Array.
 */

export type NpyDtype = '<f4' | '<f8' | '<i4' | '<i2' | '|u1' | '|i1';
export type NpyData = Float32Array | Float64Array | Int32Array | Int16Array | Uint8Array | Int8Array;

export interface NpyArray {
  data: NpyData;
  shape: number[];
  dtype: NpyDtype;
}

/** A malformed or unsupported .npy file. */
export class NpyError extends Error {
  override name = 'NpyError';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Int16Array) return '<i2';
  if (data instanceof Int8Array) return '|i1';
  return '|u1';
}

/**
 * Encodes a typed array as .npy (v1.0 header, C order). `shape` defaults to [data.length].
 * @example
 *   const bytes = encodeNpy(mel.data, [mel.nMels, mel.frames]); // np.load(...) -> float32 (80, T)
 */
export function encodeNpy(data: NpyData, shape: readonly number[] = [data.length]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyError(`encodeNpy: invalid shape [${shape.join(', ')}]`);
  if (count !== data.length) throw new NpyError(`encodeNpy: shape [${shape.join(', ')}] holds ${count} values but data has ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtypeOf(data)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so magic + version + length + header (ending in \n) is a multiple of 64 bytes.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  if (header.length > 65535) throw new NpyError('encodeNpy: header too long for format v1.0');
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1; out[7] = 0;
  out[8] = header.length & 0xff; out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (!littleEndianHost()) throw new NpyError('encodeNpy: big-endian hosts are not supported');
  out.set(body, 10 + header.length);
  return out;
}

function littleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/**
 * Decodes a .npy file (little-endian f4/f8/i4/i2/u1/i1, C order). The data is copied into a fresh,
 * aligned typed array.
 * @example
 *   const { data, shape } = decodeNpy(bytes); // shape [80, T]
 */
export function decodeNpy(bytes: Uint8Array, name?: string): NpyArray {
  const where = name ? `${name}: ` : '';
  const fail = (msg: string): never => { throw new NpyError(`${where}${msg}`); };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('not a .npy file (bad magic)');
  const major = bytes[6]!;
  let headerLen: number, start: number;
  if (major === 1) { headerLen = bytes[8]! | (bytes[9]! << 8); start = 10; }
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('truncated header');
    headerLen = (bytes[8]! | (bytes[9]! << 8) | (bytes[10]! << 16)) + bytes[11]! * 16777216;
    start = 12;
  } else return fail(`unsupported .npy version ${major}.${bytes[7]}`);
  if (start + headerLen > bytes.length) fail('truncated header');
  let header = '';
  for (let i = 0; i < headerLen; i++) header += String.fromCharCode(bytes[start + i]!);
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) return fail(`unparseable header ${JSON.stringify(header.trim())}`);
  if (fortran === 'True') fail('Fortran-order arrays are not supported (save with np.ascontiguousarray)');
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) fail(`bad shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const ctors = { '<f4': Float32Array, '<f8': Float64Array, '<i4': Int32Array, '<i2': Int16Array, '|u1': Uint8Array, '|i1': Int8Array } as const;
  const normalized = descr === '<u1' ? '|u1' : descr === '<i1' ? '|i1' : descr;
  if (!(normalized in ctors)) fail(`unsupported dtype '${descr}' (supported: ${Object.keys(ctors).join(', ')})`);
  const dtype = normalized as NpyDtype;
  const Ctor = ctors[dtype];
  const dataStart = start + headerLen;
  const byteLength = count * Ctor.BYTES_PER_ELEMENT;
  if (dataStart + byteLength > bytes.length) fail(`truncated data: expected ${byteLength} bytes, found ${bytes.length - dataStart}`);
  // Copy into a fresh buffer: aligned for the typed array, and safe with Node Buffers (whose slice() is a view).
  const copy = new Uint8Array(byteLength);
  copy.set(bytes.subarray(dataStart, dataStart + byteLength));
  const data = new Ctor(copy.buffer, 0, count);
  return { data, shape, dtype };
}
