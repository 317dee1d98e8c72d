/**
 * Sinusoidal position encodings (Vaswani et al. 2017; FastSpeech 2 adds them to the phoneme
 * embeddings and to the decoder input):
 *   PE[pos, 2i]   = sin(pos / 10000^(2i/d))
 *   PE[pos, 2i+1] = cos(pos / 10000^(2i/d))
 * No parameters, so any length works and nothing needs saving. A row depends only on its position,
 * so one table per width serves every length: it grows (doubling) to the longest length asked for,
 * and shorter lengths are its prefix (every utterance has its own frame count).
 */
import { type Tensor, tensor } from '../../engine/index.js';

const tables = new Map<number, Float32Array>();

/** The [length, dim] table as a flat row-major array (a view of the shared table; do not modify). */
export function sinusoidalTable(length: number, dim: number): Float32Array {
  if (!Number.isInteger(length) || length < 0 || !Number.isInteger(dim) || dim < 1) throw new Error(`sinusoidalTable: bad size [${length}, ${dim}]`);
  let table = tables.get(dim);
  if (!table || table.length < length * dim) {
    const rows = Math.max(length, 2 * (table ? table.length / dim : 256));
    table = new Float32Array(rows * dim);
    const wavelength = Float64Array.from({ length: Math.ceil(dim / 2) }, (_, j) => 10000 ** ((2 * j) / dim));
    for (let pos = 0; pos < rows; pos++) {
      const row = pos * dim;
      for (let i = 0; i < dim; i += 2) {
        const angle = pos / wavelength[i >> 1]!;
        table[row + i] = Math.sin(angle);
        if (i + 1 < dim) table[row + i + 1] = Math.cos(angle);
      }
    }
    tables.set(dim, table);
  }
  return table.subarray(0, length * dim);
}

/** The table as a [1, length, dim] tensor that broadcasts over the batch (created in the current scope). */
export function sinusoidalEncoding(length: number, dim: number): Tensor {
  return tensor(sinusoidalTable(length, dim), [1, length, dim]);
}
