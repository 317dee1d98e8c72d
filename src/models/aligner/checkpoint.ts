/** Loading a trained aligner from a training run folder (or a checkpoint file). */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Tensor } from '../../engine/index.js';
import { loadCheckpoint } from '../../engine/node.js';
import { type AlignerConfig, validateAlignerConfig } from './config.js';
import { AlignmentEncoder } from './model.js';

/** `path` = a run folder (holding checkpoint.safetensors) or the .safetensors file itself. */
export async function loadAligner(path: string): Promise<{ model: AlignmentEncoder; config: AlignerConfig }> {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'checkpoint.safetensors') : path;
  if (!existsSync(file)) throw new Error(`${file}: no aligner checkpoint (train one with clip-tts train-aligner)`);
  const ck = await loadCheckpoint(file);
  const config = validateAlignerConfig(ck.config as AlignerConfig);
  const model = new AlignmentEncoder(config.model);
  // Trainer checkpoints hold model.* and optimizer.* tensors (the aligner trains without EMA).
  const weights = new Map<string, Tensor>();
  for (const [k, t] of ck.tensors) if (k.startsWith('model.')) weights.set(k.slice('model.'.length), t);
  model.loadStateDict(weights);
  for (const t of ck.tensors.values()) t.dispose();
  model.eval();
  return { model, config };
}
