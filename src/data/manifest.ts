/** The feature manifest (`manifest.json` in a features folder): everything training needs except the arrays. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MelConfig } from '../audio/mel.js';
import type { SymbolTableJSON } from '../text/index.js';
import type { MelDtype } from './cache.js';
import type { DatasetFormat, DatasetLang } from './types.js';

export const MANIFEST_FORMAT = 'clip-tts-features';
export const MANIFEST_VERSION = 1;

/** Mean and standard deviation of a feature, with the number of frames they cover. */
export interface FeatureStats {
  mean: number;
  std: number;
  min: number;
  max: number;
  frames: number;
}

/** One prepared utterance. */
export interface ManifestItem {
  id: string;
  /** Cache file, relative to the features folder. */
  file: string;
  split: 'train' | 'val';
  frames: number;
  phonemes: number;
  words: number;
  /** Duration after trimming. */
  seconds: number;
  lang: DatasetLang;
  speaker?: string;
  emotion?: string;
  /** Kept span of the source wav, seconds: alignments of the source must be shifted by trim[0]. */
  trim: [number, number];
  sourceRate: number;
}

/** manifest.json. */
export interface FeatureManifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  dataset: { path: string; format: DatasetFormat };
  melConfig: MelConfig;
  melDtype: MelDtype;
  settings: { trimDb: number; minSeconds: number; maxSeconds: number; valFraction: number; seed: number; minSampleRate: number; maxClippedFraction: number };
  /** Hash of the settings the cached features depend on. */
  fingerprint: string;
  /** The symbol table the phoneme ids refer to (SymbolTable.fromJSON). */
  symbols: SymbolTableJSON;
  /** Speaker name → id (0-based, sorted by name); empty for single-speaker data. */
  speakers: Record<string, number>;
  /** Emotion name → id; empty when the dataset has none. */
  emotions: Record<string, number>;
  /** Language → id. */
  languages: Record<string, number>;
  stats: {
    /** F0 in Hz over voiced frames (f0 > 0). */
    pitch: FeatureStats;
    /** ln(F0) over voiced frames. */
    logPitch: FeatureStats;
    /** Frame energy over all frames. */
    energy: FeatureStats;
  };
  totals: { items: number; train: number; val: number; frames: number; hours: number };
  items: ManifestItem[];
}

/** A features folder without a usable manifest. */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

/**
 * Reads and checks `DIR/manifest.json`.
 * @example const manifest = readManifest('/data/features'); manifest.items.length
 */
export function readManifest(dir: string): FeatureManifest {
  const path = join(dir, 'manifest.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ManifestError(code === 'ENOENT' ? `${path}: not found (run \`clip-tts prepare\` first, or it did not finish)` : `${path}: ${(e as Error).message}`);
  }
  const m = json as Partial<FeatureManifest>;
  if (m.format !== MANIFEST_FORMAT || !Array.isArray(m.items)) throw new ManifestError(`${path}: not a ClipTTS feature manifest`);
  if (m.version !== MANIFEST_VERSION) throw new ManifestError(`${path}: manifest version ${String(m.version)}, expected ${MANIFEST_VERSION} (re-run prepare)`);
  return m as FeatureManifest;
}
