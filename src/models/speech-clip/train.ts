/**
 * Speech-Clip training on a prepared features folder, through the shared trainer (exact resume,
 * JSONL log, loss curve, atomic checkpoints). Each validation also embeds the validation split and
 * logs retrieval R@1/R@5 (the figure that matters), writes `similarity.png` and refreshes
 * `text-encoder.safetensors` (the acoustic model's starting point).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdamW, manualSeed, noDecayBiasAndNorm, warmupCosineSchedule } from '../../engine/index.js';
import { writeFileAtomic } from '../../engine/node.js';
import { encodePng } from '../../audio/png.js';
import { FeatureLoader, type Batch } from '../../data/loader.js';
import { batchToTensors } from '../../data/to-tensors.js';
import { train, type TrainerTask, type TrainResult } from '../../train/trainer.js';
import type { SpeechClipConfig, SpeechClipDataConfig } from './config.js';
import { embedSplit, parseRunConfig, renderSimilarityImage, retrievalMetrics, similarityMatrix, type RetrievalMetrics, type SpeechClipRunConfig } from './evaluate.js';
import { SpeechClip, batchDurations, type DurationSource } from './model.js';

export const TEXT_ENCODER_FILE = 'text-encoder.safetensors';
export const SIMILARITY_FILE = 'similarity.png';

/** Data sizes from a features folder's manifest. */
export function dataConfigOf(loader: FeatureLoader): SpeechClipDataConfig {
  const m = loader.manifest;
  return {
    vocabSize: m.symbols.symbols.length,
    nMels: m.melConfig.nMels,
    speakers: Object.keys(m.speakers).length,
    emotions: Object.keys(m.emotions).length,
  };
}

/**
 * Symmetric InfoNCE of the whole split at the model's logit scale (N-way, so its chance level is
 * ln N, not the training batch's ln B): the validation "loss" on the curve.
 */
function splitInfoNCE(sim: Float32Array, n: number, scale: number): number {
  let total = 0;
  for (let dir = 0; dir < 2; dir++) {
    for (let i = 0; i < n; i++) {
      let maxv = -Infinity;
      const at = (j: number): number => scale * (dir === 0 ? sim[i * n + j]! : sim[j * n + i]!);
      for (let j = 0; j < n; j++) maxv = Math.max(maxv, at(j));
      let z = 0;
      for (let j = 0; j < n; j++) z += Math.exp(at(j) - maxv);
      total += maxv + Math.log(z) - at(i);
    }
  }
  return total / (2 * n);
}

export interface SpeechClipTaskOptions {
  trainLoader: FeatureLoader;
  /** Validation split (non-shuffled); null = no validation. */
  valLoader: FeatureLoader | null;
}

/** The TrainerTask: batches from the loader (resumable by index), the Speech-Clip loss, retrieval validation. */
export function speechClipTask(model: SpeechClip, runConfig: SpeechClipRunConfig, opts: SpeechClipTaskOptions): TrainerTask<Batch> & { lastRetrieval: () => RetrievalMetrics | null } {
  const t = runConfig.training;
  const optimizer = new AdamW(model, {
    lr: warmupCosineSchedule({ peakLr: t.peakLr, warmupSteps: t.warmupSteps, totalSteps: Math.max(t.totalSteps, t.warmupSteps + 1), minLr: t.minLr }),
    weightDecay: t.weightDecay,
    // Biases, norms and the (1-element) logit scales are not decayed: decay would pull τ to 1.
    noDecay: noDecayBiasAndNorm,
  });
  let lastSim: { sim: Float32Array; n: number } | null = null;
  let lastRetrieval: RetrievalMetrics | null = null;
  let warnedUniform = false;
  return {
    name: 'speech-clip',
    model,
    optimizer,
    config: runConfig,
    // The plan is a pure function of (seed, epoch): skipping by index resumes mid-epoch exactly.
    batches: (epoch: number, skip: number) => opts.trainLoader.batches(epoch, skip),
    loss(batch: Batch) {
      const { durations, source } = batchDurations(batch);
      if (source === 'uniform' && runConfig.loss.objective !== 'utterance' && !warnedUniform) {
        warnedUniform = true;
        process.stderr.write('speech-clip: no aligner durations in the features: phoneme-level contrast and the duration loss use uniform durations (see docs/speech-clip.md)\n');
      }
      const out = model.loss(batchToTensors(batch), durations, batch.phonemeLengths);
      const durationSource: DurationSource = source;
      return { loss: out.loss, parts: { ...out.parts, alignerDurations: durationSource === 'aligner' ? 1 : 0 } };
    },
    validate: opts.valLoader ? async () => {
      const e = await embedSplit(model, opts.valLoader!);
      const sim = similarityMatrix(e);
      const n = e.ids.length;
      lastSim = { sim, n };
      lastRetrieval = retrievalMetrics(sim, n);
      const { n: _n, ...metrics } = lastRetrieval;
      return { loss: splitInfoNCE(sim, n, model.logitScale()), ...metrics };
    } : undefined,
    async artifacts(_step: number, outDir: string) {
      if (lastSim) await writeFileAtomic(join(outDir, SIMILARITY_FILE), encodePng(renderSimilarityImage(lastSim.sim, lastSim.n)));
      await model.saveTextEncoder(join(outDir, TEXT_ENCODER_FILE));
    },
    lastRetrieval: () => lastRetrieval,
  };
}

export interface TrainSpeechClipOptions {
  featuresDir: string;
  outDir: string;
  /** Ignored when resuming: the run's saved config is used, so the resumed run is the same run. */
  config: SpeechClipConfig;
  /** Optimizer steps (default config.training.totalSteps). */
  maxSteps?: number;
  resume?: boolean;
  quiet?: boolean;
  onStep?: (step: number, loss: number) => void | Promise<void>;
}

export interface TrainSpeechClipResult extends TrainResult {
  config: SpeechClipRunConfig;
  retrieval: RetrievalMetrics | null;
  textEncoderPath: string;
}

/**
 * Trains Speech-Clip (the engine must be initialised).
 * @example await trainSpeechClip({ featuresDir: 'feat', outDir: 'runs/clip', config: presetConfig('small'), maxSteps: 1500 });
 */
export async function trainSpeechClip(o: TrainSpeechClipOptions): Promise<TrainSpeechClipResult> {
  const savedPath = join(o.outDir, 'checkpoint.json');
  let runConfig: SpeechClipRunConfig;
  if (o.resume && existsSync(savedPath)) {
    runConfig = parseRunConfig(JSON.parse(readFileSync(savedPath, 'utf8')) as unknown);
  } else {
    const probe = FeatureLoader.open(o.featuresDir, { split: 'all' });
    runConfig = { ...structuredClone(o.config), data: dataConfigOf(probe) };
  }
  const maxSteps = o.maxSteps ?? runConfig.training.totalSteps;
  const t = runConfig.training;
  // The frame budget admits the longest utterance (alone in its batch at worst).
  const trainLoader = FeatureLoader.open(o.featuresDir, { split: 'train', batchSize: t.batchSize, seed: t.seed, frameBudget: t.maxBatchFrames });
  if (trainLoader.items.length < t.batchSize) throw new Error(`${o.featuresDir}: ${trainLoader.items.length} training utterances, fewer than one batch of ${t.batchSize}`);
  const dataNow = dataConfigOf(trainLoader);
  if (dataNow.vocabSize !== runConfig.data.vocabSize || dataNow.nMels !== runConfig.data.nMels) {
    throw new Error(`${o.featuresDir}: symbol table / mel size (${dataNow.vocabSize}, ${dataNow.nMels}) differ from the run's (${runConfig.data.vocabSize}, ${runConfig.data.nMels})`);
  }
  const valLoader = FeatureLoader.open(o.featuresDir, { split: 'val', batchSize: 16, shuffle: false, bucketBatches: 0, frameBudget: t.maxBatchFrames });
  // Same seed → same initial weights, so a run is reproducible from its config alone.
  manualSeed(t.seed);
  const model = new SpeechClip(runConfig, runConfig.data);
  const task = speechClipTask(model, runConfig, { trainLoader, valLoader: valLoader.items.length >= 2 ? valLoader : null });
  const result = await train(task, {
    outDir: o.outDir, maxSteps, resume: o.resume, quiet: o.quiet, maxGradNorm: t.maxGradNorm,
    logEvery: t.logEvery, validateEvery: t.validateEvery, checkpointEvery: t.checkpointEvery, onStep: o.onStep,
  });
  const textEncoderPath = join(o.outDir, TEXT_ENCODER_FILE);
  if (!existsSync(textEncoderPath)) await model.saveTextEncoder(textEncoderPath);
  return { ...result, config: runConfig, retrieval: task.lastRetrieval(), textEncoderPath };
}
