import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSsml, SsmlError } from '../../src/text/ssml.js';
import { phonemize } from '../../src/text/phonemize.js';
import { Lexicon, LexiconError } from '../../src/text/lexicon.js';

const symbols = (text: string, ssml = true): string => phonemize(text, { ssml }).sentences.map((s) => s.tokens.map((t) => t.symbol).join(' ')).join(' / ');

test('SSML: breaks, say-as, phoneme, sub', () => {
  assert.equal(symbols('<speak>Hi <break time="500ms"/> there</speak>'), 'HH AY1 <sil> DH EH1 R');
  const s = phonemize('<speak>Hi <break time="1.5s"/><break strength="strong"/>there</speak>', { ssml: true }).sentences[0]!;
  assert.deepEqual(s.tokens.filter((t) => t.kind === 'pause').map((t) => [t.symbol, t.pauseMs]), [['<sil>', 1500], ['<sp4>', 600]]);
  assert.equal(symbols('<speak><say-as interpret-as="characters">abc</say-as></speak>'), 'EY1 B IY1 S IY1');
  assert.equal(symbols('<speak><say-as interpret-as="cardinal">12</say-as></speak>'), 'T W EH1 L V');
  assert.equal(symbols('<speak><say-as interpret-as="ordinal">3</say-as></speak>'), 'TH ER1 D');
  assert.equal(symbols('<speak><say-as interpret-as="telephone">555-1234</say-as></speak>'), 'F AY1 V F AY1 V F AY1 V , W AH1 N T UW1 TH R IY1 F AO1 R');
  assert.equal(symbols('<speak><say-as interpret-as="date" format="ymd">2021-01-05</say-as></speak>'),
    symbols('January fifth, twenty twenty-one', false));
  assert.equal(symbols('<speak><phoneme alphabet="arpabet" ph="T AH0 M AA1 T OW2">tomato</phoneme></speak>'), 'T AH0 M AA1 T OW2');
  assert.equal(symbols('<speak><phoneme alphabet="ipa" ph="təˈmɑtoʊ">tomato</phoneme></speak>'), 'T AH0 M AA1 T OW0');
  assert.equal(symbols('<speak><sub alias="World Wide Web">WWW</sub></speak>'), 'W ER1 L D W AY1 D W EH1 B');
  assert.equal(symbols('<speak>A &amp; B</speak>'), symbols('A and B', false));
});

test('SSML: prosody, emphasis and lang are carried per span', () => {
  const s = phonemize('<speak>Go <prosody rate="slow" pitch="+2st" volume="loud">slowly <emphasis level="strong">now</emphasis></prosody></speak>', { ssml: true }).sentences[0]!;
  const controlsOf = (word: string) => s.spans[s.tokens[s.words.find((w) => w.text === word)!.phonemeStart]!.span]!;
  assert.deepEqual(controlsOf('Go'), { rate: 1, pitchSemitones: 0, volumeDb: 0 });
  assert.deepEqual(controlsOf('slowly'), { rate: 0.75, pitchSemitones: 2, volumeDb: 6 });
  assert.deepEqual(controlsOf('now'), { rate: 0.75, pitchSemitones: 2, volumeDb: 6, emphasis: 'strong' });
  const zh = phonemize('<speak>Hello <lang xml:lang="zh-CN">你好</lang></speak>', { ssml: true }).sentences[0]!;
  assert.deepEqual(zh.words.map((w) => w.lang), ['en', 'zh', 'zh']); // 你|好: pinyin-pro's segmentation
  assert.equal(symbols('<speak><s>One</s><s>Two</s></speak>'), 'W AH1 N / T UW1');
});

test('SSML: malformed markup names the position', () => {
  const bad: [string, RegExp][] = [
    ['<speak>Hi <break time="5 parsecs"/></speak>', /line 1, column 11.*break time/],
    ['<speak>Hi\n<prosody rate="slow">x</speak>', /line 2, column 23.*does not match <prosody>/],
    ['<speak>Hi', /line 1, column 1: <speak> is never closed/],
    ['<speak><blink>x</blink></speak>', /unsupported element <blink>/],
    ['<speak>a < b</speak>', /column 10: unclosed tag/],
    ['<speak><say-as>1</say-as></speak>', /interpret-as/],
    ['<speak>x</speak></speak>', /closing tag <\/speak> without/],
    ['<speak>AT&T</speak>', /entity/],
    ['<speak><break time="1s"></speak>', /self-closing/],
  ];
  for (const [input, re] of bad) {
    assert.throws(() => parseSsml(input), (e: unknown) => e instanceof SsmlError && re.test(e.message), input);
  }
});

test('inline phonemes in plain text', () => {
  assert.equal(symbols('Say {HH AH0 L OW1} now', false), 'S EY1 HH AH0 L OW1 N AW1');
  assert.equal(symbols('{ni3 hao3}', false), 'zh:n zh:i3 zh:h zh:ao3');
  assert.throws(() => phonemize('Say {HH XX1}'), /"XX1" is not ARPAbet/);
});

test('lexicon: text and JSON formats override the dictionary', () => {
  const lex = Lexicon.parse('# my words\ntomato  T AH0 M AA1 T OW2\nClipTTS  K L IH1 P T IY1 T IY1 EH1 S  # brand\n');
  assert.equal(lex.size, 2);
  const s = phonemize('I like tomato and ClipTTS.', { lexicon: lex }).sentences[0]!;
  const w = (t: string) => s.tokens.slice(s.words.find((x) => x.text === t)!.phonemeStart, s.words.find((x) => x.text === t)!.phonemeEnd).map((x) => x.symbol).join(' ');
  assert.equal(w('tomato'), 'T AH0 M AA1 T OW2');
  assert.equal(w('ClipTTS'), 'K L IH1 P T IY1 T IY1 EH1 S');
  assert.equal(s.words.find((x) => x.text === 'tomato')!.source, 'lexicon');
  const json = Lexicon.load('{"FBI": "EH1 F B IY1 AY1", "银行": ["yin2", "hang2"]}');
  assert.deepEqual(json.english('fbi'), ['EH1', 'F', 'B', 'IY1', 'AY1']);
  assert.equal(phonemize('The FBI.', { lexicon: json }).sentences[0]!.words.find((x) => x.text === 'FBI')?.source, 'lexicon');
});

test('lexicon: bad entries are errors naming the line', () => {
  assert.throws(() => Lexicon.parse('ok  OW1 K\nbad  B XX1 D', 'my.lex'), (e: unknown) => e instanceof LexiconError && e.line === 2 && /my\.lex:2: unknown phoneme "XX1"/.test(e.message));
  assert.throws(() => Lexicon.parse('\n\nword  AH L', 'x'), /x:3: .*"AH".*stress digit/);
  assert.throws(() => Lexicon.parse('lonely'), /lexicon:1: entry "lonely" has no phonemes/);
  assert.throws(() => Lexicon.parse('银行  yin hang'), /not a pinyin syllable/);
  assert.throws(() => Lexicon.load('{"a": 3}'), /entry "a"/);
  assert.throws(() => Lexicon.load('{oops'), /invalid JSON/);
});
