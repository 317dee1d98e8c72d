/**
 * Vocoder training on the shared trainer (src/train/trainer.ts): same run folder, JSONL log, loss
 * PNG, progress bar, atomic checkpoints and exact resume as every ClipTTS trainer.
 *
 * Phases (the config's `training.gan.enabled` switches between them):
 *  1. Reconstruction: multi-resolution STFT loss + mel L1 on random (mel, audio) segments.
 *  2. GAN fine-tuning: + multi-period / multi-resolution discriminators (LSGAN or hinge) and
 *     feature matching. Start it in a new run folder with `initFrom` = the phase-1 run.
 *     Both players are updated by one optimizer step: the loss is L_G + L_D where L_D sees the
 *     generated audio detached and L_G sees the discriminators with detached weights (see
 *     discriminators.ts), so each parameter set only receives its own objective's gradient.
 *  Fine-tuning on the acoustic model's predicted mels: `melsDir` (ID.npy, teacher-forced durations).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdamW, Module, add, loadSafetensorsInto, manualSeed, noDecayBiasAndNorm, scale, tensor, warmupCosineSchedule, type Tensor,
  decodeSafetensors, type DecodedTensor,
} from '../../engine/index.js';
import { MelExtractor } from '../../audio/mel.js';
import { encodeWav } from '../../audio/wav.js';
import { train, type TrainerTask, type TrainResult, type LossOutput } from '../../train/trainer.js';
import type { VocoderConfig } from './config.js';
import { VocoderSegmentSource, type VocoderBatch } from './data.js';
import { VocoderDiscriminators, discriminatorLoss, featureMatchingLoss, generatorAdversarialLoss } from './discriminators.js';
import { Vocoder } from './model.js';
import { DifferentiableLogMel, MultiResolutionStftLoss, melL1Loss } from './stft-loss.js';
import { VocoderSynthesizer } from './vocode.js';

/** What the trainer saves and steps: the generator, plus the discriminators in the GAN phase. */
export class VocoderTrainingModel extends Module {
  readonly generator: Vocoder;
  readonly discriminators: VocoderDiscriminators | null;

  constructor(readonly config: VocoderConfig) {
    super();
    this.generator = this.module('generator', new Vocoder(config));
    this.discriminators = config.training.gan.enabled ? this.module('discriminators', new VocoderDiscriminators(config.training.gan)) : null;
  }
}

/** The config stored beside checkpoints (VocoderSynthesizer.load reads `vocoder`). */
export interface VocoderRunConfig {
  kind: 'clip-tts-vocoder';
  vocoder: VocoderConfig;
  featuresDir: string;
  melsDir: string | null;
}

/** Where training batches come from (a VocoderSegmentSource, or anything with its `batches`). */
export interface VocoderBatchSource {
  batches(epoch: number, skip: number): AsyncIterable<VocoderBatch>;
}

export interface VocoderTaskOptions {
  /** Validation utterances (copy-synthesis of full val items), default 4. */
  validationItems?: VocoderSegmentSource | null;
  validationCount?: number;
  runConfig: VocoderRunConfig;
}

/**
 * The TrainerTask: batches from `source`, loss = reconstruction (+ GAN terms).
 * @example await train(vocoderTask(model, source, opts), { outDir, maxSteps: 1000 });
 */
export function vocoderTask(model: VocoderTrainingModel, source: VocoderBatchSource, opts: VocoderTaskOptions): TrainerTask<VocoderBatch> {
  const c = model.config, t = c.training;
  const mrstft = new MultiResolutionStftLoss(t.stftResolutions);
  const melOf = new DifferentiableLogMel(c.mel);
  const optimizer = new AdamW(model, {
    lr: warmupCosineSchedule({ peakLr: t.lr, warmupSteps: t.warmupSteps, totalSteps: t.decaySteps, minLr: t.lr * t.minLrRatio }),
    betas: [0.8, 0.99], weightDecay: t.weightDecay, noDecay: noDecayBiasAndNorm,
  });
  const val = opts.validationItems ?? null;
  const valCount = Math.min(opts.validationCount ?? 4, val?.items.length ?? 0);
  let lastSamples: { id: string; audio: Float32Array }[] = [];

  return {
    name: 'vocoder',
    model,
    optimizer,
    config: opts.runConfig,
    batches: (epoch, skip) => source.batches(epoch, skip),
    loss(batch: VocoderBatch): LossOutput {
      const { batchSize: B, frames: F } = batch;
      const mel = tensor(batch.mel, [B, c.mel.nMels, F]);
      const target = tensor(batch.audio, [B, F * c.hop]);
      const pred = model.generator.forward(mel);
      const { spectralConvergence, logMagnitude, magnitudes } = mrstft.forward(pred, target);
      const melLoss = melL1Loss(melOf, pred, target, magnitudes);
      let loss: Tensor = add(scale(add(spectralConvergence, logMagnitude), t.stftWeight), scale(melLoss, t.melWeight));
      const parts: Record<string, Tensor | number> = { sc: spectralConvergence, logMag: logMagnitude, mel: melLoss };
      const D = model.discriminators;
      if (D) {
        const g = t.gan;
        const real = D.forward(target);
        const lossD = discriminatorLoss(real, D.forward(pred.detach()), g.loss);
        const fake = D.forward(pred, true);
        const adv = generatorAdversarialLoss(fake, g.loss);
        const fm = featureMatchingLoss(real, fake);
        loss = add(add(loss, lossD), add(scale(adv, g.adversarialWeight), scale(fm, g.featureMatchingWeight)));
        Object.assign(parts, { disc: lossD, adv, fm });
      }
      return { loss, parts };
    },
    async validate(): Promise<Record<string, number>> {
      if (!val || valCount === 0) return {};
      const synth = new VocoderSynthesizer(model.generator, { refineIterations: 0 }); // validate the network itself
      const extractor = new MelExtractor(c.mel);
      let sum = 0, n = 0;
      lastSamples = [];
      try {
        for (const item of val.items.slice(0, valCount)) {
          const m = val.loadMel(item);
          const audio = synth.vocode({ data: m.mel, nMels: m.nMels, frames: m.frames });
          const back = extractor.compute(audio);
          const frames = Math.min(back.frames, m.frames);
          for (let k = 0; k < m.nMels; k++) for (let f = 0; f < frames; f++) { sum += Math.abs(back.data[k * back.frames + f]! - m.mel[k * m.frames + f]!); n++; }
          lastSamples.push({ id: item.id, audio });
        }
      } finally {
        synth.release(); // the packed weight copy; the generator trains on
      }
      return { loss: sum / Math.max(1, n), melL1: sum / Math.max(1, n) };
    },
    async artifacts(step: number, outDir: string): Promise<void> {
      const dir = join(outDir, 'samples');
      mkdirSync(dir, { recursive: true });
      for (const s of lastSamples) writeFileSync(join(dir, `${s.id}.wav`), encodeWav(s.audio, c.mel.sampleRate));
      writeFileSync(join(dir, 'step.txt'), `${step}\n`);
    },
  };
}

export interface TrainVocoderOptions {
  featuresDir: string;
  outDir: string;
  config: VocoderConfig;
  maxSteps: number;
  resume?: boolean;
  quiet?: boolean;
  /** Predicted mels (ID.npy) to train on instead of the cached ones. */
  melsDir?: string;
  /** Start the generator from this run folder / .safetensors (e.g. phase 1 → GAN phase). */
  initFrom?: string;
  /** Use only the first N training items (quick runs, tests). */
  limitItems?: number;
  logEvery?: number;
  validateEvery?: number;
  checkpointEvery?: number;
  validationCount?: number;
  onStep?: (step: number, loss: number) => void | Promise<void>;
}

/**
 * Copies generator weights from a run folder or .safetensors file into `model.generator`, and the
 * discriminators' too when both runs have them (a GAN run continued on predicted mels keeps its
 * trained critics instead of starting them from scratch). Returns what was loaded.
 */
export function initFromRun(model: VocoderTrainingModel, path: string): string[] {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'checkpoint.safetensors') : path;
  const decoded = decodeSafetensors(readFileSync(file), { source: file });
  const under = (prefix: string): Map<string, DecodedTensor> => new Map([...decoded.tensors].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v] as const));
  const generatorPrefix = [...decoded.tensors.keys()].some((k) => k.startsWith('model.generator.')) ? 'model.generator.' : '';
  loadSafetensorsInto(model.generator, { tensors: under(generatorPrefix), metadata: decoded.metadata }, { strict: true, source: file });
  const loaded = ['generator'];
  const critics = under('model.discriminators.');
  if (model.discriminators && critics.size > 0) {
    loadSafetensorsInto(model.discriminators, { tensors: critics, metadata: decoded.metadata }, { strict: true, source: file });
    loaded.push('discriminators');
  }
  return loaded;
}

/**
 * Trains (or resumes) a vocoder run.
 * @example await trainVocoder({ featuresDir: 'feat', outDir: 'runs/vocoder', config: resolveVocoderConfig({ preset: 'small' }), maxSteps: 100000, resume: true });
 */
export async function trainVocoder(opts: TrainVocoderOptions): Promise<TrainResult> {
  const c = opts.config, t = c.training;
  manualSeed(t.seed);
  const source = VocoderSegmentSource.open(opts.featuresDir, {
    split: 'train', segmentFrames: t.segmentFrames, batchSize: t.batchSize, seed: t.seed,
    ...(opts.melsDir ? { melsDir: opts.melsDir } : {}), ...(opts.limitItems ? { limit: opts.limitItems } : {}),
  });
  const m = source.manifest.melConfig;
  for (const k of ['sampleRate', 'nFft', 'hopLength', 'winLength', 'nMels', 'fMin', 'fMax', 'melScale', 'norm', 'power', 'logFloor'] as const) {
    if (m[k] !== c.mel[k]) throw new Error(`${opts.featuresDir}: features have ${k} = ${String(m[k])} but the vocoder config says ${String(c.mel[k])}`);
  }
  let val: VocoderSegmentSource | null = null;
  try {
    val = VocoderSegmentSource.open(opts.featuresDir, { split: 'val', segmentFrames: t.segmentFrames, batchSize: 1, seed: t.seed });
  } catch { val = null; }
  const model = new VocoderTrainingModel(c);
  if (opts.initFrom && !(opts.resume && existsSync(join(opts.outDir, 'checkpoint.safetensors')))) initFromRun(model, opts.initFrom);
  const runConfig: VocoderRunConfig = { kind: 'clip-tts-vocoder', vocoder: c, featuresDir: opts.featuresDir, melsDir: opts.melsDir ?? null };
  const task = vocoderTask(model, source, { validationItems: val, validationCount: opts.validationCount ?? 4, runConfig });
  return train(task, {
    outDir: opts.outDir, maxSteps: opts.maxSteps, resume: opts.resume ?? false, ...(t.maxGradNorm > 0 ? { maxGradNorm: t.maxGradNorm } : {}),
    logEvery: opts.logEvery ?? 10, validateEvery: opts.validateEvery ?? 500, checkpointEvery: opts.checkpointEvery ?? 100,
    quiet: opts.quiet ?? false, ...(opts.onStep ? { onStep: opts.onStep } : {}),
  });
}
