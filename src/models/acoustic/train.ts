/**
 * Acoustic-model training on a prepared (and aligned) features folder, through the shared trainer
 * (exact resume, JSONL log, loss curve, atomic checkpoints, progress bar). Validation computes the
 * teacher-forced losses on the validation split and writes `mel.png` (predicted over target mel of
 * the first validation utterance).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdamW, EMA, add, manualSeed, mul, noDecayBiasAndNorm, noGrad, tidy, warmupCosineSchedule, type Tensor } from '../../engine/index.js';
import { loadCheckpoint, writeFileAtomic, type LoadedCheckpoint } from '../../engine/node.js';
import { encodePng } from '../../audio/png.js';
import { renderMelImage, type RgbImage } from '../../audio/plot.js';
import { melMajorFromFrames } from '../../audio/mel.js';
import { FeatureLoader, type Batch } from '../../data/loader.js';
import { batchToTensors, type BatchTensors } from '../../data/to-tensors.js';
import { train, type TrainerTask, type TrainResult } from '../../train/trainer.js';
import { batchDurations, type SpeechClip } from '../speech-clip/model.js';
import { infoNCE } from '../speech-clip/losses.js';
import { loadSpeechClip } from '../speech-clip/evaluate.js';
import { parseAcousticConfig, type AcousticConfig, type AcousticDataConfig } from './config.js';
import { AcousticModel, durationsFrom } from './model.js';
import { phonemeProsody } from './prosody.js';

export const MEL_PLOT_FILE = 'mel.png';

/** What a run saves beside its checkpoint: the config plus the data it was trained on. */
export interface AcousticRunConfig extends AcousticConfig {
  data: AcousticDataConfig;
  /** Symbol table of the features (SymbolTableJSON): inference needs it to encode text. */
  symbols: unknown;
  melConfig: unknown;
  /** Where the text encoder came from ('speech-clip:PATH' or 'random'). */
  textEncoderInit: string;
  /** The train-clip run whose frozen mel side scores the auxiliary loss (null when loss.clipWeight is 0). */
  clipRun: string | null;
}

/** Data-dependent config from a features folder's manifest. */
export function acousticDataOf(loader: FeatureLoader): AcousticDataConfig {
  const m = loader.manifest;
  const byId = (rec: Record<string, number>): string[] => Object.entries(rec).sort((a, b) => a[1] - b[1]).map(([name]) => name);
  return {
    vocabSize: m.symbols.symbols.length,
    nMels: m.melConfig.nMels,
    speakers: byId(m.speakers),
    emotions: byId(m.emotions),
    logPitch: { mean: m.stats.logPitch.mean, std: m.stats.logPitch.std || 1 },
    energy: { mean: m.stats.energy.mean, std: m.stats.energy.std || 1 },
  };
}

/** Parses a run's checkpoint.json back into its config (errors name the file). */
export function parseAcousticRunConfig(json: unknown, where: string): AcousticRunConfig {
  const raw = json as Partial<AcousticRunConfig> | null;
  if (!raw || typeof raw !== 'object' || raw.kind !== 'acoustic' || !raw.data || !raw.symbols) throw new Error(`${where}: not an acoustic-model config (kind "acoustic" with data and symbols)`);
  const { data, symbols, melConfig, textEncoderInit, clipRun, ...config } = raw;
  return { ...parseAcousticConfig(config), data, symbols, melConfig, textEncoderInit: textEncoderInit ?? 'random', clipRun: clipRun ?? null };
}

/** Phoneme-level targets and durations of one batch. */
function batchTargets(batch: Batch, data: AcousticDataConfig): { durations: Int32Array; prosody: ReturnType<typeof phonemeProsody>; aligned: boolean } {
  const { durations, source } = batchDurations(batch);
  const prosody = phonemeProsody(batch.pitch, batch.energy, durations, batch.phonemeLengths, batch.maxPhonemes, batch.maxFrames, data);
  return { durations, prosody, aligned: source === 'aligner' };
}

/** Predicted (top) over target (bottom) log-mel of one utterance, on a shared colour scale. */
function renderComparison(pred: Float32Array, target: Float32Array, frames: number, nMels: number): RgbImage {
  const opts = { min: -11.5, max: 2 };
  const a = renderMelImage({ data: melMajorFromFrames(pred, frames, nMels), nMels, frames }, opts);
  const b = renderMelImage({ data: melMajorFromFrames(target, frames, nMels), nMels, frames }, opts);
  const gap = 4;
  const rgb = new Uint8Array(a.width * (a.height + gap + b.height) * 3).fill(255);
  rgb.set(a.rgb, 0);
  rgb.set(b.rgb, a.width * (a.height + gap) * 3);
  return { width: a.width, height: a.height + gap + b.height, rgb };
}

/**
 * Teacher-forced losses over a split (mean over batches; the "mel"/"postnet" entries are the
 * validation mel L1 in log-mel units) and the predicted-over-target picture of its first utterance.
 */
export async function validationLosses(model: AcousticModel, loader: FeatureLoader, data: AcousticDataConfig): Promise<{ metrics: Record<string, number>; plot: RgbImage | null; durationCalibration: number }> {
  const sums: Record<string, number> = {};
  let batches = 0;
  let plot: RgbImage | null = null;
  // The duration calibration: total real frames over total predicted frames (rounded as inference
  // rounds them), over the real phonemes of batches with aligner durations.
  let realFrames = 0, predictedFrames = 0;
  for await (const batch of loader.batches(0)) {
    const { durations, prosody, aligned } = batchTargets(batch, data);
    tidy(() => noGrad(() => {
      const out = model.loss(batchToTensors(batch), durations, prosody);
      sums.loss = (sums.loss ?? 0) + out.loss.item();
      for (const [k, v] of Object.entries(out.parts)) sums[k] = (sums[k] ?? 0) + v.item();
      if (!plot) {
        const n = batch.nMels, frames = batch.melLengths[0]!;
        plot = renderComparison(out.mel.toFloat32Array().subarray(0, frames * n), batch.mels.subarray(0, frames * n), frames, n);
      }
      if (aligned) {
        const logD = out.logDurations.toFloat32Array(), T = batch.maxPhonemes;
        for (let b = 0; b < batch.ids.length; b++) {
          const n = batch.phonemeLengths[b]!;
          const predicted = durationsFrom(logD.subarray(b * T, b * T + n), { speed: 1, durations: null, durationScale: null });
          for (let i = 0; i < n; i++) { realFrames += durations[b * T + i]!; predictedFrames += predicted[i]!; }
        }
      }
    }));
    batches++;
  }
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(sums)) metrics[k] = v / Math.max(1, batches);
  return { metrics, plot, durationCalibration: realFrames > 0 && predictedFrames > 0 ? realFrames / predictedFrames : 1 };
}

export interface AcousticTaskOptions {
  trainLoader: FeatureLoader;
  valLoader: FeatureLoader | null;
  /** Frozen Speech-Clip model for the auxiliary contrastive loss (loss.clipWeight > 0). */
  clip?: SpeechClip | null;
}

/**
 * The auxiliary Speech-Clip loss: InfoNCE between the acoustic text encoder's utterance embedding
 * (through the frozen Speech-Clip text projection) and the frozen mel encoder's embedding of the
 * target mel. Only the acoustic model learns from it; the mel side is a fixed anchor.
 */
function clipAuxLoss(clip: SpeechClip, textStates: Tensor, t: BatchTensors): Tensor {
  const melEmb = noGrad(() => clip.embedMel(t.mels, t.melMask, t.speakers, t.emotions)).detach();
  const textEmb = clip.embedTextStates(textStates, t.phonemeMask);
  return infoNCE(textEmb, melEmb, clip.logitScale()).loss;
}

/** The TrainerTask: resumable batches, the teacher-forced loss, validation losses and a mel plot. */
export function acousticTask(model: AcousticModel, runConfig: AcousticRunConfig, opts: AcousticTaskOptions): TrainerTask<Batch> {
  const t = runConfig.training;
  const optimizer = new AdamW(model, {
    lr: warmupCosineSchedule({ peakLr: t.peakLr, warmupSteps: t.warmupSteps, totalSteps: Math.max(t.totalSteps, t.warmupSteps + 1), minLr: t.minLr }),
    weightDecay: t.weightDecay,
    noDecay: noDecayBiasAndNorm,
  });
  const ema = t.emaDecay > 0 ? new EMA(model, { decay: t.emaDecay, warmup: true }) : undefined;
  let plot: RgbImage | null = null;
  let warnedUniform = false;
  return {
    name: 'acoustic',
    model,
    optimizer,
    ...(ema ? { ema } : {}),
    config: runConfig,
    batches: (epoch: number, skip: number) => opts.trainLoader.batches(epoch, skip),
    loss(batch: Batch, step: number) {
      const { durations, prosody, aligned } = batchTargets(batch, runConfig.data);
      if (!aligned && !warnedUniform) {
        warnedUniform = true;
        process.stderr.write('acoustic: no aligner durations in the features (run `clip-tts align` first): training on uniform durations will not give intelligible speech\n');
      }
      const tensors = batchToTensors(batch);
      const out = model.loss(tensors, durations, prosody, { freezeEncoder: step <= t.freezeEncoderSteps });
      if (!opts.clip || batch.ids.length < 2) return { loss: out.loss, parts: out.parts };
      const aux = clipAuxLoss(opts.clip, out.textStates, tensors);
      return { loss: add(out.loss, mul(aux, runConfig.loss.clipWeight)), parts: { ...out.parts, clip: aux } };
    },
    validate: opts.valLoader ? async () => {
      const v = await validationLosses(model, opts.valLoader!, runConfig.data);
      plot = v.plot;
      // Measured with the weights being validated (EMA when kept: those are exported); the
      // config (and so the next checkpoint) carries it to inference.
      runConfig.data.durationCalibration = v.durationCalibration;
      return { ...v.metrics, durationCalibration: v.durationCalibration };
    } : undefined,
    async artifacts(_step: number, outDir: string) {
      if (plot) await writeFileAtomic(join(outDir, MEL_PLOT_FILE), encodePng(plot));
    },
  };
}

export interface TrainAcousticOptions {
  featuresDir: string;
  outDir: string;
  /** Ignored when resuming (the run's saved config is used). */
  config: AcousticConfig;
  /** A Speech-Clip text encoder (text-encoder.safetensors, or a train-clip run folder). */
  initClip?: string;
  maxSteps?: number;
  /**
   * Where the cosine learning-rate schedule ends. Applies to resumed runs too (the saved config is
   * updated), so a run can be given a shorter or longer schedule mid-way.
   */
  scheduleSteps?: number;
  resume?: boolean;
  quiet?: boolean;
  onStep?: (step: number, loss: number) => void | Promise<void>;
}

/** Resolves --init-clip: a run folder means its text-encoder.safetensors. */
export function textEncoderFile(path: string): string {
  const inRun = join(path, 'text-encoder.safetensors');
  if (existsSync(inRun)) return inRun;
  if (!existsSync(path)) throw new Error(`${path}: no Speech-Clip text encoder here (pass text-encoder.safetensors or a train-clip run folder)`);
  return path;
}

/**
 * Trains the acoustic model (the engine must be initialised).
 * @example await trainAcoustic({ featuresDir: 'feat', outDir: 'runs/am', config: acousticPreset('small'), initClip: 'runs/clip' });
 */
export async function trainAcoustic(o: TrainAcousticOptions): Promise<TrainResult & { config: AcousticRunConfig }> {
  const savedPath = join(o.outDir, 'checkpoint.json');
  const resuming = o.resume === true && existsSync(join(o.outDir, 'checkpoint.safetensors'));
  const probe = FeatureLoader.open(o.featuresDir, { split: 'all' });
  let runConfig: AcousticRunConfig;
  let clipFile: string | null = null;
  // Read once: its config shapes the model, its tensors then initialise the text encoder.
  let clipCheckpoint: LoadedCheckpoint | null = null;
  if (resuming && existsSync(savedPath)) {
    runConfig = parseAcousticRunConfig(JSON.parse(readFileSync(savedPath, 'utf8')) as unknown, savedPath);
  } else {
    const config = structuredClone(o.config);
    if (o.initClip) {
      clipFile = textEncoderFile(o.initClip);
      // The text encoder's shape is the checkpoint's: the acoustic model is built around it.
      clipCheckpoint = await loadCheckpoint(clipFile);
      const enc = clipCheckpoint.config as { kind?: string; dim?: number; encoder?: unknown; durationPredictor?: unknown; dropout?: number; vocabSize?: number } | null;
      if (!enc || enc.kind !== 'speech-clip-text-encoder') throw new Error(`${clipFile}: not a Speech-Clip text encoder (its config kind is ${JSON.stringify(enc?.kind)})`);
      config.model.textEncoder = { dim: enc.dim!, encoder: enc.encoder as AcousticConfig['model']['textEncoder']['encoder'], durationPredictor: enc.durationPredictor as AcousticConfig['model']['textEncoder']['durationPredictor'], dropout: enc.dropout ?? 0.1 };
      if (enc.vocabSize !== probe.manifest.symbols.symbols.length) throw new Error(`${clipFile}: the text encoder knows ${enc.vocabSize} symbols, the features have ${probe.manifest.symbols.symbols.length} (train Speech-Clip on these features)`);
    }
    runConfig = {
      ...parseAcousticConfig(config), data: acousticDataOf(probe), symbols: probe.manifest.symbols, melConfig: probe.manifest.melConfig,
      textEncoderInit: clipFile ? `speech-clip:${clipFile}` : 'random',
      clipRun: null,
    };
    if (runConfig.loss.clipWeight > 0) {
      if (!o.initClip || !existsSync(join(o.initClip, 'checkpoint.safetensors'))) throw new Error('loss.clipWeight > 0 needs --init-clip to be a train-clip run folder (its frozen mel encoder scores the auxiliary loss)');
      runConfig.clipRun = o.initClip;
    }
  }
  if (o.scheduleSteps !== undefined) runConfig.training.totalSteps = Math.max(o.scheduleSteps, runConfig.training.warmupSteps + 1);
  const t = runConfig.training;
  const trainLoader = FeatureLoader.open(o.featuresDir, { split: 'train', batchSize: t.batchSize, seed: t.seed, frameBudget: t.maxBatchFrames });
  if (trainLoader.items.length === 0) throw new Error(`${o.featuresDir}: no training utterances`);
  const now = acousticDataOf(trainLoader);
  if (now.vocabSize !== runConfig.data.vocabSize || now.nMels !== runConfig.data.nMels) {
    throw new Error(`${o.featuresDir}: symbol table / mel size (${now.vocabSize}, ${now.nMels}) differ from the run's (${runConfig.data.vocabSize}, ${runConfig.data.nMels})`);
  }
  const valLoader = FeatureLoader.open(o.featuresDir, { split: 'val', batchSize: 8, shuffle: false, bucketBatches: 0, frameBudget: t.maxBatchFrames });
  manualSeed(t.seed);
  const model = new AcousticModel(runConfig, runConfig.data);
  if (clipCheckpoint) {
    try {
      model.textEncoder.loadStateDict(clipCheckpoint.tensors);
    } catch (e) {
      throw new Error(`${clipFile}: the text encoder does not fit: ${(e as Error).message}`);
    } finally {
      for (const x of clipCheckpoint.tensors.values()) x.dispose();
    }
  }
  const clip = runConfig.clipRun ? (await loadSpeechClip(runConfig.clipRun)).model : null;
  if (clip && (clip.data.vocabSize !== runConfig.data.vocabSize || clip.config.model.dim !== runConfig.model.textEncoder.dim)) throw new Error(`${runConfig.clipRun}: the Speech-Clip run does not match the acoustic text encoder (vocabulary or width)`);
  const task = acousticTask(model, runConfig, { trainLoader, valLoader: valLoader.items.length ? valLoader : null, clip });
  const result = await train(task, {
    outDir: o.outDir, maxSteps: o.maxSteps ?? t.totalSteps, resume: o.resume, quiet: o.quiet, maxGradNorm: t.maxGradNorm,
    gradAccumulation: t.gradAccumulation, logEvery: t.logEvery, validateEvery: t.validateEvery, checkpointEvery: t.checkpointEvery, onStep: o.onStep,
  });
  return { ...result, config: runConfig };
}
