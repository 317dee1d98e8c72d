/**
 * Exponential moving average of weights (the "EMA model" most vocoder/acoustic recipes evaluate
 * with): shadow ← decay·shadow + (1 − decay)·param after each optimizer step, one fused kernel
 * pass (`ema_f32`) per parameter. Shadows live on the heap and start as copies of the parameters.
 *
 * Evaluate with the averaged weights either by `copyTo(otherModel)` (an inference copy), or by
 * `swapIn()` … `swapOut()` on the training model itself (values are exchanged, not re-allocated).
 */
import { copyInto } from '../backend.js';
import * as K from '../kernels/wrappers.js';
import { engine } from '../runtime.js';
import { Module } from '../nn/module.js';
import { Tensor, empty, viewOf } from '../tensor.js';
import { type ParamSource, namedParamsOf } from './optimizer.js';

export interface EMAOptions {
  /** Default 0.999. */
  decay?: number;
  /**
   * Warm-up: use min(decay, (1 + n)/(10 + n)) for the n-th update (TF/timm style), so early
   * shadows follow the fast-moving weights. Default false.
   */
  warmup?: boolean;
}

export interface EMAStateDict {
  /** Shadow weights by parameter name: loadable into a model with `loadStateDict`. */
  tensors: Map<string, Tensor>;
  updates: number;
}

export class EMA {
  readonly decay: number;
  readonly warmup: boolean;
  /** Number of `update()` calls. */
  updates = 0;
  private readonly pairs: [string, Tensor, Tensor][];
  private swapped = false;
  private scratch: Tensor | null = null;

  constructor(source: ParamSource, opts: EMAOptions = {}) {
    this.decay = opts.decay ?? 0.999;
    this.warmup = opts.warmup ?? false;
    if (!(this.decay >= 0 && this.decay <= 1)) throw new Error(`EMA: decay must be in [0, 1], got ${this.decay}`);
    this.pairs = namedParamsOf(source).map(([name, p]) => {
      const shadow = empty(p.shape, 'float32', true);
      copyInto(p, shadow);
      return [name, p, shadow];
    });
  }

  /** The decay the next update will use. */
  currentDecay(): number {
    const n = this.updates;
    return this.warmup ? Math.min(this.decay, (1 + n) / (10 + n)) : this.decay;
  }

  /** Folds the current parameter values into the shadows (call after `optimizer.step()`). */
  update(): void {
    if (this.swapped) throw new Error('EMA.update: the shadows are swapped in; call swapOut() first');
    const d = this.currentDecay();
    for (const [, p, shadow] of this.pairs) K.ema(engine().runner, p.size, shadow.ptr, p.ptr, d);
    this.updates++;
  }

  /** Shadow tensors by parameter name (live, not copies). */
  shadows(): Map<string, Tensor> {
    return new Map(this.pairs.map(([name, , s]) => [name, s]));
  }

  /** Copies the averaged weights into `target`'s parameters of the same names (all must exist). */
  copyTo(target: Module | ParamSource): void {
    const dst = new Map(target instanceof Module ? target.namedParameters() : namedParamsOf(target));
    for (const [name, , shadow] of this.pairs) {
      const t = dst.get(name);
      if (!t) throw new Error(`EMA.copyTo: target has no parameter "${name}"`);
      if (t.size !== shadow.size) throw new Error(`EMA.copyTo: "${name}" is [${t.shape.join(', ')}], shadow is [${shadow.shape.join(', ')}]`);
      copyInto(shadow, t);
    }
  }

  /** Puts the averaged weights into the tracked parameters (keeping the training weights aside). */
  swapIn(): void {
    if (this.swapped) throw new Error('EMA.swapIn: already swapped in');
    this.exchange();
    this.swapped = true;
  }

  /** Restores the training weights after `swapIn()`. */
  swapOut(): void {
    if (!this.swapped) throw new Error('EMA.swapOut: not swapped in');
    this.exchange();
    this.swapped = false;
  }

  get isSwappedIn(): boolean { return this.swapped; }

  private exchange(): void {
    const largest = Math.max(0, ...this.pairs.map(([, p]) => p.size));
    if (!this.scratch || this.scratch.size < largest) {
      this.scratch?.dispose();
      this.scratch = empty([largest], 'float32', true);
    }
    for (const [, p, shadow] of this.pairs) {
      const tmp = viewOf(this.scratch, [p.size], [1], 0);
      copyInto(p, tmp);
      copyInto(shadow, p);
      copyInto(tmp, shadow);
    }
  }

  stateDict(): EMAStateDict {
    return { tensors: this.shadows(), updates: this.updates };
  }

  loadStateDict(sd: EMAStateDict): void {
    const problems: string[] = [];
    for (const [name, , shadow] of this.pairs) {
      const src = sd.tensors.get(name);
      if (!src) problems.push(`missing shadow "${name}"`);
      else if (src.size !== shadow.size || src.shape.some((d, i) => d !== shadow.shape[i])) problems.push(`shadow "${name}" is [${src.shape.join(', ')}], expected [${shadow.shape.join(', ')}]`);
    }
    if (problems.length) throw new Error(`EMA.loadStateDict: ${problems.join('; ')}`);
    for (const [name, , shadow] of this.pairs) copyInto(sd.tensors.get(name)!, shadow);
    this.updates = sd.updates;
  }

  dispose(): void {
    for (const [, , s] of this.pairs) s.dispose();
    this.scratch?.dispose();
    this.scratch = null;
  }
}
