/**
 * LJSpeech layout: `metadata.csv` (id|text|normalized text), `wavs/ID.wav`; optional `speakers.csv`
 * (id|speaker), where make-corpus writes `VOICE@STYLE` for styled voices: speaker VOICE, emotion STYLE.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DatasetItem, DatasetReadResult, DatasetIssue } from '../types.js';
import { detectLang, metadataIssue, numberedLines, readTextFile, requireDirectory, requireFile } from './common.js';

/**
 * Reads an LJSpeech-layout dataset. The normalized column (3) is used as the text when present and
 * non-empty. make-corpus multi-voice corpora add `speakers.csv`, which becomes the speaker.
 * @example readLJSpeech('/data/LJSpeech-1.1').items[0] // { id: 'LJ001-0001', text: 'Printing, in the only sense ...', ... }
 */
export function readLJSpeech(dir: string): DatasetReadResult {
  const root = resolve(dir);
  requireDirectory(root);
  const metadata = join(root, 'metadata.csv');
  requireFile(metadata, 'LJSpeech layout: metadata.csv with lines "id|text|normalized text" and wavs/ID.wav');
  const speakers = new Map<string, string>();
  const speakersFile = join(root, 'speakers.csv');
  if (existsSync(speakersFile)) {
    for (const { text } of numberedLines(readTextFile(speakersFile))) {
      const [id, speaker] = text.split('|');
      if (id && speaker) speakers.set(id.trim(), speaker.trim());
    }
  }
  const items: DatasetItem[] = [];
  const issues: DatasetIssue[] = [];
  for (const { line, text } of numberedLines(readTextFile(metadata))) {
    const cols = text.split('|');
    const id = cols[0]!.trim();
    if (cols.length < 2 || !id) {
      issues.push(metadataIssue(root, metadata, line, `expected "id|text|normalized text", got ${JSON.stringify(text.slice(0, 80))}`));
      continue;
    }
    const raw = cols[1]!.trim();
    const normalized = cols.slice(2).join('|').trim();
    const spoken = normalized || raw;
    const item: DatasetItem = {
      id, text: spoken, wavPath: join(root, 'wavs', id.endsWith('.wav') ? id : `${id}.wav`),
      lang: detectLang(spoken), source: `metadata.csv:${line}`,
    };
    const speaker = speakers.get(id);
    if (speaker) {
      const at = speaker.lastIndexOf('@');
      if (at > 0 && at < speaker.length - 1) {
        item.speaker = speaker.slice(0, at);
        item.emotion = speaker.slice(at + 1);
      } else {
        item.speaker = speaker;
      }
    }
    items.push(item);
  }
  return { format: 'ljspeech', root, items, issues };
}
