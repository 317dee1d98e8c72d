/** Neural-network modules: the Module base class, layers, attention and model blocks. */
export { Module, initTensor, kaimingUniform, assignParameter, type Init } from './module.js';
export {
  Linear, Conv1d, ConvTranspose1d, Embedding, LayerNorm, Dropout,
  type LinearOptions, type Conv1dLayerOptions, type ConvTranspose1dLayerOptions, type EmbeddingOptions, type LayerNormOptions,
} from './layers.js';
export { MultiHeadAttention, MASKED_SCORE, type MultiHeadAttentionOptions, type AttentionResult } from './attention.js';
export { FFTBlock, ConvNeXtBlock, type FFTBlockOptions, type ConvNeXtBlockOptions } from './blocks.js';
