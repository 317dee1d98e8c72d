import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { phonemize, sentenceSymbols } from '../../src/text/phonemize.js';
import { SymbolTable } from '../../src/text/symbols.js';

test('empty input gives no sentences', () => {
  assert.deepEqual(phonemize(''), { sentences: [] });
  assert.deepEqual(phonemize('   \n\t '), { sentences: [] });
  assert.deepEqual(phonemize('<speak></speak>', { ssml: true }), { sentences: [] });
});

test('result shape: words index their phonemes, punctuation has no word', () => {
  const { sentences } = phonemize('Dr. Smith paid $5. Then he left!');
  assert.equal(sentences.length, 2);
  const s = sentences[0]!;
  assert.equal(s.text, 'Dr. Smith paid $5.');
  assert.deepEqual(s.words.map((w) => w.text), ['Doctor', 'Smith', 'paid', 'five', 'dollars']);
  for (const [i, w] of s.words.entries()) {
    for (let k = w.phonemeStart; k < w.phonemeEnd; k++) assert.equal(s.tokens[k]!.word, i);
  }
  assert.deepEqual(s.tokens.at(-1), { symbol: '.', kind: 'punct', word: -1, span: 0 });
  const wb = phonemize('Hi there', { wordBoundaries: true, bosEos: true }).sentences[0]!;
  assert.deepEqual(sentenceSymbols(wb), ['<bos>', 'HH', 'AY1', '<wb>', 'DH', 'EH1', 'R', '<eos>']);
  assert.equal(wb.tokens[wb.words[1]!.phonemeStart]!.symbol, 'DH');
});

test('huge input (about 1 MB) is processed sentence by sentence', () => {
  const paragraph = 'On Jan. 5, 2021 Dr. Smith paid $3.50 for 12 apples at 3:45 pm. 我们去银行取钱，然后回家。 ';
  const text = paragraph.repeat(Math.ceil(1_000_000 / paragraph.length));
  const { sentences } = phonemize(text);
  assert.ok(sentences.length >= 2 * Math.floor(1_000_000 / paragraph.length));
  const table = SymbolTable.default();
  for (const s of sentences.slice(0, 50)) table.encode(sentenceSymbols(s));
  // No sentence gets unboundedly long, even without punctuation.
  const noPunct = phonemize('word '.repeat(20_000)).sentences;
  assert.ok(noPunct.length > 10 && noPunct.every((s) => s.words.length <= 100));
});

test('CLI: clip-tts phonemize end to end', () => {
  const run = (args: string[], input?: string) => spawnSync(process.execPath, ['dist/src/cli/main.js', 'phonemize', ...args], { input, encoding: 'utf8' });
  const a = run(['Hello world.']);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout.trim(), 'HH AH0 L OW1 | W ER1 L D | .');
  const b = run(['-', '--lang', 'zh'], '你好');
  assert.equal(b.stdout.trim(), 'zh:n zh:i2 | zh:h zh:ao3');
  const c = run([], 'Hi.\nBye.');
  assert.deepEqual(c.stdout.trim().split('\n'), ['HH AY1 | .', 'B AY1 | .']);
  const d = run(['Hello', '--ipa']);
  assert.equal(d.stdout.trim(), 'həlˈoʊ');
  const e = run(['<speak>Hi<break time="200ms"/></speak>', '--ssml', '--json-full']);
  const json = JSON.parse(e.stdout) as { sentences: { tokens: { symbol: string; pauseMs?: number }[] }[] };
  assert.deepEqual(json.sentences[0]!.tokens.at(-1), { symbol: '<sil>', kind: 'pause', word: -1, span: 0, pauseMs: 200 });
  const dir = mkdtempSync(join(tmpdir(), 'clip-lex-'));
  writeFileSync(join(dir, 'ok.lex'), 'tomato  T AH0 M AA1 T OW2\n');
  writeFileSync(join(dir, 'bad.lex'), 'tomato  T AH0 M AA1 T OW2\nbad  QQ\n');
  assert.equal(run(['tomato', '--lexicon', join(dir, 'ok.lex')]).stdout.trim(), 'T AH0 M AA1 T OW2');
  const bad = run(['tomato', '--lexicon', join(dir, 'bad.lex')]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /bad\.lex:2: unknown phoneme "QQ"/);
  const badSsml = run(['<speak>x', '--ssml']);
  assert.equal(badSsml.status, 1);
  assert.match(badSsml.stderr, /SSML error at line 1, column 1/);
  assert.equal(run(['x', '--lang', 'fr']).status, 2);
  assert.equal(run([''], undefined).stdout, '');
});
