/**
 * Module: a tree of named parameters and sub-modules with train/eval modes, in the spirit of
 * torch.nn.Module. Parameter names (dotted paths like "encoder.layers.0.attn.qkv.weight") are the
 * state-dict keys written to safetensors.
 */
import { copyInto } from '../backend.js';
import { randn, rand } from '../creation.js';
import { type Shape, Tensor, parameter, empty } from '../tensor.js';
import { engine } from '../runtime.js';

export abstract class Module {
  /** Training mode (dropout active). */
  training = true;
  /** Inference-only (see freeze()). */
  frozen = false;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** Registers a trainable parameter (heap memory, requiresGrad). */
  protected param(name: string, t: Tensor): Tensor {
    if (this.ownParams.has(name) || this.children.has(name)) throw new Error(`duplicate parameter name "${name}"`);
    const p = parameter(t, name);
    this.ownParams.set(name, p);
    return p;
  }

  /** Registers a non-trainable tensor saved in the state dict (e.g. running statistics). */
  protected buffer(name: string, t: Tensor): Tensor {
    if (!t.persistent) throw new Error(`buffer "${name}" must live on the heap`);
    this.ownBuffers.set(name, t);
    t.name = name;
    return t;
  }

  /** Registers a sub-module. */
  protected module<M extends Module>(name: string, m: M): M {
    if (this.children.has(name) || this.ownParams.has(name)) throw new Error(`duplicate module name "${name}"`);
    this.children.set(name, m);
    return m;
  }

  /** Registers a list of sub-modules named "name.0", "name.1", .... */
  protected moduleList<M extends Module>(name: string, ms: M[]): M[] {
    ms.forEach((m, i) => this.module(`${name}.${i}`, m));
    return ms;
  }

  /** [dotted name, parameter] pairs, depth-first in registration order. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this.ownParams) out.push([prefix + n, p]);
    for (const [n, m] of this.children) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, b] of this.ownBuffers) out.push([prefix + n, b]);
    for (const [n, m] of this.children) out.push(...m.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Total number of trainable scalars. */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Sets training mode on this module and every sub-module (dropout on/off). */
  train(mode = true): this {
    this.training = mode;
    for (const m of this.children.values()) m.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /**
   * Makes this module and every sub-module inference-only: eval mode, parameters stop requiring
   * gradients, and layers may convert their weights once to the form inference computes with
   * (Conv1d: Winograd or channels-last, freeing the original). Parameters must not change
   * afterwards (loadStateDict refuses).
   * @example const model = loadModel(file).freeze(); noGrad(() => model.forward(x));
   */
  freeze(): this {
    this.frozen = true;
    this.training = false;
    for (const p of this.ownParams.values()) p.requiresGrad = false;
    for (const m of this.children.values()) m.freeze();
    return this;
  }

  /** Drops every parameter's accumulated gradient (the buffers are kept and zeroed). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      if (p.grad) p.grad.unsafeView().fill(0);
    }
  }

  /** Parameters and buffers by dotted name (the tensors themselves, not copies). */
  stateDict(): Map<string, Tensor> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies tensors into this module's parameters and buffers by name. Missing, unexpected or
   * wrong-shaped entries are errors naming the tensor (unless `strict` is false, which only
   * tolerates missing and unexpected names).
   */
  loadStateDict(dict: ReadonlyMap<string, Tensor>, opts: { strict?: boolean } = {}): void {
    if (this.frozen) throw new Error('loadStateDict: the module is frozen (inference-only); load the weights before freeze()');
    const strict = opts.strict ?? true;
    const own = this.stateDict();
    const problems: string[] = [];
    for (const [name, target] of own) {
      const src = dict.get(name);
      if (!src) { if (strict) problems.push(`missing tensor "${name}" [${target.shape.join(', ')}]`); continue; }
      if (src.shape.length !== target.shape.length || src.shape.some((d, i) => d !== target.shape[i])) {
        problems.push(`tensor "${name}" has shape [${src.shape.join(', ')}], expected [${target.shape.join(', ')}]`);
        continue;
      }
      if (src.dtype !== target.dtype) { problems.push(`tensor "${name}" is ${src.dtype}, expected ${target.dtype}`); continue; }
    }
    if (strict) for (const name of dict.keys()) if (!own.has(name)) problems.push(`unexpected tensor "${name}"`);
    if (problems.length) throw new Error(`loadStateDict: ${problems.join('; ')}`);
    for (const [name, target] of own) {
      const src = dict.get(name);
      if (src) copyInto(src, target);
    }
  }

  /** Frees every parameter, gradient and buffer (the module is unusable afterwards). */
  dispose(): void {
    for (const t of this.stateDict().values()) t.dispose();
    this.disposeDerivedTree();
  }

  /** disposeDerived on this module and every descendant (derived tensors may sit at any depth). */
  private disposeDerivedTree(): void {
    this.disposeDerived();
    for (const m of this.children.values()) m.disposeDerivedTree();
  }

  /** Frees tensors a layer derived from its parameters (none by default). */
  protected disposeDerived(): void {}
}

/** Persistent tensor with values from `init` (used by layer constructors). */
export function initTensor(shape: Shape, init: Init): Tensor {
  engine();
  switch (init.kind) {
    case 'zeros': { const t = empty(shape, 'float32', true); t.unsafeView().fill(0); return t; }
    case 'ones': { const t = empty(shape, 'float32', true); t.unsafeView().fill(1); return t; }
    case 'normal': return randn(shape, { std: init.std, mean: init.mean ?? 0, persistent: true });
    case 'uniform': return rand(shape, { low: -init.bound, high: init.bound, persistent: true });
  }
}

export type Init =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'normal'; std: number; mean?: number }
  | { kind: 'uniform'; bound: number };

/** PyTorch's default for Linear/Conv weights and biases: U(−1/√fanIn, 1/√fanIn). */
export function kaimingUniform(fanIn: number): Init {
  return { kind: 'uniform', bound: 1 / Math.sqrt(Math.max(1, fanIn)) };
}

/** Copies `src` values into `dst` (same size), e.g. to initialize from another module. */
export function assignParameter(dst: Tensor, src: Tensor): void {
  copyInto(src, dst);
}
