/**
 * Per-phoneme durations (frames) stored beside the feature cache by `clip-tts align`:
 *   FEATURES_DIR/durations/<stem>.i32   int32 LE, one per phoneme (stem = the item file's name without .feat)
 *   FEATURES_DIR/durations.json         index: format, version, aligner, items { id: { file, frames, phonemes } }
 * The index is written last, so a folder with durations.json has every listed file complete.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

export const DURATIONS_INDEX = 'durations.json';
export const DURATIONS_FORMAT = 'clip-tts-durations';

export interface DurationsIndex {
  format: typeof DURATIONS_FORMAT;
  version: 1;
  /** Where the durations came from (e.g. the aligner checkpoint path). */
  source: string;
  items: Record<string, { file: string; frames: number; phonemes: number }>;
}

/** Relative path of an item's durations file, from its cache file path ("items/ID.feat"). */
export function durationsFileFor(itemFile: string): string {
  return `durations/${basename(itemFile).replace(/\.feat$/, '')}.i32`;
}

export function encodeDurations(d: Int32Array): Uint8Array {
  const out = new Uint8Array(d.length * 4);
  const view = new DataView(out.buffer);
  d.forEach((x, i) => view.setInt32(i * 4, x, true));
  return out;
}

export function decodeDurations(bytes: Uint8Array, where: string): Int32Array {
  if (bytes.length % 4) throw new Error(`${where}: ${bytes.length} bytes is not a whole number of int32 durations`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

/** The durations index of a features folder, or null when none was written. */
export function readDurationsIndex(dir: string): DurationsIndex | null {
  const path = join(dir, DURATIONS_INDEX);
  if (!existsSync(path)) return null;
  const index = JSON.parse(readFileSync(path, 'utf8')) as DurationsIndex;
  if (index.format !== DURATIONS_FORMAT) throw new Error(`${path}: not a durations index (format ${JSON.stringify(index.format)})`);
  return index;
}

/** Reads one item's durations, checking they fit its phonemes and frames. */
export async function readItemDurations(dir: string, index: DurationsIndex, id: string, phonemes: number, frames: number): Promise<Int32Array> {
  const entry = index.items[id];
  if (!entry) throw new Error(`${join(dir, DURATIONS_INDEX)} has no durations for "${id}"; re-run clip-tts align`);
  const path = join(dir, entry.file);
  const d = decodeDurations(await readFile(path), path);
  let total = 0;
  for (const x of d) total += x;
  if (d.length !== phonemes || total !== frames) {
    throw new Error(`${path}: ${d.length} durations summing to ${total} do not fit ${phonemes} phonemes / ${frames} frames (stale; re-run clip-tts align)`);
  }
  return d;
}
