/**
 * Baker / BZNSYP (标贝) layout: `ProsodyLabeling/000001-010000.txt` with alternating lines
 * "000001<TAB>卡尔普#2陪外孙#1玩滑梯#4。" and "<TAB>ka2 er2 pu3 pei2 wai4 sun1 wan2 hua2 ti1"; audio in `Wave/000001.wav`.
 * Single speaker, Mandarin.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DatasetItem, DatasetIssue, DatasetReadResult } from '../types.js';
import { DatasetError } from '../types.js';
import { metadataIssue, numberedLines, readTextFile, requireDirectory } from './common.js';

/** The Baker transcript file under `root`, or undefined. */
export function bakerTranscriptFile(root: string): string | undefined {
  const dir = join(root, 'ProsodyLabeling');
  if (!existsSync(dir)) return undefined;
  const preferred = join(dir, '000001-010000.txt');
  if (existsSync(preferred)) return preferred;
  const txt = readdirSync(dir).filter((n) => n.endsWith('.txt')).sort();
  return txt.length ? join(dir, txt[0]!) : undefined;
}

/**
 * Reads a Baker dataset: text without prosody marks, the marked line in `prosody`, the pinyin in `pinyin`.
 * @example readBaker('/data/BZNSYP').items[0].pinyin // ['ka2', 'er2', 'pu3', ...]
 */
export function readBaker(dir: string): DatasetReadResult {
  const root = resolve(dir);
  requireDirectory(root);
  const file = bakerTranscriptFile(root);
  if (!file) throw new DatasetError(`${join(root, 'ProsodyLabeling', '000001-010000.txt')}: not found (expected Baker layout: ProsodyLabeling/000001-010000.txt and Wave/NNNNNN.wav)`);
  const lines = numberedLines(readTextFile(file));
  const items: DatasetItem[] = [];
  const issues: DatasetIssue[] = [];
  const rel = file.slice(root.length + 1);
  for (let i = 0; i < lines.length; i++) {
    const { line, text } = lines[i]!;
    const m = /^\s*(\d+)\s+(\S.*)$/.exec(text);
    if (!m || /^\s/.test(text)) {
      issues.push(metadataIssue(root, file, line, `expected an utterance line "NNNNNN<TAB>characters with #1-#4 marks", got ${JSON.stringify(text.slice(0, 80))}`));
      continue;
    }
    const next = lines[i + 1];
    if (!next || !/^\s/.test(next.text)) {
      issues.push(metadataIssue(root, file, line, `utterance ${m[1]} has no pinyin line after it (expected a tab-indented line like "\tka2 er2 pu3")`));
      continue;
    }
    i++;
    const prosody = m[2]!.trim();
    const pinyin = next.text.trim().split(/\s+/);
    const bad = pinyin.find((p) => !/^[a-zü:v]+[1-5]$/i.test(p));
    if (bad !== undefined) {
      issues.push(metadataIssue(root, file, next.line, `"${bad}" is not a toned pinyin syllable (like "ka2") in the pinyin line of ${m[1]}`));
      continue;
    }
    const id = m[1]!;
    items.push({
      id, text: prosody.replace(/#[1-4]/g, ''), prosody, pinyin, lang: 'zh',
      wavPath: join(root, 'Wave', `${id}.wav`), source: `${rel}:${line}`,
    });
  }
  return { format: 'baker', root, items, issues };
}
