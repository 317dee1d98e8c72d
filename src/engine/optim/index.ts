/** Optimizers, gradient clipping, learning-rate schedules, weight EMA, gradient accumulation. */
export {
  Optimizer, namedParamsOf, noDecayBiasAndNorm, optimizerStateToFlat, optimizerStateFromFlat,
  type ParamSource, type LearningRate, type OptimizerOptions, type StepOptions, type OptimizerStateDict,
} from './optimizer.js';
export { AdamW, type AdamWOptions } from './adamw.js';
export { SGD, type SGDOptions } from './sgd.js';
export { clipGradNorm, gradNorm, clipFactor, CLIP_EPS } from './clip.js';
export {
  constantSchedule, linearWarmupSchedule, noamSchedule, warmupCosineSchedule, exponentialSchedule,
  type LrSchedule, type LinearWarmupOptions, type NoamOptions, type WarmupCosineOptions, type ExponentialOptions,
} from './schedule.js';
export { EMA, type EMAOptions, type EMAStateDict } from './ema.js';
export { GradientAccumulator, type AccumulatorOptions, type AccumulationResult } from './accumulate.js';
