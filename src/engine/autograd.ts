/**
 * Reverse-mode autodiff on a tape of GradNodes (micrograd-style, small on purpose).
 *
 * Ops call `record(output, op, inputs, backward)`; when gradients are enabled and any input needs
 * one, the output remembers its node. `backward(loss)` walks the graph in reverse topological order,
 * sums gradients per tensor, and accumulates leaf gradients into `leaf.grad` (heap memory, so it
 * survives the step's arena scope). Backward functions run with recording off: no higher-order grads.
 */
import { engine } from './runtime.js';
import { type GradNode, Tensor, empty } from './tensor.js';
import { addInto, binary, copyInto, fill } from './backend.js';

export function record(out: Tensor, op: string, inputs: readonly Tensor[], backward: (g: Tensor) => (Tensor | null)[]): Tensor {
  if (!engine().gradEnabled) return out;
  if (!inputs.some((t) => t.requiresGrad)) return out;
  out.requiresGrad = true;
  out.node = { op, inputs, backward } satisfies GradNode;
  return out;
}

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<number>();
  // Iterative DFS: graphs of long sequences are deep enough to overflow the JS stack.
  const stack: { t: Tensor; i: number }[] = [{ t: root, i: 0 }];
  seen.add(root.id);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const inputs = top.t.node?.inputs ?? [];
    if (top.i < inputs.length) {
      const child = inputs[top.i++]!;
      if (child.requiresGrad && !seen.has(child.id)) {
        seen.add(child.id);
        stack.push({ t: child, i: 0 });
      }
    } else {
      order.push(top.t);
      stack.pop();
    }
  }
  return order.reverse();
}

/** Adds `g` into the leaf's persistent `.grad` buffer (allocated on first use). */
function accumulateLeafGrad(leaf: Tensor, g: Tensor): void {
  if (!leaf.grad) {
    leaf.grad = empty(leaf.shape, 'float32', true);
    copyInto(g, leaf.grad);
  } else {
    addInto(g, leaf.grad);
  }
}

/**
 * Backpropagates from `loss` (a one-element tensor unless `gradOutput` is given).
 * @example const loss = mseLoss(model.forward(x), y); backward(loss); optimizer.step();
 */
export function backward(loss: Tensor, gradOutput?: Tensor): void {
  const e = engine();
  if (!loss.requiresGrad) throw new Error('backward(): the loss does not depend on any tensor that requires a gradient');
  if (!gradOutput && loss.size !== 1) throw new Error(`backward(): loss must have one element (got [${loss.shape.join(', ')}]); pass gradOutput`);
  const prevGrad = e.gradEnabled;
  e.gradEnabled = false;
  try {
    const grads = new Map<number, Tensor>();
    if (gradOutput) grads.set(loss.id, gradOutput);
    else {
      const one = empty(loss.shape);
      fill(one, 1);
      grads.set(loss.id, one);
    }
    for (const t of topoOrder(loss)) {
      const g = grads.get(t.id);
      if (!g) continue;
      grads.delete(t.id);
      if (!t.node) {
        accumulateLeafGrad(t, g);
        continue;
      }
      const inputGrads = t.node.backward(g);
      t.node.inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (!gi || !input.requiresGrad) return;
        if (gi.shape.length !== input.shape.length || gi.shape.some((d, k) => d !== input.shape[k])) {
          throw new Error(`autograd: ${t.node!.op} returned a gradient of shape [${gi.shape.join(', ')}] for an input of shape [${input.shape.join(', ')}]`);
        }
        const prev = grads.get(input.id);
        if (!prev) grads.set(input.id, gi);
        else {
          // Sum into a fresh buffer: `prev` may alias a tensor another op still reads.
          const sum = binary('ADD', prev, gi);
          grads.set(input.id, sum);
        }
      });
    }
  } finally {
    e.gradEnabled = prevGrad;
  }
}
