/**
 * Running a trained aligner over a features folder: MAS durations for every item, written into the
 * feature cache (durations/<stem>.i32 + durations.json, see src/data/durations.ts) so the loader
 * serves them as `batch.durations`, plus PNG pictures of a few alignments.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { exp, noGrad, tensor, tidy } from '../../engine/index.js';
import { writeFileAtomic } from '../../engine/checkpoint.js';
import { encodePng } from '../../audio/png.js';
import { FeatureLoader, type Batch } from '../../data/loader.js';
import { DURATIONS_FORMAT, DURATIONS_INDEX, durationsFileFor, encodeDurations, type DurationsIndex } from '../../data/durations.js';
import { readManifest } from '../../data/manifest.js';
import { AlignmentEncoder, logSoftAttention } from './model.js';
import { batchDurations } from './binarization.js';
import { loadAligner } from './checkpoint.js';
import { renderAlignmentImage } from './plot.js';

export interface PredictedAlignment {
  id: string;
  /** Frames per phoneme (sums to `frames`). */
  durations: Int32Array;
  frames: number;
  /** Soft attention [frames, phonemes] row-major, when asked for (plots). */
  soft?: Float32Array;
}

export interface PredictOptions {
  split?: 'train' | 'val' | 'all';
  /** Ids whose soft attention is returned too. */
  keepSoftFor?: ReadonlySet<string>;
  /** Frame budget per batch (default 8000). */
  maxFrames?: number;
}

/** MAS durations of every item of a split, in manifest order, batch by batch (no gradients). */
export async function* predictAlignments(model: AlignmentEncoder, featuresDir: string, opts: PredictOptions = {}): AsyncGenerator<PredictedAlignment> {
  const loader = FeatureLoader.open(featuresDir, { split: opts.split ?? 'all', batchSize: 16, maxFrames: opts.maxFrames ?? 8000, shuffle: false, bucketBatches: 0, readAhead: 1 });
  for await (const batch of loader.batches(0)) yield* alignBatch(model, batch, opts.keepSoftFor);
}

function alignBatch(model: AlignmentEncoder, batch: Batch, keepSoftFor?: ReadonlySet<string>): PredictedAlignment[] {
  const out: PredictedAlignment[] = [];
  tidy(() => noGrad(() => {
    const B = batch.ids.length, T = batch.maxPhonemes, F = batch.maxFrames;
    const { attnLogProb } = model.forward({
      phonemes: tensor(batch.phonemes, [B, T], 'int32'), mels: tensor(batch.mels, [B, F, batch.nMels], 'float32'),
      phonemeLengths: batch.phonemeLengths, melLengths: batch.melLengths,
    });
    const durations = batchDurations(attnLogProb, batch.phonemeLengths, batch.melLengths);
    const wantSoft = batch.ids.some((id) => keepSoftFor?.has(id));
    const soft = wantSoft ? exp(logSoftAttention(attnLogProb)).toFloat32Array() : null;
    batch.ids.forEach((id, b) => {
      const r: PredictedAlignment = { id, durations: durations[b]!, frames: batch.melLengths[b]! };
      if (soft && keepSoftFor?.has(id)) {
        const n = batch.phonemeLengths[b]!, f = batch.melLengths[b]!;
        const m = new Float32Array(f * n);
        for (let i = 0; i < f; i++) m.set(soft.subarray((b * F + i) * T, (b * F + i) * T + n), i * n);
        r.soft = m;
      }
      out.push(r);
    });
  }));
  return out;
}

export interface AlignFeaturesOptions {
  /** Alignment PNGs to write (the first N items in manifest order). Default 4. */
  plots?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface AlignFeaturesResult {
  items: number;
  plots: string[];
  indexPath: string;
}

/**
 * Aligns every item of FEATURES_DIR with the aligner at `checkpoint` (run folder or .safetensors):
 * writes durations/<stem>.i32 (atomically, one per item), then durations.json, and PNGs into
 * alignments-png/. Needs an initialised engine.
 */
export async function alignFeatures(checkpoint: string, featuresDir: string, opts: AlignFeaturesOptions = {}): Promise<AlignFeaturesResult> {
  const { model } = await loadAligner(checkpoint);
  const manifest = readManifest(featuresDir);
  const fileOf = new Map(manifest.items.map((m) => [m.id, m.file]));
  const plotIds = new Set(manifest.items.slice(0, opts.plots ?? 4).map((m) => m.id));
  mkdirSync(join(featuresDir, 'durations'), { recursive: true });
  if (plotIds.size) mkdirSync(join(featuresDir, 'alignments-png'), { recursive: true });
  const index: DurationsIndex = { format: DURATIONS_FORMAT, version: 1, source: resolve(checkpoint), items: {} };
  const plots: string[] = [];
  // The old index goes first: the loader must not validate stale durations while we re-align, and a
  // folder without an index simply has no durations until the new one is complete.
  const indexPath = join(featuresDir, DURATIONS_INDEX);
  rmSync(indexPath, { force: true });
  let done = 0;
  for await (const a of predictAlignments(model, featuresDir, { keepSoftFor: plotIds })) {
    const file = durationsFileFor(fileOf.get(a.id)!);
    await writeFileAtomic(join(featuresDir, file), encodeDurations(a.durations));
    index.items[a.id] = { file, frames: a.frames, phonemes: a.durations.length };
    if (a.soft) {
      const png = join(featuresDir, 'alignments-png', `${file.slice('durations/'.length, -'.i32'.length)}.png`);
      await writeFileAtomic(png, encodePng(renderAlignmentImage(a.soft, a.frames, a.durations.length, a.durations)));
      plots.push(png);
    }
    done++;
    opts.onProgress?.(done, manifest.items.length);
  }
  model.dispose();
  await writeFileAtomic(indexPath, JSON.stringify(index));
  return { items: done, plots, indexPath };
}
