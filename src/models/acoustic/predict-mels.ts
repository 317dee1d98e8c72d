/**
 * Teacher-forced ("ground-truth aligned") mels for vocoder fine-tuning: the acoustic model's
 * postnet output with the aligner durations and the target pitch/energy, so each mel has exactly
 * the frames of its recording. HiFi-GAN's authors fine-tuned on such mels (Tacotron 2 GTA) and
 * lifted end-to-end MOS from 3.91 to 4.18: the vocoder learns the acoustic model's smoothing.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad, tidy } from '../../engine/index.js';
import { writeFileAtomic } from '../../engine/node.js';
import { encodeNpy } from '../../audio/npy.js';
import { melMajorFromFrames } from '../../audio/mel.js';
import { FeatureLoader } from '../../data/loader.js';
import { batchToTensors } from '../../data/to-tensors.js';
import { batchDurations } from '../speech-clip/model.js';
import type { AcousticModel } from './model.js';
import { phonemeProsody } from './prosody.js';

/**
 * Writes OUT/ID.npy (float32 [nMels, frames], as `clip-tts mel`) for every item of the split.
 * @example await predictTeacherForcedMels(am.model, 'feat', 'runs/gta-mels');
 */
export async function predictTeacherForcedMels(model: AcousticModel, featuresDir: string, outDir: string, opts: { split?: 'train' | 'val' | 'all'; onProgress?: (done: number, total: number) => void } = {}): Promise<number> {
  const split = opts.split ?? 'all';
  const loader = FeatureLoader.open(featuresDir, { split, batchSize: 8, shuffle: false, frameBudget: 3200 });
  mkdirSync(outDir, { recursive: true });
  model.eval();
  const total = loader.items.length;
  let done = 0;
  for await (const batch of loader.batches(0)) {
    const { durations, source } = batchDurations(batch);
    if (source !== 'aligner') throw new Error(`${featuresDir}: no aligner durations for this batch (run clip-tts align first)`);
    const prosody = phonemeProsody(batch.pitch, batch.energy, durations, batch.phonemeLengths, batch.maxPhonemes, batch.maxFrames, model.data);
    const mels = tidy(() => noGrad(() => model.teacherForced(batchToTensors(batch), durations, prosody).after.toFloat32Array()));
    const F = batch.maxFrames, n = batch.nMels;
    for (let b = 0; b < batch.ids.length; b++) {
      const frames = batch.melLengths[b]!;
      const melMajor = melMajorFromFrames(mels.subarray(b * F * n, (b * F + frames) * n), frames, n);
      await writeFileAtomic(join(outDir, `${batch.ids[b]}.npy`), encodeNpy(melMajor, [n, frames]));
      done++;
      opts.onProgress?.(done, total);
    }
  }
  return done;
}
