/**
 * tidy(): run a block with arena allocation and free its temporaries in one go.
 */
import { closeScope, isGradEnabled, openScope } from './runtime.js';
import { copyContiguous } from './backend.js';
import { Tensor } from './tensor.js';

type Keepable = Tensor | number | string | boolean | null | undefined | void | ArrayBufferView | readonly Keepable[] | { readonly [k: string]: Keepable };

/** Copies arena tensors in a result to the heap so they outlive the scope. */
function keep<T>(value: T): T {
  if (value instanceof Tensor) {
    if (value.persistent) return value;
    const kept = copyContiguous(value, true);
    return kept as T;
  }
  if (Array.isArray(value)) return value.map((v) => keep(v)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = keep(v);
    return out as T;
  }
  return value;
}

/**
 * Runs `fn` with an arena scope: every tensor created inside is freed when it returns, except the
 * tensors it returns (copied to the heap, detached from autograd). One training step per tidy keeps
 * memory flat over millions of steps.
 * @example
 *   const lossValue = tidy(() => {
 *     const loss = mseLoss(model.forward(x), y);
 *     backward(loss);
 *     optimizer.step();
 *     return loss.item();
 *   });
 */
export function tidy<T extends Keepable>(fn: () => T): T {
  const scope = openScope();
  let result: T;
  try {
    result = fn();
    if (result && typeof (result as { then?: unknown }).then === 'function') {
      throw new Error('tidy(): the function returned a Promise; tidy scopes must be synchronous');
    }
    // Copy out before the scope closes (the copy itself must land on the heap).
    result = keep(result);
  } finally {
    closeScope(scope);
  }
  return result;
}

/**
 * Applies `layers` in order to x. Without gradients (inference), each layer runs in its own
 * scope and only its output is carried to the next, so memory holds one layer's temporaries at a
 * time instead of the whole stack's; the result is a tensor of the caller's scope. With gradients
 * on it is a plain loop (the tape needs every intermediate).
 * @example const y = noGrad(() => tidyLayers(x, decoder.map((block) => (h: Tensor) => block.forward(h))));
 */
export function tidyLayers(x: Tensor, layers: Iterable<(h: Tensor) => Tensor>): Tensor {
  let h = x;
  if (isGradEnabled()) {
    for (const layer of layers) h = layer(h);
    return h;
  }
  // The heap copy of the last layer's output, which this function owns and must free.
  let carried: Tensor | null = null;
  for (const layer of layers) {
    const input = h;
    let copied = false;
    h = tidy(() => {
      const y = layer(input);
      if (y.persistent) return y;
      copied = true;
      return copyContiguous(y, true);
    });
    if (carried && carried !== h) carried.dispose();
    if (copied) carried = h;
    else if (carried !== h) carried = null;
  }
  if (!carried) return h;
  // Back into the caller's scope, so its tidy frees the result like any other temporary.
  const result = copyContiguous(carried);
  carried.dispose();
  return result;
}
