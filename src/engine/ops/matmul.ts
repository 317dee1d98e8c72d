/**
 * Matrix products: matmul with optional transposed operands, batched with broadcasting of the
 * batch dimensions, and linear (x·Wᵀ + b, PyTorch weight layout).
 *
 * Operands are passed to the GEMM kernel as they lie in memory: a transposed view becomes a
 * transpose flag, never a copy, so the backward products (A·Bᵀ, Aᵀ·B) cost no extra passes.
 */
import { record } from '../autograd.js';
import { copyContiguous, gemm } from '../backend.js';
import { Tensor, contiguousStrides, empty, sizeOf, viewOf } from '../tensor.js';
import { add } from './elementwise.js';
import { broadcastShapes } from '../backend.js';
import { sumTo } from './shape.js';

export interface MatmulOptions {
  /** Use the transpose of `a`'s last two dims. */
  transA?: boolean;
  /** Use the transpose of `b`'s last two dims. */
  transB?: boolean;
  /** Scales the product (folded into the GEMM: no extra pass). Default 1. */
  alpha?: number;
  /**
   * Memory order of the result's dims (a permutation ending in the last dim): the result is stored
   * so that permute(result, layout) is contiguous, when one GEMM can write that order (e.g.
   * attention heads [B, H, T, hd] written straight into [B, T, H, hd]); otherwise row-major.
   * Only the strides differ, never the values.
   */
  layout?: readonly number[];
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
function collapsedBatchStride(t: Pick<Tensor, 'shape' | 'strides'>, batchShape: readonly number[]): number | null {
  const nb = batchShape.length;
  const lead = nb - (t.shape.length - 2);
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
  const alpha = opts.alpha ?? 1;
  if (!Number.isFinite(alpha)) throw new Error(`matmul: alpha must be finite, got ${alpha}`);
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul');
  const batch = sizeOf(batchShape);
  const shape = [...batchShape, M, N];
  const out = allocateIn(shape, opts.layout);
  if (out.size > 0) {
    const A = asOperand(a, batchShape), B = asOperand(b, batchShape);
    const tA = transA !== A.stored, tB = transB !== B.stored;
    const ldc = out.strides[out.ndim - 2]!, strideC = collapsedBatchStride(out, batchShape)!;
    // Fold the batch into M when B is shared and the rows of A and C run on across batch items.
    if (batch > 1 && B.batchStride === 0 && !tA && A.batchStride === M * A.ld && strideC === M * ldc) {
      gemm(tA, tB, batch * M, N, K, alpha, A.t.ptr, A.ld, B.t.ptr, B.ld, 0, out.ptr, ldc);
    } else {
      gemm(tA, tB, M, N, K, alpha, A.t.ptr, A.ld, B.t.ptr, B.ld, 0, out.ptr, ldc, batch, A.batchStride, B.batchStride, strideC);
    }
  }
  return record(out, 'matmul', [a, b], (g) => {
    let ga: Tensor | null = null, gb: Tensor | null = null;
    if (a.requiresGrad) {
      ga = transA ? matmul(b, g, { transA: transB, transB: true, alpha }) : matmul(g, b, { transB: !transB, alpha });
      ga = sumTo(ga, a.shape);
    }
    if (b.requiresGrad) {
      gb = transB ? matmul(g, a, { transA: true, transB: transA, alpha }) : matmul(a, g, { transA: !transA, alpha });
      gb = sumTo(gb, b.shape);
    }
    return [ga, gb];
  });
}

/**
 * An uninitialized result of `shape`, stored in `layout` order when the GEMM can write it there:
 * rows of C at one stride (the last dim stays innermost) and one stride walking the batch.
 */
function allocateIn(shape: readonly number[], layout: readonly number[] | undefined): Tensor {
  const n = shape.length;
  if (!layout || layout.every((d, i) => d === i)) return empty(shape);
  if (layout.length !== n || layout[n - 1] !== n - 1 || [...layout].sort((x, y) => x - y).some((d, i) => d !== i)) {
    throw new Error(`matmul: layout [${layout.join(', ')}] must be a permutation of the ${n} result dims ending in ${n - 1}`);
  }
  const storedShape = layout.map((d) => shape[d]!);
  const storedStrides = contiguousStrides(storedShape);
  const strides = new Array<number>(n);
  layout.forEach((d, i) => (strides[d] = storedStrides[i]!));
  if (collapsedBatchStride({ shape, strides }, shape.slice(0, -2)) === null) return empty(shape);
  const stored = empty(storedShape);
  return viewOf(stored, shape, strides, stored.offset);
}

/**
 * y = x·Wᵀ + b with PyTorch's layout: weight [out, in], bias [out].
 * @example linear(x, layer.weight, layer.bias) // [B, T, in] → [B, T, out]
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const y = matmul(x, weight, { transB: true });
  return bias ? add(y, bias) : y;
}
