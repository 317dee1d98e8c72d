/** Converts loader batches (plain typed arrays) to engine tensors. */
import { tensor, type Tensor } from '../engine/index.js';
import type { Batch } from './loader.js';

/** A batch as engine tensors; masks are float32 (1 real, 0 padding) so they multiply directly into losses. */
export interface BatchTensors {
  /** [B, T] int32 */
  phonemes: Tensor;
  /** [B] int32 */
  phonemeLengths: Tensor;
  /** [B, T] float32 */
  phonemeMask: Tensor;
  /** [B, F, nMels] float32 */
  mels: Tensor;
  /** [B] int32 */
  melLengths: Tensor;
  /** [B, F] float32 */
  melMask: Tensor;
  /** [B, F] float32 */
  pitch: Tensor;
  /** [B, F] float32 */
  energy: Tensor;
  /** [B] int32 */
  speakers?: Tensor;
  /** [B] int32 */
  emotions?: Tensor;
}

function maskToFloat(mask: Uint8Array): Float32Array {
  const out = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i]!;
  return out;
}

/**
 * Copies a batch into engine tensors (the engine must be initialised). The tensors are not persistent:
 * create them inside the training step's `tidy` so they are freed with it.
 * @example const t = batchToTensors(batch); model.loss(t.phonemes, t.mels, t.melMask)
 */
export function batchToTensors(batch: Batch): BatchTensors {
  const B = batch.ids.length, T = batch.maxPhonemes, F = batch.maxFrames;
  const out: BatchTensors = {
    phonemes: tensor(batch.phonemes, [B, T], 'int32'),
    phonemeLengths: tensor(batch.phonemeLengths, [B], 'int32'),
    phonemeMask: tensor(maskToFloat(batch.phonemeMask), [B, T], 'float32'),
    mels: tensor(batch.mels, [B, F, batch.nMels], 'float32'),
    melLengths: tensor(batch.melLengths, [B], 'int32'),
    melMask: tensor(maskToFloat(batch.melMask), [B, F], 'float32'),
    pitch: tensor(batch.pitch, [B, F], 'float32'),
    energy: tensor(batch.energy, [B, F], 'float32'),
  };
  if (batch.speakers) out.speakers = tensor(batch.speakers, [B], 'int32');
  if (batch.emotions) out.emotions = tensor(batch.emotions, [B], 'int32');
  return out;
}
