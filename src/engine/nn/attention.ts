/**
 * Multi-head self-attention with a key-padding mask, torch.nn.MultiheadAttention math.
 *
 * Parameters (dotted state-dict names, PyTorch [out, in] layout):
 *   qkv.weight [3·D, D]   rows 0..D−1 project q, D..2D−1 project k, 2D..3D−1 project v
 *                         (= torch `in_proj_weight`, same order)
 *   qkv.bias   [3·D]      (= torch `in_proj_bias`)
 *   out.weight [D, D]     (= torch `out_proj.weight`)
 *   out.bias   [D]        (= torch `out_proj.bias`)
 * Head h uses columns h·hd .. (h+1)·hd−1 of q, k and v (hd = D / heads), as torch does.
 *
 * Forward, x [B, T, D]:
 *   qkv = x·Wqkvᵀ + b                      [B, T, 3D]          one GEMM for all three projections
 *   → view [B, T, 3, H, hd] → [3, B, H, T, hd]                 strided views, no copy when B = 1
 *                                                              (heads of one item sit hd apart)
 *   scores = (q · kᵀ) / √hd                [B, H, T, T]        batched GEMM with transB and alpha
 *   scores[b, :, :, j] = −1e9 where mask[b, j] == 0            padded keys get ~zero weight
 *   attn = dropout(softmax(scores))                            dropout only in training mode
 *   ctx = attn · v                         [B, H, T, hd]       stored in [B, T, H, hd] order
 *   → [B, T, H, hd] → [B, T, D] (a view when B = 1) → out projection
 *
 * Differences from torch to know about: our mask is 1 = real / keep, 0 = padding (torch's
 * `key_padding_mask` is True = padding), and masked scores get −1e9 rather than −∞ (identical
 * softmax for rows with at least one real key; a row with no real key becomes uniform instead of
 * NaN). Padded *query* rows are computed like torch does; callers zero them afterwards.
 * Init follows torch: qkv.weight Xavier-uniform, qkv.bias and out.bias zero, out.weight Linear's
 * default.
 */
import { cast } from '../backend.js';
import { where } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { dropout, softmax } from '../ops/nn.js';
import { permute, reshape, slice, squeeze } from '../ops/shape.js';
import type { Tensor } from '../tensor.js';
import { Linear } from './layers.js';
import { Module, initTensor } from './module.js';

/** Score given to padded keys before the softmax (exp underflows to exactly 0 in float32). */
export const MASKED_SCORE = -1e9;

export interface MultiHeadAttentionOptions {
  /** Dropout on the attention weights (torch `dropout`), default 0. */
  dropout?: number;
  /** Biases on the projections (default true). */
  bias?: boolean;
}

export interface AttentionResult {
  output: Tensor;
  /** Per-head attention weights [B, H, T, T] (after the mask, before dropout). */
  weights: Tensor;
}

export class MultiHeadAttention extends Module {
  /** Fused q, k, v projection: weight [3·dim, dim]. */
  readonly qkv: Linear;
  readonly out: Linear;
  readonly headDim: number;
  readonly dropoutP: number;

  constructor(readonly dim: number, readonly heads: number, opts: MultiHeadAttentionOptions = {}) {
    super();
    if (!Number.isInteger(heads) || heads < 1 || dim % heads !== 0) throw new Error(`MultiHeadAttention: dim ${dim} must be divisible by heads ${heads}`);
    this.headDim = dim / heads;
    this.dropoutP = opts.dropout ?? 0;
    if (!(this.dropoutP >= 0 && this.dropoutP < 1)) throw new Error(`MultiHeadAttention: dropout must be in [0, 1), got ${this.dropoutP}`);
    const bias = opts.bias ?? true;
    this.qkv = this.module('qkv', new Linear(dim, 3 * dim, { bias }));
    this.out = this.module('out', new Linear(dim, dim, { bias }));
    // torch: xavier_uniform_ on in_proj_weight (fan_in D, fan_out 3D), zero in_proj/out_proj biases.
    const xavier = initTensor([3 * dim, dim], { kind: 'uniform', bound: Math.sqrt(6 / (dim + 3 * dim)) });
    this.qkv.weight.unsafeView().set(xavier.unsafeView());
    xavier.dispose();
    this.qkv.bias?.unsafeView().fill(0);
    this.out.bias?.unsafeView().fill(0);
  }

  /**
   * Self-attention over x [B, T, D]; `mask` [B, T] (float or int32; nonzero = real frame) hides
   * padded keys. Returns [B, T, D].
   */
  forward(x: Tensor, mask?: Tensor | null): Tensor {
    return this.attend(x, mask ?? null).output;
  }

  /** Like `forward`, also returning the attention weights (for alignment plots, tests). */
  forwardWithWeights(x: Tensor, mask?: Tensor | null): AttentionResult {
    return this.attend(x, mask ?? null);
  }

  private attend(x: Tensor, mask: Tensor | null): AttentionResult {
    if (x.ndim !== 3 || x.shape[2] !== this.dim) throw new Error(`MultiHeadAttention(${this.dim}): x must be [B, T, ${this.dim}], got [${x.shape.join(', ')}]`);
    const [B, T] = x.shape as [number, number, number];
    const H = this.heads, hd = this.headDim;
    if (mask && (mask.ndim !== 2 || mask.shape[0] !== B || mask.shape[1] !== T)) {
      throw new Error(`MultiHeadAttention: mask must be [${B}, ${T}] (1 = real, 0 = padding), got [${mask.shape.join(', ')}]`);
    }
    const qkv = this.qkv.forward(x);
    // [B, T, 3, H, hd] → [3, B, H, T, hd] as a view: q, k, v are strided views of qkv that the
    // batched GEMM reads in place when B = 1 (matmul copies them when no single stride fits).
    const heads = permute(reshape(qkv, [B, T, 3, H, hd]), [2, 0, 3, 1, 4]);
    const pick = (i: number): Tensor => squeeze(slice(heads, 0, i, i + 1), 0);
    const q = pick(0), k = pick(1), v = pick(2);
    // The 1/√hd scale rides on the GEMM (torch scales q instead; the same up to rounding).
    let scores = matmul(q, k, { transB: true, alpha: 1 / Math.sqrt(hd) });
    if (mask) {
      const keyIsReal = reshape(mask.dtype === 'float32' ? mask : cast(mask, 'float32'), [B, 1, 1, T]);
      scores = where(keyIsReal, scores, MASKED_SCORE);
    }
    const weights = softmax(scores, -1);
    const dropped = dropout(weights, this.dropoutP, this.training);
    // Written straight into [B, T, H, hd] order, so merging the heads is a view, not a copy.
    const ctx = matmul(dropped, v, { layout: [0, 2, 1, 3] });
    const merged = reshape(permute(ctx, [0, 2, 1, 3]), [B, T, this.dim]);
    return { output: this.out.forward(merged), weights };
  }
}
