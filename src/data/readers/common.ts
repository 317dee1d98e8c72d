/** Helpers shared by the dataset readers: text decoding, line splitting, directory walks. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DatasetError, type DatasetIssue, type DatasetLang } from '../types.js';

/**
 * Reads a transcript file whatever its encoding: UTF-8 (with or without BOM), UTF-16 with BOM, or
 * GB18030/GBK (older Chinese corpora ship transcripts in it).
 */
export function readTextFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(`${path}: cannot read${code === 'ENOENT' ? ' (no such file)' : code ? ` (${code})` : ''}`);
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start));
  } catch {
    try {
      return new TextDecoder('gb18030', { fatal: true }).decode(bytes);
    } catch {
      throw new DatasetError(`${path}: not valid UTF-8, UTF-16 or GB18030 text`);
    }
  }
}

/** Lines with their 1-based numbers; blank lines are dropped, trailing CR removed. */
export function numberedLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    const t = raw.replace(/\r$/, '');
    if (t.trim()) out.push({ line: i + 1, text: t });
  });
  return out;
}

/** A malformed-metadata issue at `file:line`. */
export function metadataIssue(root: string, file: string, line: number | undefined, message: string): DatasetIssue {
  const rel = relative(root, file) || file;
  return { code: 'malformed-metadata', severity: 'error', where: line === undefined ? rel : `${rel}:${line}`, message };
}

/** "en" unless the text has Chinese characters. */
export function detectLang(text: string): DatasetLang {
  return /[\u3400-\u9fff\uf900-\ufaff]/.test(text) ? 'zh' : 'en';
}

/** Every file under `dir` (recursively, sorted) whose name passes `keep`; `maxDepth` 0 = only `dir` itself. */
export function walkFiles(dir: string, keep: (name: string) => boolean, maxDepth = 8): string[] {
  const out: string[] = [];
  const visit = (d: string, depth: number): void => {
    let names: string[];
    try { names = readdirSync(d).sort(); } catch { return; }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const p = join(d, name);
      let isDir = false;
      try { isDir = statSync(p).isDirectory(); } catch { continue; }
      if (isDir) { if (depth < maxDepth) visit(p, depth + 1); } else if (keep(name)) out.push(p);
    }
  };
  visit(dir, 0);
  return out;
}

/** Throws DatasetError unless `path` is a directory. */
export function requireDirectory(path: string): void {
  if (!existsSync(path)) throw new DatasetError(`${path}: no such directory`);
  if (!statSync(path).isDirectory()) throw new DatasetError(`${path}: not a directory`);
}

/** Throws DatasetError naming the expected layout when `file` is missing. */
export function requireFile(file: string, layout: string): void {
  if (!existsSync(file)) throw new DatasetError(`${file}: not found (expected ${layout})`);
}
