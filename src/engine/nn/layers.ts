/**
 * Basic layers over the functional ops, with PyTorch parameter layouts, names and default inits so
 * that torch state dicts map 1:1 (same dotted names, same shapes).
 *
 *  Linear            weight [out, in], bias [out]                  x [..., in] → [..., out]
 *  Conv1d            weight [cout, cin/groups, k], bias [cout]     x [B, cin, L] → [B, cout, Lout]
 *  ConvTranspose1d   weight [cin, cout/groups, k], bias [cout]     x [B, cin, L] → [B, cout, Lout]
 *  Embedding         weight [num, dim]                             int32 ids [...] → [..., dim]
 *  LayerNorm         weight [dim], bias [dim] (when affine)        normalizes the last dim
 *  Dropout           no parameters; active only while `training`
 *
 * Init (torch defaults): Linear/Conv weights U(−1/√fanIn, 1/√fanIn) (= kaiming_uniform_ with
 * a = √5), biases U(−1/√fanIn, 1/√fanIn); Embedding N(0, 1) with the padding row zeroed; LayerNorm
 * weight 1, bias 0. All draws come from the engine RNG, so `manualSeed` makes them reproducible.
 */
import { cast } from '../backend.js';
import { embedding } from '../ops/indexing.js';
import { channelsLastWeight, conv1d, convTranspose1d, conv1dChannelsLast } from '../ops/conv.js';
import { conv1dWinograd, winogradTileFor, winogradWeight } from '../ops/winograd.js';
import { ne, relu, where } from '../ops/elementwise.js';
import { linear } from '../ops/matmul.js';
import { dropout, layerNorm } from '../ops/nn.js';
import { transpose, unsqueeze } from '../ops/shape.js';
import type { Tensor } from '../tensor.js';
import { Module, initTensor, kaimingUniform } from './module.js';

function checkPositiveInt(v: number, what: string, layer: string): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${layer}: ${what} must be a positive integer, got ${v}`);
}

export interface LinearOptions {
  /** Add a learned bias (default true). */
  bias?: boolean;
}

/**
 * y = x·Wᵀ + b (torch.nn.Linear). Works on any leading shape: [..., in] → [..., out].
 * @example const proj = new Linear(256, 80); const mel = proj.forward(hidden); // [B, T, 80]
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    checkPositiveInt(inFeatures, 'inFeatures', 'Linear');
    checkPositiveInt(outFeatures, 'outFeatures', 'Linear');
    this.weight = this.param('weight', initTensor([outFeatures, inFeatures], kaimingUniform(inFeatures)));
    this.bias = (opts.bias ?? true) ? this.param('bias', initTensor([outFeatures], kaimingUniform(inFeatures))) : null;
  }

  forward(x: Tensor): Tensor {
    if (x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new Error(`Linear(${this.inFeatures} → ${this.outFeatures}): input [${x.shape.join(', ')}] does not end in ${this.inFeatures}`);
    }
    return linear(x, this.weight, this.bias);
  }
}

export interface Conv1dLayerOptions {
  stride?: number;
  /** Zero padding on both sides (default 0). */
  padding?: number;
  dilation?: number;
  groups?: number;
  bias?: boolean;
}

/** Reads and validates the geometry options shared by Conv1d and ConvTranspose1d. */
function convGeometry(layer: string, inChannels: number, outChannels: number, kernelSize: number, opts: Conv1dLayerOptions): { stride: number; padding: number; dilation: number; groups: number } {
  const g = { stride: opts.stride ?? 1, padding: opts.padding ?? 0, dilation: opts.dilation ?? 1, groups: opts.groups ?? 1 };
  for (const [v, n] of [[inChannels, 'inChannels'], [outChannels, 'outChannels'], [kernelSize, 'kernelSize'], [g.stride, 'stride'], [g.dilation, 'dilation'], [g.groups, 'groups']] as const) checkPositiveInt(v, n, layer);
  if (inChannels % g.groups || outChannels % g.groups) {
    throw new Error(`${layer}: inChannels ${inChannels} and outChannels ${outChannels} must both be divisible by groups ${g.groups}`);
  }
  return g;
}

/**
 * 1-D convolution (torch.nn.Conv1d), channels-first: x [B, cin, L] → [B, cout, Lout].
 * @example new Conv1d(256, 1024, 9, { padding: 4 }) // "same" length
 */
export class Conv1d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, opts: Conv1dLayerOptions = {}) {
    super();
    ({ stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups } = convGeometry('Conv1d', inChannels, outChannels, kernelSize, opts));
    const fanIn = (inChannels / this.groups) * kernelSize;
    this.weight = this.param('weight', initTensor([outChannels, inChannels / this.groups, kernelSize], kaimingUniform(fanIn)));
    this.bias = (opts.bias ?? true) ? this.param('bias', initTensor([outChannels], kaimingUniform(fanIn))) : null;
  }

  /** x [B, cin, L] → [B, cout, Lout] (PyTorch layout). */
  forward(x: Tensor): Tensor {
    // A frozen layer may hold its weight in channels-last form only.
    if (this.channelsLast || this.winograd) return transpose(this.forwardChannelsLast(transpose(x, 1, 2)), 1, 2);
    return conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  /** The same convolution on channels-last activations: x [B, L, cin] → [B, Lout, cout] (groups 1), then ReLU when `relu`. */
  forwardChannelsLast(x: Tensor, opts: { relu?: boolean } = {}): Tensor {
    if (this.winograd) return conv1dWinograd(x, this.winograd, winogradTileFor(this.kernelSize)!, this.padding, this.bias, opts);
    const y = conv1dChannelsLast(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups, channelsLastWeight: this.channelsLast,
    });
    return opts.relu ? relu(y) : y;
  }

  /**
   * Inference-only: a kernel > 1, groups-1 conv converts its weight once to the form it computes
   * with — Winograd-transformed for "same" stride-1 kernel-3/5 convs (F(4, 3): half the GEMM work,
   * F(2, 5): 3/5), else channels-last [Cout, K·Cin] — and frees the training-layout original, so a
   * frozen model holds each conv weight once (its state dict then names a disposed tensor).
   */
  override freeze(): this {
    super.freeze();
    if (this.kernelSize === 1 || this.groups !== 1 || this.channelsLast || this.winograd) return this;
    const tile = winogradTileFor(this.kernelSize);
    const winogradFits = tile !== null && this.stride === 1 && this.dilation === 1 &&
      2 * this.padding === this.kernelSize - 1 && this.inChannels % 4 === 0 && this.outChannels % 4 === 0;
    if (winogradFits) this.winograd = winogradWeight(this.weight, tile, true);
    else this.channelsLast = channelsLastWeight(this.weight, true);
    this.weight.dispose();
    return this;
  }

  private channelsLast: Tensor | null = null;
  private winograd: Tensor | null = null;

  protected override disposeDerived(): void {
    this.channelsLast?.dispose();
    this.winograd?.dispose();
    this.channelsLast = this.winograd = null;
  }
}

export interface ConvTranspose1dLayerOptions extends Conv1dLayerOptions {
  outputPadding?: number;
}

/**
 * Transposed 1-D convolution (torch.nn.ConvTranspose1d): x [B, cin, L] → [B, cout, Lout] with
 * Lout = (L−1)·stride − 2·padding + dilation·(k−1) + outputPadding + 1.
 * Init follows torch, whose fan-in for this weight layout is (cout/groups)·k.
 */
export class ConvTranspose1d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly groups: number;
  readonly outputPadding: number;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, opts: ConvTranspose1dLayerOptions = {}) {
    super();
    ({ stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups } = convGeometry('ConvTranspose1d', inChannels, outChannels, kernelSize, opts));
    this.outputPadding = opts.outputPadding ?? 0;
    // torch computes fan-in from weight.size(1)·k, i.e. (cout/groups)·k for this layout.
    const fanIn = (outChannels / this.groups) * kernelSize;
    this.weight = this.param('weight', initTensor([inChannels, outChannels / this.groups, kernelSize], kaimingUniform(fanIn)));
    this.bias = (opts.bias ?? true) ? this.param('bias', initTensor([outChannels], kaimingUniform(fanIn))) : null;
  }

  forward(x: Tensor): Tensor {
    return convTranspose1d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups, outputPadding: this.outputPadding,
    });
  }
}

export interface EmbeddingOptions {
  /**
   * Row that receives no gradient and is initialized to zeros (torch `padding_idx`). Negative
   * values count from the end.
   */
  paddingIdx?: number;
  /** Std of the N(0, std) init (default 1, as torch). */
  initStd?: number;
}

/**
 * Lookup table (torch.nn.Embedding): int32 ids of any shape → [...ids.shape, dim].
 * @example const emb = new Embedding(100, 256, { paddingIdx: 0 }); emb.forward(ids) // [B, T, 256]
 */
export class Embedding extends Module {
  readonly weight: Tensor;
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    checkPositiveInt(numEmbeddings, 'numEmbeddings', 'Embedding');
    checkPositiveInt(embeddingDim, 'embeddingDim', 'Embedding');
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      if (pad < 0) pad += numEmbeddings;
      if (!Number.isInteger(pad) || pad < 0 || pad >= numEmbeddings) throw new Error(`Embedding: paddingIdx ${opts.paddingIdx} is out of range for ${numEmbeddings} rows`);
    }
    this.paddingIdx = pad;
    this.weight = this.param('weight', initTensor([numEmbeddings, embeddingDim], { kind: 'normal', std: opts.initStd ?? 1 }));
    if (pad !== null) this.weight.unsafeView().fill(0, pad * embeddingDim, (pad + 1) * embeddingDim);
  }

  forward(ids: Tensor): Tensor {
    const out = embedding(ids, this.weight);
    if (this.paddingIdx === null || !out.requiresGrad) return out;
    // torch returns the padding row's values but sends it no gradient: select the detached copy
    // at padding positions (same values), the differentiable lookup everywhere else.
    const isReal = unsqueeze(ne(cast(ids, 'float32'), this.paddingIdx), -1);
    return where(isReal, out, out.detach());
  }
}

export interface LayerNormOptions {
  eps?: number;
  /** Learned per-channel weight (init 1) and bias (init 0) (torch `elementwise_affine`, default true). */
  affine?: boolean;
}

/** Layer normalization over the last dim (torch.nn.LayerNorm(dim)), biased variance. */
export class LayerNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly eps: number;

  constructor(readonly dim: number, opts: LayerNormOptions = {}) {
    super();
    checkPositiveInt(dim, 'dim', 'LayerNorm');
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.affine ?? true;
    this.weight = affine ? this.param('weight', initTensor([dim], { kind: 'ones' })) : null;
    this.bias = affine ? this.param('bias', initTensor([dim], { kind: 'zeros' })) : null;
  }

  forward(x: Tensor): Tensor {
    if (x.shape[x.ndim - 1] !== this.dim) throw new Error(`LayerNorm(${this.dim}): input [${x.shape.join(', ')}] does not end in ${this.dim}`);
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

/**
 * Inverted dropout (torch.nn.Dropout): zeroes elements with probability p and scales the rest by
 * 1/(1−p) while the module is in training mode; identity after `eval()`.
 */
export class Dropout extends Module {
  constructor(readonly p: number) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }
}
