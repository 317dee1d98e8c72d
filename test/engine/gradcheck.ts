/**
 * Central finite-difference gradient check for engine ops, in float32.
 *
 * For a function f(x₁, …, xₙ) → one or more tensors, the scalar checked is
 * L = Σₖ Σᵢ outₖ[i]·Wₖ[i] with fixed random weights W (so every output element matters with a
 * different weight). The analytic gradient comes from `backward`; the numeric one from
 * (L(x + h·eⱼ) − L(x − h·eⱼ)) / (actual step), evaluated with gradient recording off. L is
 * accumulated in float64 from the float32 outputs, and the step is the exact float32 difference of
 * the perturbed values, so the only float32 noise left is the op's own rounding.
 *
 * @example
 *   const r = gradcheck((a, b) => mul(a, b), [randomInput([3, 4]), randomInput([4])]);
 *   assert.ok(r.ok, formatGradcheck('mul', r));
 */
import { Tensor, tensor, backward, tidy, noGrad, add, sum, mul, type Shape } from '../../src/engine/index.js';

/** mulberry32: a small seeded PRNG so every test input is reproducible. */
export class Rng {
  private state: number;
  constructor(seed: number) { this.state = seed >>> 0; }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo: number, hi: number): number { return lo + (hi - lo) * this.next(); }
  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = Math.max(this.next(), 1e-12), v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  int(lo: number, hiExclusive: number): number { return lo + Math.floor(this.next() * (hiExclusive - lo)); }
}

/** One input of a gradient check: values, shape, and whether its gradient is checked. */
export interface GradcheckInput {
  shape: Shape;
  data: Float32Array | Int32Array;
  /** Check the gradient w.r.t. this input (default: true for float32 data). */
  requiresGrad?: boolean;
}

export interface GradcheckOptions {
  /** Finite-difference half step (default 1e-2: float32 noise shrinks as eps grows). */
  eps?: number;
  /** Passing when |analytic − numeric| ≤ atol + rtol·|numeric| (defaults 2e-3, 1e-2). */
  atol?: number;
  rtol?: number;
  /** Seed of the random output weights W. */
  seed?: number;
}

export interface GradcheckFailure {
  input: number;
  /** Flat (row-major) element index in that input. */
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradcheckResult {
  ok: boolean;
  /** Largest |analytic − numeric| over all checked elements. */
  maxAbsError: number;
  /** Largest |analytic − numeric| / (atol + rtol·|numeric|): ≤ 1 passes. */
  maxRatio: number;
  /** Elements compared. */
  checked: number;
  /** The first few failing elements. */
  failures: GradcheckFailure[];
}

type OpFn = (...xs: Tensor[]) => Tensor | readonly Tensor[];

function outputsOf(r: Tensor | readonly Tensor[]): readonly Tensor[] {
  return r instanceof Tensor ? [r] : r;
}

function needsGrad(x: GradcheckInput): boolean {
  return x.requiresGrad ?? x.data instanceof Float32Array;
}

function makeLeaves(inputs: readonly GradcheckInput[], data: readonly (Float32Array | Int32Array)[], track: boolean): Tensor[] {
  return inputs.map((x, i) => {
    const t = tensor(data[i]!, x.shape, x.data instanceof Int32Array ? 'int32' : 'float32');
    if (track && needsGrad(x)) t.requiresGrad = true;
    return t;
  });
}

/** Float32 inputs: shape + data helper. */
export function input(shape: Shape, values: ArrayLike<number>, requiresGrad?: boolean): GradcheckInput {
  const data = Float32Array.from(values);
  const n = shape.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new Error(`input: ${data.length} values for shape [${shape.join(', ')}]`);
  return requiresGrad === undefined ? { shape, data } : { shape, data, requiresGrad };
}

/** Int32 (non-differentiable) input, e.g. ids or indices. */
export function intInput(shape: Shape, values: ArrayLike<number>): GradcheckInput {
  return { shape, data: Int32Array.from(values), requiresGrad: false };
}

export function gradcheck(fn: OpFn, inputs: readonly GradcheckInput[], opts: GradcheckOptions = {}): GradcheckResult {
  const eps = opts.eps ?? 1e-2, atol = opts.atol ?? 2e-3, rtol = opts.rtol ?? 1e-2;
  const base = inputs.map((x) => x.data);

  // Output shapes (for W) from one forward pass.
  const outShapes: number[][] = [];
  tidy(() => noGrad(() => {
    for (const o of outputsOf(fn(...makeLeaves(inputs, base, false)))) outShapes.push([...o.shape]);
  }));
  const rng = new Rng(opts.seed ?? 0xc0ffee);
  const weights = outShapes.map((s) => {
    const w = new Float32Array(s.reduce((a, b) => a * b, 1));
    for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-1, 1);
    return w;
  });

  // Analytic gradients.
  const analytic: (Float32Array | null)[] = inputs.map(() => null);
  tidy(() => {
    const leaves = makeLeaves(inputs, base, true);
    const outs = outputsOf(fn(...leaves));
    if (outs.length !== weights.length) throw new Error('gradcheck: the function returned a different number of outputs');
    let loss: Tensor | null = null;
    for (let k = 0; k < outs.length; k++) {
      const term = sum(mul(outs[k]!, tensor(weights[k]!, outShapes[k]!)));
      loss = loss ? add(loss, term) : term;
    }
    if (!loss) throw new Error('gradcheck: the function returned no outputs');
    backward(loss);
    leaves.forEach((leaf, i) => {
      if (!needsGrad(inputs[i]!)) return;
      analytic[i] = leaf.grad ? leaf.grad.toFloat32Array() : new Float32Array(leaf.size);
      leaf.grad?.dispose();
      leaf.grad = null;
    });
  });

  const lossAt = (data: readonly (Float32Array | Int32Array)[]): number => {
    let total = 0;
    tidy(() => noGrad(() => {
      outputsOf(fn(...makeLeaves(inputs, data, false))).forEach((o, k) => {
        const v = o.toFloat32Array(), w = weights[k]!;
        for (let i = 0; i < v.length; i++) total += v[i]! * w[i]!;
      });
    }));
    return total;
  };

  let maxAbsError = 0, maxRatio = 0, checked = 0;
  const failures: GradcheckFailure[] = [];
  inputs.forEach((x, i) => {
    if (!needsGrad(x)) return;
    const a = analytic[i]!;
    const data = base.map((d) => d.slice());
    const xi = data[i] as Float32Array;
    for (let j = 0; j < xi.length; j++) {
      const x0 = base[i]![j]!;
      const plus = Math.fround(x0 + eps), minus = Math.fround(x0 - eps);
      xi[j] = plus;
      const lp = lossAt(data);
      xi[j] = minus;
      const lm = lossAt(data);
      xi[j] = x0;
      const numeric = (lp - lm) / (plus - minus);
      const err = Math.abs(a[j]! - numeric);
      const ratio = Number.isFinite(err) ? err / (atol + rtol * Math.abs(numeric)) : Infinity;
      checked++;
      maxAbsError = Math.max(maxAbsError, Number.isFinite(err) ? err : Infinity);
      maxRatio = Math.max(maxRatio, ratio);
      if (!(ratio <= 1) && failures.length < 5) failures.push({ input: i, index: j, analytic: a[j]!, numeric });
    }
  });
  return { ok: failures.length === 0, maxAbsError, maxRatio, checked, failures };
}

/** A readable failure message. */
export function formatGradcheck(what: string, r: GradcheckResult): string {
  const rows = r.failures.map((f) => `  input ${f.input} element ${f.index}: analytic ${f.analytic.toPrecision(6)} vs numeric ${f.numeric.toPrecision(6)}`);
  return `${what}: gradient check failed (max |error| ${r.maxAbsError.toExponential(2)}, max error/tolerance ${r.maxRatio.toFixed(2)}, ${r.checked} elements)\n${rows.join('\n')}`;
}
