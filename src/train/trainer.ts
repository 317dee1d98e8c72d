/**
 * The training loop every ClipTTS trainer shares (Speech-Clip, aligner, acoustic model, vocoder):
 * gradient accumulation, clipping, EMA, JSONL logs, a loss-curve PNG, a progress bar with steps/s
 * and ETA, periodic validation and artifacts, and atomic checkpoints that resume *exactly* after a
 * kill -9 (model, optimizer, EMA, engine RNG and data position are all in one file).
 *
 * A task supplies the model, optimizer, batches and a loss; the loop does the rest.
 *
 * Run folder layout:
 *   checkpoint.safetensors  model.*, optimizer.*, ema.* tensors + metadata "trainer" (step, epoch,
 *                           batch, RNG state, elapsed time) — written atomically (temp + rename)
 *   checkpoint.json         the task's config (beside the checkpoint, also atomic)
 *   log.jsonl               one JSON object per logged step / validation
 *   loss.png                train (and validation) loss curves
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Module, type Optimizer, type EMA, type Tensor, backward, clipGradNorm, engine, tidy,
  optimizerStateFromFlat, optimizerStateToFlat,
} from '../engine/index.js';
import { loadCheckpoint, saveCheckpoint } from '../engine/node.js';
import { encodePng } from '../audio/png.js';
import { writeFileAtomic } from '../engine/checkpoint.js';
import { Progress } from '../data/progress.js';
import { renderLineChart } from './plot.js';

/** What one (micro-)batch contributes: the loss to minimize and named scalars to log. */
export interface LossOutput {
  loss: Tensor;
  /** Extra values for the log (tensors are read with .item()). */
  parts?: Record<string, Tensor | number>;
}

export interface TrainerTask<B> {
  /** Short name for logs and the progress bar, e.g. "speech-clip". */
  name: string;
  model: Module;
  optimizer: Optimizer;
  ema?: EMA;
  /** JSON config saved beside the checkpoint (what a loader needs to rebuild the model). */
  config: object;
  /** Batches of epoch `epoch`, starting after the first `skip` (used to resume mid-epoch). */
  batches(epoch: number, skip: number): AsyncIterable<B>;
  /** Builds the loss for one batch; runs inside a tidy() scope with gradients on. */
  loss(batch: B, step: number): LossOutput;
  /** Validation metrics (e.g. { loss }), called every `validateEvery` steps and at the end. */
  validate?(step: number): Promise<Record<string, number>>;
  /** Writes extra artifacts (plots) into the run folder after validation. */
  artifacts?(step: number, outDir: string): Promise<void>;
}

export interface TrainerOptions {
  outDir: string;
  maxSteps: number;
  /** Continue from outDir/checkpoint.safetensors if it exists. */
  resume?: boolean;
  /** Micro-batches per optimizer step (gradients are averaged). Default 1. */
  gradAccumulation?: number;
  /** Global gradient-norm clip (default: none). */
  maxGradNorm?: number;
  logEvery?: number;
  validateEvery?: number;
  checkpointEvery?: number;
  /** No progress bar (tests). */
  quiet?: boolean;
  /** Called after every optimizer step (tests use it to kill a run at a chosen step). */
  onStep?: (step: number, loss: number) => void | Promise<void>;
}

export interface TrainResult {
  step: number;
  /** Mean training loss over the last logging window. */
  lastLoss: number;
  validation: Record<string, number> | null;
  resumedFrom: number;
}

interface TrainerState {
  step: number;
  epoch: number;
  /** Batches of `epoch` already consumed. */
  batchInEpoch: number;
  rngState: number;
  elapsedSeconds: number;
}

export const CHECKPOINT_FILE = 'checkpoint.safetensors';

/** Reads log.jsonl (skipping a torn last line after a crash). */
export function readLog(outDir: string): Record<string, unknown>[] {
  const path = join(outDir, 'log.jsonl');
  if (!existsSync(path)) return [];
  const out: Record<string, unknown>[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try { out.push(JSON.parse(line) as Record<string, unknown>); } catch { /* torn line from a kill */ }
  }
  return out;
}

function lossCurve(outDir: string): Uint8Array {
  const log = readLog(outDir);
  const train = log.filter((r) => r.kind === 'train').map((r) => [Number(r.step), Number(r.loss)] as const);
  const val = log.filter((r) => r.kind === 'val' && typeof r.loss === 'number').map((r) => [Number(r.step), Number(r.loss)] as const);
  return encodePng(renderLineChart([
    { name: 'train', points: train, color: [31, 119, 180] },
    { name: 'val', points: val, color: [214, 39, 40] },
  ]));
}

async function saveRun<B>(task: TrainerTask<B>, outDir: string, state: TrainerState): Promise<void> {
  const tensors = new Map<string, Tensor>();
  for (const [k, t] of task.model.stateDict()) tensors.set(`model.${k}`, t);
  const opt = optimizerStateToFlat(task.optimizer.stateDict());
  for (const [k, t] of opt.tensors) tensors.set(k, t);
  const metadata: Record<string, string> = { ...opt.metadata, trainer: JSON.stringify(state), task: task.name };
  if (task.ema) {
    const sd = task.ema.stateDict();
    for (const [k, t] of sd.tensors) tensors.set(`ema.${k}`, t);
    metadata.ema = JSON.stringify({ updates: sd.updates });
  }
  await saveCheckpoint(join(outDir, CHECKPOINT_FILE), tensors, { config: task.config, metadata });
}

async function loadRun<B>(task: TrainerTask<B>, outDir: string): Promise<TrainerState> {
  const path = join(outDir, CHECKPOINT_FILE);
  const ck = await loadCheckpoint(path);
  const pick = (prefix: string): Map<string, Tensor> => {
    const m = new Map<string, Tensor>();
    for (const [k, t] of ck.tensors) if (k.startsWith(prefix)) m.set(k.slice(prefix.length), t);
    return m;
  };
  try {
    task.model.loadStateDict(pick('model.'));
  } catch (e) {
    throw new Error(`${path}: the checkpoint does not fit this model (different config?): ${(e as Error).message}`);
  }
  task.optimizer.loadStateDict(optimizerStateFromFlat(ck.tensors, ck.metadata));
  if (task.ema) {
    const info = JSON.parse(ck.metadata.ema ?? '{"updates":0}') as { updates: number };
    task.ema.loadStateDict({ tensors: pick('ema.'), updates: info.updates });
  }
  for (const t of ck.tensors.values()) t.dispose();
  const raw = ck.metadata.trainer;
  if (!raw) throw new Error(`${path}: not a trainer checkpoint (metadata "trainer" missing)`);
  return JSON.parse(raw) as TrainerState;
}

/**
 * Trains `task` until `maxSteps` optimizer steps (resuming when asked).
 * @example await train(task, { outDir: 'runs/clip', maxSteps: 20000, resume: true });
 */
export async function train<B>(task: TrainerTask<B>, opts: TrainerOptions): Promise<TrainResult> {
  const { outDir, maxSteps } = opts;
  const accumulate = opts.gradAccumulation ?? 1;
  const logEvery = opts.logEvery ?? 50, validateEvery = opts.validateEvery ?? 1000, checkpointEvery = opts.checkpointEvery ?? 500;
  if (!Number.isInteger(maxSteps) || maxSteps < 0) throw new Error(`maxSteps must be a non-negative integer, got ${maxSteps}`);
  if (!Number.isInteger(accumulate) || accumulate < 1) throw new Error(`gradAccumulation must be a positive integer, got ${accumulate}`);
  mkdirSync(outDir, { recursive: true });
  const e = engine();
  let state: TrainerState = { step: 0, epoch: 0, batchInEpoch: 0, rngState: e.getRngState(), elapsedSeconds: 0 };
  const ckPath = join(outDir, CHECKPOINT_FILE);
  if (opts.resume && existsSync(ckPath)) {
    state = await loadRun(task, outDir);
    e.setRngState(state.rngState);
  } else if (!opts.resume && existsSync(ckPath)) {
    throw new Error(`${outDir} already holds a run; pass --resume to continue it or choose another --out`);
  }
  const resumedFrom = state.step;
  const logPath = join(outDir, 'log.jsonl');
  const log = (rec: Record<string, unknown>): void => appendFileSync(logPath, JSON.stringify(rec) + '\n');
  if (resumedFrom > 0) log({ kind: 'resume', step: resumedFrom, time: new Date().toISOString() });

  const progress = opts.quiet ? null : new Progress(task.name, maxSteps - state.step);
  const started = Date.now() - state.elapsedSeconds * 1000;
  let window: { loss: number; parts: Record<string, number>; n: number; norm: number } = { loss: 0, parts: {}, n: 0, norm: 0 };
  let lastLoss = NaN;
  let validation: Record<string, number> | null = null;
  task.model.train();

  const runValidation = async (step: number): Promise<void> => {
    if (!task.validate) return;
    task.model.eval();
    if (task.ema) task.ema.swapIn();
    try {
      validation = await task.validate(step);
      log({ kind: 'val', step, ...validation });
      if (task.artifacts) await task.artifacts(step, outDir);
    } finally {
      if (task.ema) task.ema.swapOut();
      task.model.train();
    }
  };
  const checkpoint = async (): Promise<void> => {
    state.rngState = e.getRngState();
    state.elapsedSeconds = (Date.now() - started) / 1000;
    await saveRun(task, outDir, state);
    await writeFileAtomic(join(outDir, 'loss.png'), lossCurve(outDir));
  };

  let micro = 0;
  outer: while (state.step < maxSteps) {
    let sawBatch = false;
    for await (const batch of task.batches(state.epoch, state.batchInEpoch)) {
      sawBatch = true;
      state.batchInEpoch++;
      const { loss, parts } = tidy(() => {
        const out = task.loss(batch, state.step + 1);
        backward(out.loss);
        const partValues: Record<string, number> = {};
        for (const [k, v] of Object.entries(out.parts ?? {})) partValues[k] = typeof v === 'number' ? v : v.item();
        return { loss: out.loss.item(), parts: partValues };
      });
      if (!Number.isFinite(loss)) throw new Error(`${task.name}: loss is ${loss} at step ${state.step + 1} (learning rate too high, or bad data in this batch)`);
      window.loss += loss; window.n++;
      for (const [k, v] of Object.entries(parts)) window.parts[k] = (window.parts[k] ?? 0) + v;
      if (++micro < accumulate) continue;
      micro = 0;
      const gradScale = 1 / accumulate;
      let norm = NaN;
      if (opts.maxGradNorm) norm = clipGradNorm(task.model, opts.maxGradNorm / gradScale) * gradScale;
      tidy(() => { task.optimizer.step({ gradScale }); });
      task.optimizer.zeroGrad();
      task.ema?.update();
      state.step++;
      window.norm = norm;
      progress?.tick();
      await opts.onStep?.(state.step, loss);
      if (state.step % logEvery === 0 || state.step === maxSteps) {
        lastLoss = window.loss / window.n;
        const rec: Record<string, unknown> = {
          kind: 'train', step: state.step, loss: lastLoss, lr: task.optimizer.lrAt(state.step),
          seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
        };
        for (const [k, v] of Object.entries(window.parts)) rec[k] = v / window.n;
        if (Number.isFinite(window.norm)) rec.gradNorm = window.norm;
        log(rec);
        window = { loss: 0, parts: {}, n: 0, norm: 0 };
      }
      if (state.step % validateEvery === 0) await runValidation(state.step);
      if (state.step % checkpointEvery === 0 || state.step === maxSteps) await checkpoint();
      if (state.step >= maxSteps) break outer;
    }
    if (!sawBatch && state.batchInEpoch === 0) throw new Error(`${task.name}: the data yields no batches`);
    state.epoch++;
    state.batchInEpoch = 0;
  }
  // The final validation may update the task's config (e.g. a calibration), so checkpoint after
  // it, with the RNG as before it: a later --resume continues as an uninterrupted run would.
  const finalValidation = state.step % validateEvery !== 0 && task.validate !== undefined;
  if (finalValidation) {
    const rng = e.getRngState();
    await runValidation(state.step);
    e.setRngState(rng);
  }
  if (finalValidation || state.step === resumedFrom) await checkpoint();
  progress?.done();
  if (!Number.isFinite(lastLoss) && window.n) lastLoss = window.loss / window.n;
  return { step: state.step, lastLoss, validation, resumedFrom };
}
