/**
 * conv1d and convTranspose1d in PyTorch layout (x [B, C, L]), via im2col + GEMM.
 *
 * conv1d:          col = im2col(x) [B, Cin·K, Lout];  y[b, g] = W[g] · col[b, g]
 * convTranspose1d: col[b, g] = W[g]ᵀ · x[b, g];       y = col2im(col)   (conv1d's input adjoint)
 * Each one's backward is built from the other's pieces, so only two layout kernels exist.
 */
import { record } from '../autograd.js';
import { contiguous, copyContiguous, gemm, runKernel } from '../backend.js';
import { Tensor, empty } from '../tensor.js';
import { add } from './elementwise.js';
import { permute, reshape } from './shape.js';
import { matmul } from './matmul.js';

export interface Conv1dOptions {
  stride?: number;
  padding?: number;
  dilation?: number;
  groups?: number;
}

export interface Conv1dChannelsLastOptions extends Conv1dOptions {
  /** The weight already as channelsLastWeight(weight) (what a frozen Conv1d keeps); default: made per call. */
  channelsLastWeight?: Tensor | null;
}

export interface ConvTranspose1dOptions extends Conv1dOptions {
  outputPadding?: number;
}

interface Geometry {
  B: number; C: number; L: number; K: number; stride: number; pad: number; dilation: number; Lout: number;
}

function positiveInt(v: number, name: string, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new Error(`conv: ${name} must be an integer ≥ ${min}, got ${v}`);
  return v;
}

/** col [B, C·K, Lout] from x [B, C, L] (zeros outside). `isIdentity` skips the copy for 1×1 convs. */
function im2col(x: Tensor, g: Geometry): Tensor {
  if (isIdentity(g)) return x;
  const col = empty([g.B, g.C * g.K, g.Lout]);
  if (col.size) runKernel('im2col1d', [x.ptr, g.B, g.C, g.L, g.K, g.stride, g.pad, g.dilation, g.Lout, col.ptr], col.size);
  return col;
}

/** The adjoint of im2col: sums col [B, C·K, Lout] back into [B, C, L]. */
function col2im(col: Tensor, g: Geometry): Tensor {
  if (isIdentity(g)) return col;
  const x = empty([g.B, g.C, g.L]);
  if (x.size) runKernel('col2im1d', [col.ptr, g.B, g.C, g.L, g.K, g.stride, g.pad, g.dilation, g.Lout, x.ptr, 0], col.size);
  return x;
}

function isIdentity(g: Geometry): boolean {
  return g.K === 1 && g.stride === 1 && g.pad === 0 && g.Lout === g.L;
}

/**
 * out[b, grp] (M×N) = op(A[grp]) · op(Bm[b, grp]) over all batch items and groups, where A is
 * shared by the batch (a weight) and Bm/out have one block per (b, grp).
 */
function groupedGemm(
  groups: number, batch: number, transA: boolean, transB: boolean, M: number, N: number, K: number,
  a: number, lda: number, strideAGroup: number,
  b: number, ldb: number, strideBGroup: number, strideBBatch: number,
  c: number, ldc: number, strideCGroup: number, strideCBatch: number,
): void {
  if (groups === 1) {
    gemm(transA, transB, M, N, K, 1, a, lda, b, ldb, 0, c, ldc, batch, 0, strideBBatch, strideCBatch);
    return;
  }
  for (let i = 0; i < batch; i++) {
    gemm(transA, transB, M, N, K, 1, a, lda, b + i * strideBBatch * 4, ldb, 0, c + i * strideCBatch * 4, ldc, groups, strideAGroup, strideBGroup, strideCGroup);
  }
}

/**
 * Weight gradient: dW[grp] = Σ_b op(P[b, grp]) · op(Q[b, grp]), accumulated over the batch.
 */
function weightGrad(
  groups: number, batch: number, transA: boolean, transB: boolean, M: number, N: number, K: number,
  p: number, ldp: number, pGroup: number, pBatch: number,
  q: number, ldq: number, qGroup: number, qBatch: number,
  dw: number, lddw: number, dwGroup: number,
): void {
  for (let i = 0; i < batch; i++) {
    const beta = i === 0 ? 0 : 1;
    if (groups === 1) gemm(transA, transB, M, N, K, 1, p + i * pBatch * 4, ldp, q + i * qBatch * 4, ldq, beta, dw, lddw);
    else gemm(transA, transB, M, N, K, 1, p + i * pBatch * 4, ldp, q + i * qBatch * 4, ldq, beta, dw, lddw, groups, pGroup, qGroup, dwGroup);
  }
}

/**
 * 1-D convolution, PyTorch semantics: x [B, Cin, L], weight [Cout, Cin/groups, K], bias [Cout].
 * @example conv1d(x, w, b, { padding: 4 }) // "same" length for K = 9
 */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv1dOptions = {}): Tensor {
  if (x.ndim !== 3 || weight.ndim !== 3) throw new Error(`conv1d: expected x [B, C, L] and weight [Cout, Cin/groups, K], got [${x.shape.join(', ')}] and [${weight.shape.join(', ')}]`);
  const stride = positiveInt(opts.stride ?? 1, 'stride'), pad = positiveInt(opts.padding ?? 0, 'padding', 0);
  const dilation = positiveInt(opts.dilation ?? 1, 'dilation'), groups = positiveInt(opts.groups ?? 1, 'groups');
  const [B, Cin, L] = x.shape as [number, number, number];
  const [Cout, CinG, K] = weight.shape as [number, number, number];
  if (Cin % groups || Cout % groups || CinG !== Cin / groups) {
    throw new Error(`conv1d: weight [${weight.shape.join(', ')}] does not fit ${Cin} input channels in ${groups} groups`);
  }
  const Lout = Math.floor((L + 2 * pad - dilation * (K - 1) - 1) / stride) + 1;
  if (Lout < 1) throw new Error(`conv1d: input length ${L} is too short for kernel ${K} (dilation ${dilation}, padding ${pad})`);
  const geo: Geometry = { B, C: Cin, L, K, stride, pad, dilation, Lout };
  const xc = contiguous(x), wc = contiguous(weight);
  const col = im2col(xc, geo);
  const CoutG = Cout / groups, rowsG = CinG * K;
  const y = empty([B, Cout, Lout]);
  groupedGemm(groups, B, false, false, CoutG, Lout, rowsG,
    wc.ptr, rowsG, CoutG * rowsG,
    col.ptr, Lout, rowsG * Lout, Cin * K * Lout,
    y.ptr, Lout, CoutG * Lout, Cout * Lout);
  const out = record(y, 'conv1d', [x, weight], (g) => {
    const gc = contiguous(g);
    let gx: Tensor | null = null, gw: Tensor | null = null;
    if (x.requiresGrad) {
      const dcol = isIdentity(geo) ? empty([B, Cin, L]) : empty([B, Cin * K, Lout]);
      groupedGemm(groups, B, true, false, rowsG, Lout, CoutG,
        wc.ptr, rowsG, CoutG * rowsG,
        gc.ptr, Lout, CoutG * Lout, Cout * Lout,
        dcol.ptr, Lout, rowsG * Lout, Cin * K * Lout);
      gx = col2im(dcol, geo);
    }
    if (weight.requiresGrad) {
      gw = empty(weight.shape);
      weightGrad(groups, B, false, true, CoutG, rowsG, Lout,
        gc.ptr, Lout, CoutG * Lout, Cout * Lout,
        col.ptr, Lout, rowsG * Lout, Cin * K * Lout,
        gw.ptr, rowsG, CoutG * rowsG);
    }
    return [gx, gw];
  });
  return bias ? add(out, reshape(bias, [Cout, 1])) : out;
}

/**
 * Transposed 1-D convolution, PyTorch semantics: x [B, Cin, L], weight [Cin, Cout/groups, K].
 * Output length (L−1)·stride − 2·padding + dilation·(K−1) + outputPadding + 1.
 */
export function convTranspose1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTranspose1dOptions = {}): Tensor {
  if (x.ndim !== 3 || weight.ndim !== 3) throw new Error(`convTranspose1d: expected x [B, C, L] and weight [Cin, Cout/groups, K], got [${x.shape.join(', ')}] and [${weight.shape.join(', ')}]`);
  const stride = positiveInt(opts.stride ?? 1, 'stride'), pad = positiveInt(opts.padding ?? 0, 'padding', 0);
  const dilation = positiveInt(opts.dilation ?? 1, 'dilation'), groups = positiveInt(opts.groups ?? 1, 'groups');
  const outPad = positiveInt(opts.outputPadding ?? 0, 'outputPadding', 0);
  if (outPad >= stride && outPad >= dilation) throw new Error('convTranspose1d: outputPadding must be smaller than stride or dilation');
  const [B, Cin, L] = x.shape as [number, number, number];
  const [CinW, CoutG, K] = weight.shape as [number, number, number];
  if (CinW !== Cin || Cin % groups) throw new Error(`convTranspose1d: weight [${weight.shape.join(', ')}] does not fit ${Cin} input channels in ${groups} groups`);
  const Cout = CoutG * groups, CinG = Cin / groups;
  const Lout = (L - 1) * stride - 2 * pad + dilation * (K - 1) + outPad + 1;
  if (Lout < 1) throw new Error(`convTranspose1d: output length would be ${Lout}`);
  // Geometry of the forward conv whose input-adjoint this is: conv input [B, Cout, Lout] → [.., L].
  const geo: Geometry = { B, C: Cout, L: Lout, K, stride, pad, dilation, Lout: L };
  const xc = contiguous(x), wc = contiguous(weight);
  const rowsG = CoutG * K;
  const col = isIdentity(geo) ? empty([B, Cout, Lout]) : empty([B, Cout * K, L]);
  groupedGemm(groups, B, true, false, rowsG, L, CinG,
    wc.ptr, rowsG, CinG * rowsG,
    xc.ptr, L, CinG * L, Cin * L,
    col.ptr, L, rowsG * L, Cout * K * L);
  const y = col2im(col, geo);
  const out = record(y, 'convTranspose1d', [x, weight], (g) => {
    const dcol = im2col(contiguous(g), geo);
    let gx: Tensor | null = null, gw: Tensor | null = null;
    if (x.requiresGrad) {
      gx = empty([B, Cin, L]);
      groupedGemm(groups, B, false, false, CinG, L, rowsG,
        wc.ptr, rowsG, CinG * rowsG,
        dcol.ptr, L, rowsG * L, Cout * K * L,
        gx.ptr, L, CinG * L, Cin * L);
    }
    if (weight.requiresGrad) {
      gw = empty(weight.shape);
      weightGrad(groups, B, false, true, CinG, rowsG, L,
        xc.ptr, L, CinG * L, Cin * L,
        dcol.ptr, L, rowsG * L, Cout * K * L,
        gw.ptr, rowsG, CinG * rowsG);
    }
    return [gx, gw];
  });
  return bias ? add(out, reshape(bias, [Cout, 1])) : out;
}

/**
 * im2col in channels-last layout: x [B, L, C] → col [B·Lout, K·C] (differentiable; the gradient
 * is the col2im adjoint).
 */
function im2colChannelsLast(x: Tensor, K: number, stride: number, pad: number, dilation: number, Lout: number): Tensor {
  const [B, L, C] = x.shape as [number, number, number];
  const xc = contiguous(x);
  const col = empty([B * Lout, K * C]);
  if (col.size) runKernel('im2col1d_nlc', [xc.ptr, B, L, C, K, stride, pad, dilation, Lout, col.ptr], col.size);
  return record(col, 'im2colChannelsLast', [x], (g) => {
    const gx = empty([B, L, C]);
    if (gx.size) runKernel('col2im1d_nlc', [contiguous(g).ptr, B, L, C, K, stride, pad, dilation, Lout, gx.ptr, 0], col.size);
    return [gx];
  });
}

/**
 * A conv weight [Cout, Cin, K] as the [Cout, K·Cin] matrix conv1dChannelsLast multiplies by: the
 * im2col rows are in (k, c) order, so K > 1 needs a permuted copy (a view for K = 1). Frozen
 * Conv1d layers keep one (`persistent`) instead of making it per call.
 */
export function channelsLastWeight(weight: Tensor, persistent = false): Tensor {
  const [Cout, Cin, K] = weight.shape as [number, number, number];
  const matrix = K === 1 ? reshape(weight, [Cout, Cin]) : reshape(permute(weight, [0, 2, 1]), [Cout, K * Cin]);
  return persistent ? copyContiguous(matrix, true) : matrix;
}

/**
 * 1-D convolution on channels-last activations: x [B, L, Cin] → [B, Lout, Cout], with the same
 * PyTorch weight layout [Cout, Cin, K] as conv1d (so checkpoints are interchangeable). Lowered to
 * one large GEMM (im2col rows × permuted weight), which is how Transformer-style [B, T, C]
 * models (FFT blocks, variance predictors) should run their convolutions. groups must be 1.
 * @example conv1dChannelsLast(h, conv.weight, conv.bias, { padding: 4 }) // [B, T, 256] → [B, T, 1024]
 */
export function conv1dChannelsLast(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv1dChannelsLastOptions = {}): Tensor {
  if (x.ndim !== 3 || weight.ndim !== 3) throw new Error(`conv1dChannelsLast: expected x [B, L, C] and weight [Cout, Cin, K], got [${x.shape.join(', ')}] and [${weight.shape.join(', ')}]`);
  if ((opts.groups ?? 1) !== 1) throw new Error('conv1dChannelsLast: groups must be 1 (use conv1d for grouped/depthwise convolutions)');
  const stride = positiveInt(opts.stride ?? 1, 'stride'), pad = positiveInt(opts.padding ?? 0, 'padding', 0);
  const dilation = positiveInt(opts.dilation ?? 1, 'dilation');
  const [B, L, Cin] = x.shape as [number, number, number];
  const [Cout, CinW, K] = weight.shape as [number, number, number];
  if (CinW !== Cin) throw new Error(`conv1dChannelsLast: weight [${weight.shape.join(', ')}] expects ${CinW} input channels, x has ${Cin}`);
  const Lout = Math.floor((L + 2 * pad - dilation * (K - 1) - 1) / stride) + 1;
  if (Lout < 1) throw new Error(`conv1dChannelsLast: input length ${L} is too short for kernel ${K} (dilation ${dilation}, padding ${pad})`);
  // A pointwise conv is a plain linear layer: no lowering at all.
  const pointwise = K === 1 && stride === 1 && pad === 0;
  const col = pointwise ? reshape(x, [B * L, Cin]) : im2colChannelsLast(x, K, stride, pad, dilation, Lout);
  const w2 = opts.channelsLastWeight ?? channelsLastWeight(weight);
  if (w2.ndim !== 2 || w2.shape[0] !== Cout || w2.shape[1] !== K * Cin) {
    throw new Error(`conv1dChannelsLast: channelsLastWeight must be [${Cout}, ${K * Cin}], got [${w2.shape.join(', ')}]`);
  }
  const y = matmul(col, w2, { transB: true });
  const out = reshape(y, [B, Lout, Cout]);
  return bias ? add(out, bias) : out;
}
