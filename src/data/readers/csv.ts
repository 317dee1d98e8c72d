/**
 * Generic CSV layout: `metadata.csv` (or `metadata.txt`) with `id|text|speaker|emotion` per line (speaker and
 * emotion optional; tab also accepted as separator) and the audio in `wavs/ID.wav`. An optional header line
 * names the columns: id, text, speaker, emotion, lang, wav (a path relative to the dataset folder).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { DatasetItem, DatasetIssue, DatasetLang, DatasetReadResult } from '../types.js';
import { DatasetError } from '../types.js';
import { detectLang, metadataIssue, numberedLines, readTextFile, requireDirectory } from './common.js';

const COLUMN_ALIASES: Record<string, string> = {
  id: 'id', name: 'id', utt: 'id', utterance: 'id', file: 'wav', wav: 'wav', path: 'wav', audio: 'wav',
  text: 'text', transcript: 'text', sentence: 'text', normalized: 'text', speaker: 'speaker', spk: 'speaker',
  emotion: 'emotion', style: 'emotion', lang: 'lang', language: 'lang',
};

/** The metadata file of a generic CSV dataset, or undefined. */
export function csvMetadataFile(root: string): string | undefined {
  for (const name of ['metadata.csv', 'metadata.txt', 'metadata.tsv']) if (existsSync(join(root, name))) return join(root, name);
  return undefined;
}

/**
 * Reads a generic `id|text|speaker|emotion` dataset.
 * @example readCsvDataset('my-voice').items[0] // { id: 'utt1', text: 'Hello.', speaker: 'alice', emotion: 'happy', ... }
 */
export function readCsvDataset(dir: string): DatasetReadResult {
  const root = resolve(dir);
  requireDirectory(root);
  const metadata = csvMetadataFile(root);
  if (!metadata) throw new DatasetError(`${join(root, 'metadata.csv')}: not found (expected generic CSV layout: metadata.csv with "id|text|speaker|emotion" lines and wavs/ID.wav)`);
  const lines = numberedLines(readTextFile(metadata));
  const items: DatasetItem[] = [];
  const issues: DatasetIssue[] = [];
  if (lines.length === 0) return { format: 'csv', root, items, issues };
  const sep = lines[0]!.text.includes('|') ? '|' : '\t';
  let columns = ['id', 'text', 'speaker', 'emotion'];
  const first = lines[0]!.text.split(sep).map((c) => c.trim().toLowerCase());
  if (first[0] !== undefined && COLUMN_ALIASES[first[0]] !== undefined && first.includes('text')) {
    columns = first.map((c) => COLUMN_ALIASES[c] ?? c);
    lines.shift();
  }
  const at = (cols: string[], name: string): string => {
    const i = columns.indexOf(name);
    return i >= 0 ? (cols[i] ?? '').trim() : '';
  };
  const name = metadata.slice(root.length + 1);
  for (const { line, text } of lines) {
    const cols = text.split(sep);
    const id = at(cols, 'id') || at(cols, 'wav').replace(/^.*[\\/]/, '').replace(/\.wav$/i, '');
    if (!id || cols.length < 2) {
      issues.push(metadataIssue(root, metadata, line, `expected "${columns.join(sep)}", got ${JSON.stringify(text.slice(0, 80))}`));
      continue;
    }
    const spoken = at(cols, 'text');
    const wav = at(cols, 'wav');
    const wavPath = wav ? (isAbsolute(wav) ? wav : join(root, wav)) : join(root, 'wavs', id.endsWith('.wav') ? id : `${id}.wav`);
    const langCol = at(cols, 'lang').toLowerCase();
    const lang: DatasetLang = langCol === 'zh' || langCol.startsWith('cmn') || langCol === 'mandarin' ? 'zh' : langCol === 'en' ? 'en' : detectLang(spoken);
    const item: DatasetItem = { id: id.replace(/\.wav$/i, ''), text: spoken, wavPath, lang, source: `${name}:${line}` };
    const speaker = at(cols, 'speaker'), emotion = at(cols, 'emotion');
    if (speaker) item.speaker = speaker;
    if (emotion) item.emotion = emotion;
    items.push(item);
  }
  return { format: 'csv', root, items, issues };
}
