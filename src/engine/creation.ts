/**
 * Tensor constructors: zeros, ones, arange, random (seeded through the engine RNG).
 */
import { full, randomFill } from './backend.js';
import { engine } from './runtime.js';
import { type DType, type Shape, Tensor, empty, tensor } from './tensor.js';

export interface CreateOptions {
  dtype?: DType;
  /** Allocate on the heap even inside tidy() (parameters, state). */
  persistent?: boolean;
}

export function zeros(shape: Shape, opts: CreateOptions = {}): Tensor {
  return full(shape, 0, opts.dtype ?? 'float32', opts.persistent ?? false);
}

export function ones(shape: Shape, opts: CreateOptions = {}): Tensor {
  return full(shape, 1, opts.dtype ?? 'float32', opts.persistent ?? false);
}

/** Copy of `t`'s shape filled with zeros. */
export function zerosLike(t: Tensor, opts: CreateOptions = {}): Tensor {
  return zeros(t.shape, { dtype: t.dtype, ...opts });
}

/** [start, start+step, ...) below `end`; int32 by default. */
export function arange(end: number, opts: CreateOptions & { start?: number; step?: number } = {}): Tensor {
  const start = opts.start ?? 0, step = opts.step ?? 1;
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = opts.dtype ?? 'int32';
  const data = dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return tensor(data, [n], dtype, opts.persistent ?? false);
}

export interface RandomOptions extends CreateOptions {
  /** Explicit seed; by default the next value of the engine RNG (see manualSeed). */
  seed?: number;
}

/** Normal(mean, std) samples. */
export function randn(shape: Shape, opts: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const t = empty(shape, 'float32', opts.persistent ?? false);
  randomFill(t, 'normal', opts.mean ?? 0, opts.std ?? 1, opts.seed ?? engine().nextSeed());
  return t;
}

/** Uniform [low, high) samples. */
export function rand(shape: Shape, opts: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const t = empty(shape, 'float32', opts.persistent ?? false);
  randomFill(t, 'uniform', opts.low ?? 0, opts.high ?? 1, opts.seed ?? engine().nextSeed());
  return t;
}
