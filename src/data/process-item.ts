/** Preparation of one utterance (runs inside a worker thread): checks, resampling, trimming, features, cache file. */
import { existsSync } from 'node:fs';
import { readWavFile } from '../audio/wav-file.js';
import { resample } from '../audio/resample.js';
import type { MelConfig } from '../audio/mel.js';
import { SymbolTable } from '../text/index.js';
import { encodeCachedItem, writeFileAtomic, type CachedItemHeader, type MelDtype } from './cache.js';
import { clippedFraction, FeatureExtractor, trimSilence } from './features.js';
import { phonemizeItem } from './text.js';
import type { DatasetIssue, DatasetItem, IssueCode } from './types.js';

/** Settings every item is prepared with (sent to each worker once). */
export interface ItemSettings {
  melConfig: MelConfig;
  melDtype: MelDtype;
  /** Edge silence threshold, dB below the loudest frame. */
  trimDb: number;
  minSeconds: number;
  maxSeconds: number;
  /** Wavs below this rate are skipped (upsampled audio has no high band). */
  minSampleRate: number;
  /** Items with more of their samples in clipped runs are skipped; less (but some) is a warning. */
  maxClippedFraction: number;
  fingerprint: string;
  /** Serialized symbol table (SymbolTable.toJSON()). */
  symbols: unknown;
}

/** One unit of work. */
export interface ItemTask {
  index: number;
  item: DatasetItem;
  /** Absolute path of the cache file to write. */
  outPath: string;
}

/** Outcome of one task: the written header, or the problem that skipped the item. */
export type ItemResult =
  | { index: number; ok: true; header: CachedItemHeader }
  | { index: number; ok: false; issue: DatasetIssue };

/** Prepares items with fixed settings; keeps the extractor and symbol table across items. */
export class ItemProcessor {
  private readonly extractor: FeatureExtractor;
  private readonly table: SymbolTable;

  constructor(readonly settings: ItemSettings) {
    this.extractor = new FeatureExtractor(settings.melConfig);
    this.table = SymbolTable.fromJSON(settings.symbols);
  }

  /** Runs every check, computes the features and writes the cache file; never throws for bad data. */
  process(task: ItemTask): ItemResult {
    const { item, index } = task;
    const s = this.settings;
    const fail = (code: IssueCode, message: string, where = item.source): ItemResult =>
      ({ index, ok: false, issue: { code, severity: 'error', where, id: item.id, message } });
    const warnings: DatasetIssue[] = [];

    if (!item.text.trim()) return fail('empty-text', 'the transcript is empty');
    let phon;
    try {
      phon = phonemizeItem(item, this.table);
    } catch (e) {
      return fail('phonemize-failed', `cannot phonemize ${JSON.stringify(item.text.slice(0, 60))}: ${(e as Error).message}`);
    }
    if (phon.unknown.length) return fail('unknown-symbols', `symbols not in the symbol table: ${phon.unknown.join(' ')}`);
    if (phon.ids.length === 0) return fail('empty-text', `nothing speakable in ${JSON.stringify(item.text.slice(0, 60))}`);

    if (!existsSync(item.wavPath)) return fail('missing-wav', `${item.wavPath}: no such file`);
    let wav;
    try {
      wav = readWavFile(item.wavPath);
    } catch (e) {
      return fail('unreadable-wav', (e as Error).message, item.wavPath);
    }
    if (wav.samples.length === 0) return fail('unreadable-wav', `${item.wavPath}: contains no audio samples`, item.wavPath);
    if (wav.sampleRate < s.minSampleRate) {
      return fail('low-sample-rate', `${item.wavPath}: ${wav.sampleRate} Hz is below ${s.minSampleRate} Hz (no energy above ${wav.sampleRate / 2} Hz)`, item.wavPath);
    }
    const clipped = clippedFraction(wav.samples);
    if (clipped > s.maxClippedFraction) {
      return fail('clipping', `${item.wavPath}: ${(clipped * 100).toFixed(2)}% of the samples are clipped (limit ${(s.maxClippedFraction * 100).toFixed(2)}%)`, item.wavPath);
    }
    if (clipped > 0) {
      warnings.push({ code: 'clipping', severity: 'warning', where: item.wavPath, id: item.id, message: `${(clipped * 100).toFixed(3)}% of the samples are clipped` });
    }

    const rate = s.melConfig.sampleRate;
    const samples = wav.sampleRate === rate ? wav.samples : resample(wav.samples, wav.sampleRate, rate);
    const [start, end] = trimSilence(samples, rate, s.trimDb);
    if (end <= start) return fail('silent', `${item.wavPath}: no sound above the noise floor`, item.wavPath);
    const seconds = (end - start) / rate;
    if (seconds < s.minSeconds) return fail('too-short', `${seconds.toFixed(2)} s after trimming (minimum ${s.minSeconds} s)`, item.wavPath);
    if (seconds > s.maxSeconds) return fail('too-long', `${seconds.toFixed(2)} s after trimming (maximum ${s.maxSeconds} s)`, item.wavPath);

    const f = this.extractor.compute(samples.subarray(start, end));
    const header: CachedItemHeader = {
      id: item.id, frames: f.frames, nMels: f.nMels, phonemes: phon.ids.length, words: phon.wordStarts.length,
      melDtype: s.melDtype, fingerprint: s.fingerprint,
      trim: [round6(start / rate), round6(end / rate)], sourceRate: wav.sampleRate, seconds: round6(seconds), warnings,
    };
    writeFileAtomic(task.outPath, encodeCachedItem({ header, mel: f.mel, pitch: f.pitch, energy: f.energy, phonemes: phon.ids, wordStarts: phon.wordStarts }));
    return { index, ok: true, header };
  }
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
