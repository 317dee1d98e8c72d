/**
 * LibriTTS layout: `[SPLIT/]SPEAKER/CHAPTER/SPEAKER_CHAPTER_xxx_yyy.normalized.txt` next to the `.wav`
 * (any number of split folders such as train-clean-100/). English; the speaker is the first id field.
 */
import { basename, dirname, join, resolve } from 'node:path';
import type { DatasetItem, DatasetIssue, DatasetReadResult } from '../types.js';
import { DatasetError } from '../types.js';
import { metadataIssue, readTextFile, requireDirectory, walkFiles } from './common.js';

const SUFFIX = '.normalized.txt';

/**
 * Reads LibriTTS (or LibriTTS-R): one item per `*.normalized.txt`, sorted by id.
 * @example readLibriTTS('/data/LibriTTS').items[0] // { id: '19_198_000000_000000', speaker: '19', ... }
 */
export function readLibriTTS(dir: string): DatasetReadResult {
  const root = resolve(dir);
  requireDirectory(root);
  const files = walkFiles(root, (n) => n.endsWith(SUFFIX), 5);
  if (files.length === 0) throw new DatasetError(`${root}: no *.normalized.txt files found (expected LibriTTS layout: [split/]SPEAKER/CHAPTER/SPEAKER_CHAPTER_xxx_yyy.normalized.txt and .wav)`);
  const items: DatasetItem[] = [];
  const issues: DatasetIssue[] = [];
  for (const file of files) {
    const id = basename(file).slice(0, -SUFFIX.length);
    const speaker = id.split('_')[0]!;
    if (!/^\d+_\d+_/.test(id)) {
      issues.push(metadataIssue(root, file, undefined, `file name should be SPEAKER_CHAPTER_xxx_yyy${SUFFIX}`));
      continue;
    }
    const text = readTextFile(file).replace(/\s+/g, ' ').trim();
    items.push({ id, text, speaker, lang: 'en', wavPath: join(dirname(file), `${id}.wav`), source: file.slice(root.length + 1) });
  }
  items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { format: 'libritts', root, items, issues };
}
