/**
 * Training data loader over a prepared feature folder. Only the manifest (the index) is held in memory;
 * items are read from their cache files when a batch needs them, with a small read-ahead, so the size of
 * the dataset does not matter. Batches are length-bucketed (sorted inside shuffled chunks) to keep padding
 * low, padded, masked and fully determined by (seed, epoch).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { decodeCachedItem, type CachedItem } from './cache.js';
import { readManifest, type FeatureManifest, type ManifestItem } from './manifest.js';
import { seededShuffle } from './prepare.js';
import { readDurationsIndex, readItemDurations, type DurationsIndex } from './durations.js';

export interface LoaderOptions {
  /** Which items: 'train' (default), 'val' or 'all'. */
  split?: 'train' | 'val' | 'all';
  /** Most utterances per batch. Default 16. */
  batchSize?: number;
  /** Frame budget per batch: batch size × longest mel ≤ maxFrames (padding included). Default: no budget. */
  maxFrames?: number;
  /**
   * Like maxFrames, but raised to the split's longest item, so every item fits (alone in its batch
   * at worst): the budget trainers use. Give one of maxFrames and frameBudget.
   */
  frameBudget?: number;
  /** Shuffle items and batch order every epoch. Default true for 'train', false otherwise. */
  shuffle?: boolean;
  /** Seed of the shuffling; epoch e uses seed + e. Default 1. */
  seed?: number;
  /** Items sorted together by length before cutting batches, in batches. Default 32 (more = less padding, less randomness); 0 = no bucketing. */
  bucketBatches?: number;
  /** Batches read ahead while the current one is used. Default 2. */
  readAhead?: number;
  /** Drop a last batch smaller than batchSize (fixed-size batches only). Default false. */
  dropLast?: boolean;
  /** Z-score pitch (voiced frames only; unvoiced stay 0) and energy with the manifest statistics. Default false. */
  normalize?: boolean;
}

/**
 * A padded batch; all arrays row-major. B = ids.length, T = maxPhonemes, F = maxFrames.
 * Masks are 1 on real positions, 0 on padding.
 */
export interface Batch {
  ids: string[];
  maxPhonemes: number;
  maxFrames: number;
  nMels: number;
  /** [B, T] symbol ids, padded with 0 (`<pad>`). */
  phonemes: Int32Array;
  phonemeLengths: Int32Array;
  phonemeMask: Uint8Array;
  /** [B, F, nMels] log-mel, padded with ln(logFloor) (silence). */
  mels: Float32Array;
  melLengths: Int32Array;
  melMask: Uint8Array;
  /** [B, F] F0 in Hz (0 unvoiced) or normalised; padded with 0. */
  pitch: Float32Array;
  /** [B, F] energy, raw or normalised; padded with 0. */
  energy: Float32Array;
  /** [B, T] 1 where a word starts. */
  wordStarts: Uint8Array;
  /** [B] speaker ids (manifest.speakers), when the dataset has speakers. */
  speakers?: Int32Array;
  /** [B] emotion ids (manifest.emotions), when the dataset has emotions. */
  emotions?: Int32Array;
  /** [B, T] frames per phoneme (padded with 0; each row sums to its mel length), when `clip-tts align` wrote durations. */
  durations?: Int32Array;
}

/**
 * Streams batches from a features folder.
 * @example
 *   const loader = FeatureLoader.open('/data/lj-features', { batchSize: 16, seed: 7 });
 *   for await (const batch of loader.batches(epoch)) train(batch);
 */
export class FeatureLoader {
  readonly manifest: FeatureManifest;
  /** The items of the chosen split, in manifest order. */
  readonly items: readonly ManifestItem[];
  private readonly dir: string;
  private readonly o: Required<Omit<LoaderOptions, 'maxFrames' | 'frameBudget'>> & { maxFrames: number };
  /** durations.json of the folder (read once at open), or null. */
  private readonly durationsIndex: DurationsIndex | null;

  constructor(dir: string, manifest: FeatureManifest, options: LoaderOptions = {}) {
    this.dir = resolve(dir);
    this.manifest = manifest;
    const split = options.split ?? 'train';
    this.o = {
      split, batchSize: options.batchSize ?? 16, maxFrames: options.maxFrames ?? Infinity,
      shuffle: options.shuffle ?? split === 'train', seed: options.seed ?? 1, bucketBatches: options.bucketBatches ?? 32,
      readAhead: options.readAhead ?? 2, dropLast: options.dropLast ?? false, normalize: options.normalize ?? false,
    };
    if (!(this.o.batchSize >= 1)) throw new RangeError(`batchSize must be >= 1, got ${this.o.batchSize}`);
    this.items = split === 'all' ? manifest.items : manifest.items.filter((m) => m.split === split);
    this.durationsIndex = readDurationsIndex(this.dir);
    const longest = this.items.reduce((a, m) => Math.max(a, m.frames), 0);
    if (options.frameBudget !== undefined) {
      if (options.maxFrames !== undefined) throw new RangeError('give maxFrames or frameBudget, not both');
      this.o.maxFrames = Math.max(options.frameBudget, longest);
    }
    if (longest > this.o.maxFrames) throw new RangeError(`maxFrames ${this.o.maxFrames} is below the longest item (${longest} frames)`);
  }

  /** Opens a features folder (reads manifest.json). */
  static open(dir: string, options: LoaderOptions = {}): FeatureLoader {
    return new FeatureLoader(dir, readManifest(dir), options);
  }

  /**
   * Batch plan of an epoch: indices into `items`. Shuffle, then sort by frames inside chunks of
   * bucketBatches × batchSize items, cut batches (by size and frame budget), and shuffle the batch order.
   */
  plan(epoch = 0): number[][] {
    const o = this.o;
    const order = this.items.map((_, i) => i);
    if (o.shuffle) seededShuffle(order, (o.seed + epoch) >>> 0);
    const bucketing = o.bucketBatches > 0;
    const chunk = bucketing ? o.bucketBatches * o.batchSize : Math.max(1, order.length);
    const batches: number[][] = [];
    for (let c = 0; c < order.length; c += chunk) {
      const part = order.slice(c, c + chunk);
      if (bucketing) part.sort((a, b) => this.items[a]!.frames - this.items[b]!.frames || a - b);
      let cur: number[] = [], longest = 0;
      for (const i of part) {
        const f = this.items[i]!.frames;
        const longer = Math.max(longest, f);
        if (cur.length && (cur.length >= o.batchSize || (cur.length + 1) * longer > o.maxFrames)) { batches.push(cur); cur = []; longest = 0; }
        cur.push(i);
        longest = Math.max(longest, f);
      }
      if (cur.length) batches.push(cur);
    }
    const kept = o.dropLast && o.maxFrames === Infinity ? batches.filter((b) => b.length === o.batchSize) : batches;
    if (o.shuffle) seededShuffle(kept, (o.seed * 7919 + epoch + 1) >>> 0);
    return kept;
  }

  /** Number of batches in an epoch. */
  batchCount(epoch = 0): number {
    return this.plan(epoch).length;
  }

  /** Reads one item's features from the cache. */
  async readItem(index: number): Promise<CachedItem> {
    const m = this.items[index];
    if (!m) throw new RangeError(`item ${index} is outside the ${this.o.split} split (${this.items.length} items)`);
    const path = join(this.dir, m.file);
    return decodeCachedItem(await readFile(path), path);
  }

  /** Reads and pads one batch. */
  async loadBatch(indices: readonly number[]): Promise<Batch> {
    const items = await Promise.all(indices.map((i) => this.readItem(i)));
    const batch = this.collate(indices, items);
    const index = this.durationsIndex;
    if (index) {
      const T = batch.maxPhonemes;
      const durations = new Int32Array(items.length * T);
      const rows = await Promise.all(items.map((x) => readItemDurations(this.dir, index, x.header.id, x.phonemes.length, x.header.frames)));
      rows.forEach((d, b) => durations.set(d, b * T));
      batch.durations = durations;
    }
    return batch;
  }

  /**
   * Batches of an epoch, in plan order, after the first `skip` (a resumed trainer's position),
   * reading `readAhead` batches ahead.
   */
  async *batches(epoch = 0, skip = 0): AsyncGenerator<Batch> {
    const plan = this.plan(epoch).slice(skip);
    const pending: Promise<Batch>[] = [];
    let next = 0;
    const fill = (): void => { while (next < plan.length && pending.length <= this.o.readAhead) pending.push(this.loadBatch(plan[next++]!)); };
    fill();
    while (pending.length) {
      const batch = await pending.shift()!;
      fill();
      yield batch;
    }
  }

  private collate(indices: readonly number[], items: CachedItem[]): Batch {
    const B = items.length;
    const nMels = this.manifest.melConfig.nMels;
    const T = Math.max(...items.map((x) => x.phonemes.length));
    const F = Math.max(...items.map((x) => x.header.frames));
    const phonemes = new Int32Array(B * T), phonemeMask = new Uint8Array(B * T), wordStarts = new Uint8Array(B * T);
    const mels = new Float32Array(B * F * nMels).fill(Math.log(this.manifest.melConfig.logFloor));
    const pitch = new Float32Array(B * F), energy = new Float32Array(B * F), melMask = new Uint8Array(B * F);
    const phonemeLengths = new Int32Array(B), melLengths = new Int32Array(B);
    const { stats } = this.manifest;
    const hasSpeakers = Object.keys(this.manifest.speakers).length > 0, hasEmotions = Object.keys(this.manifest.emotions).length > 0;
    const speakers = hasSpeakers ? new Int32Array(B) : undefined, emotions = hasEmotions ? new Int32Array(B) : undefined;
    items.forEach((x, b) => {
      const m = this.items[indices[b]!]!;
      const n = x.phonemes.length, f = x.header.frames;
      if (x.header.nMels !== nMels) throw new Error(`${m.file}: ${x.header.nMels} mels, manifest says ${nMels}`);
      phonemes.set(x.phonemes, b * T);
      phonemeMask.fill(1, b * T, b * T + n);
      for (const w of x.wordStarts) if (w < n) wordStarts[b * T + w] = 1;
      mels.set(x.mel, b * F * nMels);
      melMask.fill(1, b * F, b * F + f);
      for (let t = 0; t < f; t++) {
        const p = x.pitch[t]!, e = x.energy[t]!;
        pitch[b * F + t] = this.o.normalize ? (p > 0 ? (p - stats.pitch.mean) / stats.pitch.std : 0) : p;
        energy[b * F + t] = this.o.normalize ? (e - stats.energy.mean) / stats.energy.std : e;
      }
      phonemeLengths[b] = n;
      melLengths[b] = f;
      if (speakers) speakers[b] = m.speaker !== undefined ? this.manifest.speakers[m.speaker] ?? 0 : 0;
      if (emotions) emotions[b] = m.emotion !== undefined ? this.manifest.emotions[m.emotion] ?? 0 : 0;
    });
    const batch: Batch = {
      ids: items.map((x) => x.header.id), maxPhonemes: T, maxFrames: F, nMels,
      phonemes, phonemeLengths, phonemeMask, mels, melLengths, melMask, pitch, energy, wordStarts,
    };
    if (speakers) batch.speakers = speakers;
    if (emotions) batch.emotions = emotions;
    return batch;
  }
}
