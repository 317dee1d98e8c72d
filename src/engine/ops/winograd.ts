/**
 * Winograd minimal filtering for "same" stride-1 convolutions on channels-last activations
 * (Lavin & Gray 2016, "Fast Algorithms for Convolutional Neural Networks"). F(m, r) computes m
 * outputs of an r-tap filter from α = m + r − 1 inputs with α products instead of m·r:
 *   u = Bᵀ·d (input transform),  V = G·g (filter transform, once per weight),
 *   y = Aᵀ·(u ⊙ V)  — per channel pair, i.e. one batched GEMM m_j = u_j · V_jᵀ over the α points.
 * Tiles here: F(4, 3) for kernel 3 (1.5 products per output instead of 3) and F(2, 5) for kernel 5
 * (3 instead of 5), both on the points 0, ±1, ±2, ∞ (exact small rationals; the matrices were
 * derived by solving Aᵀ·diag(G·g)·Bᵀ = correlation exactly, and the tests check the results
 * against the direct convolution). Inference only: frozen Conv1d layers use it; training keeps
 * the im2col path, whose gradient it has.
 */
import { contiguous, gemm, runKernel } from '../backend.js';
import { isGradEnabled, noGrad } from '../runtime.js';
import { tidy } from '../scope.js';
import { matmul } from './matmul.js';
import { reshape } from './shape.js';
import { Tensor, empty, tensor } from '../tensor.js';

export interface WinogradTile {
  /** Outputs per tile. */
  m: number;
  /** Filter taps. */
  r: number;
  /**
   * The filter transform G [α, r] (applied once per weight, here). The input transform Bᵀ and the
   * output transform Aᵀ are written out in the wasm kernels (kernels/assembly/conv.ts).
   */
  G: readonly (readonly number[])[];
}

/** F(4, 3): four outputs of a 3-tap filter from six inputs. */
export const WINOGRAD_F4_3: WinogradTile = {
  m: 4, r: 3,
  G: [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]],
};

/** F(2, 5): two outputs of a 5-tap filter from six inputs. */
export const WINOGRAD_F2_5: WinogradTile = {
  m: 2, r: 5,
  G: [[1 / 4, 0, 0, 0, 0], [-1 / 6, -1 / 6, -1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6, 1 / 6, -1 / 6],
    [1 / 24, 1 / 12, 1 / 6, 1 / 3, 2 / 3], [1 / 24, -1 / 12, 1 / 6, -1 / 3, 2 / 3], [0, 0, 0, 0, 1]],
};

/** The tile for a kernel size, or null when there is none. */
export function winogradTileFor(kernel: number): WinogradTile | null {
  return kernel === 3 ? WINOGRAD_F4_3 : kernel === 5 ? WINOGRAD_F2_5 : null;
}

/**
 * Filter transform of a conv weight [Cout, Cin, r] → [α, Cout, Cin]: V_j = Σ_k G[j][k]·g[:, :, k],
 * i.e. one GEMM G [α, r] × (weight as [Cout·Cin, r])ᵀ. Heap (persistent) or a temporary.
 */
export function winogradWeight(weight: Tensor, tile: WinogradTile, persistent = false): Tensor {
  const [Cout, Cin, K] = weight.shape as [number, number, number];
  if (weight.ndim !== 3 || K !== tile.r) throw new Error(`winogradWeight: expected a [Cout, Cin, ${tile.r}] weight, got [${weight.shape.join(', ')}]`);
  const alpha = tile.G.length;
  const transform = (): Tensor => noGrad(() =>
    reshape(matmul(tensor(tile.G.flat(), [alpha, K]), reshape(weight, [Cout * Cin, K]), { transB: true }), [alpha, Cout, Cin]));
  // tidy returns a heap copy and frees the temporaries.
  return persistent ? tidy(transform) : transform();
}

/**
 * Stride-1 convolution of channels-last x [B, L, Cin] with padding `pad` by Winograd `tile`:
 * [B, L + 2·pad − r + 1, Cout], the bias added and ReLU applied in the output pass when asked.
 * `transformed` = winogradWeight(weight, tile). Same values as conv1dChannelsLast up to float
 * rounding; no gradient. Cin and Cout must be multiples of 4.
 * @example const y = conv1dWinograd(h, winogradWeight(conv.weight, WINOGRAD_F4_3), WINOGRAD_F4_3, 1, conv.bias, { relu: true });
 */
export function conv1dWinograd(x: Tensor, transformed: Tensor, tile: WinogradTile, pad: number, bias?: Tensor | null, opts: { relu?: boolean } = {}): Tensor {
  const [B, L, Cin] = x.shape as [number, number, number];
  const [alpha, Cout, CinW] = transformed.shape as [number, number, number];
  if (x.ndim !== 3 || transformed.ndim !== 3 || alpha !== tile.G.length || CinW !== Cin) {
    throw new Error(`conv1dWinograd: expected x [B, L, Cin] and transformed [${tile.G.length}, Cout, Cin], got [${x.shape.join(', ')}] and [${transformed.shape.join(', ')}]`);
  }
  if (tile !== WINOGRAD_F4_3 && tile !== WINOGRAD_F2_5) throw new Error('conv1dWinograd: the kernels implement the six-point tiles WINOGRAD_F4_3 and WINOGRAD_F2_5 only');
  if (Cin % 4 !== 0 || Cout % 4 !== 0) throw new Error(`conv1dWinograd: channels must be multiples of 4, got ${Cin} → ${Cout}`);
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`conv1dWinograd: padding must be an integer ≥ 0, got ${pad}`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== Cout)) throw new Error(`conv1dWinograd: bias must be [${Cout}], got [${bias.shape.join(', ')}]`);
  if (isGradEnabled() && (x.requiresGrad || transformed.requiresGrad || bias?.requiresGrad)) {
    throw new Error('conv1dWinograd: inference only (train with conv1dChannelsLast)');
  }
  const Lout = L + 2 * pad - tile.r + 1;
  if (Lout < 1) throw new Error(`conv1dWinograd: input length ${L} is too short for kernel ${tile.r} with padding ${pad}`);
  const y = empty([B, Lout, Cout]);
  if (y.size === 0) return y;
  const tiles = B * Math.ceil(Lout / tile.m);
  const xc = contiguous(x), v = contiguous(transformed), b = bias ? contiguous(bias) : null;
  // The kernels have the six-point transforms written out (both tiles share Bᵀ).
  const u = empty([alpha, tiles, Cin]);
  runKernel('winograd6_input_nlc', [xc.ptr, B, L, Cin, Lout, tile.m, pad, u.ptr], u.size * 16);
  const m = empty([alpha, tiles, Cout]);
  gemm(false, true, tiles, Cout, Cin, 1, u.ptr, Cin, v.ptr, Cin, 0, m.ptr, Cout, alpha, tiles * Cin, Cout * Cin, tiles * Cout);
  runKernel('winograd6_output_nlc', [m.ptr, B, Lout, Cout, tile.m, b?.ptr ?? 0, opts.relu ? 1 : 0, y.ptr], m.size * 16);
  return y;
}
