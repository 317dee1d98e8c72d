/**
 * Training the aligner with the shared trainer: a TrainerTask (forward-sum loss, plus the binarization
 * loss after `binarizationStart`) and `trainAligner(featuresDir, outDir, opts)`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdamW, type Tensor, add, exp, manualSeed, noGrad, scale, tensor, tidy, warmupCosineSchedule,
} from '../../engine/index.js';
import { FeatureLoader, type Batch } from '../../data/loader.js';
import { readManifest } from '../../data/manifest.js';
import { SymbolTable } from '../../text/symbols.js';
import { encodePng } from '../../audio/png.js';
import { writeFileAtomic } from '../../engine/checkpoint.js';
import { train, type TrainerTask, type TrainResult } from '../../train/trainer.js';
import { type AlignerConfig, resolveAlignerConfig } from './config.js';
import { AlignmentEncoder, logSoftAttention } from './model.js';
import { forwardSumLoss } from './loss.js';
import { batchDurations, binarizationLoss, binarizationWeight, hardAttention } from './binarization.js';
import { renderAlignmentImage } from './plot.js';

/** Engine tensors of a loader batch the aligner needs. */
export function alignerInputs(batch: Batch): { phonemes: Tensor; mels: Tensor; phonemeLengths: Int32Array; melLengths: Int32Array } {
  const B = batch.ids.length;
  return {
    phonemes: tensor(batch.phonemes, [B, batch.maxPhonemes], 'int32'),
    mels: tensor(batch.mels, [B, batch.maxFrames, batch.nMels], 'float32'),
    phonemeLengths: batch.phonemeLengths,
    melLengths: batch.melLengths,
  };
}

/** Forward-sum (+ weighted binarization) loss of one batch. */
export function alignerLoss(model: AlignmentEncoder, config: AlignerConfig, batch: Batch, step: number): { loss: Tensor; forwardSum: Tensor; binarization: number } {
  const x = alignerInputs(batch);
  const { attnLogProb } = model.forward(x);
  const forwardSum = forwardSumLoss(attnLogProb, x.phonemeLengths, x.melLengths, config.train.blankLogProb);
  const t = config.train;
  const w = binarizationWeight(step, t.binarizationStart, t.binarizationWarmup, t.binarizationWeight);
  if (w === 0) return { loss: forwardSum, forwardSum, binarization: 0 };
  const durations = batchDurations(attnLogProb, x.phonemeLengths, x.melLengths);
  const hard = hardAttention(durations, batch.maxFrames, batch.maxPhonemes);
  const bin = binarizationLoss(attnLogProb, hard);
  return { loss: add(forwardSum, scale(bin, w)), forwardSum, binarization: bin.item() };
}

export interface AlignerTaskOptions {
  featuresDir: string;
  config: AlignerConfig;
  /** Validation items to score (default: all of the val split). */
  maxValidationItems?: number;
}

/** The aligner as a TrainerTask over a features folder. */
export function alignerTask(opts: AlignerTaskOptions): TrainerTask<Batch> & { model: AlignmentEncoder } {
  const { config } = opts;
  const t = config.train;
  manualSeed(t.seed);
  const model = new AlignmentEncoder(config.model);
  const loader = FeatureLoader.open(opts.featuresDir, { split: 'train', batchSize: t.batchSize, maxFrames: t.maxFrames, seed: t.seed });
  const manifest = loader.manifest;
  const hasVal = manifest.items.some((m) => m.split === 'val');
  const valLoader = hasVal ? FeatureLoader.open(opts.featuresDir, { split: 'val', batchSize: t.batchSize, maxFrames: t.maxFrames }) : null;
  const lr = t.maxSteps > t.warmupSteps
    ? warmupCosineSchedule({ peakLr: t.lr, warmupSteps: t.warmupSteps, totalSteps: t.maxSteps, minLr: t.lr * 0.1 })
    : t.lr;
  const optimizer = new AdamW(model, { lr, weightDecay: t.weightDecay });
  let lastStep = 0;
  return {
    name: 'aligner',
    model,
    optimizer,
    config,
    batches: (epoch, skip) => loader.batches(epoch, skip),
    loss(batch, step) {
      lastStep = step;
      const r = alignerLoss(model, config, batch, step);
      return { loss: r.loss, parts: { forwardSum: r.forwardSum, binarization: r.binarization } };
    },
    async validate(): Promise<Record<string, number>> {
      if (!valLoader) return {};
      let total = 0, n = 0;
      const limit = opts.maxValidationItems ?? Infinity;
      for await (const batch of valLoader.batches(0)) {
        if (n >= limit) break;
        const v = tidy(() => noGrad(() => alignerLoss(model, config, batch, lastStep).forwardSum.item()));
        total += v * batch.ids.length;
        n += batch.ids.length;
      }
      return { loss: total / Math.max(1, n) };
    },
    async artifacts(_step, outDir) {
      if (!valLoader) return;
      const batch = await valLoader.loadBatch([0]);
      let png: Uint8Array | null = null;
      tidy(() => noGrad(() => {
        const x = alignerInputs(batch);
        const { attnLogProb } = model.forward(x);
        const d = batchDurations(attnLogProb, x.phonemeLengths, x.melLengths)[0]!;
        const soft = exp(logSoftAttention(attnLogProb)).toFloat32Array();
        png = encodePng(renderAlignmentImage(soft, batch.melLengths[0]!, batch.phonemeLengths[0]!, d, { rowStride: batch.maxPhonemes }));
      }));
      if (png) await writeFileAtomic(join(outDir, 'alignment.png'), png);
    },
  };
}

export interface TrainAlignerOptions {
  /** Preset name, or a JSON file path / object over a preset. Default 'default'. */
  config?: 'tiny' | 'default' | string | Record<string, unknown>;
  maxSteps?: number;
  resume?: boolean;
  quiet?: boolean;
  maxValidationItems?: number;
}

/** Reads a --config value: a preset name or a JSON file. */
export function alignerConfigSource(value: TrainAlignerOptions['config']): 'tiny' | 'default' | Record<string, unknown> {
  if (value === undefined || value === 'tiny' || value === 'default') return value ?? 'default';
  if (typeof value === 'object') return value;
  if (!existsSync(value)) throw new Error(`aligner config ${value}: not a preset (tiny, default) and no such file`);
  return JSON.parse(readFileSync(value, 'utf8')) as Record<string, unknown>;
}

/**
 * Trains an aligner on FEATURES_DIR's train split into `outDir` (checkpoint, log, loss and alignment PNGs).
 * @example await trainAligner('/data/lj-feat', 'runs/aligner', { config: 'default' })
 */
export async function trainAligner(featuresDir: string, outDir: string, opts: TrainAlignerOptions = {}): Promise<TrainResult & { config: AlignerConfig }> {
  const manifest = readManifest(featuresDir);
  const vocab = SymbolTable.fromJSON(manifest.symbols).size;
  let config = resolveAlignerConfig(alignerConfigSource(opts.config), vocab);
  if (opts.resume && existsSync(join(outDir, 'checkpoint.json'))) {
    // A resumed run keeps the config it was started with.
    config = JSON.parse(readFileSync(join(outDir, 'checkpoint.json'), 'utf8')) as AlignerConfig;
  }
  if (opts.maxSteps !== undefined) config = { ...config, train: { ...config.train, maxSteps: opts.maxSteps } };
  const task = alignerTask({ featuresDir, config, maxValidationItems: opts.maxValidationItems });
  const t = config.train;
  const result = await train(task, {
    outDir, maxSteps: t.maxSteps, resume: opts.resume, maxGradNorm: t.maxGradNorm,
    logEvery: t.logEvery, validateEvery: t.validateEvery, checkpointEvery: t.checkpointEvery, quiet: opts.quiet,
  });
  return { ...result, config };
}
