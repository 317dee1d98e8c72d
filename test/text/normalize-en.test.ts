import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeEnglish, LETTER_MARK, isPronounceable, romanToNumber } from '../../src/text/normalize-en.js';
import { cmuHas } from '../../src/text/cmudict.js';
import { splitSentences } from '../../src/text/sentences.js';

const norm = (s: string): string => normalizeEnglish(s, { isKnownWord: cmuHas }).split(LETTER_MARK).join('');

/** [input, expected spoken form] (spelled letters shown without their marker). */
const CASES: [string, string][] = [
  ["I have 3 cats.","I have three cats."],
  ["There are 0 errors.","There are zero errors."],
  ["He was 21st.","He was twenty-first."],
  ["She finished 102nd.","She finished one hundred second."],
  ["The 1st, 2nd, 3rd and 4th.","The first, second, third and fourth."],
  ["Pi is 3.14.","Pi is three point one four."],
  ["Only .5 left","Only zero point five left"],
  ["It was -5 degrees.","It was minus five degrees."],
  ["The balance is -12.5 today","The balance is minus twelve point five today"],
  ["1,000,000 people","one million people"],
  ["It has 1234567 rows","It has one million two hundred thirty-four thousand five hundred sixty-seven rows"],
  ["In 1999 we left.","In nineteen ninety-nine we left."],
  ["In 2005 we moved.","In two thousand five we moved."],
  ["In 1905 it began.","In nineteen oh five it began."],
  ["By 1800 it was over.","By eighteen hundred it was over."],
  ["In 2021 it snowed.","In twenty twenty-one it snowed."],
  ["The 2010s were fun.","The twenty tens were fun."],
  ["The 1990s.","The nineteen nineties."],
  ["The '90s.","The nineties."],
  ["The 80s were loud","The eighties were loud"],
  ["It costs $3.50.","It costs three dollars and fifty cents."],
  ["It costs $1.","It costs one dollar."],
  ["It costs $0.99.","It costs ninety-nine cents."],
  ["It costs $3.5 million.","It costs three point five million dollars."],
  ["It costs $5M.","It costs five million dollars."],
  ["It costs $2bn.","It costs two billion dollars."],
  ["It cost £1.50.","It cost one pound and fifty pence."],
  ["It cost €20.","It cost twenty euros."],
  ["Only 99¢.","Only ninety-nine cents."],
  ["It is $1,250.","It is one thousand two hundred fifty dollars."],
  ["About 50% done.","About fifty percent done."],
  ["It rose 3.5%.","It rose three point five percent."],
  ["Meet at 3:45 pm.","Meet at three forty-five P M."],
  ["Meet at 3:05 a.m. tomorrow","Meet at three oh five A M tomorrow"],
  ["At 12:00 we eat.","At twelve o'clock we eat."],
  ["Wake at 7 am.","Wake at seven A M."],
  ["The train leaves at 14:30.","The train leaves at fourteen thirty."],
  ["On Jan. 5, 2021 it snowed.","On January fifth, twenty twenty-one it snowed."],
  ["On January 5th, 2021 it snowed.","On January fifth, twenty twenty-one it snowed."],
  ["On 5 January 2021 it snowed.","On the fifth of January twenty twenty-one it snowed."],
  ["Due 2021-01-05.","Due January fifth, twenty twenty-one."],
  ["Due 01/05/2021.","Due January fifth, twenty twenty-one."],
  ["Born March 3.","Born March third."],
  ["The 4th of July.","The fourth of July."],
  ["Since May 2020.","Since May twenty twenty."],
  ["He ran 5 km at 10 mph.","He ran five kilometers at ten miles per hour."],
  ["It is 25°C outside.","It is twenty-five degrees Celsius outside."],
  ["It weighs 2.5 kg.","It weighs two point five kilograms."],
  ["A 1 kg bag.","A one kilogram bag."],
  ["A 500 GB disk.","A five hundred gigabytes disk."],
  ["It is 6 ft tall","It is six feet tall"],
  ["Dr. Smith on Elm Dr. is here.","Doctor Smith on Elm Drive is here."],
  ["Dr. Jones arrived.","Doctor Jones arrived."],
  ["St. Louis is on Main St. today.","Saint Louis is on Main Street today."],
  ["Mr. and Mrs. Smith","Mister and Missus Smith"],
  ["Ms. Lee met Prof. Chan.","Miz Lee met Professor Chan."],
  ["Gen. Grant and Capt. Cook","General Grant and Captain Cook"],
  ["John Smith Jr. spoke.","John Smith Junior spoke."],
  ["Apples, pears, etc.","Apples, pears, et cetera."],
  ["e.g. this one","for example this one"],
  ["i.e. that one","that is that one"],
  ["Smith vs. Jones","Smith versus Jones"],
  ["Acme Inc. grew.","Acme Incorporated grew."],
  ["Go to Mt. Everest.","Go to Mount Everest."],
  ["It is on 5th Ave.","It is on fifth Avenue."],
  ["No. 5 is next.","number five is next."],
  ["The FBI and NASA met.","The F B I and NASA met."],
  ["Ask the CIA.","Ask the C I A."],
  ["The HTML file","The HTML file"],
  ["The U.S. Army","The U S Army"],
  ["He works at IBM.","He works at I B M."],
  ["NATO met.","NATO met."],
  ["OK then.","okay then."],
  ["Henry VIII had wives.","Henry the eighth had wives."],
  ["Louis XIV was king.","Louis the fourteenth was king."],
  ["Elizabeth I ruled.","Elizabeth the first ruled."],
  ["Chapter IV begins.","Chapter four begins."],
  ["Read Part II now.","Read Part two now."],
  ["World War II ended.","World War two ended."],
  ["After WWI it changed.","After World War One it changed."],
  ["I am here.","I am here."],
  ["Rock & roll","Rock and roll"],
  ["One + one","One plus one"],
  ["Email me at john.doe@example.com now.","Email me at john dot doe at example dot com now."],
  ["Visit https://www.example.com/path today.","Visit W W W dot example dot com slash path today."],
  ["See example.org for more.","See example dot org for more."],
  ["Call 555-123-4567.","Call five five five, one two three, four five six seven."],
  ["Call (555) 123-4567.","Call five five five, one two three, four five six seven."],
  ["Score 3-2","Score three to two"],
  ["Pages 10-20","Pages ten to twenty"],
  ["Add 1/2 cup.","Add one half cup."],
  ["About 3/4 of them.","About three quarters of them."],
  ["#1 hit","number one hit"],
  ["Use C++ and C#.","Use C plus plus and C sharp."],
  ["It is 007.","It is oh oh seven."],
  ["Version 2.0 is out","Version two point zero is out"],
  ["Wait... what?","Wait, what?"],
];

test(`English normalisation table (${CASES.length} cases)`, () => {
  const failures: string[] = [];
  for (const [input, expected] of CASES) {
    const got = norm(input);
    if (got !== expected) failures.push(`${JSON.stringify(input)}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
  }
  assert.deepEqual(failures, []);
  assert.ok(CASES.length >= 80);
});

test('spelled letters carry the letter marker', () => {
  assert.equal(normalizeEnglish('The FBI'), `The ${LETTER_MARK}F ${LETTER_MARK}B ${LETTER_MARK}I`);
});

test('pronounceability and Roman numerals', () => {
  assert.equal(isPronounceable('nasa'), true);
  assert.equal(isPronounceable('fbi'), false);
  assert.equal(isPronounceable('html'), false);
  assert.equal(romanToNumber('XIV'), 14);
  assert.equal(romanToNumber('IIII'), undefined);
});

test('sentence splitting respects abbreviations, initials and decimals', () => {
  const s = (t: string): string[] => splitSentences(t).map((x) => x.text);
  assert.deepEqual(s('Dr. Smith paid $3.50. Then he left!'), ['Dr. Smith paid $3.50.', 'Then he left!']);
  assert.deepEqual(s('J. K. Rowling wrote it. Is it 3.14? Yes.'), ['J. K. Rowling wrote it.', 'Is it 3.14?', 'Yes.']);
  assert.deepEqual(s('We met e.g. at noon. Fine.'), ['We met e.g. at noon.', 'Fine.']);
  assert.deepEqual(s('Line one\nLine two'), ['Line one', 'Line two']);
  assert.deepEqual(s('你好。我很好！'), ['你好。', '我很好！']);
  assert.deepEqual(s(''), []);
  const long = splitSentences('word, '.repeat(500), 100);
  assert.ok(long.length > 5 && long.every((x) => x.text.length <= 100));
});
