import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chineseToItems, splitPinyin, syllableSymbols, type ZhItem } from '../../src/text/pinyin-zh.js';
import { normalizeChinese, zhCardinal } from '../../src/text/normalize-zh.js';
import { phonemize, phonemizeBaker } from '../../src/text/phonemize.js';
import { Lexicon } from '../../src/text/lexicon.js';

/** "你好" → "ni2 hao3" style (initial+final+tone, r for erhua). */
function pinyinOf(text: string): string {
  return chineseToItems(text).flatMap((i: ZhItem) => (i.kind === 'word' ? i.word.syllables.map((s) => `${s.initial}${s.final}${s.tone}${s.erhua ? 'r' : ''}`) : [])).join(' ');
}

test('polyphones in context', () => {
  assert.equal(pinyinOf('银行'), 'in2 hang2'); // zero initial: yin → final in
  assert.equal(pinyinOf('行走'), 'xing2 zou3');
  assert.equal(pinyinOf('我们去银行取钱'), 'uo3 men5 qv4 in2 hang2 qv3 qian2');
});

test('tone sandhi: third tone, 一, 不', () => {
  assert.equal(pinyinOf('你好'), 'ni2 hao3');
  assert.equal(pinyinOf('展览馆'), 'zhan2 lan2 guan3');
  assert.equal(pinyinOf('一个'), 'i2 ge4');
  assert.equal(pinyinOf('一起'), 'i4 qi3');
  assert.equal(pinyinOf('第一名'), 'di4 i1 ming2');
  assert.equal(pinyinOf('看一看'), 'kan4 i5 kan4');
  assert.equal(pinyinOf('不是'), 'bu2 shiii4');
  assert.equal(pinyinOf('不好'), 'bu4 hao3');
  assert.equal(pinyinOf('好不好'), 'hao3 bu5 hao3');
});

test('erhua and neutral tone', () => {
  assert.equal(pinyinOf('哪儿'), 'na3r');
  assert.equal(pinyinOf('一点儿'), 'i4 dian3r');
  assert.equal(pinyinOf('女儿'), 'nv3 er2');
  assert.equal(pinyinOf('朋友们'), 'peng2 iou3 men5');
  const s = phonemize('哪儿', { lang: 'zh' }).sentences[0]!;
  assert.deepEqual(s.tokens.map((t) => t.symbol), ['zh:n', 'zh:a3', 'zh:rr']);
  assert.equal(s.words[0]!.text, '哪儿');
});

test('pinyin splitting (Baker finals)', () => {
  assert.deepEqual(splitPinyin('liu2'), { initial: 'l', final: 'iou', tone: 2, erhua: false });
  assert.deepEqual(splitPinyin('ju4'), { initial: 'j', final: 'v', tone: 4, erhua: false });
  assert.deepEqual(splitPinyin('zi5'), { initial: 'z', final: 'ii', tone: 5, erhua: false });
  assert.deepEqual(splitPinyin('shi4'), { initial: 'sh', final: 'iii', tone: 4, erhua: false });
  assert.deepEqual(splitPinyin('wei4'), { initial: '', final: 'uei', tone: 4, erhua: false });
  assert.deepEqual(splitPinyin('huar1'), { initial: 'h', final: 'ua', tone: 1, erhua: true });
  assert.deepEqual(splitPinyin('lü4'), { initial: 'l', final: 'v', tone: 4, erhua: false });
  assert.throws(() => splitPinyin('xyz9'), /cannot read/);
  assert.deepEqual(syllableSymbols({ text: '好', initial: 'h', final: 'ao', tone: 3, erhua: false, citationTone: 3 }), ['zh:h', 'zh:ao3']);
});

test('Baker transcript line with prosody labels', () => {
  const s = phonemizeBaker('000001\t卡尔普#2陪外孙#1玩滑梯#4。', 'ka2 er2 pu3 pei2 wai4 sun1 wan2 hua2 ti1');
  assert.deepEqual(s.tokens.map((t) => t.symbol), [
    'zh:k', 'zh:a2', 'zh:er2', 'zh:p', 'zh:u3', '<sp2>', 'zh:p', 'zh:ei2', 'zh:uai4', 'zh:s', 'zh:uen1', '<sp1>',
    'zh:uan2', 'zh:h', 'zh:ua2', 'zh:t', 'zh:i1', '<sp4>', '.']);
  assert.deepEqual(s.words.map((w) => w.text), ['卡尔普', '陪外孙', '玩滑梯']);
  const pauses = s.tokens.filter((t) => t.kind === 'pause').map((t) => t.pauseMs!);
  assert.ok(pauses[0]! > pauses[1]! && pauses[2]! > pauses[0]!, 'pause strength grows with the label');
  const er = phonemizeBaker('我在哪儿#4。', 'wo3 zai4 nar3');
  assert.deepEqual(er.tokens.slice(-5).map((t) => t.symbol), ['zh:n', 'zh:a3', 'zh:rr', '<sp4>', '.']);
  assert.throws(() => phonemizeBaker('你好', 'ni3'), /more characters than pinyin/);
  // Inline labels in plain text also work.
  const inline = phonemize('卡尔普#2陪外孙#1玩滑梯#4。', { lang: 'zh' }).sentences[0]!;
  assert.deepEqual(inline.tokens.filter((t) => t.kind === 'pause').map((t) => t.symbol), ['<sp2>', '<sp1>', '<sp4>']);
});

test('Chinese numbers, dates, percentages, phone numbers', () => {
  const cases: [string, string][] = [
    ['2021年3月5日', '二零二一年三月五日'], ['增长3.5%', '增长百分之三点五'], ['第1名', '第一名'],
    ['电话13812345678', '电话幺三八幺二三四五六七八'], ['我有2个苹果', '我有两个苹果'], ['现在是3:45', '现在是三点四十五分'],
    ['温度-5°C', '温度负五摄氏度'], ['价格¥12.5', '价格十二点五元'], ['3/4的人', '四分之三的人'], ['共12345人', '共一万二千三百四十五人'],
    ['1-2天', '一到二天'], ['10点', '十点'],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeChinese(input), expected, input);
  assert.equal(zhCardinal('100010000'), '一亿零一万');
  assert.equal(zhCardinal('1010'), '一千零一十');
});

test('mixed Chinese and English with a language per token', () => {
  const s = phonemize('我用iPhone打电话给Tom。', { lang: 'auto' }).sentences[0]!;
  const langs = s.words.map((w) => `${w.text}:${w.lang}`);
  assert.ok(langs.includes('iPhone:en') && langs.includes('Tom:en') && langs.includes('我:zh'), langs.join(' '));
  for (const t of s.tokens) if (t.kind === 'phone') assert.equal(t.lang, t.symbol.startsWith('zh:') ? 'zh' : 'en');
});

test('Chinese lexicon override', () => {
  const lex = Lexicon.parse('银行  yin2 xing2');
  assert.equal(pinyinOf('银行'), 'in2 hang2');
  const s = phonemize('银行', { lang: 'zh', lexicon: lex }).sentences[0]!;
  assert.deepEqual(s.tokens.map((t) => t.symbol), ['zh:in2', 'zh:x', 'zh:ing2']);
});
