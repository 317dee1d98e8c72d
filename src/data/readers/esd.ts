/**
 * ESD (Emotional Speech Dataset) layout: `SPEAKER/SPEAKER.txt` with lines "0011_000001<TAB>text<TAB>Emotion" and the audio
 * in `SPEAKER/Emotion/SPEAKER_NNNNNN.wav` (or one level deeper, `Emotion/train/...`). Speakers 0001-0010 are Mandarin
 * (their transcripts name the emotion in Chinese: 中立, 生气, 快乐, 伤心, 惊喜), 0011-0020 English.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { DatasetItem, DatasetIssue, DatasetLang, DatasetReadResult } from '../types.js';
import { DatasetError } from '../types.js';
import { detectLang, metadataIssue, numberedLines, readTextFile, requireDirectory, walkFiles } from './common.js';

const EMOTIONS: Record<string, string> = {
  neutral: 'Neutral', angry: 'Angry', happy: 'Happy', sad: 'Sad', surprise: 'Surprise', surprised: 'Surprise',
  中立: 'Neutral', 生气: 'Angry', 快乐: 'Happy', 伤心: 'Sad', 惊喜: 'Surprise',
};

/** Speaker folders (4 digits with a SPEAKER.txt inside) of an ESD root. */
export function esdSpeakers(root: string): string[] {
  let names: string[];
  try { names = readdirSync(root); } catch { return []; }
  return names.filter((n) => /^\d{4}$/.test(n) && existsSync(join(root, n, `${n}.txt`)) && statSync(join(root, n)).isDirectory()).sort();
}

/**
 * Reads ESD; emotions are normalised to English names (Neutral, Angry, Happy, Sad, Surprise).
 * @example readEsd('/data/ESD').items[0] // { id: '0001_000001', speaker: '0001', emotion: 'Neutral', lang: 'zh', ... }
 */
export function readEsd(dir: string): DatasetReadResult {
  const root = resolve(dir);
  requireDirectory(root);
  const speakers = esdSpeakers(root);
  if (speakers.length === 0) throw new DatasetError(`${root}: no speaker folders found (expected ESD layout: 0011/0011.txt and 0011/Emotion/0011_000001.wav)`);
  const items: DatasetItem[] = [];
  const issues: DatasetIssue[] = [];
  for (const speaker of speakers) {
    const file = join(root, speaker, `${speaker}.txt`);
    const wavs = new Map(walkFiles(join(root, speaker), (n) => n.toLowerCase().endsWith('.wav'), 3).map((p) => [basename(p).replace(/\.wav$/i, ''), p]));
    const n = Number(speaker);
    const speakerLang: DatasetLang | undefined = n >= 1 && n <= 10 ? 'zh' : n >= 11 && n <= 20 ? 'en' : undefined;
    for (const { line, text } of numberedLines(readTextFile(file))) {
      const cols = text.split('\t').map((c) => c.trim());
      const id = cols[0] ?? '';
      const emotion = EMOTIONS[(cols[2] ?? '').toLowerCase()] ?? EMOTIONS[cols[2] ?? ''] ?? cols[2];
      if (cols.length < 3 || !id || !emotion) {
        issues.push(metadataIssue(root, file, line, `expected "ID<TAB>text<TAB>Emotion", got ${JSON.stringify(text.slice(0, 80))}`));
        continue;
      }
      const spoken = cols[1]!;
      items.push({
        id, text: spoken, speaker, emotion, lang: speakerLang ?? detectLang(spoken),
        wavPath: wavs.get(id) ?? join(root, speaker, emotion, `${id}.wav`), source: `${speaker}/${speaker}.txt:${line}`,
      });
    }
  }
  return { format: 'esd', root, items, issues };
}
