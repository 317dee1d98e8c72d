/**
 * Tensor: a typed, strided view of a block of the engine memory, plus autograd bookkeeping.
 *
 * Storage is either a heap block (persistent: parameters, gradients, optimizer state, and any tensor
 * created outside a `tidy` scope) or arena memory (temporaries created inside `tidy`, freed in bulk
 * when the scope ends). Views (reshape, permute, slice, expand) share storage.
 */
import { engine, type Scope } from './runtime.js';
import type { EngineMemory } from './memory.js';
import { contiguousStrides } from './kernels/elementwise.js';

/** Row-major strides (elements) of a contiguous tensor (one implementation, shared with the kernel wrappers). */
export { contiguousStrides };

export type DType = 'float32' | 'int32';
export type Shape = readonly number[];

/** One autograd edge: how to turn the output's gradient into the inputs' gradients. */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Returns one gradient per input (null where the input needs none); runs with grad off. */
  backward(gradOutput: Tensor): (Tensor | null)[];
}

const finalizer = new FinalizationRegistry<{ mem: EngineMemory; ptr: number }>((held) => {
  // Safety net for heap tensors nobody disposed; explicit dispose() is preferred.
  try { held.mem.release(held.ptr); } catch { /* engine was shut down */ }
});

export class Storage {
  disposed = false;
  constructor(
    readonly ptr: number,
    readonly bytes: number,
    /** The arena scope owning this storage, or null for a heap block. */
    readonly scope: Scope | null,
    readonly mem: EngineMemory,
  ) {}

  get alive(): boolean {
    return !this.disposed && !(this.scope?.closed ?? false);
  }

  /** Allocates storage: in the innermost arena scope unless `persistent` or no scope is open. */
  static allocate(bytes: number, persistent: boolean): Storage {
    const e = engine();
    if (!persistent && e.scope) return new Storage(e.arena.alloc(bytes), bytes, e.scope, e.mem);
    const ptr = e.mem.alloc(bytes);
    const s = new Storage(ptr, bytes, null, e.mem);
    finalizer.register(s, { mem: e.mem, ptr }, s);
    return s;
  }

  dispose(): void {
    if (this.disposed || this.scope) return;
    this.disposed = true;
    finalizer.unregister(this);
    this.mem.release(this.ptr);
  }
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function checkShape(shape: Shape, what = 'shape'): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${what} [${shape.join(', ')}] must hold non-negative integers`);
  }
}

let nextTensorId = 1;

export class Tensor {
  readonly id = nextTensorId++;
  /** Set by ops when gradients must flow through this tensor. */
  requiresGrad = false;
  /** Accumulated gradient (leaf tensors only, e.g. parameters). */
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves). */
  node: GradNode | null = null;
  /** Optional name (parameters get their state-dict key). */
  name: string | undefined;

  constructor(
    readonly storage: Storage,
    readonly shape: Shape,
    readonly strides: readonly number[],
    /** Offset of element [0, 0, ...] in elements from the storage start. */
    readonly offset: number,
    readonly dtype: DType,
  ) {}

  get ndim(): number { return this.shape.length; }
  get size(): number { return sizeOf(this.shape); }

  /** Byte address of element [0, 0, ...] in the engine memory (for kernels). */
  get ptr(): number {
    this.assertAlive();
    return this.storage.ptr + this.offset * 4;
  }

  assertAlive(): void {
    if (!this.storage.alive) {
      throw new Error(this.storage.disposed
        ? `tensor${this.name ? ` "${this.name}"` : ''} [${this.shape.join(', ')}] was disposed`
        : `tensor [${this.shape.join(', ')}] was created inside a tidy() scope that has ended; return it from the scope or create it outside`);
    }
  }

  isContiguous(): boolean {
    let s = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const d = this.shape[i]!;
      if (d !== 1 && this.strides[i] !== s) return false;
      s *= d;
    }
    return true;
  }

  /** True when the storage lives on the heap (survives scopes). */
  get persistent(): boolean { return this.storage.scope === null; }

  /**
   * A live typed-array view of a contiguous tensor's elements. Invalid after the memory grows
   * (any allocation may grow it): use immediately, never keep.
   */
  unsafeView(): Float32Array | Int32Array {
    if (!this.isContiguous()) throw new Error('unsafeView() needs a contiguous tensor; call contiguous() first');
    const mem = this.storage.mem;
    const start = this.ptr >>> 2;
    return this.dtype === 'float32' ? mem.f32.subarray(start, start + this.size) : mem.i32.subarray(start, start + this.size);
  }

  /** A copy of the elements in row-major order. */
  toArray(): Float32Array | Int32Array {
    this.assertAlive();
    if (this.isContiguous()) return this.unsafeView().slice();
    // Gather through JS for the rare non-contiguous read (ops use the strided copy kernel).
    const n = this.size;
    const out = this.dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
    const src = this.dtype === 'float32' ? this.storage.mem.f32 : this.storage.mem.i32;
    const base = this.storage.ptr >>> 2;
    const idx = new Array<number>(this.ndim).fill(0);
    for (let i = 0; i < n; i++) {
      let off = this.offset;
      for (let d = 0; d < this.ndim; d++) off += idx[d]! * this.strides[d]!;
      out[i] = src[base + off]!;
      for (let d = this.ndim - 1; d >= 0; d--) {
        if (++idx[d]! < this.shape[d]!) break;
        idx[d] = 0;
      }
    }
    return out;
  }

  /** Elements as a Float32Array copy (int32 tensors are converted). */
  toFloat32Array(): Float32Array {
    const a = this.toArray();
    return a instanceof Float32Array ? a : Float32Array.from(a);
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item() needs a one-element tensor, got shape [${this.shape.join(', ')}]`);
    this.assertAlive();
    const arr = this.dtype === 'float32' ? this.storage.mem.f32 : this.storage.mem.i32;
    return arr[(this.storage.ptr >>> 2) + this.offset]!;
  }

  /** Nested JS arrays (for tests and debugging). */
  toNested(): unknown {
    const flat = Array.from(this.toArray());
    const build = (dim: number, start: number): unknown => {
      if (dim === this.ndim) return flat[start];
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, start + i * stride));
    };
    return build(0, 0);
  }

  /** Frees a heap tensor's storage now (arena tensors are freed by their scope). */
  dispose(): void {
    this.storage.dispose();
    this.grad?.dispose();
    this.grad = null;
  }

  /** Drops the autograd history: the same data, as a leaf that needs no gradient. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.strides, this.offset, this.dtype);
  }

  toString(): string {
    return `Tensor(${this.dtype}, [${this.shape.join(', ')}]${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

/** Allocates an uninitialized contiguous tensor (arena inside tidy, heap otherwise). */
export function empty(shape: Shape, dtype: DType = 'float32', persistent = false): Tensor {
  checkShape(shape);
  const n = sizeOf(shape);
  return new Tensor(Storage.allocate(n * 4, persistent), [...shape], contiguousStrides(shape), 0, dtype);
}

/** A tensor sharing `t`'s storage with another shape/strides/offset (no autograd). */
export function viewOf(t: Tensor, shape: Shape, strides: readonly number[], offset: number): Tensor {
  return new Tensor(t.storage, [...shape], [...strides], offset, t.dtype);
}

type NestedNumbers = number | readonly NestedNumbers[];

function inferShape(data: NestedNumbers): number[] {
  const shape: number[] = [];
  let d: NestedNumbers = data;
  while (Array.isArray(d)) {
    shape.push(d.length);
    d = (d as readonly NestedNumbers[])[0] ?? 0;
  }
  return shape;
}

function flatten(data: NestedNumbers, out: number[]): void {
  if (Array.isArray(data)) for (const x of data as readonly NestedNumbers[]) flatten(x, out);
  else out.push(data as number);
}

/**
 * Creates a tensor from numbers, nested arrays or a typed array.
 * @example tensor([[1, 2], [3, 4]]); tensor(new Float32Array(6), [2, 3]); tensor([1, 2], undefined, 'int32')
 */
export function tensor(
  data: NestedNumbers | Float32Array | Int32Array | readonly number[],
  shape?: Shape,
  dtype?: DType,
  persistent = false,
): Tensor {
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (data instanceof Float32Array || data instanceof Int32Array) {
    flat = data;
    inferred = [data.length];
    dtype ??= data instanceof Int32Array ? 'int32' : 'float32';
  } else {
    const f: number[] = [];
    flatten(data, f);
    flat = f;
    inferred = inferShape(data);
  }
  const s = shape ?? inferred;
  if (sizeOf(s) !== flat.length) throw new Error(`tensor(): ${flat.length} values do not fill shape [${s.join(', ')}]`);
  const t = empty(s, dtype ?? 'float32', persistent);
  t.unsafeView().set(flat);
  return t;
}

/** Marks a (persistent) tensor as a trainable leaf. */
export function parameter(t: Tensor, name?: string): Tensor {
  if (t.dtype !== 'float32') throw new Error('parameters must be float32');
  if (!t.persistent) throw new Error('parameters must live on the heap (create them outside tidy())');
  t.requiresGrad = true;
  t.name = name;
  return t;
}
