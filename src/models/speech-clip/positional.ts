/**
 * Sinusoidal position encodings (Vaswani et al. 2017; FastSpeech 2 adds them to the phoneme
 * embeddings and to the decoder input):
 *   PE[pos, 2i]   = sin(pos / 10000^(2i/d))
 *   PE[pos, 2i+1] = cos(pos / 10000^(2i/d))
 * No parameters, so any length works and nothing needs saving; tables are cached per (length, dim).
 */
import { type Tensor, tensor } from '../../engine/index.js';

const cache = new Map<string, Float32Array>();

/** The [length, dim] table as a flat row-major array (cached; do not modify). */
export function sinusoidalTable(length: number, dim: number): Float32Array {
  if (!Number.isInteger(length) || length < 0 || !Number.isInteger(dim) || dim < 1) throw new Error(`sinusoidalTable: bad size [${length}, ${dim}]`);
  const key = `${length}x${dim}`;
  let table = cache.get(key);
  if (!table) {
    table = new Float32Array(length * dim);
    for (let pos = 0; pos < length; pos++) {
      for (let i = 0; i < dim; i += 2) {
        const angle = pos / 10000 ** (i / dim);
        table[pos * dim + i] = Math.sin(angle);
        if (i + 1 < dim) table[pos * dim + i + 1] = Math.cos(angle);
      }
    }
    // Tables for long mel sequences are ~100 KB each; a bounded cache keeps memory flat.
    if (cache.size > 256) cache.clear();
    cache.set(key, table);
  }
  return table;
}

/** The table as a [1, length, dim] tensor that broadcasts over the batch (created in the current scope). */
export function sinusoidalEncoding(length: number, dim: number): Tensor {
  return tensor(sinusoidalTable(length, dim), [1, length, dim]);
}
