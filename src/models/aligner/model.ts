/**
 * AlignmentEncoder (RAD-TTS / FastPitch 1.1 "One TTS Alignment To Rule Them All"): text ids → embedding
 * → conv stack → keys [B, T, D]; log-mel → conv stack → queries [B, F, D]; attention logits
 * −temperature·‖q_f − k_t‖², log-softmax over text, plus the log beta-binomial prior. Everything is
 * channels-last ([B, L, C]) so each conv is one GEMM over all B·L rows.
 */
import {
  Conv1d, Embedding, Module, type Tensor, add, affine, logSoftmax, matmul, maskedFill, relu, scale, sub, sum, square,
  tensor, unsqueeze,
} from '../../engine/index.js';
import type { AlignerModelConfig } from './config.js';
import { PriorCache } from './prior.js';

/** Large negative logit for padded text positions (finite: −∞ would make 0·∞ = NaN in gradients). */
export const MASKED_LOGIT = -1e4;

/** Conv layers with ReLU between them (none after the last), same-length padding. */
export class ConvStack extends Module {
  readonly layers: Conv1d[];
  constructor(inChannels: number, hidden: number, outChannels: number, kernels: readonly number[]) {
    super();
    this.layers = this.moduleList('layers', kernels.map((k, i) => new Conv1d(
      i === 0 ? inChannels : hidden, i === kernels.length - 1 ? outChannels : hidden, k, { padding: (k - 1) / 2 })));
  }

  /** x [B, L, C] → [B, L, outChannels]. */
  forward(x: Tensor): Tensor {
    let h = x;
    this.layers.forEach((layer, i) => {
      h = layer.forwardChannelsLast(h);
      if (i < this.layers.length - 1) h = relu(h);
    });
    return h;
  }
}

export interface AlignerInputs {
  /** [B, T] int32 symbol ids. */
  phonemes: Tensor;
  /** [B, F, nMels] log-mel. */
  mels: Tensor;
  phonemeLengths: ArrayLike<number>;
  melLengths: ArrayLike<number>;
}

export interface AlignerOutput {
  /**
   * [B, F, T] log soft attention before renormalisation: log_softmax_t(−temp·‖q−k‖²) + log prior
   * (RAD-TTS `attn_logprob`); padded text columns hold ≈ MASKED_LOGIT.
   */
  attnLogProb: Tensor;
}

export class AlignmentEncoder extends Module {
  readonly embedding: Embedding;
  readonly keyStack: ConvStack;
  readonly queryStack: ConvStack;
  private readonly priors = new PriorCache();

  constructor(readonly config: AlignerModelConfig) {
    super();
    const c = config;
    this.embedding = this.module('embedding', new Embedding(c.vocabSize, c.textEmbedDim, { paddingIdx: 0, initStd: 0.3 }));
    this.keyStack = this.module('key', new ConvStack(c.textEmbedDim, c.keyHidden, c.attnDim, c.keyKernels));
    this.queryStack = this.module('query', new ConvStack(c.nMels, c.queryHidden, c.attnDim, c.queryKernels));
  }

  forward(x: AlignerInputs): AlignerOutput {
    const c = this.config;
    const [B, T] = x.phonemes.shape as [number, number];
    const F = x.mels.shape[1]!;
    const keys = this.keyStack.forward(this.embedding.forward(x.phonemes)); // [B, T, D]
    const queries = this.queryStack.forward(affine(x.mels, 1 / c.melStd, -c.melMean / c.melStd)); // [B, F, D]
    // ‖q − k‖² = ‖q‖² − 2 q·k + ‖k‖²: one batched GEMM instead of a [B, F, T, D] difference tensor.
    const qk = matmul(queries, keys, { transB: true }); // [B, F, T]
    const qq = sum(square(queries), -1, { keepDim: true }); // [B, F, 1]
    const kk = unsqueeze(sum(square(keys), -1), 1); // [B, 1, T]
    const dist = add(sub(qq, scale(qk, 2)), kk);
    const textPad = new Float32Array(B * T);
    for (let b = 0; b < B; b++) textPad.fill(1, b * T + x.phonemeLengths[b]!, (b + 1) * T);
    const padMask = tensor(textPad, [B, 1, T]);
    const logits = maskedFill(scale(dist, -c.temperature), padMask, MASKED_LOGIT);
    let attnLogProb = logSoftmax(logits, -1);
    if (c.priorScaling > 0) {
      const prior = this.priors.batch(x.phonemeLengths, x.melLengths, T, F, c.priorScaling);
      attnLogProb = add(attnLogProb, tensor(prior, [B, F, T]));
    }
    return { attnLogProb };
  }
}

/** The soft attention's log, renormalised over text (what RAD-TTS calls log(attn_soft)). */
export function logSoftAttention(attnLogProb: Tensor): Tensor {
  return logSoftmax(attnLogProb, -1);
}

