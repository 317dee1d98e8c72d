/**
 * Training data for the vocoder: random aligned (mel segment, audio segment) pairs.
 *
 * The feature cache holds mels, not audio, so the waveform is read back from the source dataset:
 * the manifest records the dataset folder and format (`manifest.dataset`) and, per item, the kept
 * span `trim` (seconds of the source wav, at the model rate) — reading the dataset's item list
 * gives each id's wav, which is resampled to the mel rate when needed and cut to
 * [round(trim[0]·rate), round(trim[1]·rate)). That is exactly the signal the cached mel was
 * computed from, so cached frame t is centred on sample t·hop of it (centred STFT).
 *
 * A segment of F frames starting at frame f0 pairs mel[:, f0 : f0+F] with audio[f0·hop : (f0+F)·hop]
 * (zeros past the end), matching the vocoder's output of F·hop samples for F frames.
 *
 * Mels come from the cache (what the acoustic model is trained to predict) or, for fine-tuning on
 * the acoustic model's own outputs, from `melsDir/ID.npy` ([nMels, frames] float32, predicted with
 * teacher-forced durations so the frame count equals the cache's).
 *
 * Batches are a pure function of (seed, epoch, index): resuming mid-epoch gives the same data.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWavFile } from '../../audio/wav-file.js';
import { resample } from '../../audio/resample.js';
import { decodeNpy } from '../../audio/npy.js';
import { melMajorFromFrames, type MelConfig } from '../../audio/mel.js';
import { decodeCachedItem } from '../../data/cache.js';
import { readManifest, type FeatureManifest, type ManifestItem } from '../../data/manifest.js';
import { readDataset } from '../../data/readers/index.js';
import { mulberry32, seededShuffle } from '../../data/prepare.js';

/** One training batch, ready for tensors. */
export interface VocoderBatch {
  ids: string[];
  /** [B, nMels, frames], mel-major per item (the conv layout). */
  mel: Float32Array;
  /** [B, frames·hop]. */
  audio: Float32Array;
  batchSize: number;
  frames: number;
}

/** A full utterance: mel [nMels, frames] (mel-major) and its trimmed waveform. */
export interface VocoderUtterance {
  id: string;
  mel: Float32Array;
  nMels: number;
  frames: number;
  audio: Float32Array;
}

export interface SegmentSourceOptions {
  split: 'train' | 'val' | 'all';
  segmentFrames: number;
  batchSize: number;
  seed: number;
  /** Folder of ID.npy mels to use instead of the cached ones (fine-tuning on predicted mels). */
  melsDir?: string;
  /** Use only the first N items of the split (tests, quick runs). */
  limit?: number;
}

export class VocoderSegmentSource {
  readonly items: ManifestItem[];
  readonly melConfig: MelConfig;
  private readonly wavPaths = new Map<string, string>();

  private constructor(readonly featuresDir: string, readonly manifest: FeatureManifest, readonly opts: SegmentSourceOptions) {
    this.melConfig = manifest.melConfig;
    let items = manifest.items.filter((it) => opts.split === 'all' || it.split === opts.split);
    if (opts.limit !== undefined) items = items.slice(0, opts.limit);
    if (items.length === 0) throw new Error(`${featuresDir}: no "${opts.split}" items in the manifest`);
    this.items = items;
    const dataset = readDataset(manifest.dataset.path, manifest.dataset.format);
    for (const it of dataset.items) this.wavPaths.set(it.id, it.wavPath);
    const missing = items.filter((it) => !this.wavPaths.has(it.id)).map((it) => it.id);
    if (missing.length) throw new Error(`${featuresDir}: ${missing.length} item(s) not found in the source dataset ${manifest.dataset.path} (e.g. ${missing.slice(0, 3).join(', ')}); the vocoder needs the original wavs`);
  }

  /** Opens a feature cache (its manifest) and the dataset it was prepared from. */
  static open(featuresDir: string, opts: SegmentSourceOptions): VocoderSegmentSource {
    return new VocoderSegmentSource(featuresDir, readManifest(featuresDir), opts);
  }

  get batchesPerEpoch(): number {
    return Math.floor(this.items.length / this.opts.batchSize) || 1;
  }

  /** The trimmed waveform of `item` at the mel rate. */
  loadAudio(item: ManifestItem): Float32Array {
    const path = this.wavPaths.get(item.id)!;
    const wav = readWavFile(path);
    const rate = this.melConfig.sampleRate;
    const samples = wav.sampleRate === rate ? wav.samples : resample(wav.samples, wav.sampleRate, rate);
    const start = Math.round(item.trim[0] * rate), end = Math.min(samples.length, Math.round(item.trim[1] * rate));
    return samples.slice(start, end);
  }

  /** The mel of `item`, mel-major [nMels, frames]. */
  loadMel(item: ManifestItem): { mel: Float32Array; nMels: number; frames: number } {
    if (this.opts.melsDir) {
      const path = join(this.opts.melsDir, `${item.id}.npy`);
      if (!existsSync(path)) throw new Error(`${path}: missing (every training item needs a predicted mel in --mels-dir)`);
      const arr = decodeNpy(readFileSync(path), path);
      const [nMels, frames] = arr.shape as [number, number];
      if (arr.shape.length !== 2 || nMels !== this.melConfig.nMels) throw new Error(`${path}: expected [${this.melConfig.nMels}, frames], got [${arr.shape.join(', ')}]`);
      if (Math.abs(frames - item.frames) > 2) throw new Error(`${path}: ${frames} frames but the cached mel has ${item.frames} (predict with teacher-forced durations)`);
      return { mel: Float32Array.from(arr.data), nMels, frames };
    }
    const cached = decodeCachedItem(readFileSync(join(this.featuresDir, item.file)), item.file);
    const { frames, nMels } = cached.header;
    return { mel: melMajorFromFrames(cached.mel, frames, nMels), nMels, frames };
  }

  loadUtterance(item: ManifestItem): VocoderUtterance {
    return { id: item.id, ...this.loadMel(item), audio: this.loadAudio(item) };
  }

  /** Batch `index` of `epoch`: items in a seeded order, one random segment each. */
  batch(epoch: number, index: number): VocoderBatch {
    const { batchSize, segmentFrames: F, seed } = this.opts;
    const order = seededShuffle(this.items.map((_, i) => i), (seed * 1_000_003 + epoch) >>> 0);
    const nMels = this.melConfig.nMels, hop = this.melConfig.hopLength;
    const rand = mulberry32((seed * 7919 + epoch * 104_729 + index * 15_485_863) >>> 0);
    const mel = new Float32Array(batchSize * nMels * F);
    const audio = new Float32Array(batchSize * F * hop);
    const floor = Math.log(this.melConfig.logFloor);
    const ids: string[] = [];
    for (let b = 0; b < batchSize; b++) {
      const item = this.items[order[(index * batchSize + b) % order.length]!]!;
      ids.push(item.id);
      const m = this.loadMel(item);
      const wav = this.loadAudio(item);
      const f0 = m.frames > F ? Math.floor(rand() * (m.frames - F + 1)) : 0;
      for (let c = 0; c < nMels; c++) {
        for (let t = 0; t < F; t++) {
          const src = f0 + t;
          mel[(b * nMels + c) * F + t] = src < m.frames ? m.mel[c * m.frames + src]! : floor;
        }
      }
      const s0 = f0 * hop;
      const seg = wav.subarray(s0, Math.min(wav.length, s0 + F * hop));
      audio.set(seg, b * F * hop);
    }
    return { ids, mel, audio, batchSize, frames: F };
  }

  /** Batches of `epoch` after the first `skip` (the TrainerTask contract). */
  async *batches(epoch: number, skip: number): AsyncIterable<VocoderBatch> {
    for (let i = skip; i < this.batchesPerEpoch; i++) yield this.batch(epoch, i);
  }
}
