/**
 * tidy(): run a block with arena allocation and free its temporaries in one go.
 */
import { closeScope, openScope } from './runtime.js';
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
