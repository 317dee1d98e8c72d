/**
 * Learning-rate schedules as pure functions of the 1-based optimizer step (step 1 = the first
 * update). Pass one as an optimizer's `lr`, or call it yourself. All return lr ≥ 0.
 *
 *  constantSchedule(lr)                              lr
 *  linearWarmupSchedule({ peakLr, warmupSteps })     peakLr·min(1, step/warmup)
 *  noamSchedule({ dModel, warmupSteps, ... })        scale·dModel^−½·min(step^−½, step·warmup^−1.5)
 *                                                    (FastSpeech 2 / "Attention is all you need";
 *                                                    peaks at step = warmup with
 *                                                    scale·(dModel·warmup)^−½), times annealRate
 *                                                    for each anneal step already passed
 *  warmupCosineSchedule({ peakLr, warmupSteps, totalSteps, minLr })
 *                                                    linear warm-up to peakLr, then half a cosine
 *                                                    down to minLr at totalSteps, minLr after
 *  exponentialSchedule({ lr, gamma, every })         lr·gamma^⌊(step−1)/every⌋ (torch ExponentialLR
 *                                                    with one "epoch" = `every` steps)
 */

export type LrSchedule = (step: number) => number;

function checkStep(step: number): void {
  if (!Number.isFinite(step) || step < 0) throw new Error(`schedule: step must be a finite number ≥ 0, got ${step}`);
}

export function constantSchedule(lr: number): LrSchedule {
  return () => lr;
}

export interface LinearWarmupOptions { peakLr: number; warmupSteps: number }

/** Linear ramp from peakLr/warmup at step 1 to peakLr at step `warmupSteps`, constant after. */
export function linearWarmupSchedule(o: LinearWarmupOptions): LrSchedule {
  return (step) => {
    checkStep(step);
    return o.warmupSteps > 0 ? o.peakLr * Math.min(1, step / o.warmupSteps) : o.peakLr;
  };
}

export interface NoamOptions {
  /** Model width; the schedule is multiplied by dModel^−½ (FastSpeech 2: encoder hidden, 256). */
  dModel: number;
  /** FastSpeech 2 uses 4000. */
  warmupSteps: number;
  /** Extra multiplier (default 1). */
  scale?: number;
  /** Steps after which the lr is multiplied by `annealRate` (FastSpeech 2: [300000, 400000, 500000]). */
  annealSteps?: readonly number[];
  /** FastSpeech 2: 0.3. */
  annealRate?: number;
}

/**
 * The Noam / FastSpeech 2 (ming024 ScheduledOptim) schedule: linear warm-up, then inverse square
 * root decay, with optional step annealing.
 */
export function noamSchedule(o: NoamOptions): LrSchedule {
  if (!(o.warmupSteps > 0) || !(o.dModel > 0)) throw new Error('noamSchedule: dModel and warmupSteps must be > 0');
  const base = (o.scale ?? 1) * o.dModel ** -0.5;
  const anneal = o.annealSteps ?? [], rate = o.annealRate ?? 1;
  return (step) => {
    checkStep(step);
    if (step === 0) return 0;
    let lr = base * Math.min(step ** -0.5, step * o.warmupSteps ** -1.5);
    for (const s of anneal) if (step > s) lr *= rate;
    return lr;
  };
}

export interface WarmupCosineOptions {
  peakLr: number;
  warmupSteps: number;
  /** Step at which the cosine reaches minLr. */
  totalSteps: number;
  /** Floor (default 0). */
  minLr?: number;
}

export function warmupCosineSchedule(o: WarmupCosineOptions): LrSchedule {
  const minLr = o.minLr ?? 0;
  if (!(o.totalSteps > o.warmupSteps)) throw new Error('warmupCosineSchedule: totalSteps must exceed warmupSteps');
  return (step) => {
    checkStep(step);
    if (step < o.warmupSteps) return o.peakLr * (step / o.warmupSteps);
    const progress = Math.min(1, (step - o.warmupSteps) / (o.totalSteps - o.warmupSteps));
    return minLr + (o.peakLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
  };
}

export interface ExponentialOptions {
  lr: number;
  gamma: number;
  /** Steps per decay (default 1). */
  every?: number;
  /** Floor (default 0). */
  minLr?: number;
}

export function exponentialSchedule(o: ExponentialOptions): LrSchedule {
  const every = o.every ?? 1;
  if (!(every >= 1)) throw new Error('exponentialSchedule: every must be ≥ 1');
  return (step) => {
    checkStep(step);
    return Math.max(o.minLr ?? 0, o.lr * o.gamma ** Math.floor(Math.max(0, step - 1) / every));
  };
}
