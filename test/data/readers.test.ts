import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectDatasetFormat, readDataset } from '../../src/data/readers/index.js';
import { DatasetError, type DatasetFormat } from '../../src/data/types.js';
import { SymbolTable } from '../../src/text/index.js';
import { phonemizeItem } from '../../src/data/text.js';
import { DATASETS, tempDir } from './helpers.js';

const FORMATS: DatasetFormat[] = ['ljspeech', 'baker', 'aishell3', 'libritts', 'esd', 'csv'];

test('every fixture is detected as its format', () => {
  for (const f of FORMATS) assert.equal(detectDatasetFormat(join(DATASETS, f)), f, f);
});

test('ljspeech: normalized column, wavs/ID.wav, missing wav left to preparation', () => {
  const r = readDataset(join(DATASETS, 'ljspeech'), 'ljspeech');
  assert.equal(r.items.length, 6);
  assert.deepEqual(r.issues, []);
  const first = r.items[0]!;
  assert.equal(first.id, 'LJ-0001');
  assert.equal(first.lang, 'en');
  assert.ok(first.wavPath.endsWith(join('wavs', 'LJ-0001.wav')));
  assert.equal(first.source, 'metadata.csv:1');
  assert.ok(!existsSync(r.items[5]!.wavPath));
});

test('ljspeech: make-corpus speakers.csv gives the speaker, and VOICE@STYLE the emotion too', () => {
  const dir = tempDir();
  cpSync(join(DATASETS, 'ljspeech'), dir, { recursive: true });
  writeFileSync(join(dir, 'speakers.csv'), 'LJ-0001|slt-low@happy\nLJ-0002|slt-deep\nLJ-0003|@odd\n');
  const r = readDataset(dir, 'ljspeech');
  assert.deepEqual([r.items[0]!.speaker, r.items[0]!.emotion], ['slt-low', 'happy']);
  assert.deepEqual([r.items[1]!.speaker, r.items[1]!.emotion], ['slt-deep', undefined]);
  assert.deepEqual([r.items[2]!.speaker, r.items[2]!.emotion], ['@odd', undefined]);
  assert.equal(r.items[3]!.speaker, undefined);
});

test('baker: prosody marks, pinyin, Wave/NNNNNN.wav', () => {
  const r = readDataset(join(DATASETS, 'baker'), 'baker');
  assert.equal(r.items.length, 4);
  const it = r.items[0]!;
  assert.equal(it.id, '000001');
  assert.equal(it.text, '你好世界。');
  assert.equal(it.prosody, '你好#1世界#4。');
  assert.deepEqual(it.pinyin, ['ni3', 'hao3', 'shi4', 'jie4']);
  assert.equal(it.lang, 'zh');
  assert.ok(r.items.every((x) => existsSync(x.wavPath)));
  const ph = phonemizeItem(it, SymbolTable.default());
  assert.deepEqual(ph.symbols.slice(0, 4), ['zh:n', 'zh:i3', 'zh:h', 'zh:ao3']);
  assert.ok(ph.symbols.includes('<sp1>'));
});

test('aishell3: both splits, speaker from the id, pinyin pairs', () => {
  const r = readDataset(join(DATASETS, 'aishell3'), 'aishell3');
  assert.equal(r.items.length, 4);
  assert.deepEqual([...new Set(r.items.map((x) => x.speaker))].sort(), ['SSB0005', 'SSB0009']);
  const it = r.items.find((x) => x.id === 'SSB00050001')!;
  assert.equal(it.text, '你好世界');
  assert.deepEqual(it.pinyin, ['ni3', 'hao3', 'shi4', 'jie4']);
  assert.ok(r.items.some((x) => x.wavPath.includes(join('test', 'wav'))));
  assert.ok(r.items.every((x) => existsSync(x.wavPath)));
});

test('libritts: split folder, speaker, normalized text', () => {
  const r = readDataset(join(DATASETS, 'libritts'), 'libritts');
  assert.equal(r.items.length, 4);
  assert.deepEqual([...new Set(r.items.map((x) => x.speaker))].sort(), ['19', '84']);
  assert.ok(r.items.every((x) => existsSync(x.wavPath) && x.lang === 'en' && x.text.length > 0));
});

test('esd: emotions in English, language by speaker number', () => {
  const r = readDataset(join(DATASETS, 'esd'), 'esd');
  assert.equal(r.items.length, 4);
  const zh = r.items.filter((x) => x.speaker === '0001');
  const en = r.items.filter((x) => x.speaker === '0011');
  assert.ok(zh.every((x) => x.lang === 'zh') && en.every((x) => x.lang === 'en'));
  assert.deepEqual(r.items.map((x) => x.emotion).sort(), ['Angry', 'Angry', 'Neutral', 'Neutral']);
  assert.ok(r.items.every((x) => existsSync(x.wavPath)));
});

test('csv: header, speaker and emotion columns', () => {
  const r = readDataset(join(DATASETS, 'csv'), 'csv');
  assert.equal(r.items.length, 4);
  assert.deepEqual(r.items.map((x) => `${x.speaker}/${x.emotion}`), ['alice/neutral', 'bob/happy', 'alice/neutral', 'bob/happy']);
  assert.ok(r.items.every((x) => existsSync(x.wavPath)));
});

test('malformed metadata lines are reported with file and line, not thrown', () => {
  const dir = tempDir();
  cpSync(join(DATASETS, 'baker'), dir, { recursive: true });
  writeFileSync(join(dir, 'ProsodyLabeling', '000001-010000.txt'),
    '000001\t你好#1世界#4。\n\tni3 hao3 shi4 jie4\n000002\t我们#4。\n000003\t谢谢你#4。\n\txie4 xie5 nii\n');
  const r = readDataset(dir, 'baker');
  assert.equal(r.items.length, 1);
  assert.equal(r.issues.length, 2);
  assert.equal(r.issues[0]!.where, 'ProsodyLabeling/000001-010000.txt:3');
  assert.match(r.issues[0]!.message, /no pinyin line/);
  assert.equal(r.issues[1]!.where, 'ProsodyLabeling/000001-010000.txt:5');
  assert.match(r.issues[1]!.message, /"nii" is not a toned pinyin syllable/);

  const lj = tempDir();
  writeFileSync(join(lj, 'metadata.csv'), 'a|Hello.|Hello.\nno separator here\n');
  const r2 = readDataset(lj, 'ljspeech');
  assert.equal(r2.items.length, 1);
  assert.equal(r2.issues[0]!.where, 'metadata.csv:2');
});

test('a folder without metadata names what it expected', () => {
  const dir = tempDir();
  assert.throws(() => readDataset(dir, 'ljspeech'), (e: Error) => e instanceof DatasetError && /metadata\.csv: not found/.test(e.message));
  assert.throws(() => detectDatasetFormat(dir), /cannot tell the dataset format/);
});
