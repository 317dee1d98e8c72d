/**
 * Matrix products: matmul with optional transposed operands, batched with broadcasting of the
 * batch dimensions, and linear (x·Wᵀ + b, PyTorch weight layout).
 *
 * Operands are passed to the GEMM kernel as they lie in memory: a transposed view becomes a
 * transpose flag, never a copy, so the backward products (A·Bᵀ, Aᵀ·B) cost no extra passes.
 */
import { record } from '../autograd.js';
import { copyContiguous, gemm } from '../backend.js';
import { Tensor, empty, sizeOf, viewOf } from '../tensor.js';
import { add } from './elementwise.js';
import { broadcastShapes } from '../backend.js';
import { sumTo } from './shape.js';

export interface MatmulOptions {
  /** Use the transpose of `a`'s last two dims. */
  transA?: boolean;
  /** Use the transpose of `b`'s last two dims. */
  transB?: boolean;
}

interface MatrixOperand {
  t: Tensor;
  /** The stored matrix is the transpose of the logical one. */
  stored: boolean;
  ld: number;
  /** Element stride between batch items (0 = broadcast). */
  batchStride: number;
}

/** How `t`'s last two dims lie in memory, and one stride for its (broadcast) batch dims. */
function asOperand(t: Tensor, batchShape: readonly number[]): MatrixOperand {
  const r = t.shape[t.ndim - 2]!, c = t.shape[t.ndim - 1]!;
  const s2 = t.strides[t.ndim - 2]!, s1 = t.strides[t.ndim - 1]!;
  let stored: boolean | null = null, ld = 0;
  if ((s1 === 1 || c === 1) && (r === 1 || s2 >= c)) { stored = false; ld = r === 1 ? c : s2; }
  else if ((s2 === 1 || r === 1) && (c === 1 || s1 >= r)) { stored = true; ld = c === 1 ? r : s1; }
  const batchStride = stored === null ? null : collapsedBatchStride(t, batchShape);
  if (stored !== null && batchStride !== null) return { t, stored, ld: Math.max(ld, 1), batchStride };
  // Materialize the (broadcast) operand at the full batch shape: then one stride walks it.
  const shape = [...batchShape, r, c];
  const lead = shape.length - t.ndim;
  const strides = shape.map((d, i) => (i < lead || t.shape[i - lead] !== d ? 0 : t.strides[i - lead]!));
  const m = copyContiguous(viewOf(t, shape, strides, t.offset));
  return { t: m, stored: false, ld: Math.max(c, 1), batchStride: r * c };
}

/** The single stride that walks `t`'s batch dims (broadcast to batchShape) in order, or null. */
function collapsedBatchStride(t: Tensor, batchShape: readonly number[]): number | null {
  const nb = batchShape.length;
  const lead = nb - (t.ndim - 2);
  const strides = batchShape.map((d, i) => {
    const j = i - lead;
    if (j < 0 || t.shape[j] === 1) return 0;
    return t.strides[j]!;
  });
  if (strides.every((s) => s === 0)) return 0;
  // Must be a plain row-major walk over every dim of size > 1.
  let expect: number | null = null;
  for (let i = nb - 1; i >= 0; i--) {
    if (batchShape[i] === 1) continue;
    if (expect === null) expect = strides[i]!;
    if (strides[i] !== expect || expect === 0) return null;
    expect *= batchShape[i]!;
  }
  const inner = [...strides].reverse().find((s, k) => batchShape[nb - 1 - k] !== 1);
  return inner ?? 0;
}

/**
 * Matrix product over the last two dims, broadcasting batch dims.
 * @example matmul(q, k, { transB: true }) // [B, H, T, D] × [B, H, T, D]ᵀ → [B, H, T, T]
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  if (a.ndim < 2 || b.ndim < 2) throw new Error(`matmul: operands need ≥ 2 dims, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error('matmul: operands must be float32');
  const transA = opts.transA ?? false, transB = opts.transB ?? false;
  const M = a.shape[a.ndim - (transA ? 1 : 2)]!, K = a.shape[a.ndim - (transA ? 2 : 1)]!;
  const Kb = b.shape[b.ndim - (transB ? 1 : 2)]!, N = b.shape[b.ndim - (transB ? 2 : 1)]!;
  if (K !== Kb) {
    throw new Error(`matmul: inner dimensions differ: [${a.shape.join(', ')}]${transA ? 'ᵀ' : ''} × [${b.shape.join(', ')}]${transB ? 'ᵀ' : ''} (${K} vs ${Kb})`);
  }
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul');
  const batch = sizeOf(batchShape);
  const out = empty([...batchShape, M, N]);
  if (out.size > 0) {
    const A = asOperand(a, batchShape), B = asOperand(b, batchShape);
    const tA = transA !== A.stored, tB = transB !== B.stored;
    // Fold the batch into M when B is shared and A's rows run on across batch items.
    if (batch > 1 && B.batchStride === 0 && !tA && A.batchStride === M * A.ld) {
      gemm(tA, tB, batch * M, N, K, 1, A.t.ptr, A.ld, B.t.ptr, B.ld, 0, out.ptr, N);
    } else {
      gemm(tA, tB, M, N, K, 1, A.t.ptr, A.ld, B.t.ptr, B.ld, 0, out.ptr, N, batch, A.batchStride, B.batchStride, M * N);
    }
  }
  return record(out, 'matmul', [a, b], (g) => {
    let ga: Tensor | null = null, gb: Tensor | null = null;
    if (a.requiresGrad) {
      ga = transA ? matmul(b, g, { transA: transB, transB: true }) : matmul(g, b, { transB: !transB });
      ga = sumTo(ga, a.shape);
    }
    if (b.requiresGrad) {
      gb = transB ? matmul(g, a, { transA: true, transB: transA }) : matmul(a, g, { transA: !transA });
      gb = sumTo(gb, b.shape);
    }
    return [ga, gb];
  });
}

/**
 * y = x·Wᵀ + b with PyTorch's layout: weight [out, in], bias [out].
 * @example linear(x, layer.weight, layer.bias) // [B, T, in] → [B, T, out]
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const y = matmul(x, weight, { transB: true });
  return bias ? add(y, bias) : y;
}
