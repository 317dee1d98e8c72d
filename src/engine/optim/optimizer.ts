/**
 * Optimizer base: a flat list of named parameters (no param groups), a learning rate that is a
 * number or a schedule of the step, zeroGrad/step, and a state dict that checkpoints and resumes
 * exactly (per-parameter state tensors + step counters).
 *
 * Conventions shared by every optimizer here:
 *  - Gradients accumulate in `param.grad` across `backward()` calls until `zeroGrad()` (which
 *    zero-fills the buffers instead of freeing them, so memory stays flat).
 *  - `step({ gradScale })` multiplies every gradient by `gradScale` inside the update kernel (no
 *    extra pass): 1/microBatches for gradient-accumulation averaging, times a clipping factor.
 *  - Parameters whose `grad` is null (never reached by backward) are skipped, like torch.
 *  - `step` numbers are 1-based: the first update is step 1 (the schedule is asked for lr(1)).
 */
import { fill } from '../backend.js';
import { Module } from '../nn/module.js';
import { Tensor, empty } from '../tensor.js';

/** Where an optimizer gets its parameters: a module, a [name, param] list, a name → param map, or bare tensors. */
export type ParamSource = Module | ReadonlyMap<string, Tensor> | readonly (readonly [string, Tensor])[] | readonly Tensor[];

/** A fixed learning rate, or a schedule: lr as a function of the 1-based optimizer step. */
export type LearningRate = number | ((step: number) => number);

export interface OptimizerOptions {
  lr?: LearningRate;
  weightDecay?: number;
  /**
   * Parameters (by dotted name) that get no weight decay. Most TTS recipes exempt biases and norm
   * weights: use `noDecayBiasAndNorm`.
   */
  noDecay?: (name: string, param: Tensor) => boolean;
}

export interface StepOptions {
  /** Multiplies every gradient before the update (accumulation averaging, clipping). Default 1. */
  gradScale?: number;
}

/** Serializable optimizer state: tensors keyed "<param name>.<slot>", plus counters. */
export interface OptimizerStateDict {
  kind: string;
  /** Number of `step()` calls so far (drives the LR schedule). */
  step: number;
  /** Per-parameter update counts (torch keeps `state[p]['step']` per parameter). */
  paramSteps: Record<string, number>;
  /** Hyper-parameters at save time (informative: the constructor's values are used on load). */
  hyper: Record<string, number | boolean>;
  /** The live state tensors (not copies): save them before the next step. */
  tensors: Map<string, Tensor>;
}

/**
 * The usual TTS `noDecay` rule: no weight decay for 1-D parameters (biases, LayerNorm weights,
 * layer-scale γ), for names ending in "bias", and for names containing "norm".
 */
export function noDecayBiasAndNorm(name: string, param: Tensor): boolean {
  return param.ndim <= 1 || name.endsWith('.bias') || name === 'bias' || /norm/i.test(name);
}

/** Normalizes any ParamSource to [name, parameter] pairs with unique names. */
export function namedParamsOf(source: ParamSource): [string, Tensor][] {
  let pairs: [string, Tensor][];
  if (source instanceof Module) pairs = source.namedParameters();
  else if (source instanceof Map) pairs = [...(source as ReadonlyMap<string, Tensor>).entries()];
  else {
    const list = source as readonly (Tensor | readonly [string, Tensor])[];
    pairs = list.map((item, i) => (item instanceof Tensor ? [item.name ?? `param${i}`, item] : [item[0], item[1]]));
  }
  const seen = new Set<string>();
  for (const [name, p] of pairs) {
    if (seen.has(name)) throw new Error(`optimizer: two parameters are named "${name}"; give them unique names`);
    seen.add(name);
    if (p.dtype !== 'float32' || !p.persistent || !p.isContiguous()) {
      throw new Error(`optimizer: parameter "${name}" must be a contiguous float32 heap tensor`);
    }
  }
  return pairs;
}

/** A zero-filled heap tensor shaped like `p` (optimizer state). */
export function zerosState(p: Tensor): Tensor {
  const t = empty(p.shape, 'float32', true);
  fill(t, 0);
  return t;
}

export abstract class Optimizer {
  readonly params: readonly [string, Tensor][];
  lr: LearningRate;
  weightDecay: number;
  /** Number of `step()` calls so far. */
  stepCount = 0;
  /** The learning rate used by the most recent step (NaN before the first). */
  lastLr = NaN;
  protected readonly paramSteps = new Map<string, number>();
  /** Per-parameter state tensors by slot name (e.g. "exp_avg"). */
  protected readonly state = new Map<string, Map<string, Tensor>>();
  private readonly noDecay: (name: string, param: Tensor) => boolean;

  protected constructor(readonly kind: string, source: ParamSource, opts: OptimizerOptions, defaultLr: number, defaultWeightDecay: number) {
    this.params = namedParamsOf(source);
    this.lr = opts.lr ?? defaultLr;
    this.weightDecay = opts.weightDecay ?? defaultWeightDecay;
    this.noDecay = opts.noDecay ?? (() => false);
    if (typeof this.lr === 'number' && !(this.lr >= 0)) throw new Error(`${kind}: lr must be ≥ 0, got ${this.lr}`);
    if (!(this.weightDecay >= 0)) throw new Error(`${kind}: weightDecay must be ≥ 0, got ${this.weightDecay}`);
  }

  /** The learning rate for 1-based step `step`. */
  lrAt(step: number): number {
    const lr = typeof this.lr === 'number' ? this.lr : this.lr(step);
    if (!Number.isFinite(lr) || lr < 0) throw new Error(`${this.kind}: learning rate at step ${step} is ${lr}`);
    return lr;
  }

  /** Weight decay for a parameter (0 where `noDecay` says so). */
  protected decayFor(name: string, p: Tensor): number {
    return this.weightDecay !== 0 && !this.noDecay(name, p) ? this.weightDecay : 0;
  }

  /** The state slot tensor for a parameter, allocated (zeros, heap) on first use. */
  protected slot(name: string, p: Tensor, slotName: string): Tensor {
    let slots = this.state.get(name);
    if (!slots) { slots = new Map(); this.state.set(name, slots); }
    let t = slots.get(slotName);
    if (!t) { t = zerosState(p); slots.set(slotName, t); }
    return t;
  }

  /** Zero-fills every parameter's gradient buffer (kept allocated: no churn, flat memory). */
  zeroGrad(): void {
    for (const [, p] of this.params) if (p.grad) fill(p.grad, 0);
  }

  /** Applies one update to every parameter that has a gradient. */
  step(opts: StepOptions = {}): void {
    const gradScale = opts.gradScale ?? 1;
    if (!Number.isFinite(gradScale)) throw new Error(`${this.kind}.step: gradScale is ${gradScale}`);
    const t = this.stepCount + 1;
    const lr = this.lrAt(t);
    for (const [name, p] of this.params) {
      const g = p.grad;
      if (!g) continue;
      const k = (this.paramSteps.get(name) ?? 0) + 1;
      this.paramSteps.set(name, k);
      this.update(name, p, g, k, lr, gradScale);
    }
    this.stepCount = t;
    this.lastLr = lr;
  }

  /** One parameter's update; `k` is that parameter's 1-based update count. */
  protected abstract update(name: string, p: Tensor, grad: Tensor, k: number, lr: number, gradScale: number): void;

  /** Hyper-parameters recorded in the state dict. */
  protected abstract hyper(): Record<string, number | boolean>;

  stateDict(): OptimizerStateDict {
    const tensors = new Map<string, Tensor>();
    for (const [name, slots] of this.state) for (const [slotName, t] of slots) tensors.set(`${name}.${slotName}`, t);
    return { kind: this.kind, step: this.stepCount, paramSteps: Object.fromEntries(this.paramSteps), hyper: this.hyper(), tensors };
  }

  /**
   * Restores state saved by `stateDict()` (values are copied). Errors name the offending tensor:
   * unknown parameter, wrong shape, or a state slot for a parameter this optimizer does not have.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    if (sd.kind !== this.kind) throw new Error(`${this.kind}.loadStateDict: state was saved by "${sd.kind}"`);
    const byName = new Map(this.params);
    const problems: string[] = [];
    const plan: [Tensor, Tensor][] = [];
    for (const [key, src] of sd.tensors) {
      const dot = key.lastIndexOf('.');
      const name = key.slice(0, dot), slotName = key.slice(dot + 1);
      const p = byName.get(name);
      if (dot < 0 || !p) { problems.push(`state tensor "${key}" belongs to no parameter of this optimizer`); continue; }
      if (src.size !== p.size || src.shape.length !== p.shape.length || src.shape.some((d, i) => d !== p.shape[i])) {
        problems.push(`state tensor "${key}" has shape [${src.shape.join(', ')}], parameter "${name}" is [${p.shape.join(', ')}]`);
        continue;
      }
      plan.push([src, this.slot(name, p, slotName)]);
    }
    for (const name of Object.keys(sd.paramSteps)) if (!byName.has(name)) problems.push(`step count for unknown parameter "${name}"`);
    if (problems.length) throw new Error(`${this.kind}.loadStateDict: ${problems.join('; ')}`);
    for (const [src, dst] of plan) dst.unsafeView().set(src.toFloat32Array());
    this.stepCount = sd.step;
    this.paramSteps.clear();
    for (const [name, k] of Object.entries(sd.paramSteps)) this.paramSteps.set(name, k);
  }

  /** Frees the optimizer state (the parameters are untouched). */
  dispose(): void {
    for (const slots of this.state.values()) for (const t of slots.values()) t.dispose();
    this.state.clear();
  }
}

/**
 * Flattens an optimizer state dict into tensors + string metadata (for a safetensors file) and
 * back. Tensor names get the prefix "optimizer." unless another is given.
 */
export function optimizerStateToFlat(sd: OptimizerStateDict, prefix = 'optimizer.'): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const tensors = new Map<string, Tensor>();
  for (const [k, t] of sd.tensors) tensors.set(prefix + k, t);
  const info = { kind: sd.kind, step: sd.step, paramSteps: sd.paramSteps, hyper: sd.hyper };
  return { tensors, metadata: { [`${prefix}state`]: JSON.stringify(info) } };
}

export function optimizerStateFromFlat(tensors: ReadonlyMap<string, Tensor>, metadata: Readonly<Record<string, string>>, prefix = 'optimizer.'): OptimizerStateDict {
  const raw = metadata[`${prefix}state`];
  if (raw === undefined) throw new Error(`optimizer state: metadata key "${prefix}state" is missing`);
  const info = JSON.parse(raw) as { kind: string; step: number; paramSteps: Record<string, number>; hyper: Record<string, number | boolean> };
  const own = new Map<string, Tensor>();
  for (const [k, t] of tensors) if (k.startsWith(prefix)) own.set(k.slice(prefix.length), t);
  return { ...info, tensors: own };
}
