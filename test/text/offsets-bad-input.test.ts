import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { phonemize, sentenceSymbols, textToPhonemes, type PhonemizeStats } from '../../src/text/phonemize.js';
import { SymbolTable } from '../../src/text/symbols.js';
import { parseSsml, SsmlError } from '../../src/text/ssml.js';
import { Lexicon } from '../../src/text/lexicon.js';

/** [word, source text of its span] pairs. */
const spans = (text: string, lang?: 'en' | 'zh'): [string, string][] =>
  textToPhonemes(text, lang ? { lang } : {}).map((w) => [w.word, text.slice(w.start, w.end)]);

test('textToPhonemes: words with phonemes and source offsets', () => {
  const words = textToPhonemes('Dr. Smith paid $5.', { lang: 'en' });
  assert.deepEqual(words.map((w) => [w.word, w.start, w.end]), [['Doctor', 0, 3], ['Smith', 4, 9], ['paid', 10, 14], ['five', 15, 17], ['dollars', 15, 17]]);
  assert.deepEqual(words[1]!.phonemes, ['S', 'M', 'IH1', 'TH']);
  assert.equal(words[0]!.sentence, 0);
  assert.deepEqual(spans('On Jan. 5, 2021 the FBI met NASA.'), [['On', 'On'], ['January', 'Jan.'], ['fifth', '5'], ['twenty', '2021'], ['twenty', '2021'],
    ['one', '2021'], ['the', 'the'], ['F', 'FBI'], ['B', 'FBI'], ['I', 'FBI'], ['met', 'met'], ['NASA', 'NASA']]);
  assert.deepEqual(spans('Meet at 3:45 pm, on 5 January.').slice(2, 7).map((p) => p[1]), ['3:45 pm', '3:45 pm', '3:45 pm', '3:45 pm', '3:45 pm']);
  assert.deepEqual(spans('Born 5 January.').slice(1), [['the', '5'], ['fifth', '5'], ['of', '5'], ['January', 'January']]);
  assert.deepEqual(spans('Rock & roll at john@example.com.').map((p) => p[1]), ['Rock', '&', 'roll', 'at', ...Array(5).fill('john@example.com')]);
  // Several sentences: offsets stay in the whole input.
  const two = 'Hi there. It costs $3.5 million!';
  // "million" anchors on its own token; "dollars" shares the last anchor's span.
  assert.deepEqual(spans(two).slice(2).map((p) => p[1]), ['It', 'costs', '$3.5', '$3.5', '$3.5', 'million', 'million']);
  assert.deepEqual(textToPhonemes(two).map((w) => w.sentence), [0, 0, 1, 1, 1, 1, 1, 1, 1]);
  // Mandarin, mixed, inline phonemes.
  assert.deepEqual(spans('我们去银行，2021年买了iPhone 15。'), [['我', '我'], ['们', '们'], ['去', '去'], ['银行', '银行'], ['二', '2021'], ['零', '2021'],
    ['二', '2021'], ['一', '2021'], ['年', '年'], ['买', '买'], ['了', '了'], ['iPhone', 'iPhone'], ['fifteen', '15']]);
  assert.deepEqual(spans('Say {HH AH0 L OW1} now'), [['Say', 'Say'], ['{HH AH0 L OW1}', '{HH AH0 L OW1}'], ['now', 'now']]);
  // SSML: offsets index the markup; text that is not verbatim there (entities, <sub>) has -1.
  const ssml = '<speak>Hello <break time="1s"/> world</speak>';
  assert.deepEqual(textToPhonemes(ssml, { ssml: true }).map((w) => ssml.slice(w.start, w.end)), ['Hello', 'world']);
  assert.equal(textToPhonemes('<speak><sub alias="World Wide Web">WWW</sub> &amp; x</speak>', { ssml: true })[0]!.start, -1);
  // Every span covers non-space source text, and spans never go backwards.
  const text = 'Mr. Lee (b. 1950) paid €20 on 2021-01-05 at 9:30 a.m.; see www.example.com/a or call 555-123-4567.';
  const ws = textToPhonemes(text);
  let last = 0;
  for (const w of ws) {
    assert.ok(w.start >= last && w.end > w.start && text.slice(w.start, w.end).trim() === text.slice(w.start, w.end), JSON.stringify(w));
    last = w.start;
  }
});

test('CLI --json prints [{word, phonemes, start, end}] in spoken order', () => {
  const r = spawnSync(process.execPath, ['dist/src/cli/main.js', 'phonemize', 'Pay $5. 你好', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const arr = JSON.parse(r.stdout) as { word: string; phonemes: string[]; start: number; end: number }[];
  assert.ok(Array.isArray(arr));
  assert.deepEqual(arr.map((w) => w.word), ['Pay', 'five', 'dollars', '你', '好']);
  assert.deepEqual(arr[1]!.phonemes, ['F', 'AY1', 'V']);
  assert.deepEqual(arr.map((w) => [w.start, w.end]), [[0, 3], [4, 6], [4, 6], [8, 9], [9, 10]]);
  const zh = spawnSync(process.execPath, ['dist/src/cli/main.js', 'phonemize', '你好', '--lang', 'zh', '--json'], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(zh.stdout), [
    { word: '你', phonemes: ['zh:n', 'zh:i2'], start: 0, end: 1, lang: 'zh', sentence: 0, source: 'pinyin' },
    { word: '好', phonemes: ['zh:h', 'zh:ao3'], start: 1, end: 2, lang: 'zh', sentence: 0, source: 'pinyin' },
  ]);
  const warn = spawnSync(process.execPath, ['dist/src/cli/main.js', 'phonemize', 'Привет hello'], { encoding: 'utf8' });
  assert.equal(warn.stdout.trim(), 'HH AH0 L OW1');
  assert.match(warn.stderr, /warning: skipped text in an unsupported script at offset 0: "Привет"/);
});

const table = SymbolTable.default();
/** Symbols of all sentences; encoding throws on any symbol outside the inventory. */
function encodeAll(text: string): string[] {
  const syms = phonemize(text).sentences.flatMap(sentenceSymbols);
  table.encode(syms);
  return syms;
}

test('bad input: empty, punctuation only, emoji, control characters', () => {
  for (const t of ['', ' ', '\n\n', '...', '?!', '—', '"()"', '!!! ??? ...', '。！？', '😀', '👍🎉']) assert.deepEqual(phonemize(t).sentences, [], JSON.stringify(t));
  assert.deepEqual(textToPhonemes(''), []);
  // Emoji are dropped, never unknown symbols.
  assert.deepEqual(encodeAll('👍 Great job 😀!'), ['G', 'R', 'EY1', 'T', 'JH', 'AA1', 'B', '!']);
  assert.deepEqual(encodeAll('我爱😀你'), encodeAll('我爱你'));
  assert.deepEqual(encodeAll('Hi 👨‍👩‍👧 there 🇺🇸'), encodeAll('Hi there'));
  // Control characters and terminal escapes become spaces (offsets stay valid); \v \f break lines.
  assert.deepEqual(encodeAll('Hello\u0000\u0007world\u001b[31m red\u0008'), encodeAll('Hello world red'));
  assert.deepEqual(encodeAll('\u200b\ufeffhi\u200d'), encodeAll('hi'));
  assert.equal(phonemize('One.\u000bTwo\u000cThree').sentences.length, 3);
  const w = textToPhonemes('a\u0000\u0001 red');
  assert.deepEqual(w.map((x) => [x.word, x.start]), [['a', 0], ['red', 4]]);
});

test('bad input: mixed scripts are skipped with a warning naming the offset', () => {
  const r = phonemize('Привет мир and hello');
  assert.deepEqual(r.sentences.flatMap(sentenceSymbols), ['AH0', 'N', 'D', 'HH', 'AH0', 'L', 'OW1']);
  assert.deepEqual(r.warnings, ['skipped text in an unsupported script at offset 0: "Привет мир" (only English and Mandarin are spoken)']);
  for (const [t, script] of [['مرحبا hello', 'مرحبا'], ['こんにちは world', 'こんにちは'], ['カタカナ', 'カタカナ'], ['안녕 hi', '안녕'], ['Ελληνικά ok', 'Ελληνικά']]) {
    const x = phonemize(t!);
    assert.ok(x.warnings?.some((m) => m.includes(`"${script}"`)), t);
    table.encode(x.sentences.flatMap(sentenceSymbols));
  }
  // Accented Latin is English (no warning); Han is read as Mandarin.
  assert.equal(phonemize('café naïve résumé').warnings, undefined);
  assert.equal(phonemize('日本').warnings, undefined);
  assert.equal(phonemize('hello').warnings, undefined);
});

test('bad input: invalid SSML is an error with the position', () => {
  const cases: [string, number, number][] = [['<speak>Hi', 1, 1], ['<speak>\n  <prosody rate="fast">x</speak>', 2, 25], ['<speak>a < b</speak>', 1, 10], ['<speak>\n\n<bad/></speak>', 3, 1]];
  for (const [input, line, col] of cases) {
    assert.throws(() => parseSsml(input), (e: unknown) => e instanceof SsmlError && new RegExp(`line ${line}, column ${col}`).test(e.message), input);
    assert.throws(() => phonemize(input, { ssml: true }), SsmlError);
  }
});

test('bad input: long input is processed sentence by sentence in linear work (1 MB: phonemize.test.ts)', () => {
  const paragraph = 'On Jan. 5, 2021 Dr. Smith paid $3.50 for 12 apples at 3:45 pm. 我们去银行取钱，然后回家。 ';
  const run = (chars: number): PhonemizeStats => {
    const stats: PhonemizeStats = { pieces: 0, pieceChars: 0, maxPieceChars: 0, alignCells: 0 };
    phonemize(paragraph.repeat(Math.ceil(chars / paragraph.length)), { stats });
    return stats;
  };
  const small = run(30_000), big = run(300_000);
  const ratio = big.alignCells / small.alignCells;
  assert.ok(ratio > 9 && ratio < 11, `alignment work ratio ${ratio}`);
  assert.ok(big.pieces / small.pieces > 9 && big.pieces / small.pieces < 11);
  assert.ok(big.maxPieceChars <= 400 && big.maxPieceChars === small.maxPieceChars);
  // One 200 kB "sentence" without punctuation is cut into bounded pieces: work per piece stays bounded.
  const stats: PhonemizeStats = { pieces: 0, pieceChars: 0, maxPieceChars: 0, alignCells: 0 };
  phonemize('word '.repeat(40_000), { stats });
  assert.ok(stats.maxPieceChars <= 400 && stats.pieces >= 500);
  assert.ok(stats.alignCells / stats.pieces <= 81 * 81, `cells per piece ${stats.alignCells / stats.pieces}`);
});

test('lexicon: CMUdict format (alternates, ;;; comments) and JSON both load', () => {
  const cmu = Lexicon.load(';;; # CMUdict-style file\n;;; comment\nTOMATO  T AH0 M EY1 T OW2\nTOMATO(2)  T AH0 M AA1 T OW2\nCLIPTTS  K L IH1 P T IY1 T IY1 EH1 S\n', 'my.dict');
  assert.deepEqual(cmu.english('tomato'), ['T', 'AH0', 'M', 'EY1', 'T', 'OW2']);
  assert.deepEqual(cmu.englishAll('Tomato'), [['T', 'AH0', 'M', 'EY1', 'T', 'OW2'], ['T', 'AH0', 'M', 'AA1', 'T', 'OW2']]);
  const s = phonemize('ClipTTS tomato', { lexicon: cmu }).sentences[0]!;
  assert.deepEqual(s.words.map((w) => w.source), ['lexicon', 'lexicon']);
  assert.deepEqual(sentenceSymbols(s), ['K', 'L', 'IH1', 'P', 'T', 'IY1', 'T', 'IY1', 'EH1', 'S', 'T', 'AH0', 'M', 'EY1', 'T', 'OW2']);
  // An alternate alone becomes the pronunciation; bad alternates name their line.
  assert.deepEqual(Lexicon.parse('ZOO(2)  Z UW1').english('zoo'), ['Z', 'UW1']);
  assert.throws(() => Lexicon.parse('A  AH0\nA(2)  QQ', 'x.dict'), /x\.dict:2: unknown phoneme "QQ"/);
  const json = Lexicon.load('{"tomato": ["T", "AH0", "M", "EY1", "T", "OW2"]}', 'my.json');
  assert.deepEqual(json.english('TOMATO'), ['T', 'AH0', 'M', 'EY1', 'T', 'OW2']);
});
