/**
 * AISHELL-3 layout: `train/content.txt` and `test/content.txt` with lines
 * "SSB00050001.wav<TAB>广 guang3 州 zhou1 ..." (character and pinyin pairs); audio in `SPLIT/wav/SSB0005/SSB00050001.wav`.
 * The speaker is the first 7 characters of the id. Mandarin.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DatasetItem, DatasetIssue, DatasetReadResult } from '../types.js';
import { DatasetError } from '../types.js';
import { metadataIssue, numberedLines, readTextFile, requireDirectory } from './common.js';

/** Split folders (those with a content.txt) of an AISHELL-3 root; '' when content.txt sits in the root itself. */
export function aishell3Splits(root: string): string[] {
  const splits = ['train', 'test'].filter((s) => existsSync(join(root, s, 'content.txt')));
  if (splits.length === 0 && existsSync(join(root, 'content.txt')) && existsSync(join(root, 'wav'))) return [''];
  return splits;
}

/**
 * Reads AISHELL-3 (both splits when present).
 * @example readAishell3('/data/aishell3').items[0] // { id: 'SSB00050001', text: '广州...', pinyin: ['guang3', 'zhou1', ...], speaker: 'SSB0005' }
 */
export function readAishell3(dir: string): DatasetReadResult {
  const root = resolve(dir);
  requireDirectory(root);
  const splits = aishell3Splits(root);
  if (splits.length === 0) throw new DatasetError(`${join(root, 'train', 'content.txt')}: not found (expected AISHELL-3 layout: train/content.txt, test/content.txt and SPLIT/wav/SPEAKER/ID.wav)`);
  const items: DatasetItem[] = [];
  const issues: DatasetIssue[] = [];
  for (const split of splits) {
    const file = join(root, split, 'content.txt');
    const rel = split ? `${split}/content.txt` : 'content.txt';
    for (const { line, text } of numberedLines(readTextFile(file))) {
      const [name, rest] = text.split('\t');
      const tokens = (rest ?? '').trim().split(/\s+/).filter(Boolean);
      const id = (name ?? '').trim().replace(/\.wav$/i, '');
      if (!id || rest === undefined || tokens.length === 0 || tokens.length % 2 !== 0) {
        issues.push(metadataIssue(root, file, line, `expected "ID.wav<TAB>字 pin1 字 pin2 ..." (character and pinyin pairs), got ${JSON.stringify(text.slice(0, 80))}`));
        continue;
      }
      const chars: string[] = [], pinyin: string[] = [];
      let bad: string | undefined;
      for (let k = 0; k < tokens.length; k += 2) {
        chars.push(tokens[k]!);
        const py = tokens[k + 1]!;
        if (!/^[a-zü:v]+[1-5]$/i.test(py)) bad ??= py;
        pinyin.push(py);
      }
      if (bad !== undefined) {
        issues.push(metadataIssue(root, file, line, `"${bad}" is not a toned pinyin syllable (like "guang3") in ${id}`));
        continue;
      }
      const speaker = id.slice(0, 7);
      items.push({
        id, text: chars.join(''), pinyin, speaker, lang: 'zh',
        wavPath: join(root, split, 'wav', speaker, `${id}.wav`), source: `${rel}:${line}`,
      });
    }
  }
  return { format: 'aishell3', root, items, issues };
}
