/**
 * `prepareDataset`: dataset folder → feature cache + manifest + validation report, in parallel over worker
 * threads, resumable (finished items are kept; the manifest is written last).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { resolveMelConfig, type MelConfig } from '../audio/mel.js';
import { SymbolTable } from '../text/index.js';
import { CACHE_VERSION, readCachedItemHeader, readPitchEnergy, writeFileAtomic, type CachedItemHeader, type MelDtype } from './cache.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type FeatureManifest, type FeatureStats, type ManifestItem } from './manifest.js';
import { ItemProcessor, type ItemResult, type ItemSettings, type ItemTask } from './process-item.js';
import { Progress } from './progress.js';
import { readDataset } from './readers/index.js';
import type { DatasetFormat, DatasetIssue, DatasetItem, IssueCode } from './types.js';
import { mulberry32, seededShuffle } from '../util/random.js';

export interface PrepareOptions {
  datasetDir: string;
  /** Auto-detected when omitted. */
  format?: DatasetFormat;
  outDir: string;
  /** Worker threads. Default: the number of cores. 0 = process in the calling thread (tests, debugging). */
  jobs?: number;
  /** Stop at the first problem (throws PrepareError) instead of skipping and reporting. */
  strict?: boolean;
  /** Fraction of the kept items in the validation split (at least one item when > 0 and 2+ items). Default 0.02. */
  valFraction?: number;
  /** Seed of the train/validation split. Default 1. */
  seed?: number;
  /** Duration limits after trimming, seconds. Defaults 0.5 and 15. */
  minSeconds?: number;
  maxSeconds?: number;
  /** Edge-silence threshold below the loudest frame, dB. Default 40. */
  trimDb?: number;
  /** Mel settings (default LJSpeech / HiFi-GAN); audio is resampled to melConfig.sampleRate. */
  melConfig?: Partial<MelConfig>;
  /** Mel storage type. Default float16 (half the disk; log-mel needs no more than 3 significant digits). */
  melDtype?: MelDtype;
  /** Wavs below this rate are skipped. Default 16000. */
  minSampleRate?: number;
  /** Progress display; false for none. Default: a bar on stderr. */
  progress?: boolean;
}

/** The validation report (`report.json`). */
export interface ValidationReport {
  dataset: string;
  format: DatasetFormat;
  /** Items listed by the metadata (including malformed lines). */
  total: number;
  /** Items prepared and in the manifest. */
  kept: number;
  /** Of the kept items, how many were computed in this run and how many reused from a previous one. */
  computed: number;
  reused: number;
  skipped: number;
  warnings: number;
  /** Problem counts by kind. */
  byCode: Partial<Record<IssueCode, { errors: number; warnings: number }>>;
  /** Every problem, in dataset order. */
  issues: DatasetIssue[];
  keptHours: number;
  jobs: number;
  elapsedSeconds: number;
}

export interface PrepareResult {
  manifest: FeatureManifest;
  report: ValidationReport;
  manifestPath: string;
  reportPath: string;
}

/** `--strict` stopped at a problem; carries it. */
export class PrepareError extends Error {
  override name = 'PrepareError';
  constructor(readonly issue: DatasetIssue) {
    super(`${issue.where}: ${issue.code}${issue.id ? ` (${issue.id})` : ''}: ${issue.message}`);
  }
}

/** File name for an id: characters outside [A-Za-z0-9._-] become "_"; collisions get "~N". */
function fileNames(items: readonly DatasetItem[]): string[] {
  const used = new Set<string>();
  return items.map((it) => {
    const base = it.id.replace(/[^A-Za-z0-9._-]/g, '_') || 'item';
    let name = base, k = 1;
    while (used.has(name.toLowerCase())) name = `${base}~${++k}`;
    used.add(name.toLowerCase());
    return `items/${name}.feat`;
  });
}

export { mulberry32, seededShuffle };

class StatsAccumulator {
  private sum = 0; private sumSq = 0; private n = 0; private min = Infinity; private max = -Infinity;
  add(x: number): void { this.sum += x; this.sumSq += x * x; this.n++; if (x < this.min) this.min = x; if (x > this.max) this.max = x; }
  result(): FeatureStats {
    if (this.n === 0) return { mean: 0, std: 1, min: 0, max: 0, frames: 0 };
    const mean = this.sum / this.n;
    const std = Math.sqrt(Math.max(0, this.sumSq / this.n - mean * mean));
    return { mean, std: std || 1, min: this.min, max: this.max, frames: this.n };
  }
}

/** Runs tasks on `jobs` worker threads; `onResult` returns false to stop early (strict mode). */
async function runWorkers(tasks: ItemTask[], settings: ItemSettings, jobs: number, onResult: (r: ItemResult) => boolean): Promise<void> {
  if (tasks.length === 0) return;
  if (jobs === 0) {
    const processor = new ItemProcessor(settings);
    for (const t of tasks) if (!onResult(processor.process(t))) return;
    return;
  }
  const count = Math.min(jobs, tasks.length);
  let next = 0;
  let stopped = false;
  const workers: Worker[] = [];
  await new Promise<void>((resolveAll, reject) => {
    let running = count;
    const finish = (err?: Error): void => {
      if (stopped) return;
      stopped = true;
      for (const w of workers) void w.terminate();
      if (err) reject(err); else resolveAll();
    };
    for (let i = 0; i < count; i++) {
      const w = new Worker(new URL('./prepare-worker.js', import.meta.url), { workerData: settings });
      workers.push(w);
      const feed = (): void => {
        if (next < tasks.length) w.postMessage(tasks[next++]);
        else if (--running === 0) finish();
      };
      w.on('message', (r: ItemResult) => {
        if (stopped) return;
        if (!onResult(r)) { finish(); return; }
        feed();
      });
      w.on('error', (e) => finish(new Error(`prepare worker failed: ${e.message}`)));
      w.on('exit', (code) => { if (!stopped && code !== 0) finish(new Error(`prepare worker exited with code ${code}`)); });
      feed();
    }
  });
}

/**
 * Prepares a dataset for training. See docs/data.md for the cache layout and the manifest.
 * @example
 *   const { report } = await prepareDataset({ datasetDir: '/data/LJSpeech-1.1', outDir: '/data/lj-features' });
 *   console.log(formatReport(report));
 */
export async function prepareDataset(options: PrepareOptions): Promise<PrepareResult> {
  const t0 = Date.now();
  const datasetDir = resolve(options.datasetDir);
  const outDir = resolve(options.outDir);
  const strict = options.strict ?? false;
  const melConfig = resolveMelConfig(options.melConfig ?? {});
  const valFraction = options.valFraction ?? 0.02;
  const seed = options.seed ?? 1;
  const minSeconds = options.minSeconds ?? 0.5, maxSeconds = options.maxSeconds ?? 15;
  const trimDb = options.trimDb ?? 40;
  const melDtype = options.melDtype ?? 'float16';
  const minSampleRate = options.minSampleRate ?? 16000;
  const maxClippedFraction = 0.001;
  const jobs = options.jobs ?? availableParallelism();
  if (!(valFraction >= 0 && valFraction < 1)) throw new RangeError(`valFraction must be in [0, 1), got ${valFraction}`);
  if (!(minSeconds >= 0 && maxSeconds > minSeconds)) throw new RangeError(`need 0 <= minSeconds < maxSeconds, got ${minSeconds} and ${maxSeconds}`);
  if (!(trimDb > 0)) throw new RangeError(`trimDb must be > 0, got ${trimDb}`);

  const read = readDataset(datasetDir, options.format);
  const issues: { index: number; issue: DatasetIssue }[] = read.issues.map((issue) => ({ index: -1, issue }));
  if (strict && read.issues.length) throw new PrepareError(read.issues[0]!);

  // Duplicate ids would overwrite each other's cache files: keep the first.
  const seen = new Set<string>();
  const items: DatasetItem[] = [];
  for (const it of read.items) {
    if (seen.has(it.id)) {
      const issue: DatasetIssue = { code: 'duplicate-id', severity: 'error', where: it.source, id: it.id, message: `id ${it.id} appears more than once; the later line is skipped` };
      if (strict) throw new PrepareError(issue);
      issues.push({ index: -1, issue });
      continue;
    }
    seen.add(it.id);
    items.push(it);
  }

  const table = SymbolTable.default();
  const fingerprint = createHash('sha1').update(JSON.stringify({ CACHE_VERSION, melConfig, melDtype, trimDb, minSampleRate, maxClippedFraction, symbols: table.symbols })).digest('hex').slice(0, 16);
  const settings: ItemSettings = { melConfig, melDtype, trimDb, minSeconds, maxSeconds, minSampleRate, maxClippedFraction, fingerprint, symbols: table.toJSON() };

  mkdirSync(join(outDir, 'items'), { recursive: true });
  for (const name of readdirSync(join(outDir, 'items'))) if (name.includes('.tmp-')) rmSync(join(outDir, 'items', name), { force: true });
  const files = fileNames(items);
  const headers: (CachedItemHeader | undefined)[] = new Array(items.length);
  const tasks: ItemTask[] = [];
  let reused = 0;
  const rangeIssue = (it: DatasetItem, h: CachedItemHeader): DatasetIssue | undefined => {
    if (h.seconds < minSeconds) return { code: 'too-short', severity: 'error', where: it.wavPath, id: it.id, message: `${h.seconds.toFixed(2)} s after trimming (minimum ${minSeconds} s)` };
    if (h.seconds > maxSeconds) return { code: 'too-long', severity: 'error', where: it.wavPath, id: it.id, message: `${h.seconds.toFixed(2)} s after trimming (maximum ${maxSeconds} s)` };
    return undefined;
  };
  items.forEach((it, index) => {
    const outPath = join(outDir, files[index]!);
    const h = readCachedItemHeader(outPath);
    if (h && h.fingerprint === fingerprint && h.id === it.id) {
      const bad = rangeIssue(it, h);
      if (bad) {
        if (strict) throw new PrepareError(bad);
        issues.push({ index, issue: bad });
      } else {
        headers[index] = h;
        reused++;
        for (const w of h.warnings) issues.push({ index, issue: w });
      }
    } else tasks.push({ index, item: it, outPath });
  });

  const progress = options.progress === false ? undefined : new Progress('prepare', items.length);
  progress?.tick(reused);
  let computed = 0;
  let strictStop: DatasetIssue | undefined;
  await runWorkers(tasks, settings, jobs, (r) => {
    progress?.tick();
    if (r.ok) {
      headers[r.index] = r.header;
      computed++;
      for (const w of r.header.warnings) issues.push({ index: r.index, issue: w });
      return true;
    }
    issues.push({ index: r.index, issue: r.issue });
    if (strict) { strictStop = r.issue; return false; }
    return true;
  }).catch((e: unknown) => { progress?.done(); throw e; });
  progress?.done();
  if (strictStop) throw new PrepareError(strictStop);

  // Everything below depends only on the cache contents, so a resumed run writes the same manifest.
  const kept: ManifestItem[] = [];
  const pitch = new StatsAccumulator(), logPitch = new StatsAccumulator(), energy = new StatsAccumulator();
  let frames = 0, seconds = 0;
  items.forEach((it, index) => {
    const h = headers[index];
    if (!h) return;
    const pe = readPitchEnergy(join(outDir, files[index]!));
    for (let t = 0; t < h.frames; t++) {
      const f0 = pe.pitch[t]!;
      if (f0 > 0) { pitch.add(f0); logPitch.add(Math.log(f0)); }
      energy.add(pe.energy[t]!);
    }
    frames += h.frames;
    seconds += h.seconds;
    const m: ManifestItem = {
      id: it.id, file: files[index]!, split: 'train', frames: h.frames, phonemes: h.phonemes, words: h.words,
      seconds: h.seconds, lang: it.lang, trim: h.trim, sourceRate: h.sourceRate,
    };
    if (it.speaker !== undefined) m.speaker = it.speaker;
    if (it.emotion !== undefined) m.emotion = it.emotion;
    kept.push(m);
  });
  const order = seededShuffle(kept.map((m) => m.id).sort(), seed);
  const valCount = valFraction > 0 && kept.length >= 2 ? Math.max(1, Math.round(kept.length * valFraction)) : 0;
  const val = new Set(order.slice(0, valCount));
  for (const m of kept) if (val.has(m.id)) m.split = 'val';
  const indexOf = (names: Iterable<string>): Record<string, number> => Object.fromEntries([...new Set(names)].sort().map((n, i) => [n, i]));

  const manifest: FeatureManifest = {
    format: MANIFEST_FORMAT, version: MANIFEST_VERSION,
    dataset: { path: datasetDir, format: read.format },
    melConfig, melDtype,
    settings: { trimDb, minSeconds, maxSeconds, valFraction, seed, minSampleRate, maxClippedFraction },
    fingerprint,
    symbols: table.toJSON(),
    speakers: indexOf(kept.flatMap((m) => (m.speaker === undefined ? [] : [m.speaker]))),
    emotions: indexOf(kept.flatMap((m) => (m.emotion === undefined ? [] : [m.emotion]))),
    languages: indexOf(kept.map((m) => m.lang)),
    stats: { pitch: pitch.result(), logPitch: logPitch.result(), energy: energy.result() },
    totals: { items: kept.length, train: kept.length - valCount, val: valCount, frames, hours: Math.round((seconds / 3600) * 1e4) / 1e4 },
    items: kept,
  };

  issues.sort((a, b) => a.index - b.index);
  const byCode: ValidationReport['byCode'] = {};
  for (const { issue } of issues) {
    const c = (byCode[issue.code] ??= { errors: 0, warnings: 0 });
    if (issue.severity === 'error') c.errors++; else c.warnings++;
  }
  const errors = issues.filter((i) => i.issue.severity === 'error').length;
  const report: ValidationReport = {
    dataset: datasetDir, format: read.format, total: read.items.length + read.issues.length,
    kept: kept.length, computed, reused, skipped: errors, warnings: issues.length - errors,
    byCode, issues: issues.map((i) => i.issue), keptHours: manifest.totals.hours,
    jobs, elapsedSeconds: Math.round((Date.now() - t0) / 100) / 10,
  };
  const reportPath = join(outDir, 'report.json');
  const manifestPath = join(outDir, 'manifest.json');
  writeFileAtomic(reportPath, JSON.stringify(report, null, 1) + '\n');
  writeFileAtomic(manifestPath, JSON.stringify(manifest) + '\n');
  return { manifest, report, manifestPath, reportPath };
}

/** Human summary of a validation report (a few examples per kind of problem). */
export function formatReport(report: ValidationReport, examples = 3): string {
  const lines = [
    `${report.dataset} (${report.format}): ${report.kept} of ${report.total} items kept (${report.keptHours.toFixed(2)} h; ` +
    `${report.computed} computed, ${report.reused} reused), ${report.skipped} skipped, ${report.warnings} warnings, ${report.elapsedSeconds} s`,
  ];
  for (const [code, n] of Object.entries(report.byCode)) {
    const parts = [n.errors ? `${n.errors} skipped` : '', n.warnings ? `${n.warnings} warnings` : ''].filter(Boolean).join(', ');
    lines.push(`  ${code}: ${parts}`);
    for (const i of report.issues.filter((x) => x.code === code).slice(0, examples)) lines.push(`    ${i.where}${i.id ? ` [${i.id}]` : ''}: ${i.message}`);
  }
  return lines.join('\n');
}
