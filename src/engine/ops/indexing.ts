/**
 * Index ops: embedding (gather rows), indexSelect, scatterAdd, and the FastSpeech length
 * regulator (repeat each row by an integer duration).
 */
import { record } from '../autograd.js';
import { binary, contiguous, full } from '../backend.js';
import * as K from '../kernels/wrappers.js';
import { engine } from '../runtime.js';
import { Tensor, empty, sizeOf } from '../tensor.js';
import { normAxis, permute, reshape } from './shape.js';

function requireInt(idx: Tensor, op: string): Tensor {
  if (idx.dtype !== 'int32') throw new Error(`${op}: indices must be an int32 tensor, got ${idx.dtype}`);
  return contiguous(idx);
}

/** Checks every index is in [0, n): out-of-range ids are a common data bug, so name it. */
function checkRange(idx: Tensor, n: number, op: string): void {
  const view = idx.unsafeView();
  for (let i = 0; i < view.length; i++) {
    const v = view[i]!;
    if (v < 0 || v >= n) throw new Error(`${op}: index ${v} at position ${i} is out of range [0, ${n})`);
  }
}

/** out[i, :] = table[idx[i], :] for a contiguous [rows, width] table (indices checked by the caller). */
function gatherRows(table: Tensor, idx: Tensor, width: number): Tensor {
  const out = empty([idx.size, width]);
  const e = engine();
  // Indices were range-checked by the caller, so the kernel's own bad-index flag cannot be set.
  K.gatherRows(e.runner, e.mem, idx.size, width, table.shape[0]!, table.ptr, idx.ptr, out.ptr);
  return out;
}

/** grad[idx[i], :] += src[i, :] into a zero [rows, width] tensor. */
function scatterRows(src: Tensor, idx: Tensor, rows: number, width: number): Tensor {
  const out = full([rows, width], 0);
  K.scatterAddRows(engine().runner, idx.size, width, rows, contiguous(src).ptr, idx.ptr, out.ptr);
  return out;
}

/**
 * Looks up rows of `weight` [V, D] for int32 `ids` of any shape → [...ids.shape, D].
 * @example embedding(tokenIds, table) // [B, T] → [B, T, D]
 */
export function embedding(ids: Tensor, weight: Tensor): Tensor {
  const idx = requireInt(ids, 'embedding');
  if (weight.ndim !== 2) throw new Error(`embedding: weight must be [V, D], got [${weight.shape.join(', ')}]`);
  const [V, D] = weight.shape as [number, number];
  checkRange(idx, V, 'embedding');
  const w = contiguous(weight);
  const out = reshape(gatherRows(w, idx, D).detach(), [...ids.shape, D]);
  return record(out, 'embedding', [weight], (g) => [scatterRows(reshape(g, [idx.size, D]), idx, V, D)]);
}

/** Moves `axis` to the front, flattening the rest: [n, rest]. */
function axisFirst(x: Tensor, axis: number): { flat: Tensor; rest: number[]; order: number[] } {
  const order = [axis, ...[...Array(x.ndim).keys()].filter((d) => d !== axis)];
  const moved = contiguous(permute(x.detach(), order));
  const rest = order.slice(1).map((d) => x.shape[d]!);
  return { flat: reshape(moved, [x.shape[axis]!, sizeOf(rest)]), rest, order };
}

function axisBack(flat: Tensor, n: number, rest: readonly number[], order: readonly number[]): Tensor {
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => { inverse[d] = i; });
  return contiguous(permute(reshape(flat, [n, ...rest]), inverse));
}

/** Selects entries along `axis` by int32 indices (1-D): torch.index_select. */
export function indexSelect(x: Tensor, axis: number, indices: Tensor): Tensor {
  const ax = normAxis(axis, x.ndim, 'indexSelect');
  const idx = requireInt(indices, 'indexSelect');
  if (idx.ndim !== 1) throw new Error('indexSelect: indices must be 1-D');
  const n = x.shape[ax]!;
  checkRange(idx, n, 'indexSelect');
  const { flat, rest, order } = axisFirst(x, ax);
  const picked = gatherRows(flat, idx, flat.shape[1]!);
  const out = axisBack(picked, idx.size, rest, order);
  return record(out, 'indexSelect', [x], (g) => {
    const gf = axisFirst(g, ax);
    return [axisBack(scatterRows(gf.flat, idx, n, gf.flat.shape[1]!), n, rest, order)];
  });
}

/**
 * out = base, then out[…, indices[i], …] += src[…, i, …] along `axis` (duplicates accumulate).
 */
export function scatterAdd(base: Tensor, axis: number, indices: Tensor, src: Tensor): Tensor {
  const ax = normAxis(axis, base.ndim, 'scatterAdd');
  const idx = requireInt(indices, 'scatterAdd');
  const n = base.shape[ax]!;
  if (idx.ndim !== 1 || src.shape[ax] !== idx.size) throw new Error('scatterAdd: indices must be 1-D with one entry per src slice along axis');
  checkRange(idx, n, 'scatterAdd');
  const s = axisFirst(src, ax);
  const scattered = axisBack(scatterRows(s.flat, idx, n, s.flat.shape[1]!), n, s.rest, s.order);
  const out = binary('ADD', base, scattered);
  return record(out, 'scatterAdd', [base, src], (g) => [g, indexSelect(g, ax, idx)]);
}

/**
 * FastSpeech length regulator: row t of x[b] repeated durations[b, t] times, concatenated, and
 * zero-padded (or truncated) to `maxLength` frames (default: the longest total).
 * @example repeatByLengths(hidden [B, T, C], durations int32 [B, T]) // → [B, frames, C]
 */
export function repeatByLengths(x: Tensor, durations: Tensor, maxLength?: number): Tensor {
  if (x.ndim !== 3) throw new Error(`repeatByLengths: x must be [B, T, C], got [${x.shape.join(', ')}]`);
  const d = requireInt(durations, 'repeatByLengths');
  const [B, T, C] = x.shape as [number, number, number];
  if (d.ndim !== 2 || d.shape[0] !== B || d.shape[1] !== T) throw new Error(`repeatByLengths: durations must be int32 [${B}, ${T}], got [${d.shape.join(', ')}]`);
  const view = d.unsafeView();
  let longest = 0;
  for (let b = 0; b < B; b++) {
    let total = 0;
    for (let t = 0; t < T; t++) {
      const v = view[b * T + t]!;
      if (v < 0) throw new Error(`repeatByLengths: negative duration ${v} at [${b}, ${t}]`);
      total += v;
    }
    longest = Math.max(longest, total);
  }
  const Tout = maxLength ?? longest;
  const xc = contiguous(x);
  const y = empty([B, Tout, C]);
  K.repeatRows(engine().runner, B, T, C, xc.ptr, d.ptr, Tout, y.ptr);
  return record(y, 'repeatByLengths', [x], (g) => {
    const gx = empty([B, T, C]);
    K.repeatRowsBwd(engine().runner, B, T, C, contiguous(g).ptr, d.ptr, Tout, gx.ptr);
    return [gx];
  });
}
