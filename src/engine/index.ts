/**
 * ClipTTS engine: tensors, autograd, ops, nn modules, optimizers, safetensors.
 *
 * @example
 *   import * as E from 'clip-tts/engine';
 *   await E.initEngine();
 *   const w = E.parameter(E.randn([3, 2], { std: 0.1, persistent: true }), 'w');
 *   const loss = E.tidy(() => {
 *     const y = E.matmul(E.tensor([[1, 2, 3]]), w);
 *     const l = E.mseLoss(y, E.tensor([[1, 0]]));
 *     E.backward(l);
 *     return l.item();
 *   });
 */
export { initEngine, shutdownEngine, engine, isEngineReady, manualSeed, noGrad, isGradEnabled, type EngineOptions } from './runtime.js';
export { Tensor, tensor, empty, parameter, sizeOf, type DType, type Shape } from './tensor.js';
export { backward } from './autograd.js';
export { tidy, tidyLayers } from './scope.js';
export { contiguous, cast, full, broadcastShapes } from './backend.js';
export * from './creation.js';
export * from './ops/elementwise.js';
export * from './ops/reduce.js';
export * from './ops/shape.js';
export * from './ops/matmul.js';
export * from './ops/conv.js';
export * from './ops/winograd.js';
export * from './ops/indexing.js';
export * from './ops/nn.js';
export * from './ops/loss.js';
export * from './nn/index.js';
export * from './optim/index.js';
export {
  encodeSafetensors, decodeSafetensors, tensorsFromRaw, loadSafetensorsInto,
  type RawTensor, type DecodedTensor, type DecodedSafetensors, type LoadIntoOptions, type LoadIntoReport,
} from './safetensors.js';
