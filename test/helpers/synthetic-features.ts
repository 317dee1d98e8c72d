/**
 * A tiny, learnable features folder (the layout `clip-tts prepare` + `clip-tts align` write) for
 * model tests: each utterance is 4-9 random phonemes; phoneme p sounds like a fixed random 80-bin
 * pattern for 2-5 frames (plus noise), with its own F0 (0 = unvoiced for a few phonemes) and
 * energy. Durations are written as the aligner would, so trainers see real phoneme boundaries.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MEL_CONFIG } from '../../src/audio/mel.js';
import { encodeCachedItem } from '../../src/data/cache.js';
import { DURATIONS_FORMAT, DURATIONS_INDEX, durationsFileFor, encodeDurations, type DurationsIndex } from '../../src/data/durations.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type FeatureManifest, type ManifestItem } from '../../src/data/manifest.js';

export const N_MELS = 80;
export const SYMBOLS = ['<pad>', '<unk>', ...Array.from({ length: 22 }, (_, i) => `p${i}`)];

export interface SyntheticOptions {
  count: number;
  valCount: number;
  seed?: number;
  /** Write durations/ + durations.json (default true). */
  durations?: boolean;
  /** Speaker names assigned round-robin; speaker k multiplies F0 by (1 + 0.3k) and shifts the mel by 0.5k. */
  speakers?: string[];
  /** Emotion names assigned round-robin (after speakers); emotion k stretches every duration by 2k frames. */
  emotions?: string[];
}

export function syntheticFeatures(o: SyntheticOptions): string {
  const dir = mkdtempSync(join(tmpdir(), 'cliptts-feat-'));
  mkdirSync(join(dir, 'items'));
  mkdirSync(join(dir, 'durations'));
  let s = o.seed ?? 7;
  const rnd = (): number => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const patterns = SYMBOLS.map(() => Float32Array.from({ length: N_MELS }, () => -6 + 3 * (rnd() - 0.5) * 2));
  const f0 = SYMBOLS.map((_, i) => (i % 5 === 0 ? 0 : 120 + 8 * i));
  const items: ManifestItem[] = [];
  const index: DurationsIndex = { format: DURATIONS_FORMAT, version: 1, source: 'synthetic', items: {} };
  const speakers = o.speakers ?? [], emotions = o.emotions ?? [];
  for (let k = 0; k < o.count; k++) {
    const speaker = speakers.length ? k % speakers.length : 0;
    const emotion = emotions.length ? Math.floor(k / Math.max(1, speakers.length)) % emotions.length : 0;
    const n = 4 + Math.floor(rnd() * 6);
    const phonemes = Int32Array.from({ length: n }, () => 2 + Math.floor(rnd() * (SYMBOLS.length - 2)));
    const durations = Int32Array.from({ length: n }, () => 2 + Math.floor(rnd() * 4) + 2 * emotion);
    const frames = durations.reduce((a, b) => a + b, 0);
    const mel = new Float32Array(frames * N_MELS), pitch = new Float32Array(frames), energy = new Float32Array(frames);
    let f = 0;
    phonemes.forEach((p, i) => {
      for (let d = 0; d < durations[i]!; d++, f++) {
        for (let m = 0; m < N_MELS; m++) mel[f * N_MELS + m] = patterns[p]![m]! + 0.5 * speaker + 0.3 * (rnd() - 0.5);
        pitch[f] = f0[p]! * (1 + 0.3 * speaker);
        energy[f] = 1 + (p % 7) * 0.5;
      }
    });
    const id = `s${String(k).padStart(3, '0')}`;
    const file = `items/${id}.feat`;
    writeFileSync(join(dir, file), encodeCachedItem({
      header: { id, frames, nMels: N_MELS, phonemes: n, words: 1, melDtype: 'float32', fingerprint: 'x', trim: [0, 1], sourceRate: 22050, seconds: 1, warnings: [] },
      mel, pitch, energy, phonemes, wordStarts: Int32Array.of(0),
    }));
    const item: ManifestItem = { id, file, split: k < o.valCount ? 'val' : 'train', frames, phonemes: n, words: 1, seconds: 1, lang: 'en', trim: [0, 1], sourceRate: 22050 };
    if (speakers.length) item.speaker = speakers[speaker]!;
    if (emotions.length) item.emotion = emotions[emotion]!;
    items.push(item);
    writeFileSync(join(dir, durationsFileFor(file)), encodeDurations(durations));
    index.items[id] = { file: durationsFileFor(file), frames, phonemes: n };
  }
  const stat = { mean: 0, std: 1, min: 0, max: 1, frames: 1 };
  const manifest: FeatureManifest = {
    format: MANIFEST_FORMAT, version: MANIFEST_VERSION, dataset: { path: dir, format: 'ljspeech' }, melConfig: { ...DEFAULT_MEL_CONFIG }, melDtype: 'float32',
    settings: { trimDb: 40, minSeconds: 0.5, maxSeconds: 15, valFraction: 0.1, seed: 1, minSampleRate: 16000, maxClippedFraction: 0.001 },
    fingerprint: 'x', symbols: { format: 'clip-tts-symbols', version: 1, symbols: SYMBOLS } as unknown as FeatureManifest['symbols'],
    speakers: Object.fromEntries(speakers.map((n, i) => [n, i])), emotions: Object.fromEntries(emotions.map((n, i) => [n, i])), languages: { en: 0 },
    stats: { pitch: { ...stat, mean: 150, std: 30 }, logPitch: { ...stat, mean: Math.log(150), std: 0.2 }, energy: { ...stat, mean: 2.5, std: 1 } },
    totals: { items: o.count, train: o.count - o.valCount, val: o.valCount, frames: 0, hours: 0 }, items,
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  if (o.durations !== false) writeFileSync(join(dir, DURATIONS_INDEX), JSON.stringify(index));
  return dir;
}
