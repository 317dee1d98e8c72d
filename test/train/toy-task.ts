// A deterministic toy training task (linear regression with dropout) shared by the trainer tests
// and the child process they kill.
import { AdamW, Dropout, Linear, Module, type Tensor, mseLoss, tensor } from '../../src/engine/index.js';
import type { TrainerTask } from '../../src/train/trainer.js';

export class ToyModel extends Module {
  readonly hidden = this.module('hidden', new Linear(4, 8));
  readonly drop = this.module('drop', new Dropout(0.2));
  readonly out = this.module('out', new Linear(8, 1));
  forward(x: Tensor): Tensor {
    return this.out.forward(this.drop.forward(this.hidden.forward(x)));
  }
}

export interface ToyBatch { x: Float32Array; y: Float32Array }

/** Batch `i` of any epoch: a pure function of (epoch, i), like a seeded loader. */
export function toyBatch(epoch: number, i: number): ToyBatch {
  let s = (epoch * 1000 + i + 1) * 2654435761;
  const rnd = (): number => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 - 0.5; };
  const x = new Float32Array(16 * 4), y = new Float32Array(16);
  for (let b = 0; b < 16; b++) {
    let t = 0;
    for (let k = 0; k < 4; k++) { const v = rnd(); x[b * 4 + k] = v; t += v * (k + 1); }
    y[b] = t;
  }
  return { x, y };
}

export function toyTask(model: ToyModel, batchesPerEpoch = 7): TrainerTask<ToyBatch> {
  return {
    name: 'toy',
    model,
    optimizer: new AdamW(model, { lr: 0.01 }),
    config: { kind: 'toy', batchesPerEpoch },
    async *batches(epoch: number, skip: number) {
      for (let i = skip; i < batchesPerEpoch; i++) yield toyBatch(epoch, i);
    },
    loss(batch) {
      const pred = model.forward(tensor(batch.x, [16, 4]));
      const loss = mseLoss(pred, tensor(batch.y, [16, 1]));
      return { loss, parts: { mse: loss } };
    },
    async validate() {
      const b = toyBatch(999, 0);
      return { loss: mseLoss(model.forward(tensor(b.x, [16, 4])), tensor(b.y, [16, 1])).item() };
    },
  };
}
