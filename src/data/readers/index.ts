/** Dataset readers, one per native layout, and format auto-detection. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatasetError, type DatasetFormat, type DatasetReadResult, DATASET_FORMATS } from '../types.js';
import { readAishell3, aishell3Splits } from './aishell3.js';
import { readBaker, bakerTranscriptFile } from './baker.js';
import { readCsvDataset, csvMetadataFile } from './csv.js';
import { readEsd, esdSpeakers } from './esd.js';
import { readLibriTTS } from './libritts.js';
import { readLJSpeech } from './ljspeech.js';
import { numberedLines, readTextFile, requireDirectory, walkFiles } from './common.js';

export { readAishell3, readBaker, readCsvDataset, readEsd, readLibriTTS, readLJSpeech };

const READERS: Record<DatasetFormat, (dir: string) => DatasetReadResult> = {
  ljspeech: readLJSpeech, baker: readBaker, aishell3: readAishell3, libritts: readLibriTTS, esd: readEsd, csv: readCsvDataset,
};

/** True when `name` is a supported format. */
export function isDatasetFormat(name: string): name is DatasetFormat {
  return (DATASET_FORMATS as readonly string[]).includes(name);
}

/**
 * Guesses the layout of a dataset folder from its files; throws DatasetError listing what it looked for.
 * A metadata.csv with a header or 4 columns is 'csv', with 2-3 columns 'ljspeech'.
 * @example detectDatasetFormat('/data/LJSpeech-1.1') // 'ljspeech'
 */
export function detectDatasetFormat(dir: string): DatasetFormat {
  const root = resolve(dir);
  requireDirectory(root);
  if (bakerTranscriptFile(root)) return 'baker';
  if (aishell3Splits(root).length) return 'aishell3';
  if (esdSpeakers(root).length) return 'esd';
  const csv = csvMetadataFile(root);
  if (csv) {
    const first = numberedLines(readTextFile(csv))[0]?.text ?? '';
    const cols = first.split(first.includes('|') ? '|' : '\t');
    const header = /^(id|name|utt|utterance|file|wav|path|audio)$/i.test(cols[0]?.trim() ?? '');
    if (header || cols.length >= 4 || !csv.endsWith('metadata.csv') || !existsSync(join(root, 'wavs'))) return 'csv';
    return 'ljspeech';
  }
  if (walkFiles(root, (n) => n.endsWith('.normalized.txt'), 4).length) return 'libritts';
  throw new DatasetError(`${root}: cannot tell the dataset format (looked for metadata.csv (LJSpeech or generic CSV), ` +
    'ProsodyLabeling/ (Baker), train/content.txt (AISHELL-3), SPEAKER/SPEAKER.txt (ESD), *.normalized.txt (LibriTTS)); pass --format');
}

/**
 * Reads a dataset in `format` (auto-detected when omitted). Malformed metadata lines are returned as
 * issues, never thrown; a missing metadata file throws DatasetError.
 * @example const { items, issues } = readDataset('/data/BZNSYP', 'baker');
 */
export function readDataset(dir: string, format?: DatasetFormat): DatasetReadResult {
  const f = format ?? detectDatasetFormat(dir);
  const reader = READERS[f];
  if (!reader) throw new DatasetError(`unknown dataset format "${String(format)}" (known: ${DATASET_FORMATS.join(', ')})`);
  return reader(dir);
}
